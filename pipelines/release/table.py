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

# Codes for programs, and beside each code the label a reader sees (`*_name`).
PUBLISHED_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "family",
    "family_name",
    "area_type",
    "area_code",
    "area_name",
    "year",
    "breakdown",
    "breakdown_name",
    "breakdown_value",
    "breakdown_value_name",
    "numerator",
    "denominator",
    "value",
    "persons",
    "unit",
    "unit_name",
    "basis",
    "basis_name",
    "municipalities_with_data",
    "municipalities_in_area",
    "symbol",
    "suppressed",
    "suppression_reason",
    "suppression_text",
)
# The labels a reader sees, derived from codes: the JSON keeps them once, in its lookups.
LABEL_COLUMNS = {
    "indicator_name": "indicator_id",
    "family_name": "family",
    "area_name": "area_code",
    "breakdown_name": "breakdown",
    "breakdown_value_name": "breakdown_value",
    "unit_name": "unit",
    "basis_name": "basis",
}
# How many persons a change must exceed before it is called an improvement or a decline
# (report sentences and goal statuses alike; the rule is written in READING_RULES_NB).
CHANGE_PERSONS = 2
KEY_COLUMNS = ("indicator_id", "area_type", "area_code", "year", "breakdown", "breakdown_value")


def _round(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 else rounded  # never publish "-0.0"


def _label(frame: pl.DataFrame, column: str, name: str, labels: dict[str, str]) -> pl.Expr:
    """`column` mapped through `labels` (computed once per distinct code, not per row)."""
    codes = [c for c in frame[column].unique().to_list() if c is not None]
    mapping = {c: labels.get(c, c) for c in codes}
    return pl.col(column).replace_strict(mapping, default="", return_dtype=pl.String).alias(name)


def _labels(frame: pl.DataFrame, column: str, label) -> dict[str, str]:
    return {code: label(code) for code in frame[column].unique().to_list() if code is not None}


def _value_names(frame: pl.DataFrame, inputs: ReleaseInputs) -> pl.DataFrame:
    """Each breakdown value's label from `marts.dim_label` (kind = the breakdown), once per pair."""
    pairs = frame.select("breakdown", "breakdown_value").unique().rows()
    names = pl.DataFrame(
        [(b, v, inputs.labels.value(b, v)) for b, v in pairs],
        schema={"breakdown": pl.String, "breakdown_value": pl.String, "breakdown_value_name": pl.String},
        orient="row",
    )
    return names


def published_table(suppressed: pl.DataFrame, inputs: ReleaseInputs) -> pl.DataFrame:
    """Add names and labels, round figures by unit and sort; the input is `disclosure.suppress`'s output.

    Every indicator must be in `marts.dim_indicator` (a figure without a name or family is
    an error, not an "Andre" sheet), and `persons` is blanked with the figure it describes.
    """
    meta = inputs.indicator_meta
    unknown = sorted(set(suppressed["indicator_id"].unique().to_list()) - set(meta))
    if unknown:
        from pipelines.release.errors import ReleaseError

        raise ReleaseError(f"marts.dim_indicator mangler indikatorene {', '.join(unknown)}.")
    names = {i: str(m["indicator_name"]) for i, m in meta.items()}
    families = {i: str(m["topic"]) for i, m in meta.items()}
    areas = {
        (t, c): inputs.area_name(t, c)
        for t, c in suppressed.select("area_type", "area_code").unique().iter_rows()
    }
    member_counts = {code: len(region.members) for code, region in inputs.regions.items()}
    area_names = pl.DataFrame(
        [(t, c, n) for (t, c), n in areas.items()],
        schema={"area_type": pl.String, "area_code": pl.String, "area_name": pl.String},
        orient="row",
    )
    frame = suppressed.join(area_names, on=["area_type", "area_code"], how="left").with_columns(
        _label(suppressed, "indicator_id", "indicator_name", names),
        _label(suppressed, "indicator_id", "family", families),
        _label(suppressed, "breakdown", "breakdown_name", _labels(suppressed, "breakdown", inputs.labels.breakdown)),
        pl.col("breakdown_value").fill_null("total"),
        pl.when(pl.col("area_type") == "region")
        .then(pl.col("area_code").replace_strict(member_counts, default=None, return_dtype=pl.Int64))
        .otherwise(pl.lit(1, dtype=pl.Int64))
        .alias("municipalities_in_area"),
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("persons")).alias("persons"),
    )
    frame = frame.join(_value_names(frame, inputs), on=["breakdown", "breakdown_value"], how="left")
    frame = frame.with_columns(
        _label(frame, "family", "family_name", {f: inputs.labels.family(f) for f in families.values()}),
        _label(frame, "unit", "unit_name", _labels(frame, "unit", inputs.labels.unit)),
        _label(frame, "basis", "basis_name", _labels(frame, "basis", inputs.labels.basis)),
        pl.col("numerator").round(2),
        pl.col("denominator").round(2),
    )
    rounded = [
        pl.when(pl.col("unit") == unit).then(pl.col("value").round(decimals))
        for unit, decimals in VALUE_DECIMALS.items()
    ]
    value = pl.coalesce(*[expr.otherwise(None) for expr in rounded], pl.col("value").round(4))
    frame = frame.with_columns(
        pl.when(value == 0).then(0.0).otherwise(value).alias("value"),  # never publish "-0.0"
    )
    frame = frame.with_columns(
        (pl.col("area_type") != "region").alias("_area_order"),
        (pl.col("breakdown") != "total").alias("_breakdown_order"),
    ).sort(["indicator_id", "_area_order", "area_code", "year", "_breakdown_order", "breakdown", "breakdown_value"])
    return frame.select(PUBLISHED_COLUMNS)


def change_threshold(unit: str, previous: dict[str, Any], latest: dict[str, Any]) -> float | None:
    """The largest change CHANGE_PERSONS persons could make, or None when it cannot be bounded.

    A share over d persons moves by 1/d per person; a count of persons or FTEs by about 1 per
    person. Medians, costs and indices can move any amount with a few persons."""
    if unit in ("share", "percent"):
        sizes = [r.get("persons") or r.get("denominator") for r in (previous, latest)]
        if any(size is None or size <= 0 for size in sizes):
            return None
        scale = 1.0 if unit == "share" else 100.0
        return CHANGE_PERSONS * scale / min(sizes)  # type: ignore[type-var]
    if unit in ("count", "fte", "persons"):
        return float(CHANGE_PERSONS)
    return None


GOAL_STATUS_NB = {
    "met": "nådd",
    "on_track": "på sporet",
    "off_track": "ikke på sporet",
    "unknown": "kan ikke vurderes",
}


def published_goals(inputs: ReleaseInputs, table: pl.DataFrame, reference_year: int) -> list[dict[str, Any]]:
    """Goal progress as it may be published: baseline → latest → target, masked by the table.

    Values come from the published (suppressed, rounded) table; the verdicts come from
    `marts.fct_goal_progress` (`is_target_met`, `trend_reaches_target`) and are given only
    when the figures behind them are published and the mart judged the same latest year.
    """
    cells: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    for row in (
        table.filter(pl.col("breakdown") == "total")
        .select("indicator_id", "area_type", "area_code", "year", "value", "denominator", "suppressed", "persons")
        .iter_rows(named=True)
    ):
        cells[(row["indicator_id"], row["area_type"], row["area_code"], row["year"])] = row

    goals = []
    for goal in inputs.goals:
        indicator, area_type, area = str(goal["indicator_id"]), str(goal["area_type"]), str(goal["area_code"])
        meta = inputs.indicator_meta.get(indicator)
        if meta is None:
            from pipelines.release.errors import ReleaseError

            raise ReleaseError(f"Målet {goal['goal_id']} gjelder {indicator}, som marts.dim_indicator ikke kjenner.")
        unit = str(meta["unit"])
        baseline_year = goal["baseline_year"]
        years = sorted(y for (i, t, a, y) in cells if (i, t, a) == (indicator, area_type, area) and y <= reference_year)
        latest_year = years[-1] if years else None
        baseline = cells.get((indicator, area_type, area, baseline_year)) if baseline_year is not None else None
        latest = cells.get((indicator, area_type, area, latest_year)) if latest_year is not None else None
        baseline_hidden = baseline is not None and baseline["suppressed"]
        latest_hidden = latest is not None and latest["suppressed"]
        direction_only = goal["target_relative_change"] is None and (
            goal["target_value"] is None or goal["target_value"] == goal["baseline_value"]
        )
        target = None if (baseline is None or baseline_hidden or direction_only or goal["target_value"] is None) else (
            _round(goal["target_value"], VALUE_DECIMALS.get(unit, 4))
        )
        status, reason = _status(goal, baseline, latest, latest_year, direction_only, unit)
        goals.append(
            {
                "goal_id": str(goal["goal_id"]),
                "goal_text": str(goal["goal_text"]),
                "source": str(goal["source"]),
                "indicator_id": indicator,
                "indicator_name": str(meta["indicator_name"]),
                "unit": unit,
                "direction": str(goal["direction"]),
                "area_type": area_type,
                "area_code": area,
                "area_name": inputs.area_name(area_type, area),
                "baseline_year": baseline_year,
                "baseline_value": None if baseline is None or baseline_hidden else baseline["value"],
                "baseline_symbol": SUPPRESSED_SYMBOL if baseline_hidden else "",
                "latest_year": latest_year,
                "latest_value": None if latest is None or latest_hidden else latest["value"],
                "latest_symbol": SUPPRESSED_SYMBOL if latest_hidden else "",
                "latest_persons": None if latest is None else latest["persons"],
                "target_value": target,
                "target_symbol": SUPPRESSED_SYMBOL if baseline_hidden and not direction_only else "",
                "target_relative_change": goal["target_relative_change"],
                "target_year": goal["target_year"],
                "direction_only": direction_only,
                "status": status,
                "status_nb": GOAL_STATUS_NB[status],
                "status_reason": reason,
            }
        )
    return goals


def _status(
    goal: dict[str, Any],
    baseline: dict[str, Any] | None,
    latest: dict[str, Any] | None,
    latest_year: int | None,
    direction_only: bool,
    unit: str,
) -> tuple[str, str]:
    """(status code, why in Norwegian) from the mart's verdicts, given what may be shown."""
    if baseline is None or latest is None or latest_year is None:
        return "unknown", "Det finnes ikke tall for både utgangsåret og et senere år."
    if baseline["suppressed"] or latest["suppressed"]:
        return "unknown", "Tallene bak målet er prikket av personvernhensyn."
    if latest_year == goal["baseline_year"]:
        return "unknown", "Det finnes bare tall for utgangsåret ennå."
    if goal["latest_year"] != latest_year:
        return "unknown", f"Målet er vurdert for {goal['latest_year']}, ikke for {latest_year}."
    better = "høyere" if goal["direction"] == "increase" else "lavere"
    threshold = change_threshold(unit, baseline, latest)
    small = threshold is not None and abs(latest["value"] - baseline["value"]) <= threshold + 1e-12
    if goal["is_target_met"] is True and not (direction_only and small):
        if direction_only:
            return "met", f"Siste tall er {better} enn i utgangsåret {goal['baseline_year']}."
        return "met", "Siste tall er like godt som eller bedre enn målet."
    if goal["trend_reaches_target"] is True:
        if goal["target_year"] is not None:
            return "on_track", f"Trenden siden {goal['baseline_year']} når målet innen {goal['target_year']}."
        return "on_track", f"Trenden siden {goal['baseline_year']} går riktig vei."
    if goal["trend_reaches_target"] is False:
        if goal["target_year"] is not None:
            return "off_track", f"Med trenden siden {goal['baseline_year']} nås ikke målet innen {goal['target_year']}."
        return "off_track", f"Trenden siden {goal['baseline_year']} går feil vei."
    if small:
        return "unknown", (
            f"Endringen siden {goal['baseline_year']} er ikke større enn det {CHANGE_PERSONS} personer kan utgjøre."
        )
    return "unknown", "Det er for få år med tall til å se en trend."


def goal_target_text(goal: dict[str, Any], formatted_target: str) -> str:
    """'kr 10 000 innen 2027', 'halvering, uten målår', 'økning, uten målår'."""
    if goal["direction_only"]:
        what = "økning" if goal["direction"] == "increase" else "nedgang"
    elif goal["target_symbol"] == SUPPRESSED_SYMBOL:
        what = f"prikket ({SUPPRESSED_SYMBOL})"
    else:
        what = formatted_target
        change = goal["target_relative_change"]
        if change is not None:
            what += f" ({'+' if change > 0 else '−'}{round(abs(change) * 100):d} % fra utgangsåret)"
    return f"{what} innen {goal['target_year']}" if goal["target_year"] is not None else f"{what}, uten målår"
