"""The headline indicators for Salten and outer Lofoten, as a short table (Norwegian).

Read from a built warehouse (`marts.fct_indicators` and `marts.dim_indicator`); used by
`workforce indicators` and the demo's closing summary.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.table import Table

HEADLINE_INDICATORS = (
    "counted_employees",
    "fulltime_share",
    "avg_position_size",
    "fulltime_share_new_hires",
    "turnover",
    "sector_turnover",
    "retention_12m",
    "key_turnover",
    "key_cost_per_hire",
    "apprentice_conversion_12m",
    "backlog_overdue_share",
    "employees_per_1000",
)
HEADLINE_REGIONS = ("salten", "outer_lofoten")


def format_value(value: float, unit: str) -> str:
    """A figure as a Norwegian reader expects it: decimal comma, space as thousands separator."""

    def number(x: float, decimals: int) -> str:
        return f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")

    if unit == "share":
        return f"{number(value * 100, 1)} %"
    if unit == "percent":
        return f"{number(value, 1)} %"
    if unit == "nok":
        return f"{number(value, 0)} kr"
    if unit in ("count", "persons"):
        return number(value, 0)
    return number(value, 1)


def headline_rows(db_path: Path) -> list[tuple[str, dict[str, str]]]:
    """(Norwegian indicator name, {region: "value (year)"}) for each headline indicator."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            """
            select i.indicator_id, d.indicator_name, i.area_code, i.year, i.value, i.unit
            from marts.fct_indicators as i
            inner join marts.dim_indicator as d using (indicator_id)
            where i.area_type = 'region'
              and i.breakdown = 'total'
              and i.area_code in (select unnest(?))
              and i.indicator_id in (select unnest(?))
            qualify i.year = max(i.year) over (partition by i.indicator_id, i.area_code)
            """,
            [list(HEADLINE_REGIONS), list(HEADLINE_INDICATORS)],
        ).fetchall()
    names: dict[str, str] = {}
    cells: dict[str, dict[str, str]] = {}
    for indicator_id, name, region, year, value, unit in rows:
        names[indicator_id] = name
        cells.setdefault(indicator_id, {})[region] = f"{format_value(value, unit)} ({year})"
    return [(names[i], cells[i]) for i in HEADLINE_INDICATORS if i in cells]


def headline_table(db_path: Path) -> Table:
    table = Table(title="Nøkkeltall (siste år med data)")
    table.add_column("Indikator")
    table.add_column("Salten", justify="right")
    table.add_column("Ytre Lofoten", justify="right")
    for name, cells in headline_rows(db_path):
        table.add_row(name, *(cells.get(region, "–") for region in HEADLINE_REGIONS))
    return table
