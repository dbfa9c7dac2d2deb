"""The short table `make demo` ends with: headline indicators for Salten and outer Lofoten.

It reads the published warehouse read-only, the way an analyst would, so the demo shows
what analysts get rather than the build copy.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

REGIONS = {"salten": "Salten", "outer_lofoten": "Ytre Lofoten"}
HEADLINE = (
    ("fulltime_share", "Heltidsandel", "share"),
    ("avg_position_size", "Gj.sn. stillingsstørrelse", "percent"),
    ("turnover", "Turnover", "share"),
    ("retention_12m", "Stabilitet nyansatte 12 mnd", "share"),
    ("key_turnover", "Turnover nøkkelstillinger", "share"),
    ("key_cost_per_hire", "Kostnad per rekruttering, nøkkel", "nok"),
    ("apprentice_conversion_12m", "Lærlinger ansatt etter læretid", "share"),
    ("backlog_overdue_share", "Andel restanser", "share"),
)


def _format(value: float | None, style: str) -> str:
    if value is None:
        return "–"
    if style == "share":
        return f"{value * 100:.1f} %".replace(".", ",")
    if style == "percent":
        return f"{value:.1f} %".replace(".", ",")
    return f"{value:,.0f} kr".replace(",", " ")


def headline_rows(database: Path) -> list[tuple[str, str, int | None, str, str, str]]:
    """(region, indicator label, latest year, value first year, value latest year, persons) per row."""
    ids = [indicator_id for indicator_id, _, _ in HEADLINE]
    con = duckdb.connect(str(database), read_only=True)
    try:
        found = con.execute(
            """
            select area_code, indicator_id, year, value, denominator
            from marts.fct_indicators
            where area_type = 'region' and area_code in ('salten', 'outer_lofoten')
              and coalesce(breakdown, 'total') = 'total' and indicator_id in (select unnest($ids))
            order by area_code, indicator_id, year
            """,
            {"ids": ids},
        ).fetchall()
    finally:
        con.close()
    series: dict[tuple[str, str], list[tuple[int, float | None, float | None]]] = {}
    for area, indicator_id, year, value, denominator in found:
        series.setdefault((area, indicator_id), []).append((year, value, denominator))
    rows = []
    for area, area_name in REGIONS.items():
        for indicator_id, label, style in HEADLINE:
            points = [p for p in series.get((area, indicator_id), []) if p[1] is not None]
            if not points:
                rows.append((area_name, label, None, "–", "–", "–"))
                continue
            first, last = points[0], points[-1]
            rows.append(
                (
                    area_name,
                    label,
                    last[0],
                    f"{_format(first[1], style)} ({first[0]})",
                    _format(last[1], style),
                    "" if last[2] is None else f"{last[2]:,.0f}".replace(",", " "),
                )
            )
    return rows


def print_headline(database: Path, console: Console) -> None:
    table = Table(title="Nøkkeltall (regionene regnet fra personer, ikke gjennomsnitt av kommuner)")
    for header in ("Region", "Indikator", "År", "Første år", "Siste år", "Nevner"):
        table.add_column(header, justify="right" if header in {"År", "Siste år", "Nevner"} else "left")
    for area, label, year, first, last, denominator in headline_rows(database):
        table.add_row(area, label, "" if year is None else str(year), first, last, denominator)
    console.print(table)
