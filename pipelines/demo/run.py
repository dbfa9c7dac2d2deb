"""`workforce demo` (what `make demo` runs): the whole pipeline on synthetic deliveries.

Every step is the code a real run uses: the generated files go through ingestion like a
municipality's, SSB comes from the bundled snapshot (no network), dbt builds the marts, the
quality gate decides, the analysts' file is published atomically and the county release is
written. The demo only chooses the inputs and prints where the results are.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from pipelines.demo.generate import generate_deliveries
from pipelines.errors import WorkforceError
from pipelines.settings import Settings


def run_demo(settings: Settings, console: Console, *, years: str = "2015-2025") -> Path:
    """Generate, ingest, fetch SSB (snapshot), build, check, publish and release; returns the release."""
    from pipelines.hr.ingest import ingest_paths
    from pipelines.hr.report import print_ingest_results
    from pipelines.indicators.build import run_dbt
    from pipelines.indicators.headline import headline_table
    from pipelines.quality.console import print_gate_summary
    from pipelines.quality.gate import run_gate
    from pipelines.release.publish import publish
    from pipelines.ssb.load import fetch_catalogue
    from pipelines.warehouse.publish import publish_database

    started = time.monotonic()
    settings = replace(settings, ssb_mode="snapshot")  # the demo never touches the network
    settings.ensure_dirs()
    out = settings.home / "demo-deliveries"

    console.rule(f"1/7 Syntetiske leveranser (Salten og Ytre Lofoten, {years})")
    console.print(generate_deliveries(out, years=years), highlight=False)

    console.rule("2/7 Innlesing av HR-leveransene")
    results = ingest_paths([out], settings)
    print_ingest_results(results, console, per_file=False)

    console.rule("3/7 SSB og KLASS fra øyeblikksbildet i pakken (demotall, ikke SSBs tall)")
    fetch_catalogue(settings, mode="snapshot", console=console)

    console.rule("4/7 dbt build (staging → intermediate → marts, med tester)")
    target = settings.home / "dbt-target"
    run_dbt(["build", "--quiet"], settings.build_db_path, target_path=target, check=False)
    console.print(f"dbt-artefakter: {target}", highlight=False)

    console.rule("5/7 Kvalitetsporten")
    gate = run_gate(settings, dbt_run_results=target / "run_results.json")
    print_gate_summary(gate, console)
    if gate.blocking_failures:
        raise WorkforceError(
            f"Kvalitetsporten stoppet publiseringen ({len(gate.blocking_failures)} blokkerende sjekker feilet); "
            f"se {gate.report_path}"
        )

    console.rule("6/7 Publisering av analysebasen")
    published = publish_database(settings.build_db_path, settings.published_db_path)
    console.print(f"Analysebasen (skrivebeskyttet): {published}", highlight=False)

    console.rule("7/7 Fylkesleveranse")
    release = publish(settings, published, progress=lambda line: console.print(line, highlight=False))
    console.print(f"Leveranse: {release}", highlight=False)

    console.print(headline_table(published))
    console.print(
        "\n[bold]Resultater[/bold]\n"
        f"  analysebase:     {published}  (`.venv/bin/workforce sql` åpner den skrivebeskyttet)\n"
        f"  kvalitetsrapport: {gate.report_path}\n"
        f"  fylkesleveranse: {release}  (report.html, indicators.xlsx, csv, parquet, json, manifest.json)\n"
        f"  Dagster:         `.venv/bin/workforce ui`  →  http://127.0.0.1:3000 (stopp med Ctrl-C); nye filer i "
        f"{settings.inbox_dir} leses inn av seg selv\n"
        f"  utforsker:       `.venv/bin/workforce explore` (graf og tabell uten kode, kun intern bruk)\n"
        f"  nøkkel:          {settings.demo_secret_path} brukes av `workforce ui`, `run` og `ingest` så lenge "
        "verken WORKFORCE_SECRET eller WORKFORCE_SECRET_FILE er satt\n"
        f"Ferdig på {time.monotonic() - started:.0f} s.",
        highlight=False,
    )
    return release
