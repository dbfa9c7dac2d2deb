"""The checks that cross systems (ledger <-> raw, HR <-> SSB): each family catches its
deliberately bad data, with the right severity, and a check that cannot run fails. The row,
key and relational checks are dbt tests: tests/dbt/test_dbt_checks.py."""

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


def test_clean_warehouse_passes_every_sql_check(con: duckdb.DuckDBPyConnection) -> None:
    results = _run_all(con)
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert failed == {}
    assert results["hr_employments_delivery_in_ledger"].evaluated_rows == 80  # 2 municipalities × 40
    assert results["hr_employments_delivery_in_ledger"].unexpected_count == 0


@pytest.mark.parametrize(
    ("breaker", "check", "severity", "unexpected"),
    [
        (fixtures.break_ledger, "hr_employments_ledger_reconciles", "block", 1),
        (fixtures.break_referential, "hr_postings_delivery_in_ledger", "block", 2),
        (fixtures.break_population, "employees_within_population", "block", 2),
        (fixtures.drop_population_of_one_municipality, "population_known_for_employer_municipalities", "warn", 1),
        (fixtures.break_kostra, "hr_fte_vs_kostra_fte", "warn", 4),
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
    fixtures.break_ledger(con)
    result = _run_all(con)["hr_employments_ledger_reconciles"]
    assert list(result.by_municipality) == ["1856"] and result.by_municipality["1856"]["count"] == 1
    [example] = result.by_municipality["1856"]["examples"]
    assert example["problem"] == "lest ≠ lastet + karantene + duplikater"


def test_a_check_whose_input_table_is_missing_fails(con: duckdb.DuckDBPyConnection) -> None:
    fixtures.drop_table("audit.quarantine")(con)
    result = _run_all(con)["hr_employments_ledger_reconciles"]
    assert not result.passed
    assert result.severity == "block"
    assert "audit.quarantine finnes ikke" in result.message


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
    con.execute("alter table intermediate.int_person_snapshots drop column position_size_municipality")
    results = _run_all(con)
    for name in ("employees_within_population", "population_known_for_employer_municipalities", "hr_fte_vs_kostra_fte"):
        assert not results[name].passed
        assert "position_size_municipality" in results[name].message


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


def test_every_check_is_declared_once_with_a_valid_severity() -> None:
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    assert {c.severity for c in CHECKS} == {"block", "warn"}
    assert all(c.tables and c.title for c in CHECKS)
