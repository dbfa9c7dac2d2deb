"""Revisions: which published figures changed between two releases, and how.

When a municipality re-delivers, the county has to explain why last month's figure is
not this month's. The diff compares the published tables (the Parquet files) cell by
cell on the key (indicator, area, year, breakdown, value) and reports every figure that
changed, appeared, disappeared, or changed suppression — the last matters as much as a
changed number, since a figure that becomes ':' has been withdrawn.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from pipelines.release.errors import ReleaseNotFoundError
from pipelines.release.table import KEY_COLUMNS

FIGURES = ("value", "numerator", "denominator")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Change:
    indicator_id: str
    area_type: str
    area_code: str
    year: int
    breakdown: str
    breakdown_value: str
    change: str  # changed | appeared | disappeared | suppressed | unsuppressed
    old: str
    new: str


def resolve_release(name: str | Path, releases_dir: Path) -> Path:
    """A release folder from a path or a release id under `releases_dir`."""
    candidates = [Path(name).expanduser(), releases_dir / str(name)]
    for candidate in candidates:
        if (candidate / "indicators.parquet").is_file():
            return candidate.resolve()
    raise ReleaseNotFoundError(
        f"Fant ingen utgivelse {name!s} (så etter indicators.parquet i {', '.join(str(c) for c in candidates)})."
    )


def _shown(row: dict, prefix: str) -> str:
    if row.get(f"{prefix}suppressed"):
        return ":"
    value = row.get(f"{prefix}value")
    if value is None:
        return ".."
    text = f"{value:.6g}"
    numerator, denominator = row.get(f"{prefix}numerator"), row.get(f"{prefix}denominator")
    if numerator is not None and denominator is not None:
        text += f" ({numerator:g}/{denominator:g})"
    return text


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > TOLERANCE * max(1.0, abs(a), abs(b))


def diff_releases(old_dir: Path, new_dir: Path) -> list[Change]:
    """Every published figure that differs between two release folders, sorted by key."""
    columns = [*KEY_COLUMNS, *FIGURES, "suppressed"]
    old = pl.read_parquet(old_dir / "indicators.parquet", columns=columns)
    new = pl.read_parquet(new_dir / "indicators.parquet", columns=columns)
    keys = list(KEY_COLUMNS)
    old = old.with_columns(pl.col("breakdown_value").fill_null(""))
    new = new.with_columns(pl.col("breakdown_value").fill_null(""))
    joined = old.join(new, on=keys, how="full", suffix="_new", coalesce=True, nulls_equal=True)
    joined = joined.rename({c: f"old_{c}" for c in [*FIGURES, "suppressed"]}).rename(
        {f"{c}_new": f"new_{c}" for c in [*FIGURES, "suppressed"]}
    )
    changes: list[Change] = []
    for row in joined.sort(keys).iter_rows(named=True):
        in_old = row["old_suppressed"] is not None
        in_new = row["new_suppressed"] is not None
        if in_old and not in_new:
            kind = "disappeared"
        elif in_new and not in_old:
            kind = "appeared"
        elif row["old_suppressed"] != row["new_suppressed"]:
            kind = "suppressed" if row["new_suppressed"] else "unsuppressed"
        elif any(_differs(row[f"old_{f}"], row[f"new_{f}"]) for f in FIGURES):
            kind = "changed"
        else:
            continue
        changes.append(
            Change(
                indicator_id=row["indicator_id"],
                area_type=row["area_type"],
                area_code=row["area_code"],
                year=row["year"],
                breakdown=row["breakdown"],
                breakdown_value=row["breakdown_value"],
                change=kind,
                old=_shown(row, "old_") if in_old else "",
                new=_shown(row, "new_") if in_new else "",
            )
        )
    return changes


def write_changes_csv(changes: list[Change], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(Change.__dataclass_fields__))
        writer.writeheader()
        for change in changes:
            writer.writerow(asdict(change))
    return path
