"""The ingestion report a person reads: one line per file, then a summary (Norwegian)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from pipelines.hr.contract import KIND_LABELS
from pipelines.hr.ingest import DeliveryResult

OUTCOME = {
    "loaded": ("[green]lastet[/green]", "lastet"),
    "rejected": ("[red]avvist[/red]", "avvist"),
    "already_loaded": ("[yellow]allerede lest inn[/yellow]", "allerede lest inn"),
}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def unknown_codes_text(codes: dict[str, int]) -> str:
    """`ukjente stillingskoder (lastet som «Ukjent»): 7577 (12 rader), 7578 (1 rad)`."""
    parts = [f"{code} ({_n(n)} {'rad' if n == 1 else 'rader'})" for code, n in sorted(codes.items())]
    return "ukjente stillingskoder (lastet som «Ukjent»): " + ", ".join(parts)


def describe(result: DeliveryResult) -> str:
    """One line (rich markup) for one file."""
    label = OUTCOME.get(result.outcome, (result.outcome, result.outcome))[0]
    line = f"{label}  {escape(result.file_name)}"
    facts = [
        KIND_LABELS.get(result.kind or "", ""),
        result.profile or "",
        result.municipality_code or "",
        f"{result.extraction_date:%d.%m.%Y}" if result.extraction_date else "",
    ]
    facts = [f for f in facts if f]
    if facts and result.outcome == "loaded":
        line += f" ({escape(', '.join(facts))})"
    if result.outcome == "loaded":
        line += (
            f": lest {_n(result.rows_read)}, lastet {_n(result.rows_loaded)}, "
            f"karantene {_n(result.rows_quarantined)}, duplikater {_n(result.rows_duplicate)}"
        )
        if result.rows_stale:
            line += f" (av de lastede var {_n(result.rows_stale)} eldre enn det som alt var lagret)"
        if result.unknown_position_codes:
            line += "; " + unknown_codes_text(result.unknown_position_codes)
    if result.reason:
        line += f" — {escape(result.reason)}"
    return line


def print_ingest_results(results: Sequence[DeliveryResult], console: Console, *, per_file: bool = True) -> None:
    """Print one line per file (unless `per_file` is off) and a summary; one file, one line."""
    if per_file:
        for result in results:
            console.print(describe(result), soft_wrap=True, highlight=False)
    by_outcome = {key: sum(1 for r in results if r.outcome == key) for key in OUTCOME}
    parts = [f"{by_outcome[key]} {OUTCOME[key][1]}" for key in OUTCOME if by_outcome[key]]
    totals = (
        f"{_n(sum(r.rows_read for r in results))} rader lest, "
        f"{_n(sum(r.rows_loaded for r in results))} lastet, "
        f"{_n(sum(r.rows_quarantined for r in results))} i karantene, "
        f"{_n(sum(r.rows_duplicate for r in results))} duplikater"
    )
    unknown = sum(r.rows_unknown_code for r in results)
    if unknown:
        totals += f" ({_n(unknown)} lastede rader med ukjent stillingskode)"
    files = "fil" if len(results) == 1 else "filer"
    summary = f"Oppsummering: {len(results)} {files} ({', '.join(parts) or 'ingen'}); {totals}."
    console.print(summary, soft_wrap=True, highlight=False)
