"""`workforce demo` (what `make demo` runs): the whole pipeline on synthetic deliveries.

The demo chooses the inputs and nothing else. It writes synthetic deliveries into the inbox,
as a municipality would, and then runs the pipeline the one way it always runs: a Dagster
run of the code location's assets (`pipelines.defs.orchestration.runner.run_in_process`, what
`workforce run` uses; the inbox sensor's `ingest_deliveries` is a selection of the same
assets) — every asset, the county release included, with SSB from the bundled snapshot (no
network). So the run, its materialisations and check results show in the Dagster UI of
`WORKFORCE_HOME` afterwards, dbt's docs are built, and the incremental plan, blocking checks,
the writer pool and retries are the production ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from pipelines.errors import WorkforceError
from pipelines.settings import Settings

DEMO_YEARS = "2015-2025"
DEMO_MUNICIPALITIES = "salten,outer-lofoten"
# Every asset of the code location: SSB, the inbox, dbt, the checks, the gate, the published
# warehouse and the county release.
DEMO_SELECTION = "*"


@dataclass(frozen=True)
class DemoOutcome:
    run_id: str
    published: Path
    release: Path
    quality_report: Path
    docs_index: Path


def generate_into_inbox(
    settings: Settings,
    console: Console,
    *,
    years: str = DEMO_YEARS,
    scale: float = 1.0,
    municipalities: str = DEMO_MUNICIPALITIES,
) -> None:
    """Write the synthetic deliveries into the inbox, where a municipality's files arrive."""
    from pipelines.demo.generate import generate_deliveries

    console.rule(f"1/2 Syntetiske leveranser i innboksen (Salten og Ytre Lofoten, {years})")
    summary = generate_deliveries(settings.inbox_dir, years=years, scale=scale, municipalities=municipalities)
    console.print(summary, highlight=False)


def run_pipeline(settings: Settings, console: Console) -> DemoOutcome:
    """The demo's Dagster run: every asset, on what is in the inbox, SSB from the snapshot."""
    from pipelines.defs.orchestration.runner import run_in_process

    settings = replace(settings, ssb_mode="snapshot")  # the demo never touches the network
    settings.ensure_dirs()
    console.rule(
        "2/2 Dagster: innlesing, SSB og KLASS fra øyeblikksbildet i pakken (demotall), dbt build med tester, "
        "SQL- og GX-sjekker, kvalitetsporten, analysebasen med dokumentasjon, fylkesleveranse"
    )
    outcome = run_in_process(console, select=DEMO_SELECTION, settings=settings, title="demo")
    report = settings.quality_dir / outcome.run_id / "index.html"
    if not outcome.success:
        raise WorkforceError(
            f"Demokjøringen {outcome.run_id} feilet; se meldingene over"
            + (f" og kvalitetsrapporten {report}." if report.is_file() else ".")
        )
    release = outcome.paths.get("release")
    if not release:
        raise WorkforceError(f"Demokjøringen {outcome.run_id} skrev ingen fylkesleveranse.")
    return DemoOutcome(
        run_id=outcome.run_id,
        published=settings.published_db_path,
        release=Path(release),
        quality_report=report,
        docs_index=settings.docs_dir / "index.html",
    )


def run_demo(settings: Settings, console: Console, *, years: str = DEMO_YEARS) -> Path:
    """Generate into the inbox, run every asset through Dagster, summarise; returns the release."""
    from pipelines.indicators.headline import headline_table

    started = time.monotonic()
    settings.ensure_dirs()
    generate_into_inbox(settings, console, years=years)
    outcome = run_pipeline(settings, console)
    console.print(headline_table(outcome.published))
    console.print(
        "\n[bold]Resultater[/bold]\n"
        f"  analysebase:      {outcome.published}  (`.venv/bin/workforce sql` åpner den skrivebeskyttet)\n"
        f"  dokumentasjon:    {outcome.docs_index}  (dbt-dokumentasjonen av martene)\n"
        f"  kvalitetsrapport: {outcome.quality_report}\n"
        f"  fylkesleveranse:  {outcome.release}  (report.html, indicators.xlsx, csv, parquet, json, manifest.json)\n"
        f"  Dagster:          `.venv/bin/workforce ui`  →  http://127.0.0.1:3000 viser kjøringen {outcome.run_id} "
        f"(stopp med Ctrl-C); nye filer i {settings.inbox_dir} leses inn av seg selv\n"
        f"  utforsker:        `.venv/bin/workforce explore` (graf og tabell uten kode, kun intern bruk)\n"
        f"  nøkkel:           {settings.demo_secret_path} brukes av `workforce ui`, `run` og `ingest` så lenge "
        "verken WORKFORCE_SECRET eller WORKFORCE_SECRET_FILE er satt\n"
        f"Ferdig på {time.monotonic() - started:.0f} s.",
        highlight=False,
    )
    return outcome.release
