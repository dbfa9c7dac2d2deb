"""KS-style headline figures computed straight from the simulated model.

Used to tune the generator against KS's published national figures and to state them in
the summary; the warehouse computes the real indicators from the delivered files in dbt.
Definitions follow `indicators.md`: persons employed on 1 December, excluding apprentices,
substitutes and persons whose only employments are 0 %; full-time = summed position size
≥ 100 %; turnover = counted at t−1 and not employed in the same municipality at t.
"""

from __future__ import annotations

import polars as pl

from pipelines.demo import catalogue as cat
from pipelines.demo.model import Workforce
from pipelines.demo.timeline import snapshot_day


def _active(spells: pl.DataFrame, on: int) -> pl.DataFrame:
    return spells.filter((pl.col("start") <= on) & (pl.col("end") >= on))


def counted_persons(workforce: Workforce, year: int, entities: list[int] | None = None) -> pl.DataFrame:
    """(entity, person, position size in hundredths) of the KS population on 1 December."""
    spells = workforce.spells
    if entities is not None:
        spells = spells.filter(pl.col("entity").is_in(entities))
    return (
        _active(spells, snapshot_day(year))
        .filter(pl.col("etype").is_in([cat.PERMANENT, cat.TEMPORARY]))
        .group_by("entity", "person")
        .agg(pl.col("fte").sum().alias("size"))
        .filter(pl.col("size") > 0)
    )


def headline(workforce: Workforce, year: int, entities: list[int] | None = None) -> dict[str, float]:
    """Counted employees, full-time share and (from year−1) turnover, over `entities`."""
    now = counted_persons(workforce, year, entities)
    spells = (
        workforce.spells if entities is None else workforce.spells.filter(pl.col("entity").is_in(entities))
    )
    out = {
        "employees": float(now.height),
        "all_persons": float(_active(spells, snapshot_day(year)).select("person").n_unique()),
        "fulltime_share": float((now["size"] >= 10000).mean() or 0.0),
    }
    before = counted_persons(workforce, year - 1, entities)
    employed_now = _active(spells, snapshot_day(year)).select("entity", "person").unique()
    stayed = before.join(employed_now, on=["entity", "person"], how="semi").height
    out["turnover"] = 1 - stayed / before.height if before.height else 0.0
    return out
