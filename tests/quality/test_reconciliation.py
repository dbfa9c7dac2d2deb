"""SQL reconciliations: each family catches its deliberately bad data, with the right severity,
and a check that cannot run fails."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pytest

from pipelines.quality.reconciliation import CHECKS, SqlCheck, prepare_macros, run_check, run_checks
from pipelines.quality.references import prepare_references
from tests.quality import fixtures


def _run_all(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    results, _ = run_checks(con, CHECKS, prepare_macros(con))
    return {r.check_name: r for r in results}


def _duplicate_person(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into intermediate.int_person_snapshots select * from intermediate.int_person_snapshots limit 1")


def test_clean_warehouse_passes_every_sql_check(con: duckdb.DuckDBPyConnection) -> None:
    results = _run_all(con)
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert failed == {}
    assert (
        results["hr_employments_fte_percent_range"].evaluated_rows == 80
    )  # 2 municipalities × 40 employments
    assert results["hr_employments_fte_percent_range"].unexpected_count == 0


@pytest.mark.parametrize(
    ("breaker", "check", "severity", "unexpected"),
    [
        (fixtures.break_fte_range, "hr_employments_fte_percent_range", "block", 1),
        (fixtures.break_klass_code, "hr_backlog_municipality_in_klass", "block", 6),
        (fixtures.break_position_code, "employments_unknown_position_code_share", "warn", 4),
        (fixtures.break_uniqueness, "fct_indicators_unique_grain", "block", 2),
        (fixtures.break_not_null, "ssb_population_not_null", "block", 1),
        (fixtures.break_ledger, "hr_employments_ledger_reconciles", "block", 1),
        (fixtures.break_referential, "hr_postings_delivery_in_ledger", "block", 2),
        (fixtures.break_counts, "fct_indicators_counts_match_int_person_snapshots", "block", 1),
        (fixtures.break_population, "employees_within_population", "block", 2),
        (fixtures.drop_population_of_one_municipality, "population_known_for_employer_municipalities", "warn", 1),
        (fixtures.break_kostra, "hr_fte_vs_kostra_fte", "warn", 4),
        (_duplicate_person, "int_person_snapshots_unique", "block", 1),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_each_family_catches_its_bad_data(
    con: duckdb.DuckDBPyConnection,
    breaker: Callable[[duckdb.DuckDBPyConnection], None],
    check: str,
    severity: str,
    unexpected: int,
) -> None:
    breaker(con)
    results = _run_all(con)
    result = results[check]
    assert not result.passed
    assert result.severity == severity
    assert result.unexpected_count == unexpected
    assert result.examples, "a failure shows examples of failing rows"


def test_missing_population_warns_but_does_not_block(con: duckdb.DuckDBPyConnection) -> None:
    """A municipality outside SSB's region set has no population to compare with: a gap in
    scope (warned), not a workforce larger than the population (blocked)."""
    fixtures.drop_population_of_one_municipality(con)
    results = _run_all(con)
    assert results["employees_within_population"].passed
    assert not results["population_known_for_employer_municipalities"].passed


def test_failures_are_attributed_to_the_municipality(con: duckdb.DuckDBPyConnection) -> None:
    fixtures.break_fte_range(con)
    result = _run_all(con)["hr_employments_fte_percent_range"]
    assert result.by_municipality == {
        "1856": {
            "count": 1,
            "examples": [{"municipality_code": "1856", "source_row_number": 2, "fte_percent": 250.0}],
        }
    }


def test_a_check_whose_input_table_is_missing_fails(con: duckdb.DuckDBPyConnection) -> None:
    fixtures.drop_table("marts.fct_turnover")(con)
    result = _run_all(con)["fct_turnover_matches_fct_indicators"]
    assert not result.passed
    assert result.severity == "block"
    assert "marts.fct_turnover finnes ikke" in result.message


def test_a_check_whose_sql_fails_fails(con: duckdb.DuckDBPyConnection) -> None:
    broken = SqlCheck(
        name="broken", asset_key=("raw", "hr_employments"), severity="warn", title="t",
        sql="select no_such_column from raw.hr_employments", tables=("raw.hr_employments",),
        evaluated_table="raw.hr_employments",
    )  # fmt: skip
    result = run_check(con, broken)
    assert not result.passed
    assert "no_such_column" in result.message


def test_checks_over_an_aggregate_that_cannot_be_built_fail_with_its_reason(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("alter table intermediate.int_person_snapshots drop column is_counted")
    results = _run_all(con)
    for name in (
        "int_person_snapshots_unique",
        "employees_within_population",
        "fct_indicators_counts_match_int_person_snapshots",
        "hr_fte_vs_kostra_fte",
    ):
        assert not results[name].passed
        assert "is_counted" in results[name].message


def test_klass_validity_follows_the_period(con: duckdb.DuckDBPyConnection) -> None:
    """Valid at the date, or a code in force today; never a code that had ended by then."""
    valid = dict(
        con.execute(
            """
            select label, klass_valid(code, d) from (values
                ('1805 in 2019', '1805', date '2019-06-30'),
                ('1805 in 2024', '1805', date '2024-12-31'),
                ('1805 before coverage', '1805', date '2015-12-31'),
                ('1806 today', '1806', date '2024-12-31'),
                ('1806 on today''s codes in 2015', '1806', date '2015-12-31'),
                ('1234 never', '1234', date '2024-12-31'),
                ('9999 unknown', '9999', date '2024-12-31')
            ) t(label, code, d)
            """
        ).fetchall()
    )
    assert valid == {
        "1805 in 2019": True,
        "1805 in 2024": False,
        "1805 before coverage": True,
        "1806 today": True,
        "1806 on today's codes in 2015": True,
        "1234 never": False,
        "9999 unknown": False,
    }


def test_references_come_from_the_warehouse_and_fall_back_to_the_repository(
    con: duckdb.DuckDBPyConnection,
) -> None:
    refs = prepare_references(con)
    assert refs.klass_source == "raw.klass_municipality"
    assert "dbt/seeds" in refs.position_codes_source

    con.execute("create table main.ks_position_codes as select '9999' as position_code, null as valid_from")
    con.execute("drop table raw.klass_municipality")
    refs = prepare_references(con)
    assert refs.position_codes_source == "main.ks_position_codes (dbt seed)"
    assert "municipalities.csv" in refs.klass_source
    # the seeded list is the one used: 9999 is now known, every real code is not
    result = run_check(con, next(c for c in CHECKS if c.name == "employments_unknown_position_code_share"))
    assert not result.passed and result.severity == "warn"
    assert result.examples and all(e["unknown_share"] == 1.0 for e in result.examples)


def test_every_check_is_declared_once_with_a_valid_severity() -> None:
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    assert {c.severity for c in CHECKS} == {"block", "warn"}
    assert all(c.tables and c.title for c in CHECKS)
