"""The published long table: suppressed figures, rounded, named, in a fixed order.

Every export format and the report are made from this one frame, so a figure cannot be
hidden in one file and shown in another. Rows are sorted by a total key (regions before
municipalities, totals before breakdowns) so that the same inputs always give the same
bytes. Goal progress is masked against it: a goal's baseline or latest value is shown
only when the matching published cell is, and a target is hidden with a hidden baseline
(a relative target such as "−50 %" would give the baseline away).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipelines.release.disclosure import SUPPRESSED_SYMBOL
from pipelines.release.inputs import ReleaseInputs
from pipelines.release.labels import VALUE_DECIMALS

PUBLISHED_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "family",
    "area_type",
    "area_code",
    "area_name",
    "year",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "persons",
    "unit",
    "basis",
    "symbol",
    "suppressed",
    "suppression_reason",
    "suppression_text",
)
KEY_COLUMNS = ("indicator_id", "area_type", "area_code", "year", "breakdown", "breakdown_value")


def _round(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 else rounded  # never publish "-0.0"


def published_table(suppressed: pl.DataFrame, inputs: ReleaseInputs) -> pl.DataFrame:
    """Add names, round figures by unit and sort; the input is `disclosure.suppress`'s output."""
    meta = inputs.indicator_meta
    names = [str((meta.get(i) or {}).get("name_nb") or i) for i in suppressed["indicator_id"].to_list()]
    families = [(meta.get(i) or {}).get("family") for i in suppressed["indicator_id"].to_list()]
    areas = [
        inputs.area_name(t, c)
        for t, c in zip(suppressed["area_type"].to_list(), suppressed["area_code"].to_list(), strict=True)
    ]
    values = [
        _round(v, VALUE_DECIMALS.get(u, 4))
        for v, u in zip(suppressed["value"].to_list(), suppressed["unit"].to_list(), strict=True)
    ]
    frame = suppressed.with_columns(
        pl.Series("indicator_name", names, dtype=pl.String),
        pl.Series("family", families, dtype=pl.String),
        pl.Series("area_name", areas, dtype=pl.String),
        pl.Series("value", values, dtype=pl.Float64),
        pl.col("numerator").round(2),
        pl.col("denominator").round(2),
    )
    frame = frame.with_columns(
        (pl.col("area_type") != "region").alias("_area_order"),
        (pl.col("breakdown") != "total").alias("_breakdown_order"),
        pl.col("breakdown_value").fill_null("").alias("_value_order"),
    ).sort(["indicator_id", "_area_order", "area_code", "year", "_breakdown_order", "breakdown", "_value_order"])
    return frame.select(PUBLISHED_COLUMNS)


def published_goals(inputs: ReleaseInputs, table: pl.DataFrame, reference_year: int) -> list[dict[str, Any]]:
    """Goal progress as it may be published: baseline → latest → target, masked by the table."""
    cells: dict[tuple[str, str, int], dict[str, Any]] = {}
    for row in (
        table.filter(pl.col("breakdown") == "total")
        .select("indicator_id", "area_code", "year", "value", "suppressed", "unit")
        .iter_rows(named=True)
    ):
        cells[(row["indicator_id"], row["area_code"], row["year"])] = row

    goals = []
    for goal in inputs.goals:
        indicator = str(goal.get("indicator_id"))
        area = str(goal.get("area_code"))
        area_type = "region" if not area.isdigit() else "municipality"
        baseline_year = goal.get("baseline_year")
        years = sorted(y for (i, a, y) in cells if i == indicator and a == area and y <= reference_year)
        latest_year = years[-1] if years else None
        baseline = cells.get((indicator, area, baseline_year)) if baseline_year is not None else None
        latest = cells.get((indicator, area, latest_year)) if latest_year is not None else None
        baseline_hidden = baseline is None or baseline["suppressed"]
        latest_hidden = latest is None or latest["suppressed"]
        target = goal.get("target_value")
        on_track = None
        if not baseline_hidden and not latest_hidden and target is not None:
            on_track = _on_track(goal, baseline["value"], latest["value"], latest_year)
        goals.append(
            {
                "goal_id": goal.get("goal_id"),
                "indicator_id": indicator,
                "indicator_name": str((inputs.indicator_meta.get(indicator) or {}).get("name_nb") or indicator),
                "unit": (latest or baseline or {}).get("unit")
                or (inputs.indicator_meta.get(indicator) or {}).get("unit"),
                "area_type": area_type,
                "area_code": area,
                "area_name": inputs.area_name(area_type, area),
                "baseline_year": baseline_year,
                "baseline_value": None if baseline_hidden else baseline["value"],
                "baseline_symbol": SUPPRESSED_SYMBOL if baseline_hidden else "",
                "latest_year": latest_year,
                "latest_value": None if latest_hidden else latest["value"],
                "latest_symbol": SUPPRESSED_SYMBOL if latest_hidden else "",
                "target_value": None if (baseline_hidden or target is None) else round(float(target), 4),
                "target_symbol": SUPPRESSED_SYMBOL if baseline_hidden else "",
                "target_year": goal.get("target_year"),
                "on_track": on_track,
            }
        )
    return goals


def _on_track(goal: dict[str, Any], baseline: float, latest: float, latest_year: int) -> bool | None:
    """The mart's verdict for its own latest year; otherwise a straight-line projection to the target year."""
    if goal.get("latest_year") == latest_year and goal.get("on_track") is not None:
        return bool(goal["on_track"])
    target = float(goal["target_value"])
    baseline_year, target_year = goal.get("baseline_year"), goal.get("target_year")
    if baseline_year is None or target_year is None or latest_year <= baseline_year:
        return None
    slope = (latest - baseline) / (latest_year - baseline_year)
    projected = latest + slope * (target_year - latest_year)
    return projected >= target if target >= baseline else projected <= target
