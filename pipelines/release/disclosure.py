"""Disclosure control: which published figures must be hidden, and hidden how.

In Røst or Værøy a turnover figure for one service can point at one person, so nothing
leaves the warehouse before two steps have run over the long indicator table.

**Primary suppression** hides the cells that are themselves too small:

* a share, ratio, median or mean (units `share`, `days`, `years`, `nok`, `index`) whose
  denominator — the persons or postings it is computed from — is below `min_persons`
  (default 5, the project's choice in `indicators.md`);
* a count (`count`, and the numerator of `per_1000`) below `min_count` (default 3, SSB's
  "færre enn 3"); zeros are protected too, as in SSB's GaussSuppression;
* a cell whose size cannot be determined (no denominator) — we fail closed.

KS's rule ("fewer than 10 FTE") is available as `DisclosureRule.ks()`: the size of a cell
is then the smaller of its persons and the FTE of the same area, year and breakdown (from
the `fte` indicator), with a threshold of 10. We default to persons, because the long
table carries persons for every cell but FTE only for the whole workforce, and because
a count of persons is what identifies someone; `WORKFORCE_DISCLOSURE_RULE=ks` switches.

**Secondary suppression** hides further cells so that no hidden one can be worked out
from published ones. Published numerators and denominators are additive, so every table
(one indicator in one year) obeys linear constraints `total = Σ parts`:

* a region equals the sum of its member municipalities, cell by cell, and a region
  nested in another (Ytre Lofoten in Lofoten) differs from it by a sum of municipalities;
* an area's total equals the sum of the values of each breakdown (F + M = total,
  service areas sum to the total, ...);
* when the values of a breakdown share one published denominator and their numerators
  add up to it (transition categories, age-band shares), that denominator is a published
  total of the numerators, visible as long as any one of those cells is.

The algorithm, in two stages, to a fixed point:

1. *Heuristic*: for each constraint with exactly one hidden cell (a hidden part, or a
   total hidden while every part is shown), hide the smallest published part (by the
   cell's persons, or count), or the total when there is no other part. Repeat until no
   constraint changes.
2. *Linear-algebra audit* (the idea of SSB's GaussSuppression): with the hidden cells as
   unknowns, a cell is exactly determined by the published ones iff its unit vector lies
   in the row space of the constraint matrix restricted to the unknowns. We test that by
   Gauss–Jordan elimination per connected component; for every determined cell we hide the
   nearest published cell sharing a constraint with it, and go back to step 1.

The choice of secondary cells depends only on the cells' sizes and keys, so indicators
computed over the same persons get the same pattern. Limits, stated plainly: we protect
against exact recovery, not against narrow intervals (bounds from non-negativity), and
we treat each indicator separately (relations between indicators, such as `turnover` and
`turnover_excl_retirement`, are not modelled). Hidden cells carry `symbol` ':' and a
`suppression_reason`; their value, numerator and denominator become null, never zero.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from pipelines.release.errors import ReleaseError

SUPPRESSED_SYMBOL = ":"
MISSING_SYMBOL = ".."
COUNT_UNITS = frozenset({"count", "per_1000"})
TOTAL = "total"

PUBLISHED, PRIMARY, SECONDARY = 0, 1, 2
REASONS = {PRIMARY: "primary", SECONDARY: "secondary"}


@dataclass(frozen=True)
class DisclosureRule:
    """The thresholds of primary suppression; secondary suppression always runs."""

    min_persons: float = 5.0
    min_count: float = 3.0
    measure: str = "persons"  # "persons" | "fte" (KS)
    fte_indicator: str = "fte"

    def __post_init__(self) -> None:
        if self.measure not in {"persons", "fte"}:
            raise ReleaseError(f"Disclosure measure {self.measure!r} is unknown; use 'persons' or 'fte'.")
        if self.min_persons < 1 or self.min_count < 1:
            raise ReleaseError("Disclosure thresholds must be at least 1.")

    @classmethod
    def ks(cls) -> DisclosureRule:
        """KS's practice: no figure for fewer than 10 FTE."""
        return cls(min_persons=10.0, min_count=3.0, measure="fte")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DisclosureRule:
        """`WORKFORCE_DISCLOSURE_RULE` (persons | ks) and optional threshold overrides."""
        env = os.environ if environ is None else environ
        name = (env.get("WORKFORCE_DISCLOSURE_RULE") or "persons").strip().lower()
        if name not in {"persons", "ks"}:
            raise ReleaseError(f"WORKFORCE_DISCLOSURE_RULE={name!r} is not a rule; use 'persons' or 'ks'.")
        base = cls.ks() if name == "ks" else cls()
        try:
            min_persons = float(env.get("WORKFORCE_DISCLOSURE_MIN_PERSONS") or base.min_persons)
            min_count = float(env.get("WORKFORCE_DISCLOSURE_MIN_COUNT") or base.min_count)
        except ValueError:
            raise ReleaseError("WORKFORCE_DISCLOSURE_MIN_PERSONS and _MIN_COUNT must be numbers.") from None
        return cls(min_persons=min_persons, min_count=min_count, measure=base.measure)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe_nb(self) -> str:
        """The rule in one Norwegian sentence, for the report, workbook and manifest."""
        persons = _nb_number(self.min_persons)
        count = _nb_number(self.min_count)
        if self.measure == "fte":
            size = f"færre enn {persons} årsverk eller personer (KS' regel)"
        else:
            size = f"færre enn {persons} personer"
        return (
            f"Andeler, gjennomsnitt og medianer som bygger på {size}, og antall under {count}, "
            "er prikket (:). Andre celler er i tillegg prikket der de ellers kunne brukes til å regne "
            "ut en prikket verdi fra summer og totaler (sekundærprikking)."
        )


def _nb_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


@dataclass
class Constraint:
    """`total = Σ parts` over cell indices; `total=None` is an implicit (denominator) total."""

    total: int | None
    parts: list[int]


@dataclass
class SuppressionSummary:
    """What disclosure control did, for the manifest and the report."""

    rule: DisclosureRule
    cells: int = 0
    primary: int = 0
    secondary: int = 0
    tables: int = 0
    constraints: int = 0
    exposed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        return self.primary + self.secondary

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.as_dict(),
            "description_nb": self.rule.describe_nb(),
            "method": "primary thresholds; secondary by iterated single-unknown elimination, "
            "verified by a rank (row-space) test per indicator and year",
            "cells": self.cells,
            "suppressed_primary": self.primary,
            "suppressed_secondary": self.secondary,
            "tables": self.tables,
            "constraints": self.constraints,
            "exposed_cells": self.exposed,
        }


# --- the engine: one table of cells under linear constraints --------------------------------
def _unknowns(constraint: Constraint, status: list[int]) -> list[int | None]:
    """The hidden cells of a constraint; `None` stands for a hidden implicit total."""
    hidden: list[int | None] = [p for p in constraint.parts if status[p] != PUBLISHED]
    if constraint.total is None:
        if len(hidden) == len(constraint.parts):
            hidden.append(None)
    elif status[constraint.total] != PUBLISHED:
        hidden.append(constraint.total)
    return hidden


def _cheapest(indices: Sequence[int], status: list[int], candidate: list[bool], order: list[int]) -> int | None:
    """The published candidate that costs least to hide (order = rank by size, then key)."""
    best: int | None = None
    for index in indices:
        if status[index] == PUBLISHED and candidate[index] and (best is None or order[index] < order[best]):
            best = index
    return best


def _heuristic(constraints: list[Constraint], status: list[int], candidate: list[bool], order: list[int]) -> None:
    """Hide cells until no constraint has exactly one hidden cell (to a fixed point)."""
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            hidden = _unknowns(constraint, status)
            if len(hidden) != 1:
                continue
            pick = _cheapest(constraint.parts, status, candidate, order)
            if pick is None and constraint.total is not None:
                pick = _cheapest([constraint.total], status, candidate, order)
            if pick is not None:
                status[pick] = SECONDARY
                changed = True


def _pinned_columns(matrix: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """For each column j, whether e_j lies in the row space of `matrix` (x_j is fixed by A x = b).

    Reduced row echelon form by Gauss–Jordan elimination with partial pivoting: e_j is in
    the row space iff j is a pivot column whose row has no other non-zero entry. Done with
    element-wise numpy operations rather than LAPACK's SVD, whose threads thrash on many
    small matrices on a busy machine (10x slower under load); the entries are 0 and ±1,
    so floating-point elimination is exact enough with a small tolerance.
    """
    work = matrix.astype(float, copy=True)
    rows, columns = work.shape
    pivots: list[tuple[int, int]] = []
    row = 0
    for column in range(columns):
        if row >= rows:
            break
        candidate = row + int(np.argmax(np.abs(work[row:, column])))
        if abs(work[candidate, column]) <= tolerance:
            continue
        if candidate != row:
            work[[row, candidate]] = work[[candidate, row]]
        work[row] /= work[row, column]
        factors = work[:, column].copy()
        factors[row] = 0.0
        work -= np.outer(factors, work[row])
        pivots.append((row, column))
        row += 1
    pinned = np.zeros(columns, dtype=bool)
    for pivot_row, column in pivots:
        nonzero = np.abs(work[pivot_row]) > tolerance
        pinned[column] = int(nonzero.sum()) == 1
    return pinned


def determined_groups(
    constraints: Sequence[Constraint],
    hidden: set[int],
    cache: dict[tuple, frozenset] | None = None,
) -> list[set[int]]:
    """Hidden cells whose value follows exactly from the published ones, per connected component.

    Unknowns are the hidden cells plus every implicit total whose parts are all hidden.
    Cell j is determined iff e_j lies in the row space of the constraint matrix restricted
    to the unknowns (`_pinned_columns`). Connected components are solved apart, and a
    component seen before (same equations over the same unknowns) is answered from `cache`:
    secondary suppression re-checks after each added cell, and most components stay as they were.
    """
    rows: list[tuple[tuple[Any, float], ...]] = []
    for number, constraint in enumerate(constraints):
        entries: list[tuple[Any, float]] = []
        if constraint.total is None:
            if all(p in hidden for p in constraint.parts):
                entries.append((("virtual", number), 1.0))
        elif constraint.total in hidden:
            entries.append((constraint.total, 1.0))
        entries.extend((part, -1.0) for part in constraint.parts if part in hidden)
        if entries:
            rows.append(tuple(entries))
    if not rows:
        return []

    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for entries in rows:
        first = find(entries[0][0])
        for key, _ in entries[1:]:
            root = find(key)
            if root != first:
                parent[root] = first

    by_component: dict[Any, list[tuple[tuple[Any, float], ...]]] = {}
    for entries in rows:
        by_component.setdefault(find(entries[0][0]), []).append(entries)

    groups: list[set[int]] = []
    for component_rows in by_component.values():
        signature = tuple(component_rows)
        pinned = cache.get(signature) if cache is not None else None
        if pinned is None:
            pinned = _pinned_keys(component_rows)
            if cache is not None:
                cache[signature] = pinned
        cells = {key for key in pinned if isinstance(key, int)}
        if cells:
            groups.append(cells)
    return groups


def _pinned_keys(component_rows: list[tuple[tuple[Any, float], ...]]) -> frozenset:
    """The unknowns one connected set of equations pins down."""
    if len(component_rows) == 1:  # one equation pins its unknown only when it has just one
        entries = component_rows[0]
        return frozenset([entries[0][0]]) if len(entries) == 1 else frozenset()
    keys = sorted({key for entries in component_rows for key, _ in entries}, key=repr)
    local = {key: i for i, key in enumerate(keys)}
    matrix = np.zeros((len(component_rows), len(keys)))
    for r, entries in enumerate(component_rows):
        for key, coefficient in entries:
            matrix[r, local[key]] += coefficient
    return frozenset(key for key, pinned in zip(keys, _pinned_columns(matrix), strict=True) if pinned)


def _nearest_candidate(
    cell: int,
    constraints: list[Constraint],
    by_cell: dict[int, list[int]],
    status: list[int],
    candidate: list[bool],
    order: list[int],
) -> int | None:
    """The cheapest published cell in the constraints nearest to `cell` (breadth-first)."""
    seen_constraints: set[int] = set()
    frontier = {cell}
    seen_cells = {cell}
    while frontier:
        level = sorted({c for x in frontier for c in by_cell.get(x, ()) if c not in seen_constraints})
        if not level:
            return None
        seen_constraints.update(level)
        cells = sorted({x for c in level for x in [*constraints[c].parts, constraints[c].total] if x is not None})
        pick = _cheapest(cells, status, candidate, order)
        if pick is not None:
            return pick
        frontier = {x for x in cells if x not in seen_cells}
        seen_cells.update(frontier)
    return None


def protect(
    status: list[int], costs: Sequence[float], candidate: Sequence[bool], constraints: list[Constraint]
) -> set[int]:
    """Secondary suppression in place on `status`; returns cells still exactly determined.

    `costs` rank the cells (smaller is hidden first; ties go to the lower index, so callers
    order cells by key). A non-empty result means the structure itself reveals a cell
    (every neighbour is already hidden); the caller reports it.
    """
    order_sorted = sorted(range(len(costs)), key=lambda i: (costs[i], i))
    order = [0] * len(costs)
    for rank, index in enumerate(order_sorted):
        order[index] = rank
    flags = list(candidate)
    by_cell: dict[int, list[int]] = {}
    for number, constraint in enumerate(constraints):
        for cell in [*constraint.parts, constraint.total]:
            if cell is not None:
                by_cell.setdefault(cell, []).append(number)

    exposed: set[int] = set()
    cache: dict[tuple, frozenset] = {}
    while True:
        _heuristic(constraints, status, flags, order)
        hidden = {i for i, s in enumerate(status) if s != PUBLISHED}
        groups = [sorted(group - exposed) for group in determined_groups(constraints, hidden, cache)]
        groups = sorted(group for group in groups if group)
        if not groups:
            return exposed
        # One repair per connected component per round: components are independent, so this
        # is what a cell-by-cell loop would do, with far fewer re-checks of large components.
        progressed = False
        for group in groups:
            for cell in group:
                pick = _nearest_candidate(cell, constraints, by_cell, status, flags, order)
                if pick is None:
                    exposed.add(cell)
                    continue
                status[pick] = SECONDARY
                progressed = True
                break
        if not progressed:
            return exposed


# --- the long table ------------------------------------------------------------------------
def _is_primary(
    unit: str,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    fte_size: float | None,
    is_fte_indicator: bool,
    rule: DisclosureRule,
) -> bool:
    if value is None and numerator is None and denominator is None:
        return False  # nothing would be published
    if rule.measure == "fte" and is_fte_indicator:
        size = value if value is not None else numerator
        return size is None or size < rule.min_persons
    if unit in COUNT_UNITS:
        size = numerator if numerator is not None else (value if unit == "count" else None)
        return size is None or size < rule.min_count
    size = denominator
    if rule.measure == "fte" and fte_size is not None:
        size = fte_size if size is None else min(size, fte_size)
    return size is None or size < rule.min_persons


def _cost(unit: str, numerator: float | None, denominator: float | None, value: float | None) -> float:
    if unit in COUNT_UNITS:
        size = numerator if numerator is not None else value
    else:
        size = denominator if denominator is not None else numerator
    return math.inf if size is None else float(size)


def _has_quantities(unit: str, numerator: float | None, denominator: float | None, value: float | None) -> bool:
    if unit == "count":
        return numerator is not None or value is not None
    return numerator is not None or denominator is not None


def build_constraints(
    keys: Sequence[tuple[str, str, str, str]],
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    region_members: Mapping[str, Sequence[str]],
    *,
    implicit_totals: bool = True,
) -> list[Constraint]:
    """The linear constraints among the cells of one table (keys: area_type, area, breakdown, value)."""
    index = {key: i for i, key in enumerate(keys)}
    constraints: list[Constraint] = []

    groups: dict[tuple[str, str, str], list[int]] = {}
    totals: dict[tuple[str, str], int] = {}
    for i, (area_type, area, breakdown, _) in enumerate(keys):
        if breakdown == TOTAL:
            totals.setdefault((area_type, area), i)
        else:
            groups.setdefault((area_type, area, breakdown), []).append(i)

    for (area_type, area, _breakdown), parts in sorted(groups.items()):
        total = totals.get((area_type, area))
        if total is not None:
            constraints.append(Constraint(total, sorted(parts)))
        if implicit_totals and len(parts) >= 2:
            shared = {denominators[p] for p in parts}
            nums = [numerators[p] for p in parts]
            if len(shared) == 1 and None not in shared and None not in nums:
                (denominator,) = shared
                if abs(sum(n for n in nums if n is not None) - float(denominator)) < 1e-6:  # type: ignore[arg-type]
                    constraints.append(Constraint(None, sorted(parts)))

    regions = sorted({area for area_type, area, _, _ in keys if area_type == "region"})
    for region in regions:
        if region not in region_members:
            raise ReleaseError(
                f"Region {region!r} has no known member municipalities (marts.dim_municipality); "
                "disclosure control cannot protect its municipalities."
            )
        members = region_members[region]
        for (area_type, area, breakdown, value), i in sorted(index.items()):
            if area_type != "region" or area != region:
                continue
            parts = [index[k] for m in members if (k := ("municipality", m, breakdown, value)) in index]
            if parts:
                constraints.append(Constraint(i, sorted(parts)))
    # Nested regions (Ytre Lofoten in Lofoten, both in Nordland): the difference of two region
    # cells is a sum of municipalities. Implied by the sums above, but stating it lets the
    # heuristic see it, instead of leaving it all to the (slower) rank audit.
    for inner in regions:
        for outer in regions:
            inner_set, outer_set = set(region_members[inner]), set(region_members[outer])
            if inner == outer or not inner_set < outer_set:
                continue
            for (area_type, area, breakdown, value), i in sorted(index.items()):
                if area_type != "region" or area != outer:
                    continue
                inner_cell = index.get(("region", inner, breakdown, value))
                if inner_cell is None:
                    continue
                rest = [index[k] for m in sorted(outer_set - inner_set)
                        if (k := ("municipality", m, breakdown, value)) in index]
                constraints.append(Constraint(i, sorted([inner_cell, *rest])))
    return constraints


def suppress(
    frame: pl.DataFrame, rule: DisclosureRule, region_members: Mapping[str, Sequence[str]]
) -> tuple[pl.DataFrame, SuppressionSummary]:
    """Apply primary and secondary suppression to the long indicator table.

    Returns the table sorted by key with `symbol`, `suppressed` and `suppression_reason`
    added and the figures of hidden cells set to null.
    """
    summary = SuppressionSummary(rule=rule)
    if frame.is_empty():
        return _with_flags(frame, [], []), summary
    frame = frame.with_columns(pl.col("breakdown_value").fill_null("")).sort(
        ["indicator_id", "year", "area_type", "area_code", "breakdown", "breakdown_value"]
    )
    duplicated = frame.select(
        ["indicator_id", "year", "area_type", "area_code", "breakdown", "breakdown_value"]
    ).is_duplicated()
    if duplicated.any():
        first = frame.filter(duplicated).row(0, named=True)
        raise ReleaseError(
            "marts.fct_indicators has duplicate cells, e.g. "
            f"{first['indicator_id']} {first['area_code']} {first['year']} "
            f"{first['breakdown']}={first['breakdown_value']}."
        )

    fte_sizes: dict[tuple[Any, ...], float] = {}
    if rule.measure == "fte":
        for row in frame.filter(pl.col("indicator_id") == rule.fte_indicator).iter_rows(named=True):
            size = row["value"] if row["value"] is not None else row["numerator"]
            if size is not None:
                key = (row["year"], row["area_type"], row["area_code"], row["breakdown"], row["breakdown_value"])
                fte_sizes[key] = size

    statuses = [PUBLISHED] * frame.height
    columns = (
        "indicator_id",
        "year",
        "area_type",
        "area_code",
        "breakdown",
        "breakdown_value",
        "numerator",
        "denominator",
        "value",
        "unit",
    )
    rows = frame.select(columns).rows()
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end][:2] == rows[start][:2]:
            end += 1
        table = rows[start:end]
        summary.tables += 1
        status = []
        costs, candidate = [], []
        for indicator, year, area_type, area, breakdown, value_key, num, den, value, unit in table:
            fte = fte_sizes.get((year, area_type, area, breakdown, value_key))
            primary = _is_primary(unit, num, den, value, fte, indicator == rule.fte_indicator, rule)
            status.append(PRIMARY if primary else PUBLISHED)
            costs.append(_cost(unit, num, den, value))
            candidate.append(not primary and _has_quantities(unit, num, den, value))
        additive = any(_has_quantities(row[9], row[6], row[7], row[8]) for row in table)
        if additive:
            keys = [(r[2], r[3], r[4], r[5]) for r in table]
            is_count = table[0][9] == "count"
            constraints = build_constraints(
                keys,
                [r[6] if r[6] is not None or not is_count else r[8] for r in table],
                [r[7] for r in table],
                region_members,
                implicit_totals=not is_count,
            )
            summary.constraints += len(constraints)
            exposed = protect(status, costs, candidate, constraints)
            for cell in sorted(exposed):
                indicator, year, area_type, area, breakdown, value_key = table[cell][:6]
                summary.exposed.append(
                    {
                        "indicator_id": indicator,
                        "year": year,
                        "area_code": area,
                        "breakdown": breakdown,
                        "breakdown_value": value_key,
                    }
                )
        statuses[start:end] = status
        start = end

    summary.cells = frame.height
    summary.primary = statuses.count(PRIMARY)
    summary.secondary = statuses.count(SECONDARY)
    reasons = [REASONS.get(s) for s in statuses]
    return _with_flags(frame, statuses, reasons), summary


def _with_flags(frame: pl.DataFrame, statuses: list[int], reasons: list[str | None]) -> pl.DataFrame:
    hidden = pl.Series("suppressed", [s != PUBLISHED for s in statuses], dtype=pl.Boolean)
    frame = frame.with_columns(hidden, pl.Series("suppression_reason", reasons, dtype=pl.String))
    blank = pl.lit(None, dtype=pl.Float64)
    return frame.with_columns(
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("numerator")).alias("numerator"),
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("denominator")).alias("denominator"),
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("value")).alias("value"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(SUPPRESSED_SYMBOL))
        .when(pl.col("value").is_null())
        .then(pl.lit(MISSING_SYMBOL))
        .otherwise(pl.lit(""))
        .alias("symbol"),
        pl.when(pl.col("breakdown_value") == "")
        .then(None)
        .otherwise(pl.col("breakdown_value"))
        .alias("breakdown_value"),
    )
