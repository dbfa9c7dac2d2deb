"""`workforce demo` (first version): generate the demo deliveries, ingest them, summarise.

The lead extends this with the SSB snapshot, dbt and the quality gate; what is here is the
part owned by the demo generator: the synthetic files under WORKFORCE_HOME and their
ingestion through the same code path a municipality's real files take.
"""

from __future__ import annotations

from rich.console import Console

from pipelines.demo.generate import generate_deliveries
from pipelines.settings import Settings


def run_demo(settings: Settings, console: Console) -> None:
    from pipelines.hr.ingest import ingest_paths  # imported here: the HR area is heavy to load
    from pipelines.hr.report import print_ingest_results

    settings.ensure_dirs()
    out = settings.home / "demo-deliveries"
    console.print("[bold]Lager syntetiske leveranser[/bold] (Salten og Lofoten, 2015–2025) …")
    console.print(generate_deliveries(out), highlight=False)
    console.print(f"[bold]Leser inn leveransene[/bold] fra {out} …")
    results = ingest_paths([out], settings)
    print_ingest_results(results, console)
    console.print(f"Lageret (byggekopi): {settings.build_db_path}", highlight=False)
