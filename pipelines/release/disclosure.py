"""Disclosure control: which published figures must be hidden, and hidden how.

In Røst or Værøy a turnover figure for one service can point at one person, so nothing
leaves the warehouse before two steps have run over the long indicator table. The rule
set, for the county's reader and for developers, is written down in docs/disclosure.md;
this module implements exactly that.

**Primary suppression** judges every figure by the persons it rests on
(`marts.fct_indicators.persons`), so FTE sums, costs and medians are judged by people:

* a count of persons (`count`, `per_1000` whose numerator is the persons) below
  `min_count` (3, SSB's "færre enn 3"; zeros too);
* any other figure resting on fewer than `min_persons` persons (5);
* a share whose numerator or complement (denominator − numerator) is 1–2 persons in a
  group of fewer than `small_group` (20) persons, or which is 0 % or 100 % of fewer than
  `all_or_none_below` (10) persons (and a capped mean at its cap: everyone full-time);
* figures without persons behind them (SSB's population, backlog case-months) by their
  own denominator or count, as before; a figure whose size is unknown fails closed.

KS's rule (`WORKFORCE_DISCLOSURE_RULE=ks`) measures a cell by the smaller of its persons
and the FTE of the same area, year and breakdown, with a threshold of 10.

**Secondary suppression** hides further figures so that no hidden number can be worked out
from published ones, within an indicator *and across indicators*. It works on quantities,
not cells: a figure publishes its numerator, denominator and persons, and different
indicators publish the same quantity (the counted employees of Flakstad aged 62+ are the
headcount, the full-time share's denominator and the age distribution's numerator). Each
year is one system of linear equations over those quantities: region = Σ municipalities,
total = Σ breakdown values, shared denominators = Σ numerators (transitions, age bands),
leavers = the three leaver transitions. A quantity is unknown when every figure that
publishes it is hidden. Sensitive quantities (the numerator of every primarily suppressed
figure, and any group of fewer than `min_count` persons) must stay unknown:

1. a sensitive quantity published elsewhere hides that figure too (secondary, "vises i et
   annet tall");
2. *heuristic*: an equation with exactly one unknown, sensitive quantity hides the
   cheapest other quantity in it (smallest persons, then key), to a fixed point;
3. *linear-algebra audit* (the idea of SSB's GaussSuppression): a quantity is exactly
   determined iff its unit vector lies in the row space of the equations restricted to the
   unknowns (`Elimination`: one Gauss–Jordan elimination per year over the unknowns'
   columns, extended as quantities are hidden); for every determined sensitive quantity,
   per connected component, the nearest published quantity sharing an equation is hidden,
   and we go back to step 2.

Limits, stated plainly: we protect against exact recovery, not against narrow intervals
(bounds from non-negativity), and only the relations between indicators declared in
`SHARED` (and the leaver transitions) are modelled. Hidden cells carry `symbol` ':',
`suppression_reason` (primary | secondary) and `suppression_text` (why, in Norwegian);
their value, numerator, denominator and persons become null, never zero.
"""
from __future__ import annotations

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

# Why a cell is hidden (codes; DisclosureRule.reason_nb gives the reader's sentence).
FEW_PERSONS = "few_persons"
SMALL_FTE = "small_fte"
SMALL_COUNT = "small_count"
FEW_IN_SHARE = "few_in_share"
ALL_OR_NONE = "all_or_none"
SMALL_BASE = "small_base"
UNKNOWN_SIZE = "unknown_size"
SECONDARY_ELSEWHERE = "shown_elsewhere"
SECONDARY_SUMS = "derivable_from_sums"
SECONDARY_REGIONS = "difference_of_regions"  # a regional total of many persons, hidden as a last resort

# Quantities that more than one indicator publishes. Per indicator and field (numerator,
# denominator, persons): (quantity, where), where "cell" is the figure's own breakdown cell,
# "total" the area's total, and a (breakdown, value) pair a cell of another breakdown, used
# only on the total row (the women among all employees are the employees with gender F).
# A quantity is the same only when the numbers agree too (the variable's key holds the number).
_EMPLOYEES_DEN = {"denominator": ("employees", "cell")}
SHARED: dict[str, dict[str, tuple[str, Any]]] = {
    "counted_employees": {"numerator": ("employees", "cell")},
    "fulltime_share": _EMPLOYEES_DEN,
    "avg_position_size": _EMPLOYEES_DEN,
    "short_parttime_share": _EMPLOYEES_DEN,
    "temporary_share": _EMPLOYEES_DEN,
    "women_share": {**_EMPLOYEES_DEN, "numerator": ("employees", ("gender", "F"))},
    "retirement_wave_5y": _EMPLOYEES_DEN,
    "retirement_wave_10y": _EMPLOYEES_DEN,
    "median_tenure_years": _EMPLOYEES_DEN,
    "fte": {"persons": ("employees", "cell")},
    "age_distribution": {"numerator": ("employees", "cell"), "denominator": ("employees", "total")},
    "employees_per_1000": {"numerator": ("employees", "cell")},
    "age_dissimilarity": _EMPLOYEES_DEN,
    "gender_dissimilarity": _EMPLOYEES_DEN,
    "women_share_leaders": {"denominator": ("leaders", "cell")},
    "apprentices": {"numerator": ("apprentices", "cell")},
    "apprentices_per_1000": {"numerator": ("apprentices", "cell")},
    "turnover": {"numerator": ("leavers", "cell"), "denominator": ("employees_previous", "cell")},
    "sector_turnover": {"numerator": ("sector_leavers", "cell"), "denominator": ("employees_previous", "cell")},
    "turnover_excl_retirement": {"denominator": ("employees_previous", "cell")},
    "regional_retention": {"numerator": ("leavers_in_region", "cell"), "denominator": ("leavers", "cell")},
    "transitions": {"denominator": ("employees_previous", "total")},
    "fulltime_share_new_hires": {"denominator": ("hires", "cell")},
    "time_to_fill_days": {"denominator": ("filled_postings", "cell")},
    "cost_per_hire": {"denominator": ("filled_postings", "cell")},
    "own_apprentice_hire_share": {"denominator": ("filled_postings", "cell")},
    "key_vacancy_days": {"denominator": ("filled_key_postings", "cell")},
    "key_cost_per_hire": {"denominator": ("filled_key_postings", "cell")},
    "function_fte": {"numerator": ("function_fte", "cell"), "persons": ("function_staff", "cell")},
    "function_age_risk": {"denominator": ("function_fte", "cell"), "persons": ("function_staff", "cell")},
    "single_person_functions": {"persons": ("function_staff", "cell")},
}
# Transition categories whose numerator another indicator publishes (on the area's total row).
TRANSITION_NUMERATORS = {"other_municipality_in_region": "leavers_in_region", "not_employed": "sector_leavers"}
# leavers (turnover's numerator) = these three transition numerators
LEAVER_TRANSITIONS = ("other_municipality_in_region", "other_municipality_outside_region", "not_employed")
# Quantities that do not add up over a breakdown (a person may work in two function families).
NOT_ADDITIVE_OVER_BREAKDOWNS = frozenset({"function_staff"})
# Breakdowns that do not cover the total, except for the indicators listed: postings outside
# every function family have no function_family row (int_indicators__postings), so "total = Σ
# families" is no identity for the recruitment figures, even where the numbers happen to agree
# (one re-advertised posting, in payroll); only the function figures' totals are their families.
PARTIAL_BREAKDOWNS: dict[str, frozenset[str]] = {
    "function_family": frozenset({"function_fte", "function_age_risk", "single_person_functions"}),
}
# Shares whose numerator is not a number of persons (FTE held by persons 60+): the 1–2 person
# test cannot be made, so any share strictly between 0 and 1 in a small group is hidden.
NON_PERSON_NUMERATORS = frozenset({"function_age_risk"})
# Repairs of one sensitive quantity before it is reported as given away by the structure itself
# (a breakdown whose other cells add up to the total reveals the missing one whatever is hidden).
MAX_REPAIRS = 30
# Means with a cap: at the cap everyone is at it (average position size 100 % = all full-time).
CAPPED_MEANS = {"avg_position_size": 100.0}


@dataclass(frozen=True)
class DisclosureRule:
    """The thresholds of primary suppression; secondary suppression always runs."""

    min_persons: float = 5.0
    min_count: float = 3.0
    measure: str = "persons"  # "persons" | "fte" (KS)
    fte_indicator: str = "fte"
    small_group: float = 20.0  # shares: numerator or complement of 1..few persons hidden below this
    few: float = 2.0
    all_or_none_below: float = 10.0  # shares of 0 % or 100 % hidden below this many persons

    def __post_init__(self) -> None:
        if self.measure not in {"persons", "fte"}:
            raise ReleaseError(f"Prikkemålet {self.measure!r} finnes ikke; bruk 'persons' eller 'fte'.")
        if self.min_persons < 1 or self.min_count < 1:
            raise ReleaseError("Tersklene for prikking må være minst 1.")

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
            raise ReleaseError(f"WORKFORCE_DISCLOSURE_RULE={name!r} er ingen prikkeregel; bruk 'persons' eller 'ks'.")
        base = cls.ks() if name == "ks" else cls()
        try:
            min_persons = float(env.get("WORKFORCE_DISCLOSURE_MIN_PERSONS") or base.min_persons)
            min_count = float(env.get("WORKFORCE_DISCLOSURE_MIN_COUNT") or base.min_count)
        except ValueError:
            raise ReleaseError(
                "WORKFORCE_DISCLOSURE_MIN_PERSONS og WORKFORCE_DISCLOSURE_MIN_COUNT må være tall."
            ) from None
        return cls(min_persons=min_persons, min_count=min_count, measure=base.measure)

    def reason_nb(self, code: str) -> str:
        """Why a cell is hidden, in a sentence for the county's reader (docs/disclosure.md)."""
        persons, count = _nb_number(self.min_persons), _nb_number(self.min_count)
        few, group = _nb_number(self.few), _nb_number(self.small_group)
        texts = {
            FEW_PERSONS: f"Primærprikket: tallet bygger på færre enn {persons} personer.",
            SMALL_FTE: f"Primærprikket: tallet bygger på færre enn {persons} personer eller årsverk (KS' regel).",
            SMALL_COUNT: f"Primærprikket: antallet er under {count}.",
            FEW_IN_SHARE: f"Primærprikket: 1–{few} personer har (eller har ikke) egenskapen, "
            f"i en gruppe på færre enn {group} personer.",
            ALL_OR_NONE: f"Primærprikket: 0 % eller 100 % av færre enn {_nb_number(self.all_or_none_below)} "
            "personer ville si noe om hver enkelt.",
            SMALL_BASE: f"Primærprikket: tallet bygger på færre enn {persons} saker eller innbyggere.",
            UNKNOWN_SIZE: "Primærprikket: vi vet ikke hvor mange personer tallet bygger på.",
            SECONDARY_ELSEWHERE: "Sekundærprikket: tallet viser et antall som er prikket i et annet tall "
            "over de samme personene.",
            SECONDARY_SUMS: "Sekundærprikket: ellers kunne et prikket tall regnes ut av summer og totaler.",
            SECONDARY_REGIONS: "Sekundærprikket: ellers kunne et prikket tall regnes ut som forskjellen mellom "
            "to regioner (for eksempel Nordland minus Salten).",
        }
        return texts[code]

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
            f"Tall som bygger på {size}, og antall personer under {count}, er prikket (:). "
            f"Det samme gjelder andeler der 1–{_nb_number(self.few)} personer har (eller ikke har) egenskapen "
            f"i en gruppe under {_nb_number(self.small_group)} personer, og andeler på 0 % eller 100 % av "
            f"færre enn {_nb_number(self.all_or_none_below)} personer. Årsverk, kostnader og medianer "
            "vurderes etter personene bak. Andre tall er i tillegg prikket der de ellers kunne brukes til "
            "å regne ut eller lese av et prikket tall, også i en annen indikator (sekundærprikking)."
        )


def _nb_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


@dataclass
class Constraint:
    """`total = Σ parts` over quantity (or cell) indices."""

    total: int
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
    by_indicator: dict[str, dict[str, int]] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def suppressed(self) -> int:
        return self.primary + self.secondary

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.as_dict(),
            "description_nb": self.rule.describe_nb(),
            "method": "primærprikking etter antall personer; sekundærprikking over størrelsene hvert tall viser "
            "(også på tvers av indikatorer), ved gjentatt eliminasjon av én ukjent, kontrollert med en "
            "rangtest (radrom) per år",
            "cells": self.cells,
            "suppressed_primary": self.primary,
            "suppressed_secondary": self.secondary,
            "tables": self.tables,
            "constraints": self.constraints,
            "exposed_cells": self.exposed,
            "by_indicator": self.by_indicator,
            "by_reason": self.by_reason,
        }


# --- the engine: quantities under linear constraints ---------------------------------------
TOLERANCE = 1e-9


class Elimination:
    """Which hidden quantities the equations pin down, kept up to date while more are hidden.

    The equations are `C x = 0` (a row per constraint: `total − Σ parts`); the unknowns U are
    the hidden quantities. Unknown q is exactly determined by the published ones iff e_q lies in
    the row space of C restricted to U, that is iff q's column is no combination of the other
    unknowns' columns (q is in every basis of U's columns). The engine keeps a basis of U's columns
    in Gauss–Jordan form (each basis vector owns a pivot row no other basis vector has), and each
    basis vector as a combination of original columns. A column that reduces to zero depends on
    the basis with unique coefficients: it and every quantity in them are free (not determined),
    and stay free however much more is hidden, since hiding only adds columns. So secondary
    suppression adds each hidden quantity once instead of re-solving every component after each
    repair (that was ~80 % of a release's CPU), and "would hiding c free q?" is one reduction of
    c's column: yes iff it depends on the basis with a non-zero coefficient on q.
    """

    def __init__(self, columns: Sequence[Mapping[int, float]]) -> None:
        self.columns = columns  # per quantity: {constraint: coefficient}
        self.unknown: set[int] = set()
        self.free: set[int] = set()  # unknowns that some dependency among the unknowns leaves undetermined
        self._vectors: dict[int, dict[int, float]] = {}  # basis quantity -> its reduced vector
        self._combinations: dict[int, dict[int, float]] = {}  # basis quantity -> {quantity: coefficient}
        self._owner: dict[int, int] = {}  # pivot row -> the basis quantity owning it
        self._occurs: dict[int, set[int]] = {}  # non-pivot row -> basis quantities whose vector has it

    def is_pinned(self, q: int) -> bool:
        """Whether unknown q follows exactly from the published quantities."""
        return q in self._vectors and q not in self.free

    def add(self, q: int) -> None:
        """Make q an unknown (it was hidden)."""
        if q in self.unknown:
            return
        self.unknown.add(q)
        vector, combination = self._reduce(q)
        if not vector:
            self.free.update(combination)
            return
        largest = max(map(abs, vector.values()))
        pivot = min(r for r, v in vector.items() if abs(v) == largest)  # the largest, then the first row
        scale = vector[pivot]
        vector = {r: v / scale for r, v in vector.items()}
        combination = {k: v / scale for k, v in combination.items()}
        for other in self._occurs.pop(pivot, ()):
            other_vector = self._vectors[other]
            coefficient = other_vector.pop(pivot)
            for r, v in vector.items():
                if r == pivot:
                    continue
                value = other_vector.get(r, 0.0) - coefficient * v
                if abs(value) <= TOLERANCE:
                    if other_vector.pop(r, None) is not None:
                        self._occurs[r].discard(other)
                else:
                    if r not in other_vector:
                        self._occurs.setdefault(r, set()).add(other)
                    other_vector[r] = value
            _subtract(self._combinations[other], coefficient, combination)
        self._vectors[q] = vector
        self._combinations[q] = combination
        self._owner[pivot] = q
        for r in vector:
            if r != pivot:
                self._occurs.setdefault(r, set()).add(q)

    def frees(self, q: int, candidate: int) -> bool:
        """Whether q would not be determined with `candidate` hidden too (nothing is changed)."""
        if not self.is_pinned(q):
            return True
        if candidate in self.unknown:
            return False
        vector, combination = self._reduce(candidate)
        return not vector and q in combination

    def _reduce(self, q: int) -> tuple[dict[int, float], dict[int, float]]:
        """q's column minus its part in the basis, and that remainder as a combination of columns."""
        vector = {r: v for r, v in self.columns[q].items() if abs(v) > TOLERANCE}
        combination = {q: 1.0}
        for row in [r for r in vector if r in self._owner]:
            coefficient = vector[row]
            owner = self._owner[row]
            _subtract(vector, coefficient, self._vectors[owner])
            _subtract(combination, coefficient, self._combinations[owner])
        return vector, combination


class _Columns(Sequence[dict[int, float]]):
    """Each quantity's coefficients per constraint (+1 as its total, −1 for each time it is a
    part), worked out when the elimination first asks for them: it asks only for hidden
    quantities and the candidates of repairs, a minority of a year's quantities."""

    def __init__(self, n: int, constraints: Sequence[Constraint], by_quantity: Mapping[int, list[int]]) -> None:
        self.n = n
        self.constraints = constraints
        self.by_quantity = by_quantity  # quantity -> its constraints, ascending (a number once per mention)
        self.cache: dict[int, dict[int, float]] = {}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, q: int) -> dict[int, float]:  # type: ignore[override]
        if not 0 <= q < self.n:
            raise IndexError(q)
        column = self.cache.get(q)
        if column is None:
            column = self.cache[q] = {}
            for number in self.by_quantity.get(q, ()):  # each mention: −1 as a part, +1 as the total
                is_total = number not in column and self.constraints[number].total == q
                column[number] = column.get(number, 0.0) + (1.0 if is_total else -1.0)
        return column


def _subtract(target: dict[int, float], coefficient: float, source: Mapping[int, float]) -> None:
    """target −= coefficient × source, dropping what cancels."""
    for k, v in source.items():
        value = target.get(k, 0.0) - coefficient * v
        if abs(value) <= TOLERANCE:
            target.pop(k, None)
        else:
            target[k] = value


def _pinned_columns(matrix: np.ndarray) -> np.ndarray:
    """For each column j, whether e_j lies in the row space of `matrix` (x_j is fixed by A x = b)."""
    columns = [
        {i: float(v) for i, v in enumerate(matrix[:, j]) if abs(v) > TOLERANCE} for j in range(matrix.shape[1])
    ]
    engine = Elimination(columns)
    for j in range(matrix.shape[1]):
        engine.add(j)
    return np.array([engine.is_pinned(j) for j in range(matrix.shape[1])], dtype=bool)


def _repair(
    quantity: int,
    constraints: list[Constraint],
    by_quantity: dict[int, list[int]],
    engine: Elimination,
    pickable: list[bool],
    order: list[int],
    tries: int = 2,
    verified: bool = False,
) -> int | None:
    """A known quantity whose hiding leaves `quantity` undetermined, nearest and cheapest first.

    Candidates come from the equations nearest to `quantity` (breadth-first); each is tried
    (`Elimination.frees`). When none of the first `tries` frees it, the cheapest nearest
    candidate is returned, and the next round of the audit goes on from there; with `verified`
    only a candidate that frees it is returned.
    """
    unknown = engine.unknown
    seen_constraints: set[int] = set()
    frontier = {quantity}
    seen = {quantity}
    fallback: int | None = None
    tried = 0
    while frontier:
        level = sorted({c for x in frontier for c in by_quantity.get(x, ()) if c not in seen_constraints})
        if not level:
            break
        seen_constraints.update(level)
        members = {x for c in level for x in [*constraints[c].parts, constraints[c].total]}
        candidates = sorted((x for x in members if x not in unknown and pickable[x]), key=lambda x: order[x])
        for candidate in candidates:
            if fallback is None:
                fallback = candidate
            if tried >= tries:
                return None if verified else fallback
            tried += 1
            if engine.frees(quantity, candidate):
                return candidate
        frontier = members - seen
        seen.update(frontier)
    return None if verified else fallback


@dataclass
class Layout:
    """One year's cells as quantities: which quantities each cell publishes, and their equations."""

    cell_quantities: list[list[int]]
    quantity_cells: list[list[int]]
    numerator: list[int | None]
    denominator: list[int | None]
    persons: list[int | None]
    constraints: list[Constraint]
    keys: list[tuple] = field(default_factory=list)  # each quantity's key, for messages and tests


def protect(
    layout: Layout,
    status: list[int],
    costs: Sequence[float],
    sensitive: set[int],
    shown_elsewhere: set[int],
    keep: Sequence[bool] | None = None,
) -> set[int]:
    """Secondary suppression in place on `status` (per cell); returns sensitive quantities still determined.

    A quantity is known while any cell publishing it is published; hiding a quantity hides
    every cell that publishes it. Cells hidden because they show a sensitive quantity
    directly are added to `shown_elsewhere` (their reason differs). `costs` rank the cells
    (smaller is hidden first; ties go to the lower index, so callers order cells by key);
    quantities of a cell with `keep` set (regional totals of many persons) are never picked.
    """
    cells_of = layout.quantity_cells
    quantities_of = layout.cell_quantities
    constraints = layout.constraints
    n = len(cells_of)
    published = [sum(1 for c in cells_of[q] if status[c] == PUBLISHED) for q in range(n)]
    pickable = [True] * n
    if keep is not None:
        for cell, kept in enumerate(keep):
            if kept:
                for q in quantities_of[cell]:
                    pickable[q] = False
    by_quantity: dict[int, list[int]] = {}
    for number, constraint in enumerate(constraints):
        for q in [*constraint.parts, constraint.total]:
            by_quantity.setdefault(q, []).append(number)
    engine = Elimination(_Columns(n, constraints, by_quantity))
    # Connected components of the equations over the unknowns (a repair is judged per component).
    parent = list(range(n))
    anchor: dict[int, int] = {}  # constraint -> its first unknown member

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def unknown(q: int) -> None:
        if q in engine.unknown:
            return
        engine.add(q)
        for number in by_quantity.get(q, ()):
            root, own = find(anchor.setdefault(number, q)), find(q)
            if root != own:
                parent[own] = root

    queue: list[int] = []
    queued: set[int] = set()

    newly_hidden = [q for q in range(n) if published[q] == 0]  # not yet unknowns of the engine

    def hide(q: int) -> list[int]:
        changed = [c for c in cells_of[q] if status[c] == PUBLISHED]
        for c in changed:
            status[c] = SECONDARY
            for other in quantities_of[c]:
                published[other] -= 1
                if published[other] == 0:
                    newly_hidden.append(other)
                    for number in by_quantity.get(other, ()):
                        if number not in queued:
                            queue.append(number)
                            queued.add(number)
        return changed

    # 1. a sensitive quantity published elsewhere: hide it there
    for q in sorted(sensitive):
        shown_elsewhere.update(hide(q))

    weight = [sum(costs[c] for c in cells_of[q]) for q in range(n)]
    ranked = sorted(range(n), key=lambda q: (weight[q], q))
    order = [0] * n
    for rank, q in enumerate(ranked):
        order[q] = rank

    # Quantities whose being worked out matters: the sensitive ones, and those hidden to protect
    # them (a partner that can be worked out no longer protects).
    guarded = set(sensitive)
    exposed: set[int] = set()
    attempts: dict[int, int] = {}
    queue.extend(range(len(constraints)))
    queued.update(queue)
    while True:
        # 2. heuristic: an equation whose one unknown is guarded hides its cheapest known member
        while queue:
            number = queue.pop()
            queued.discard(number)
            constraint = constraints[number]
            members = [constraint.total, *constraint.parts]
            unknowns = [q for q in members if published[q] == 0]
            if len(unknowns) != 1 or unknowns[0] not in guarded or unknowns[0] in exposed:
                continue
            candidates = [q for q in constraint.parts if published[q] and pickable[q]] or [
                q for q in members if published[q] and pickable[q]
            ]
            if not candidates and unknowns[0] in sensitive:  # only kept totals left: privacy wins
                candidates = [q for q in members if published[q]]
            if not candidates:
                continue
            pick = min(candidates, key=lambda q: order[q])
            guarded.add(pick)
            hide(pick)
        # 3. audit: sensitive quantities pinned by the published ones, grouped by component
        for q in newly_hidden:
            unknown(q)
        newly_hidden.clear()
        by_component: dict[int, list[int]] = {}
        for q in sorted(sensitive - exposed):
            if engine.is_pinned(q):
                by_component.setdefault(find(q), []).append(q)
        groups = sorted(by_component.values())
        if not groups:
            return exposed
        progressed = False
        for group in groups:  # every pinned sensitive quantity, re-checked after each repair
            for number, q in enumerate(group):
                if number and not engine.is_pinned(q):
                    continue
                attempts[q] = attempts.get(q, 0) + 1
                if attempts[q] > MAX_REPAIRS:  # the structure itself gives it away: report, stop hiding
                    exposed.add(q)
                    continue
                pick = _repair(q, constraints, by_quantity, engine, pickable, order)
                if pick is None:  # only kept totals are left: privacy wins over keeping them
                    pick = _repair(q, constraints, by_quantity, engine, [True] * n, order, tries=6, verified=True)
                if pick is None:
                    exposed.add(q)
                    continue
                guarded.add(pick)
                hide(pick)
                unknown(pick)
                progressed = True
        if not progressed:
            return exposed


# --- the long table ------------------------------------------------------------------------
def _primary_reason(
    indicator: str,
    unit: str,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    persons: int | None,
    fte_size: float | None,
    rule: DisclosureRule,
) -> str | None:
    """Why the figure itself must be hidden (a reason code), or None."""
    if value is None and numerator is None and denominator is None:
        return None  # nothing would be published
    if rule.measure == "fte" and indicator == rule.fte_indicator:
        sizes = [x for x in (persons, value if value is not None else numerator) if x is not None]
        return SMALL_FTE if not sizes or min(sizes) < rule.min_persons else None
    if persons is None:  # no employees behind it: judged by its own base, as counted
        if unit in COUNT_UNITS:
            size = numerator if numerator is not None else (value if unit == "count" else None)
            return SMALL_COUNT if size is None or size < rule.min_count else None
        if denominator is None:
            return UNKNOWN_SIZE
        return SMALL_BASE if denominator < rule.min_persons else None
    if unit in COUNT_UNITS and numerator is not None and numerator == persons:  # a count of persons
        return SMALL_COUNT if persons < rule.min_count else None
    size: float = persons
    if rule.measure == "fte" and fte_size is not None:
        size = min(size, fte_size)
    if size < rule.min_persons:
        return SMALL_FTE if rule.measure == "fte" else FEW_PERSONS
    if unit == "share" and numerator is not None and denominator is not None:
        complement = denominator - numerator
        if persons < rule.small_group:
            if indicator in NON_PERSON_NUMERATORS:
                if 0 < numerator < denominator:
                    return FEW_IN_SHARE
            elif 1 <= numerator <= rule.few or 1 <= complement <= rule.few:
                return FEW_IN_SHARE
        if persons < rule.all_or_none_below and (numerator == 0 or complement == 0):
            return ALL_OR_NONE
    cap = CAPPED_MEANS.get(indicator)
    if cap is not None and value is not None and value >= cap and persons < rule.all_or_none_below:
        return ALL_OR_NONE
    return None


def _cost(unit: str, numerator: float | None, denominator: float | None, value: float | None,
          persons: int | None) -> float:
    if persons is not None:
        return float(persons)
    if unit in COUNT_UNITS:
        size = numerator if numerator is not None else value
    else:
        size = denominator if denominator is not None else numerator
    return 1e12 if size is None else float(size)


def _has_quantities(unit: str, numerator: float | None, denominator: float | None, value: float | None) -> bool:
    if unit == "count":
        return numerator is not None or value is not None
    return numerator is not None or denominator is not None


def _implicit_groups(
    keys: Sequence[tuple[str, str, str, str]],
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
) -> list[list[int]]:
    """Breakdown groups whose parts share one denominator that their numerators add up to
    (transition categories, age-band shares): the denominator is a total of the numerators."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, (area_type, area, breakdown, _) in enumerate(keys):
        if breakdown != TOTAL:
            groups.setdefault((area_type, area, breakdown), []).append(i)
    out = []
    for _, parts in sorted(groups.items()):
        if len(parts) < 2:
            continue
        shared = {denominators[p] for p in parts}
        nums = [numerators[p] for p in parts]
        if len(shared) == 1 and None not in shared and None not in nums:
            (denominator,) = shared
            if abs(sum(n for n in nums if n is not None) - float(denominator)) < 1e-6:  # type: ignore[arg-type]
                out.append(sorted(parts))
    return out


def build_constraints(
    keys: Sequence[tuple[str, str, str, str]],
    region_members: Mapping[str, Sequence[str]],
) -> list[Constraint]:
    """`total = Σ parts` among the cells of one table (keys: area_type, area, breakdown, value):
    an area's total over each breakdown, a region over its municipalities, nested regions."""
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

    regions = sorted({area for area_type, area, _, _ in keys if area_type == "region"})
    region_cells: dict[str, list[tuple[tuple[str, str, str, str], int]]] = {}  # in key order
    for key, i in sorted(index.items()):
        if key[0] == "region":
            region_cells.setdefault(key[1], []).append((key, i))
    for region in regions:
        if region not in region_members:
            raise ReleaseError(
                f"Regionen {region!r} har ingen kjente medlemskommuner (marts.dim_region); "
                "prikkingen kan ikke beskytte kommunene i den."
            )
        members = region_members[region]
        for (_, _, breakdown, value), i in region_cells[region]:
            parts = [index[k] for m in members if (k := ("municipality", m, breakdown, value)) in index]
            if parts:
                constraints.append(Constraint(i, sorted(parts)))
    # Nested regions (Ytre Lofoten in Lofoten): the difference of two region cells is a sum of
    # municipalities. Implied by the sums above, but stating it lets the heuristic see it.
    for inner in regions:
        for outer in regions:
            inner_set, outer_set = set(region_members[inner]), set(region_members[outer])
            if inner == outer or not inner_set < outer_set:
                continue
            for (_, _, breakdown, value), i in region_cells[outer]:
                inner_cell = index.get(("region", inner, breakdown, value))
                if inner_cell is None:
                    continue
                rest = [index[k] for m in sorted(outer_set - inner_set)
                        if (k := ("municipality", m, breakdown, value)) in index]
                constraints.append(Constraint(i, sorted([inner_cell, *rest])))
    return constraints


TableSum = tuple[int, list[int], bool, str]  # total, parts, over a breakdown (same area), the parts' breakdown


def _table_sums(
    keys: Sequence[tuple[str, str, str, str]], region_members: Mapping[str, Sequence[str]]
) -> list[TableSum]:
    """`build_constraints` with what `layout_year` asks of each sum, worked out once per table layout."""
    sums = []
    for constraint in build_constraints(keys, region_members):
        area = keys[constraint.total][1]
        over_breakdown = all(keys[p][1] == area for p in constraint.parts)
        sums.append((constraint.total, constraint.parts, over_breakdown, keys[constraint.parts[0]][2]))
    return sums


Row = tuple[Any, ...]  # indicator, year, area_type, area, breakdown, value, num, den, value, unit, persons


def _where(spec: Any, area_type: str, area: str, breakdown: str, value_key: str) -> tuple[str, str, str, str] | None:
    if spec == "cell":
        return (area_type, area, breakdown, value_key)
    if spec == TOTAL:
        return (area_type, area, TOTAL, TOTAL)
    if breakdown == TOTAL:  # a cell of another breakdown, said on the total row
        return (area_type, area, spec[0], spec[1])
    return None


def _clearly_false(values: Mapping[int, float], total: int, parts: Sequence[int]) -> bool:
    """Whether `total = sum(parts)` is plainly not true of the numbers (a breakdown that leaves some out).

    A breakdown cell exists only where there is something to show, so e.g. a municipality with
    one re-advertised posting outside every function family has a total of 1 over no families:
    the equation "total = sum of families" would force it to 0, and the audit would report the
    cell as given away whatever is hidden. An equation that does not hold tells no one anything,
    so it is left out (so is e.g. "Nordland's leavers to another municipality in the region = the
    sum of its municipalities'", when a municipality's own region is smaller). Only a clear miss
    counts (whole numbers that differ by one or more; rounded figures may be off by half a decimal
    per term): keeping a doubtful equation protects more, never less.
    """
    first = values.get(total)
    rest = [values.get(p) for p in parts]
    if first is None or None in rest:
        return False
    gap = abs(first - sum(rest))  # type: ignore[arg-type]
    if gap <= 0.5:  # true, or off by no more than rounding: kept either way
        return False
    numbers = [first, *rest]
    if all(abs(x - round(x)) < 1e-9 for x in numbers):  # counts: a sum is exact or it is not a sum
        return gap > 0.5
    return gap > 0.5 + 0.05 * len(numbers)


def layout_year(
    rows: Sequence[Row],
    region_members: Mapping[str, Sequence[str]],
    structures: dict[tuple, list[TableSum]] | None = None,
) -> Layout:
    """The quantities one year's cells publish and the equations among them (see the module doc).

    `structures` remembers each table's sums by its cells' keys: an indicator has the same
    areas and breakdown values year after year, so its sums are worked out once per release.
    """
    ids: dict[tuple, int] = {}

    values: dict[int, float] = {}  # each quantity's number, to test the equations against

    def var(key: tuple, value: float | None = None) -> int:
        q = ids.setdefault(key, len(ids))
        if value is not None:
            values.setdefault(q, float(value))
        return q

    numerators: list[float | None] = []
    for r in rows:
        num = r[6] if r[6] is not None or r[9] != "count" else r[8]
        numerators.append(num)

    by_table: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_table.setdefault(r[0], []).append(i)
    implicit: dict[int, int] = {}  # cell -> first cell of its implicit group
    implicit_groups: list[tuple[list[int], bool]] = []
    for cells in by_table.values():
        if rows[cells[0]][9] == "count":
            continue
        keys = [(rows[i][2], rows[i][3], rows[i][4], rows[i][5]) for i in cells]
        for group in _implicit_groups(keys, [numerators[i] for i in cells], [rows[i][7] for i in cells]):
            members = [cells[g] for g in group]
            implicit_groups.append((members, True))
            for m in members:
                implicit[m] = members[0]

    num_var: list[int | None] = []
    den_var: list[int | None] = []
    per_var: list[int | None] = []
    per_quantity: list[str | None] = []
    for i, r in enumerate(rows):
        indicator, _, area_type, area, breakdown, value_key, _, den, _, _, persons = r
        num = numerators[i]
        shared = SHARED.get(indicator, {})
        cell = (area_type, area, breakdown, value_key)
        n_var = d_var = p_var = None
        if num is not None:
            spec = shared.get("numerator")
            where = _where(spec[1], *cell) if spec else None
            if indicator == "transitions" and value_key in TRANSITION_NUMERATORS:
                n_var = var((TRANSITION_NUMERATORS[value_key], area_type, area, TOTAL, TOTAL, float(num)), num)
            elif spec and where:
                n_var = var((spec[0], *where, float(num)), num)
            else:
                n_var = var(("N", indicator, *cell), num)
        if den is not None:
            spec = shared.get("denominator")
            where = _where(spec[1], *cell) if spec else None
            if spec and where:
                d_var = var((spec[0], *where, float(den)), den)
            elif i in implicit:
                d_var = var(("D", indicator, area_type, area, breakdown, "*", float(den)), den)
            else:
                d_var = var(("D", indicator, *cell), den)
        quantity = None
        if persons is not None:
            spec = shared.get("persons")
            where = _where(spec[1], *cell) if spec else None
            if spec and where:
                p_var = var((spec[0], *where, float(persons)), persons)
                quantity = spec[0]
            elif den is not None and den == persons:
                p_var = d_var
            elif num is not None and num == persons:
                p_var = n_var
            else:
                p_var = var(("P", indicator, *cell), persons)
                quantity = f"P:{indicator}"
        num_var.append(n_var)
        den_var.append(d_var)
        per_var.append(p_var)
        per_quantity.append(quantity)

    seen: set[tuple] = set()
    constraints: list[Constraint] = []

    def add(total: int | None, parts: list[int | None]) -> None:
        if total is None or None in parts or not parts:
            return
        ordered = sorted(parts)  # type: ignore[type-var]
        key = (total, tuple(ordered))
        if key in seen or (len(parts) == 1 and parts[0] == total):
            return
        if _clearly_false(values, total, parts):  # type: ignore[arg-type]
            return  # not an identity in this data (a breakdown that leaves some out): it reveals nothing
        seen.add(key)
        constraints.append(Constraint(total, ordered))  # type: ignore[arg-type]

    for indicator, cells in by_table.items():
        keys = tuple((rows[i][2], rows[i][3], rows[i][4], rows[i][5]) for i in cells)
        structure = structures.get(keys) if structures is not None else None
        if structure is None:
            structure = _table_sums(keys, region_members)
            if structures is not None:
                structures[keys] = structure
        for local_total, local_parts, over_breakdown, breakdown in structure:
            total = cells[local_total]
            parts = [cells[p] for p in local_parts]
            covering = PARTIAL_BREAKDOWNS.get(breakdown) if over_breakdown else None
            if covering is not None and indicator not in covering:
                continue  # the breakdown leaves some out: its parts need not add up to the total
            add(num_var[total], [num_var[p] for p in parts])
            if not (over_breakdown and any(p in implicit for p in parts)):
                add(den_var[total], [den_var[p] for p in parts])
            quantity = per_quantity[total]
            if quantity is not None and not (over_breakdown and quantity in NOT_ADDITIVE_OVER_BREAKDOWNS):
                add(per_var[total], [per_var[p] for p in parts])
    for members, _ in implicit_groups:
        add(den_var[members[0]], [num_var[m] for m in members])

    # leavers = the three leaver transitions, when the numbers agree
    leaver_parts: dict[tuple[str, str], dict[str, int]] = {}
    for i, r in enumerate(rows):
        if r[0] == "transitions" and r[5] in LEAVER_TRANSITIONS and num_var[i] is not None:
            leaver_parts.setdefault((r[2], r[3]), {})[r[5]] = i
    for i, r in enumerate(rows):
        if r[0] != "turnover" or r[4] != TOTAL or num_var[i] is None:
            continue
        parts = leaver_parts.get((r[2], r[3]), {})
        if len(parts) == len(LEAVER_TRANSITIONS):
            total = sum(numerators[p] or 0.0 for p in parts.values())
            if abs(total - float(numerators[i] or 0.0)) < 1e-6:
                add(num_var[i], [num_var[p] for p in parts.values()])

    quantity_cells: list[list[int]] = [[] for _ in ids]
    cell_quantities: list[list[int]] = []
    for i in range(len(rows)):
        distinct = {num_var[i], den_var[i], per_var[i]}
        distinct.discard(None)
        own = sorted(distinct)  # type: ignore[type-var]
        cell_quantities.append(own)
        for q in own:
            quantity_cells[q].append(i)
    return Layout(cell_quantities, quantity_cells, num_var, den_var, per_var, constraints, list(ids))


def suppress(
    frame: pl.DataFrame, rule: DisclosureRule, region_members: Mapping[str, Sequence[str]]
) -> tuple[pl.DataFrame, SuppressionSummary]:
    """Apply primary and secondary suppression to the long indicator table.

    Returns the table sorted by key with `symbol`, `suppressed`, `suppression_reason`
    (primary | secondary) and `suppression_text` (why, in Norwegian) added, and the figures
    and persons of hidden cells set to null.
    """
    summary = SuppressionSummary(rule=rule)
    missing = [c for c in (*KEY, "numerator", "denominator", "value", "unit", "persons") if c not in frame.columns]
    if missing:
        raise ReleaseError(f"Indikatortabellen (marts.fct_indicators) mangler kolonnene {', '.join(missing)}.")
    if frame.is_empty():
        return _with_flags(frame, [], [], rule), summary
    frame = frame.with_columns(pl.col("breakdown_value").fill_null("")).sort(list(KEY))
    duplicated = frame.select(list(KEY)).is_duplicated()
    if duplicated.any():
        first = frame.filter(duplicated).row(0, named=True)
        raise ReleaseError(
            "marts.fct_indicators har samme celle flere ganger, for eksempel "
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

    # One year at a time: each year is its own system of equations, and a national release
    # (1.5 million figures) must not hold a Python tuple per figure for every year at once.
    columns = (*KEY, "numerator", "denominator", "value", "unit", "persons")
    statuses = np.zeros(frame.height, dtype=np.int8)
    codes: list[str | None] = [None] * frame.height
    structures: dict[tuple, list[TableSum]] = {}  # each table's sums, by its cells' keys
    by_indicator: dict[str, list[int]] = {}  # indicator -> [cells, primary, secondary]
    years = frame["year"]
    for year in sorted(years.unique().to_list()):
        in_year = years == year
        cells = in_year.arg_true().to_list()
        table = frame.select(columns).filter(in_year).rows()
        summary.tables += len({r[0] for r in table})
        status, costs, sensitive_cells = [], [], []
        fte_of = fte_sizes.get if fte_sizes else None
        for j, (indicator, _, area_type, area, breakdown, value_key, num, den, value, unit, persons) in enumerate(
            table
        ):
            fte = fte_of((year, area_type, area, breakdown, value_key)) if fte_of else None
            reason = _primary_reason(indicator, unit, num, den, value, persons, fte, rule)
            status.append(PRIMARY if reason else PUBLISHED)
            codes[cells[j]] = reason
            costs.append(_cost(unit, num, den, value, persons))
            if reason and _has_quantities(unit, num, den, value):
                sensitive_cells.append(j)
        layout = layout_year(table, region_members, structures)
        # What must stay unknown: the numerator of every primary cell (a count's numerator is the
        # count); a figure without a numerator (median, index) protects its base only when it
        # has no persons to judge it by. Medians cannot be worked out from sums.
        sensitive: set[int] = set()
        for j in sensitive_cells:
            if layout.numerator[j] is not None:
                sensitive.add(layout.numerator[j])  # type: ignore[arg-type]
            elif layout.denominator[j] is not None and table[j][10] is None:
                sensitive.add(layout.denominator[j])  # type: ignore[arg-type]
        keep = [
            s == PUBLISHED and r[2] == "region" and r[4] == TOTAL and r[10] is not None and r[10] >= rule.small_group
            for s, r in zip(status, table, strict=True)
        ]
        summary.constraints += len(layout.constraints)
        shown_elsewhere: set[int] = set()
        exposed = protect(layout, status, costs, sensitive, shown_elsewhere, keep)
        for q in sorted(exposed):
            for j in layout.quantity_cells[q]:
                indicator, _, _, area, breakdown, value_key = table[j][:6]
                summary.exposed.append(
                    {"indicator_id": indicator, "year": year, "area_code": area, "breakdown": breakdown,
                     "breakdown_value": value_key}
                )
        for j, i in enumerate(cells):
            statuses[i] = status[j]
            if status[j] == SECONDARY:
                codes[i] = (
                    SECONDARY_ELSEWHERE if j in shown_elsewhere else SECONDARY_REGIONS if keep[j] else SECONDARY_SUMS
                )
            counts = by_indicator.setdefault(table[j][0], [0, 0, 0])
            counts[0] += 1
            if status[j] != PUBLISHED:
                counts[status[j]] += 1
                summary.by_reason[codes[i]] = summary.by_reason.get(codes[i], 0) + 1  # type: ignore[index]

    summary.cells = frame.height
    summary.primary = int((statuses == PRIMARY).sum())
    summary.secondary = int((statuses == SECONDARY).sum())
    summary.by_indicator = {
        indicator: {"cells": n, "primary": primary, "secondary": secondary}
        for indicator, (n, primary, secondary) in sorted(by_indicator.items())
    }
    summary.by_reason = dict(sorted(summary.by_reason.items()))
    return _with_flags(frame, statuses, codes, rule), summary


KEY = ("indicator_id", "year", "area_type", "area_code", "breakdown", "breakdown_value")


def _with_flags(
    frame: pl.DataFrame, statuses: np.ndarray | list[int], codes: list[str | None], rule: DisclosureRule
) -> pl.DataFrame:
    status = pl.Series("status", np.asarray(statuses, dtype=np.int8), dtype=pl.Int8)
    sentences = {c: rule.reason_nb(c) for c in set(codes) if c}
    code = pl.Series("code", codes, dtype=pl.String)
    hidden = status != PUBLISHED
    frame = frame.with_columns(
        hidden.alias("suppressed"),
        status.replace_strict(REASONS, default=None, return_dtype=pl.String).alias("suppression_reason"),
        pl.select(
            pl.when(pl.lit(hidden)).then(pl.lit(code).replace_strict(sentences, default=None, return_dtype=pl.String))
        ).to_series().alias("suppression_text"),
    )
    blank = pl.lit(None, dtype=pl.Float64)
    return frame.with_columns(
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("numerator")).alias("numerator"),
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("denominator")).alias("denominator"),
        pl.when(pl.col("suppressed")).then(blank).otherwise(pl.col("value")).alias("value"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(None, dtype=frame.schema["persons"]))
        .otherwise(pl.col("persons"))
        .alias("persons"),
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
