"""The row, key and relational checks as dbt tests (issue 15): each one fails on a real dbt run
over the golden warehouse with a violating row, with its severity, its Norwegian title and the
failing municipality, and the quality report shows it to that municipality.

One copy of the session's golden build gets every violation at once (they touch different
rows), then one `dbt test` of the moved checks; a second copy is emptied for the `not_empty`
checks. No model is rebuilt, so this costs two dbt invocations.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.indicators.build import run_dbt
from pipelines.quality.results import CheckResult, dbt_results_from_run_results, dbt_test_catalog, record_results

# check name -> (severity, municipality the failure is attributed to, or None: not per municipality)
VIOLATED: dict[str, tuple[str, str | None]] = {
    "hr_employments_unique_key": ("block", "1804"),
    "hr_employments_not_null": ("block", "1804"),
    "hr_employments_municipality_in_klass": ("block", "1234"),
    "hr_employments_fte_percent_range": ("block", "1804"),
    "hr_employments_birth_year_range": ("block", "1804"),
    "hr_employments_end_after_start": ("block", "1804"),
    "hr_employments_manager_level_range": ("block", "1804"),
    "hr_employments_gender_values": ("block", "1804"),
    "hr_employments_employment_type_values": ("block", "1804"),
    "hr_employments_position_code_format": ("block", "1804"),
    "hr_employments_kostra_function_format": ("warn", "1804"),
    "hr_employments_start_plausible": ("warn", "1804"),
    "hr_postings_unique_key": ("block", "1804"),
    "hr_postings_not_null": ("block", "1804"),
    "hr_postings_municipality_in_klass": ("block", "1234"),
    "hr_postings_status_values": ("block", "1804"),
    "hr_postings_hire_source_values": ("block", "1804"),
    "hr_postings_employment_type_values": ("block", "1804"),
    "hr_postings_fte_percent_range": ("block", "1804"),
    "hr_postings_applicants_range": ("block", "1804"),
    "hr_postings_cost_range": ("block", "1804"),
    "hr_postings_dates_ordered": ("block", "1804"),
    "hr_postings_manager_level_range": ("block", "1804"),
    "hr_postings_position_code_format": ("block", "1804"),
    "hr_postings_applicants_plausible": ("warn", "1804"),
    "hr_postings_cost_plausible": ("warn", "1804"),
    "hr_postings_days_to_fill_plausible": ("warn", "1804"),
    "hr_postings_days_open_plausible": ("warn", "1804"),
    "hr_postings_position_code_known": ("warn", "1804"),
    "hr_postings_filled_has_date": ("warn", "1804"),
    "hr_postings_hired_employee_known": ("warn", "1804"),
    "hr_backlog_unique_key": ("block", "1856"),
    "hr_backlog_not_null": ("block", "1856"),
    "hr_backlog_municipality_in_klass": ("block", "1234"),
    "hr_backlog_month_first_day": ("block", "1856"),
    "hr_backlog_case_counts": ("block", "1856"),
    "hr_backlog_open_cases_range": ("block", "1856"),
    "hr_backlog_month_plausible": ("warn", "1856"),
    "ssb_population_unique": ("block", None),
    "ssb_population_not_null": ("block", "1804"),
    "ssb_population_values": ("block", "1804"),
    "ssb_population_municipality_in_klass": ("block", "1234"),
    "ssb_kostra_fte_unique": ("block", None),
    "ssb_kostra_fte_values": ("block", "1804"),
    "ssb_kostra_fte_municipality_in_klass": ("block", "1234"),
    "klass_municipality_codes": ("block", "18X4"),
    "klass_municipality_no_overlap": ("block", None),
    "fct_indicators_counts_not_negative": ("block", "1804"),
    "fct_indicators_municipality_in_klass": ("block", "1234"),
    "fct_indicators_counts_match_int_person_snapshots": ("block", "1804"),
    "fct_fulltime_matches_fct_indicators": ("block", None),
    "fct_turnover_matches_fct_indicators": ("block", None),
    "employments_unknown_position_code_share": ("warn", "1841"),
}
EMPTIED = {
    "hr_employments_not_empty": "block",
    "hr_postings_not_empty": "warn",
    "hr_backlog_not_empty": "warn",
    "ssb_population_not_empty": "block",
    "ssb_kostra_fte_not_empty": "block",
    "klass_municipality_not_empty": "block",
    "fct_indicators_not_empty": "block",
}



def _copy(table: str, replace: str, where: str = "true") -> str:
    """A copy of one row of `table` (matching `where`) with some columns replaced."""
    return f"insert into {table} select * replace ({replace}) from {table} where {where} limit 1"


E = _copy("raw.hr_employments", "{}", "municipality_code = '1804'")
P = _copy("raw.hr_postings", "{}", "municipality_code = '1804'")
B = _copy("raw.hr_backlog", "{}", "municipality_code = '1856'")
# The raw tables' DDL already refuses duplicate keys and empty required columns; the tests
# stand behind it, so to show they fail the copy's tables are rebuilt without the constraints.
UNCONSTRAINED = [
    statement
    for table in ("hr_employments", "hr_postings", "hr_backlog")
    for statement in (
        f"create table raw.{table}_copy as select * from raw.{table}",
        f"drop table raw.{table}",
        f"alter table raw.{table}_copy rename to {table}",
    )
]
VIOLATIONS = [
    *UNCONSTRAINED,
    # one new employment per rule (its own key), copied from a real 1804 row
    "insert into raw.hr_employments select * from raw.hr_employments where municipality_code = '1804' limit 1",
    E.format("'k-null' as employment_key, null as employee_key"),
    E.format("'k-klass' as employment_key, '1234' as municipality_code"),
    E.format("'k-fte' as employment_key, 250 as fte_percent"),
    E.format("'k-born' as employment_key, 1800 as birth_year"),
    E.format("'k-end' as employment_key, start_date - 10 as end_date"),
    E.format("'k-leader' as employment_key, 9 as manager_level"),
    E.format("'k-gender' as employment_key, 'X' as gender"),
    E.format("'k-type' as employment_key, 'freelance' as employment_type"),
    E.format("'k-code' as employment_key, '12A4' as position_code"),
    E.format("'k-kostra' as employment_key, '12' as kostra_function"),
    E.format("'k-start' as employment_key, extraction_date + 800 as start_date, null as end_date"),
    "insert into raw.hr_postings select * from raw.hr_postings where municipality_code = '1804' limit 1",
    P.format("null as posting_id"),
    P.format("'p-klass' as posting_id, '1234' as municipality_code"),
    P.format("'p-status' as posting_id, 'lost' as status"),
    P.format("'p-source' as posting_id, 'agency' as hire_source"),
    P.format("'p-type' as posting_id, 'freelance' as employment_type"),
    P.format("'p-fte' as posting_id, 150 as fte_percent"),
    P.format("'p-qual' as posting_id, 3 as applicants, 5 as qualified_applicants"),
    P.format("'p-cost' as posting_id, -1 as cost_nok"),
    P.format("'p-dates' as posting_id, published_date - 5 as closing_date"),
    P.format("'p-leader' as posting_id, 7 as manager_level"),
    P.format("'p-code' as posting_id, 'ABCD' as position_code"),
    P.format("'p-many' as posting_id, 5000 as applicants, 10 as qualified_applicants"),
    P.format("'p-dear' as posting_id, 3000000 as cost_nok"),
    P.format("'p-slow' as posting_id, 'filled' as status, published_date + 1000 as filled_date"),
    P.format("'p-open' as posting_id, published_date + 400 as closing_date"),
    P.format("'p-unknown' as posting_id, '9998' as position_code"),
    P.format("'p-nodate' as posting_id, 'filled' as status, null as filled_date"),
    P.format("'p-nobody' as posting_id, 'nobody' as hired_employee_key"),
    "insert into raw.hr_backlog select * from raw.hr_backlog where municipality_code = '1856' limit 1",
    B.format("null as service"),
    B.format("'klass' as service, '1234' as municipality_code"),
    B.format("'mid' as service, month + 14 as month"),
    B.format("'cases' as service, 1 as open_cases, 2 as overdue_cases"),
    B.format("'many' as service, 200000 as open_cases, 0 as overdue_cases"),
    B.format("'old' as service, date '1990-01-01' as month"),
    # KLASS periods: valid at the extraction date, or a code in force today; 9999 is no municipality
    B.format("'k1' as service, '1805' as municipality_code, date '2019-06-30' as extraction_date"),
    B.format("'k2' as service, '1805' as municipality_code, date '2024-12-31' as extraction_date"),
    B.format("'k3' as service, '1806' as municipality_code, date '2015-12-31' as extraction_date"),
    B.format("'k4' as service, '9999' as municipality_code"),
    "insert into raw.ssb_population select * from raw.ssb_population limit 1",
    "insert into raw.ssb_population select * replace (null as alder_code) from raw.ssb_population limit 1",
    _copy("raw.ssb_population", "'999' as alder_code, -5 as value"),
    "insert into raw.ssb_population select * replace ('1234' as municipality_code) from raw.ssb_population limit 1",
    "insert into raw.ssb_kostra_fte select * from raw.ssb_kostra_fte limit 1",
    _copy("raw.ssb_kostra_fte", "'FG1' as kokfunksjon0000_code, -1 as value"),
    "insert into raw.ssb_kostra_fte select * replace ('1234' as municipality_code) from raw.ssb_kostra_fte limit 1",
    "insert into raw.klass_municipality select * replace ('18X4' as code) from raw.klass_municipality limit 1",
    "insert into raw.klass_municipality select * replace (date '2019-06-01' as valid_from) "
    "from raw.klass_municipality where code = '1804'",
    _copy("marts.fct_indicators", "'x' as breakdown_value, -1 as numerator", "area_code = '1804'"),
    _copy("marts.fct_indicators", "'1234' as area_code, 'y' as breakdown_value", "area_type = 'municipality'"),
    "update marts.fct_indicators set denominator = denominator + 1 where indicator_id = 'fulltime_share' "
    "and area_type = 'municipality' and area_code = '1804' and breakdown = 'total' and year = 2021",
    "delete from marts.fct_fulltime where area_code = '1804' and year = 2021",
    "delete from marts.fct_turnover where area_code = '1804' and year = 2021",
    "update intermediate.int_hr__employments set position_code = '9997' where municipality_code = '1841'",
]


@dataclass(frozen=True)
class CheckRun:
    home: Path
    results: dict[str, CheckResult]
    target: Path


def _dbt_test(home: Path, statements: list[str], names: list[str]) -> CheckRun:
    """Apply `statements` to the copy at `home`, run `dbt test` of `names`, read the results
    back as the gate does (with each test's stored failing rows)."""
    db = home / "build" / "workforce.duckdb"
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)
    target = home / "dbt_target"
    run_dbt(["test", "--select", *names], db, target_path=target, threads=1, check=False)
    with duckdb.connect(str(db), read_only=True) as con:
        results = dbt_results_from_run_results(target / "run_results.json", con=con)
    return CheckRun(home, {r.check_name: r for r in results}, target)


def _copy_golden(golden_db_path: Path, home: Path) -> None:
    (home / "build").mkdir(parents=True)
    shutil.copyfile(golden_db_path, home / "build" / "workforce.duckdb")


@pytest.fixture(scope="module")
def violated(golden_build, tmp_path_factory: pytest.TempPathFactory) -> CheckRun:
    home = tmp_path_factory.mktemp("violated_home")
    _copy_golden(golden_build.db_path, home)
    return _dbt_test(home, VIOLATIONS, sorted(VIOLATED))


def test_the_golden_warehouse_passes_every_moved_check(golden_build, golden_db: duckdb.DuckDBPyConnection) -> None:
    """The same tests on the untouched build pass, so each failure below is its violation's:
    the golden `dbt build` succeeds (no failed `error` test), and every warning test stored
    no failing row."""
    assert "ERROR=0" in golden_build.build_output
    warnings = [name for name, (severity, _) in VIOLATED.items() if severity == "warn"]
    stored = {name: golden_db.execute(f"select count(*) from dbt_test__audit.{name}").fetchone()[0]
              for name in warnings}
    assert stored == dict.fromkeys(warnings, 0)


@pytest.mark.parametrize("name", sorted(VIOLATED))
def test_each_moved_check_fails_on_its_violation(violated: CheckRun, name: str) -> None:
    severity, municipality = VIOLATED[name]
    result = violated.results[name]
    assert not result.passed, (name, result.message)
    assert (result.severity, result.kind) == (severity, "dbt")
    assert result.title, "a Norwegian title from the yml"
    if municipality is not None:
        assert municipality in result.by_municipality, result.by_municipality
        assert result.examples and result.message.endswith(result.title[1:])


def test_source_checks_land_on_the_raw_assets(violated: CheckRun) -> None:
    assets = {name: r.asset for name, r in violated.results.items()}
    assert assets["hr_postings_hired_employee_known"] == "raw/hr_postings"
    assert assets["ssb_kostra_fte_values"] == "raw/ssb_kostra_fte"
    assert assets["employments_unknown_position_code_share"] == "intermediate/int_employment_snapshots"
    assert assets["fct_fulltime_matches_fct_indicators"] == "marts/fct_indicators"


def test_a_failing_row_is_shown_to_its_municipality(violated: CheckRun) -> None:
    fte = violated.results["hr_employments_fte_percent_range"]
    [example] = fte.by_municipality["1804"]["examples"]
    assert example["fte_percent"] == 250 and example["source_row_number"] is not None
    assert fte.unexpected_count == 1
    unknown = violated.results["employments_unknown_position_code_share"]
    assert all(e["unknown_codes"] == "9997" for e in unknown.by_municipality["1841"]["examples"])


def test_klass_validity_follows_the_period(violated: CheckRun) -> None:
    """Narvik's 1805 is valid in 2019 and not after 2019; today's 1806 is accepted for 2015."""
    klass = violated.results["hr_backlog_municipality_in_klass"]
    assert set(klass.by_municipality) == {"1234", "1805", "9999"}
    assert [e["valid_at"] for e in klass.by_municipality["1805"]["examples"]] == ["2024-12-31"]


def test_the_quality_report_names_each_dbt_check_in_norwegian_for_its_municipality(
    violated: CheckRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the HR office reads: the report and the municipality's page, rendered by the gate's
    own report from the recorded dbt results."""
    from pipelines.quality.report import write_reports
    from pipelines.settings import Settings

    monkeypatch.setenv("WORKFORCE_HOME", str(violated.home))
    settings = Settings.from_env()
    with duckdb.connect(str(settings.build_db_path)) as con:
        record_results(con, "gate-dbt", list(violated.results.values()))
        index, pages = write_reports(con, settings, "gate-dbt")
    html = index.read_text()
    assert "Porten er stengt" in html
    assert "Stillingsprosent er mellom 0 og 100" in html and "hr_employments_fte_percent_range" in html
    page = next(p for p in pages if p.name == "kommune_1804.html").read_text()
    assert "Stillingsprosent må være mellom 0 og 100." in page  # the feedback the yml gives
    assert "<td>250</td>" in page
    catalog = dbt_test_catalog(violated.target / "manifest.json")
    title, feedback = catalog["hr_postings_position_code_known"]
    assert title == "Stillingskoden finnes i KS' kodeliste (gyldig på uttrekksdatoen)" and "«Ukjent»" in feedback


def test_each_not_empty_check_fails_on_an_empty_table(golden_build, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("emptied_home")
    _copy_golden(golden_build.db_path, home)
    tables = ["raw.hr_employments", "raw.hr_postings", "raw.hr_backlog", "raw.ssb_population",
              "raw.ssb_kostra_fte", "raw.klass_municipality", "marts.fct_indicators"]  # fmt: skip
    run = _dbt_test(home, [f"delete from {t}" for t in tables], sorted(EMPTIED))
    assert {name: (r.passed, r.severity) for name, r in run.results.items() if name in EMPTIED} == {
        name: (False, severity) for name, severity in EMPTIED.items()
    }
