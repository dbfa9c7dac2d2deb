"""Disclosure control: small cells are hidden, and no hidden cell can be worked out again.

The property test builds random count tables (municipalities × breakdown values, with
municipality totals, a second breakdown of the same totals, and region sums), suppresses
them, and then attacks the result two ways, independently of the implementation: by
subtraction in every row, column and region sum, and by linear algebra (a hidden cell is
exactly determined iff adding its unit vector to the constraint matrix over the hidden
cells does not raise its rank).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.release.disclosure import SUPPRESSED_SYMBOL, DisclosureRule, layout_year, suppress
from pipelines.release.errors import ReleaseError
from pipelines.release.inputs import INDICATOR_SCHEMA

RULE = DisclosureRule()


def _row(indicator, area_type, area, breakdown, value_key, num, den, value, unit, year=2024, persons="auto"):
    if persons == "auto":  # as fct_indicators: a ratio's denominator, a count's count
        persons = int(den) if den is not None else (int(num) if num is not None else None)
    return {
        "indicator_id": indicator,
        "area_type": area_type,
        "area_code": area,
        "year": year,
        "breakdown": breakdown,
        "breakdown_value": value_key,
        "numerator": num,
        "denominator": den,
        "value": value,
        "persons": persons,
        "unit": unit,
        "basis": "municipality",
    }


def _frame(rows: list[dict]) -> pl.DataFrame:
    """The release's own indicator schema, less the coverage count these tests do not use."""
    schema = {name: dtype for name, dtype in INDICATOR_SCHEMA.items() if name != "municipalities_with_data"}
    return pl.DataFrame(rows, schema=schema)


small_or_large = st.one_of(st.integers(0, 3), st.integers(0, 3), st.integers(4, 60))


@st.composite
def count_tables(draw):
    """(cells {key: count}, regions {region: members}) for one count indicator."""
    n_munis = draw(st.integers(2, 6))
    n_values = draw(st.integers(2, 4))
    munis = [f"18{i:02d}" for i in range(n_munis)]
    values = [f"v{j}" for j in range(n_values)]
    cells: dict[tuple[str, str, str, str], int] = {}
    with_gender = draw(st.booleans())  # a second breakdown of the same totals (F + M), everywhere or nowhere
    for m in munis:
        parts = [draw(small_or_large) for _ in values]
        for v, count in zip(values, parts, strict=True):
            cells[("municipality", m, "service_area", v)] = count
        total = sum(parts)
        cells[("municipality", m, "total", "total")] = total
        if with_gender:
            women = draw(st.integers(0, total))
            cells[("municipality", m, "gender", "F")] = women
            cells[("municipality", m, "gender", "M")] = total - women
    split = draw(st.integers(1, n_munis))
    regions = {"nordland": tuple(munis), "salten": tuple(munis[:split])}
    if n_munis >= 3 and draw(st.booleans()):
        regions["lofoten"] = tuple(munis[split - 1 :])
    for region, members in regions.items():
        keys = {(b, v) for (t, m, b, v) in cells if m in members}
        for b, v in keys:
            cells[("region", region, b, v)] = sum(cells.get(("municipality", m, b, v), 0) for m in members)
    return cells, regions


def _constraints(cells, regions) -> list[tuple[tuple, list[tuple]]]:
    """Every `total = Σ parts` the published table obeys, enumerated from scratch."""
    out = []
    areas = {(t, a) for t, a, _, _ in cells}
    for t, a in sorted(areas):
        total = (t, a, "total", "total")
        for b in ("service_area", "gender"):
            parts = sorted(k for k in cells if k[:3] == (t, a, b))
            if parts and total in cells:
                out.append((total, parts))
    for region, members in regions.items():
        for key in sorted(k for k in cells if k[0] == "region" and k[1] == region):
            parts = [("municipality", m, key[2], key[3]) for m in members]
            out.append((key, [p for p in parts if p in cells]))
    return out


def _determined(hidden: list[tuple], constraints) -> list[tuple]:
    """Hidden cells that linear algebra pins down exactly."""
    if not hidden:
        return []
    col = {key: i for i, key in enumerate(hidden)}
    rows = []
    for total, parts in constraints:
        row = np.zeros(len(hidden))
        for key, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if key in col:
                row[col[key]] += sign
        if row.any():
            rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    found = []
    for key, j in col.items():
        unit = np.zeros(len(hidden))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(key)
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_no_suppressed_count_can_be_recovered_from_published_sums(table):
    cells, regions = table
    rows = [
        _row("counted_employees", t, a, b, v, float(c), None, float(c), "count") for (t, a, b, v), c in cells.items()
    ]
    result, summary = suppress(_frame(rows), RULE, regions)

    status = {
        (r["area_type"], r["area_code"], r["breakdown"], r["breakdown_value"]): r for r in result.iter_rows(named=True)
    }
    hidden = sorted(k for k, r in status.items() if r["suppressed"])

    # Primary suppression: exactly the cells under 3 (zeros included), nothing else primary.
    for key, count in cells.items():
        row = status[key]
        assert (row["suppression_reason"] == "primary") == (count < 3), (key, count, row)
        if row["suppressed"]:
            assert row["value"] is None and row["numerator"] is None
            assert row["symbol"] == SUPPRESSED_SYMBOL
        else:
            assert row["value"] == count and row["symbol"] == ""

    constraints = _constraints(cells, regions)
    primary = {k for k, r in status.items() if r["suppression_reason"] == "primary"}
    # Attack 1: subtraction. No sum may have a primary cell as its one hidden cell. (A secondary
    # cell that can be worked out is harmless: it was publishable, and hides nothing by itself.)
    for total, parts in constraints:
        members = [total, *parts]
        hidden_members = [k for k in members if status[k]["suppressed"]]
        assert not (len(hidden_members) == 1 and hidden_members[0] in primary), f"{total} = Σ{parts}"
    # Attack 2: linear algebra over all sums at once, every hidden cell an unknown.
    assert set(_determined(hidden, constraints)) & primary == set()
    assert summary.exposed == []
    assert summary.primary + summary.secondary == len(hidden)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables(), st.randoms(use_true_random=False))
def test_no_suppressed_share_can_be_recovered_from_published_numerators_or_denominators(table, rng):
    """Shares publish numerator and denominator beside the value; both add up like counts."""
    cells, regions = table
    # numerators: a random part of each municipality cell, summed up the same hierarchy
    numerators = {k: float(rng.randint(0, c)) for k, c in cells.items() if k[0] == "municipality" and k[2] != "total"}
    for (t, a, b, v) in list(cells):
        if t == "municipality" and b == "total":
            numerators[(t, a, b, v)] = sum(n for (_, m, bb, _), n in numerators.items()
                                           if m == a and bb == "service_area")
    for region, members in regions.items():
        for (t, a, b, v) in cells:
            if t == "region" and a == region:
                numerators[(t, a, b, v)] = sum(numerators.get(("municipality", m, b, v), 0.0) for m in members)
    for (t, a, b, v) in cells:  # gender numerators: split the total numerator
        if t == "municipality" and b == "gender" and v == "F":
            total = numerators[(t, a, "total", "total")]
            women = min(total, float(cells[(t, a, b, v)]))
            numerators[(t, a, b, "F")] = women
            numerators[(t, a, b, "M")] = total - women
    for region, members in regions.items():
        for (t, a, b, v) in cells:
            if t == "region" and a == region and b == "gender":
                numerators[(t, a, b, v)] = sum(numerators.get(("municipality", m, b, v), 0.0) for m in members)
    rows = [
        _row("turnover", t, a, b, v, numerators[(t, a, b, v)], float(den),
             numerators[(t, a, b, v)] / den if den else None, "share")
        for (t, a, b, v), den in cells.items()
    ]
    result, _ = suppress(_frame(rows), RULE, regions)
    status = {(r["area_type"], r["area_code"], r["breakdown"], r["breakdown_value"]): r
              for r in result.iter_rows(named=True)}
    for key, den in cells.items():
        num = numerators[key]
        expected = den < 5 or (den < 20 and (1 <= num <= 2 or 1 <= den - num <= 2)) or (
            den < 10 and num in (0, den)
        )
        assert (status[key]["suppression_reason"] == "primary") == expected, (key, num, den)
    constraints = _constraints(cells, regions)
    primary = {k for k, r in status.items() if r["suppression_reason"] == "primary"}
    hidden = sorted(k for k, r in status.items() if r["suppressed"])
    # numerators and denominators add up alike; the numerators of primary cells must stay unknown
    assert set(_determined(hidden, constraints)) & primary == set()
    assert all(status[k]["numerator"] is None and status[k]["denominator"] is None for k in hidden)


def test_tiny_municipality_turnover_is_hidden_with_its_complement():
    """Røst's turnover by gender: 2 men (primary), so women must go too (F + M = total)."""
    rows = []
    # (women, men, women leaving, men leaving): only Røst's men are too few (2 persons)
    data = {"1856": (20, 2, 5, 1), "1857": (25, 30, 5, 6), "1859": (40, 42, 8, 9)}
    for area, (women, men, left_f, left_m) in data.items():
        size, left = women + men, left_f + left_m
        rows.append(_row("turnover", "municipality", area, "total", "total", left, size, left / size, "share"))
        rows.append(_row("turnover", "municipality", area, "gender", "F", left_f, women, left_f / women, "share"))
        rows.append(_row("turnover", "municipality", area, "gender", "M", left_m, men, left_m / men, "share"))
    rows.append(_row("turnover", "region", "outer_lofoten", "total", "total", 34.0, 159.0, 34 / 159, "share"))
    rows.append(_row("turnover", "region", "outer_lofoten", "gender", "F", 18.0, 85.0, 18 / 85, "share"))
    rows.append(_row("turnover", "region", "outer_lofoten", "gender", "M", 16.0, 74.0, 16 / 74, "share"))
    regions = {"outer_lofoten": ("1856", "1857", "1859")}
    result, summary = suppress(_frame(rows), RULE, regions)
    hidden = {
        (r["area_code"], r["breakdown_value"]): r["suppression_reason"]
        for r in result.iter_rows(named=True)
        if r["suppressed"]
    }
    # Røst M is primary; Røst F then (its total is published); across the region the
    # smallest other municipality's M and F (Værøy) follow, so the region sums hide two cells each.
    assert hidden == {
        ("1856", "M"): "primary",
        ("1856", "F"): "secondary",
        ("1857", "M"): "secondary",
        ("1857", "F"): "secondary",
    }
    assert summary.primary == 1 and summary.secondary == 3


def test_shares_whose_numerators_sum_to_the_shared_denominator_are_protected():
    """Transition shares: every category publishes the same denominator, which is therefore a
    published total of the numerators — hiding one category alone would not hide it."""
    rows = []
    categories = {"same": 30.0, "other_service": 6.0, "other_municipality": 2.0, "left": 4.0}
    for area, scale in (("1857", 1.0), ("1859", 2.0)):
        den = sum(categories.values()) * scale
        for category, count in categories.items():
            rows.append(
                _row(
                    "transitions",
                    "municipality",
                    area,
                    "transition",
                    category,
                    count * scale,
                    den,
                    count * scale / den,
                    "share",
                )
            )
    for category, count in categories.items():
        den = sum(categories.values()) * 3
        rows.append(
            _row("transitions", "region", "r", "transition", category, count * 3, den, count * 3 / den, "share")
        )
    # Make one Værøy category primary by hand: shares use the denominator, so force it via a tiny denominator
    # on a copy of the table where one category's population differs.
    result, _ = suppress(_frame(rows), DisclosureRule(min_persons=5), {"r": ("1857", "1859")})
    assert not result["suppressed"].any()  # denominators 42/84/126 are all large

    rows[1]["denominator"] = 3.0  # Værøy other_service now from 3 persons: primary
    rows[1]["numerator"] = 3.0
    rows[1]["persons"] = 3
    region_other_service = next(r for r in rows if r["area_code"] == "r" and r["breakdown_value"] == "other_service")
    region_other_service["numerator"] = 3.0 + 12.0  # the region still adds up: an equation that fails reveals nothing
    result, _ = suppress(_frame(rows), RULE, {"r": ("1857", "1859")})
    hidden = [(r["area_code"], r["breakdown_value"]) for r in result.iter_rows(named=True) if r["suppressed"]]
    assert ("1857", "other_service") in hidden
    assert len([h for h in hidden if h[0] == "1857"]) >= 2


def test_ks_rule_hides_cells_under_ten_fte_even_with_enough_persons():
    rows = [
        _row("fulltime_share", "municipality", "1856", "total", "total", 4.0, 12.0, 4 / 12, "share"),
        _row("fte", "municipality", "1856", "total", "total", 8.4, None, 8.4, "count"),
        _row("fulltime_share", "municipality", "1859", "total", "total", 20.0, 40.0, 0.5, "share"),
        _row("fte", "municipality", "1859", "total", "total", 31.0, None, 31.0, "count"),
    ]
    default, _ = suppress(_frame(rows), DisclosureRule(), {})
    assert not default["suppressed"].any()
    ks, summary = suppress(_frame(rows), DisclosureRule.ks(), {})
    hidden = {(r["indicator_id"], r["area_code"]) for r in ks.iter_rows(named=True) if r["suppressed"]}
    assert hidden == {("fulltime_share", "1856"), ("fte", "1856")}
    assert summary.rule.min_persons == 10 and "årsverk" in summary.rule.describe_nb()


def test_rule_comes_from_the_environment_and_rejects_nonsense():
    assert DisclosureRule.from_env({}) == DisclosureRule()
    assert DisclosureRule.from_env({"WORKFORCE_DISCLOSURE_RULE": "ks"}).measure == "fte"
    assert DisclosureRule.from_env({"WORKFORCE_DISCLOSURE_MIN_PERSONS": "7"}).min_persons == 7
    with pytest.raises(ReleaseError, match="ingen prikkeregel"):
        DisclosureRule.from_env({"WORKFORCE_DISCLOSURE_RULE": "lenient"})


def test_a_region_without_known_members_is_refused_rather_than_left_unprotected():
    rows = [
        _row("fte", "municipality", "1856", "total", "total", 1.0, None, 1.0, "count"),
        _row("fte", "region", "vesteralen", "total", "total", 40.0, None, 40.0, "count"),
    ]
    with pytest.raises(ReleaseError, match="vesteralen"):
        suppress(_frame(rows), RULE, {})


def test_cells_without_a_size_are_hidden_fail_closed():
    rows = [_row("median_tenure_years", "municipality", "1856", "total", "total", None, None, 7.5, "years")]
    result, _ = suppress(_frame(rows), RULE, {})
    assert result.row(0, named=True)["suppression_reason"] == "primary"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8), st.integers(1, 10), st.randoms(use_true_random=False))
def test_elimination_agrees_with_rank_arithmetic(n_rows, n_cols, rng):
    """The elimination used in production pins exactly the columns rank arithmetic pins."""
    from pipelines.release.disclosure import _pinned_columns

    matrix = np.array([[rng.choice((0, 0, 0, 1, -1)) for _ in range(n_cols)] for _ in range(n_rows)], dtype=float)
    rank = np.linalg.matrix_rank(matrix) if matrix.any() else 0
    expected = []
    for j in range(n_cols):
        unit = np.zeros(n_cols)
        unit[j] = 1.0
        expected.append(np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank)
    assert list(_pinned_columns(matrix)) == expected


def _rank(columns: np.ndarray, chosen: list[int]) -> int:
    return int(np.linalg.matrix_rank(columns[:, chosen])) if chosen else 0


def _pinned_by_rank(matrix: np.ndarray, unknown: list[int], q: int) -> bool:
    """q is fixed iff its column is no combination of the other unknowns' columns."""
    return _rank(matrix, unknown) > _rank(matrix, [u for u in unknown if u != q])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8), st.integers(2, 10), st.randoms(use_true_random=False))
def test_incremental_elimination_agrees_with_rank_arithmetic_as_unknowns_are_added(n_rows, n_cols, rng):
    """Secondary suppression asks the engine, after each hidden quantity, which unknowns are fixed
    and whether hiding one more would free one; every answer equals rank arithmetic's."""
    from pipelines.release.disclosure import Elimination

    matrix = np.array([[rng.choice((0, 0, 0, 1, -1)) for _ in range(n_cols)] for _ in range(n_rows)], dtype=float)
    engine = Elimination([{i: matrix[i, j] for i in range(n_rows) if matrix[i, j]} for j in range(n_cols)])
    order = list(range(n_cols))
    rng.shuffle(order)
    for step, added in enumerate(order, start=1):
        engine.add(added)
        unknown = sorted(order[:step])
        for q in unknown:
            pinned = _pinned_by_rank(matrix, unknown, q)
            assert engine.is_pinned(q) == pinned
            for candidate in order[step:]:
                freed = not _pinned_by_rank(matrix, [*unknown, candidate], q)
                assert engine.frees(q, candidate) == freed, (q, candidate)


# --- across indicators: quantities that several indicators publish -----------------------------
BANDS = ("under_30", "30_61", "62_plus")


@st.composite
def workforces(draw):
    """Persons (age band, full-time, woman) per municipality; every municipality has 20+ persons
    in total, so a regional total never needs hiding, while its breakdown cells are often tiny."""
    n_munis = draw(st.integers(2, 5))
    munis = [f"18{i:02d}" for i in range(n_munis)]
    people = {}
    for m in munis:
        size = draw(st.integers(20, 40))
        weights = draw(st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda w: w[1] > 0))
        people[m] = [
            (
                draw(st.sampled_from([b for b, w in zip(BANDS, weights, strict=True) for _ in range(w)])),
                draw(st.booleans()),
                draw(st.booleans()),
            )
            for _ in range(size)
        ]
    split = draw(st.integers(1, n_munis))
    return people, {"nordland": tuple(munis), "salten": tuple(munis[:split])}


def _workforce_rows(people, regions):
    """fct_indicators as dbt builds it for four indicators over the same employees."""
    areas = [("municipality", m, (m,)) for m in people] + [("region", r, ms) for r, ms in regions.items()]
    rows = []
    for area_type, area, members in areas:
        persons = [p for m in members for p in people[m]]
        total = len(persons)
        women = sum(p[2] for p in persons)
        groups = [("total", "total", persons)]
        groups += [("age_band", b, [p for p in persons if p[0] == b]) for b in BANDS]
        groups += [("gender", g, [p for p in persons if p[2] == (g == "F")]) for g in ("F", "M")]
        for breakdown, value_key, group in groups:
            n = len(group)
            if n == 0:
                continue  # no persons, no row (GROUPING SETS make none)
            fulltime = sum(p[1] for p in group)
            rows.append(_row("counted_employees", area_type, area, breakdown, value_key, n, None, n, "count"))
            if breakdown != "gender":
                rows.append(_row("fulltime_share", area_type, area, breakdown, value_key, fulltime, n, fulltime / n,
                                 "share"))
            if breakdown == "age_band":
                rows.append(_row("age_distribution", area_type, area, breakdown, value_key, n, total, n / total,
                                 "share", persons=total))
        rows.append(_row("women_share", area_type, area, "total", "total", women, total, women / total, "share"))
    return rows


def _quantity_attack(result, people, regions):
    """Quantities every published figure gives away, from scratch: E (employees) and F (full-time)
    per area and cell; the sums they obey; which numerators of primary cells linear algebra pins."""
    def area_cells(area_type, area):
        return [("total", "total")] + [("age_band", b) for b in BANDS] + [("gender", g) for g in ("F", "M")]

    known: set[tuple] = set()
    sensitive: set[tuple] = set()
    present: set[tuple] = set()
    for r in result.iter_rows(named=True):
        cell = (r["area_code"], r["breakdown"], r["breakdown_value"] or "")
        total = (r["area_code"], "total", "total")
        ind = r["indicator_id"]
        quantities = {
            "counted_employees": [("E", *cell)],
            "fulltime_share": [("F", *cell), ("E", *cell)],
            "age_distribution": [("E", *cell), ("E", *total)],
            "women_share": [("E", r["area_code"], "gender", "F"), ("E", *total)],
        }[ind]
        present.add((ind, *cell))
        if not r["suppressed"]:
            known.update(quantities)
        elif r["suppression_reason"] == "primary":
            sensitive.add(quantities[0])
    equations = []
    areas = [("municipality", m) for m in people] + [("region", r) for r in regions]
    for family in ("E", "F"):
        for _, area in areas:
            equations.append([(family, area, "total", "total")] + [(family, area, "age_band", b) for b in BANDS])
            if family == "E":
                equations.append([("E", area, "total", "total")] + [("E", area, "gender", g) for g in ("F", "M")])
        for region, members in regions.items():
            for breakdown, value_key in area_cells("region", region):
                equations.append([(family, region, breakdown, value_key)]
                                 + [(family, m, breakdown, value_key) for m in members])
    # A cell the table leaves out is known to anyone: nobody is in it (no headcount row for the
    # women of a municipality without women; no full-time share where no one is employed).
    for q in {q for eq in equations for q in eq}:
        if q[0] == "F" and q[2] == "gender":  # no full-time share by gender is published at all
            continue
        if ("counted_employees" if q[0] == "E" else "fulltime_share", *q[1:]) not in present:
            known.add(q)
    unknown = sorted({q for eq in equations for q in eq} - known)
    col = {q: i for i, q in enumerate(unknown)}
    rows = []
    for eq in equations:
        row = np.zeros(len(unknown))
        for k, q in enumerate(eq):
            if q in col:
                row[col[q]] += 1.0 if k == 0 else -1.0
        if row.any():
            rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    pinned = []
    for q in sorted(sensitive & set(col)):
        unit = np.zeros(len(unknown))
        unit[col[q]] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            pinned.append(q)
    shown = sorted(sensitive & known)
    return pinned, shown


def _is_primary_by_rule(r, rule=RULE) -> bool:
    """The primary rule of docs/disclosure.md, written again from the figures."""
    num, den, persons, unit = r["numerator"], r["denominator"], r["persons"], r["unit"]
    if unit == "count":
        return persons < rule.min_count
    if persons < rule.min_persons:
        return True
    complement = den - num
    if persons < rule.small_group and (1 <= num <= rule.few or 1 <= complement <= rule.few):
        return True
    return persons < rule.all_or_none_below and (num == 0 or complement == 0)


# Found with a random seed (CI was flaky before the runs were derandomized): Nordland's 4 women
# minus Salten's 3 (Salten = one municipality) is the one woman of 1803, so a regional total goes.
_DIFFERENCE_OF_REGIONS = (
    {
        "1800": [("30_61", False, False)] * 28 + [("30_61", False, True)] * 3,
        "1801": [("30_61", False, False)] * 20,
        "1802": [("30_61", False, False)] * 20,
        "1803": [("30_61", False, False)] * 19 + [("30_61", False, True)],
    },
    {"nordland": ("1800", "1801", "1802", "1803"), "salten": ("1800",)},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workforces())
@example(_DIFFERENCE_OF_REGIONS)
def test_no_hidden_number_can_be_read_off_or_worked_out_from_another_indicator(workforce):
    """The age distribution, the headcount, the full-time and women shares publish the same
    employees: a number hidden in one may not be read off, or summed up from, another."""
    people, regions = workforce
    frame = _frame(_workforce_rows(people, regions))
    result, summary = suppress(frame, RULE, regions)
    pinned, shown = _quantity_attack(result, people, regions)
    assert shown == [], "a primary cell's number is published by another indicator"
    assert pinned == [], "a primary cell's number follows from published sums across indicators"
    assert summary.exposed == []

    # Every hidden cell says truly why: primary exactly when the rule hits its own figures.
    original = {(r["indicator_id"], r["area_code"], r["breakdown"], r["breakdown_value"]): r
                for r in frame.iter_rows(named=True)}
    for r in result.iter_rows(named=True):
        before = original[(r["indicator_id"], r["area_code"], r["breakdown"], r["breakdown_value"])]
        assert (r["suppression_reason"] == "primary") == _is_primary_by_rule(before), (before, r)
        if r["suppressed"]:
            assert r["persons"] is None and r["value"] is None and r["suppression_text"]
            assert r["suppression_text"].startswith("Primær" if r["suppression_reason"] == "primary" else "Sekundær")
        else:
            assert r["persons"] == before["persons"] and r["suppression_text"] is None

    # No regional total of 20+ persons is hidden (every municipality here has 20+ in total),
    # unless it shows, as its numerator, a count of fewer than 3 persons that the headcount hides
    # (1 woman among 40: the women's share publishes the headcount of women), or publishing it
    # would give a primary cell away as the difference of two regions (Nordland's 4 women minus
    # Salten's 3 = the one woman of the one municipality outside Salten).
    for r in result.iter_rows(named=True):
        if r["area_type"] == "region" and r["breakdown"] == "total" and r["suppressed"]:
            before = original[(r["indicator_id"], r["area_code"], r["breakdown"], r["breakdown_value"])]
            if before["numerator"] < RULE.min_count and "annet tall" in r["suppression_text"]:
                continue
            assert "forskjellen mellom to regioner" in r["suppression_text"], r
            this = (
                (pl.col("indicator_id") == r["indicator_id"]) & (pl.col("area_code") == r["area_code"])
                & (pl.col("breakdown") == "total")
            )
            republished = result.with_columns(
                pl.when(this).then(False).otherwise(pl.col("suppressed")).alias("suppressed")
            )
            assert _quantity_attack(republished, people, regions) != ([], []), f"hidden for nothing: {r}"


def test_the_age_distribution_does_not_publish_a_headcount_the_headcount_hides():
    """Flakstad's one employee aged 62+: hidden as a count, so not shown as the age
    distribution's numerator either, though 1 of 40 is a publishable share on its own."""
    people = {"1859": [("62_plus", True, False)] + [("30_61", i % 2 == 0, i % 3 == 0) for i in range(39)],
              "1857": [("62_plus", True, True)] * 6 + [("30_61", True, False)] * 30}
    regions = {"nordland": ("1857", "1859")}
    result, _ = suppress(_frame(_workforce_rows(people, regions)), RULE, regions)
    cells = {(r["indicator_id"], r["area_code"], r["breakdown_value"]): r for r in result.iter_rows(named=True)}
    assert cells[("counted_employees", "1859", "62_plus")]["suppression_reason"] == "primary"
    shown = cells[("age_distribution", "1859", "62_plus")]
    assert shown["suppressed"] and shown["suppression_reason"] == "secondary"
    assert "annet tall" in shown["suppression_text"]
    pinned, published = _quantity_attack(result, people, regions)
    assert pinned == [] and published == []


def test_fte_is_judged_by_the_persons_holding_it():
    """8.4 FTE held by 12 persons is published; 31 FTE held by 3 persons is not."""
    rows = [
        _row("fte", "municipality", "1856", "total", "total", 8.4, None, 8.4, "fte", persons=12),
        _row("fte", "municipality", "1859", "total", "total", 31.0, None, 31.0, "fte", persons=3),
    ]
    result, _ = suppress(_frame(rows), RULE, {})
    status = {r["area_code"]: r for r in result.iter_rows(named=True)}
    assert not status["1856"]["suppressed"] and status["1856"]["value"] == 8.4
    assert status["1859"]["suppression_reason"] == "primary"
    assert "færre enn 5 personer" in status["1859"]["suppression_text"]


def test_a_table_without_persons_is_refused():
    with pytest.raises(ReleaseError, match="persons"):
        suppress(_frame([_row("fte", "municipality", "1856", "total", "total", 1.0, None, 1.0, "count")]).drop(
            "persons"), RULE, {})


def _numerator_sums(rows: list[dict], regions: dict[str, list[str]]) -> set[tuple[tuple, tuple]]:
    """The equations among numerators that the engine would use, as (total key, part keys)."""
    frame = _frame(rows).sort(["indicator_id", "year", "area_type", "area_code", "breakdown", "breakdown_value"])
    table = frame.select(
        "indicator_id", "year", "area_type", "area_code", "breakdown", "breakdown_value",
        "numerator", "denominator", "value", "unit", "persons",
    ).rows()
    layout = layout_year(table, regions)
    return {
        (layout.keys[c.total][:6], tuple(sorted(layout.keys[p][:6] for p in c.parts)))
        for c in layout.constraints
        if c.total is not None and layout.keys[c.total][0] == "N"
    }


def test_a_breakdown_that_leaves_postings_out_is_no_sum_even_when_the_numbers_agree():
    """Postings outside every function family have no row: one re-advertised posting in payroll
    and one in all does not make "total = payroll" an identity a reader could use."""
    rows = [
        _row("readvertised_share", "municipality", "1845", "total", "total", 1, 12, 1 / 12, "share"),
        _row("readvertised_share", "municipality", "1845", "function_family", "payroll", 1, 2, 0.5, "share"),
        _row("function_age_risk", "municipality", "1845", "total", "total", 1.0, 12.0, 1 / 12, "share"),
        _row("function_age_risk", "municipality", "1845", "function_family", "payroll", 1.0, 12.0, 1 / 12, "share"),
    ]
    sums = _numerator_sums(rows, {})
    readvertised = ("N", "readvertised_share", "municipality", "1845", "total", "total")
    assert not any(total == readvertised for total, _ in sums)
    risk = ("N", "function_age_risk", "municipality", "1845", "total", "total")
    assert any(total == risk for total, _ in sums)  # the function figures' total is their families


def test_whole_numbers_that_do_not_add_up_are_no_equation():
    """Nordland's leavers to another municipality in the region count moves between Salten and
    Lofoten, which its municipalities' own figures (moves within their region) do not: 18 ≠ 17
    is no sum, and Nordland − Salten does not give Lofoten away."""
    def counts(area_type, area, n):
        return _row("leavers_in_region_count", area_type, area, "total", "total", n, None, n, "count")

    north = [str(m) for m in range(1, 13)]  # many terms: more than rounding could ever explain
    regions = {"north": north, "south": ["20", "21"]}
    rows = [counts("region", "north", 13), *(counts("municipality", m, 1) for m in north),
            counts("region", "south", 4), counts("municipality", "20", 3), counts("municipality", "21", 1)]
    sums = _numerator_sums(rows, regions)
    assert not any(total[2:4] == ("region", "north") for total, _ in sums)
    assert any(total[2:4] == ("region", "south") for total, _ in sums)


class _RankElimination:
    """The engine's questions answered by rank arithmetic over dense columns (slow, plainly right)."""

    def __init__(self, columns):
        self.unknown: set[int] = set()
        rows = 1 + max((r for column in columns for r in column), default=-1)
        self.matrix = np.zeros((rows, len(columns)))
        for j, column in enumerate(columns):
            for r, v in column.items():
                self.matrix[r, j] = v

    def add(self, q: int) -> None:
        self.unknown.add(q)

    def is_pinned(self, q: int) -> bool:
        return q in self.unknown and _pinned_by_rank(self.matrix, sorted(self.unknown), q)

    def frees(self, q: int, candidate: int) -> bool:
        return not _pinned_by_rank(self.matrix, sorted(self.unknown | {candidate}), q)


def _count_frame(table):
    cells, regions = table
    rows = [
        _row("counted_employees", t, a, b, v, float(c), None, float(c), "count") for (t, a, b, v), c in cells.items()
    ]
    return _frame(rows), regions


def _workforce_frame(workforce):
    people, regions = workforce
    return _frame(_workforce_rows(people, regions)), regions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(count_tables().map(_count_frame), workforces().map(_workforce_frame)))
@example(_workforce_frame(_DIFFERENCE_OF_REGIONS))
def test_the_incremental_engine_hides_exactly_what_rank_arithmetic_would(case):
    """Secondary suppression's result depends on the engine only through its answers: with every
    answer computed again by rank arithmetic, the same cells are hidden for the same reasons."""
    import pipelines.release.disclosure as disclosure

    frame, regions = case
    fast, fast_summary = suppress(frame, RULE, regions)
    engine = disclosure.Elimination
    disclosure.Elimination = _RankElimination
    try:
        slow, slow_summary = suppress(frame, RULE, regions)
    finally:
        disclosure.Elimination = engine
    assert fast.equals(slow, null_equal=True)
    assert fast_summary.as_dict() == slow_summary.as_dict()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_a_tables_sums_worked_out_once_for_all_years_hide_what_each_year_alone_hides(table):
    """The sums of a table are worked out once per release and reused for every year with the same
    cells (`layout_year`'s `structures`): two years together give what each gives alone."""
    cells, regions = table

    def year(number: int, scale: int) -> list[dict]:  # doubling every count keeps every sum true
        return [
            _row("counted_employees", t, a, b, v, float(c * scale), None, float(c * scale), "count", year=number)
            for (t, a, b, v), c in cells.items()
        ]

    together, summary = suppress(_frame(year(2023, 1) + year(2024, 2)), RULE, regions)
    first, first_summary = suppress(_frame(year(2023, 1)), RULE, regions)
    second, second_summary = suppress(_frame(year(2024, 2)), RULE, regions)
    assert together.equals(pl.concat([first, second]), null_equal=True)
    assert summary.secondary == first_summary.secondary + second_summary.secondary
