"""The gate's summary in a terminal (`workforce check`): what failed, and where the report is."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipelines.quality.check_run import CheckRun

KIND = {"sql": "SQL", "gx": "GX", "dbt": "dbt"}


def print_check_run(result: CheckRun, console: Console) -> None:
    """A table of failed checks (blocking first), counts per kind, the verdict and the report path."""
    failed = sorted(
        (r for r in result.results if not r.passed),
        key=lambda r: (r.severity != "block", r.asset, r.check_name),
    )
    if failed:
        table = Table(title="Sjekker som feilet", show_lines=False, title_justify="left")
        for column in ("Alvorlighet", "Type", "Tabell", "Sjekk", "Avvik", "Melding"):
            table.add_column(column, overflow="fold")
        for r in failed:
            style = "red" if r.severity == "block" else "yellow"
            table.add_row(
                f"[{style}]{'blokkerende' if r.severity == 'block' else 'advarsel'}[/{style}]",
                KIND.get(r.kind, r.kind),
                r.asset,
                r.check_name + (f" [dim]({r.municipality_code})[/dim]" if r.municipality_code else ""),
                "" if r.unexpected_count is None else str(r.unexpected_count),
                r.message,
            )
        console.print(table)

    counts = Table(title="Oppsummering", title_justify="left")
    for column in ("Type", "Bestått", "Blokkerende feil", "Advarsler"):
        counts.add_column(column, justify="right" if column != "Type" else "left")
    for kind in ("sql", "gx", "dbt"):
        mine = [r for r in result.results if r.kind == kind]
        if mine:
            counts.add_row(
                KIND[kind],
                str(sum(r.passed for r in mine)),
                str(sum(r.blocking_failure for r in mine)),
                str(sum(not r.passed and r.severity != "block" for r in mine)),
            )
    console.print(counts)
    not_applicable = sorted({r.message for r in result.results if r.passed and r.message.startswith("Ikke aktuelt")})
    for message in not_applicable:  # a figure the data cannot compute yet: recorded, not a failure
        console.print(f"[dim]{message}[/dim]", highlight=False)
    if result.passed:
        console.print(
            f"[green]Porten er åpen[/green]: ingen blokkerende feil ({len(result.warnings)} advarsler)."
        )
    else:
        console.print(f"[red]Porten er stengt[/red]: {len(result.blocking_failures)} blokkerende feil.")
    if result.report_path:
        console.print(f"Rapport: {result.report_path}")
    console.print(f"Kjøring {result.run_id} på {result.timings.get('total', 0):.1f} s", style="dim")
