"""Great Expectations suites: files under version control, run on small frames, failing closed."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.quality.results import ensure_results_schema
from pipelines.quality.suites import GX, SUITES, load_suite, record_contract_checks, run_suite
from pipelines.settings import EXPECTATIONS_DIR, Settings


@pytest.fixture
def expectations_copy(tmp_path: Path) -> Path:
    target = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, target)
    return target


@pytest.fixture
def db(settings: Settings):
    con = duckdb.connect(str(settings.build_db_path))
    ensure_results_schema(con)
    yield con
    con.close()


def _quarantine_most_of_a_delivery(db: duckdb.DuckDBPyConnection) -> None:
    """Every row of 1856's newest extract was set aside: its counts say so."""
    db.execute(
        "update audit.deliveries set rows_quarantined = rows_read "
        "where file_name = 'arbeidsforhold_1856_2024.csv'"
    )


def test_every_suite_file_exists_and_every_expectation_has_a_severity() -> None:
    assert sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json")) == sorted(SUITES)
    for name in SUITES:
        suite = load_suite(name)
        assert suite.asset_key == SUITES[name]
        severities = {e["meta"]["severity"] for e in suite.expectations}
        assert severities <= {"block", "warn"} and "block" in severities


def test_every_suite_builds_in_great_expectations(gx: object) -> None:
    for name in SUITES:
        suite = load_suite(name)
        built, problems = GX.build(name, suite.expectations)
        assert problems == [] and built is not None, name
        assert len(built.expectations) == len(suite.expectations)


def test_clean_warehouse_passes_every_suite(gx: object, db: duckdb.DuckDBPyConnection) -> None:
    for name in SUITES:
        run = run_suite(db, name)
        failed = [(r.check_name, r.message) for r in run.results if not r.passed]
        assert failed == [], name
        assert all(r.kind == "gx" and r.suite == name for r in run.results)
    employments = run_suite(db, "hr_employments")  # nothing recorded yet: every delivery is new
    rows = next(
        r
        for r in employments.results
        if r.check_name == "hr_employments.deliveries.column_values_to_be_between(rows_loaded)"
    )
    assert rows.evaluated_rows == 4
    assert set(employments.checked_deliveries.values()) == {True} and len(employments.checked_deliveries) == 4


def test_a_failing_expectation_names_its_delivery_and_municipality(
    gx: object, db: duckdb.DuckDBPyConnection
) -> None:
    _quarantine_most_of_a_delivery(db)
    run = run_suite(db, "hr_employments")
    failed = {r.check_name: r for r in run.results if not r.passed}
    assert set(failed) == {
        "hr_employments.deliveries.quarantined_share_at_most_50_percent",
        "hr_employments.deliveries.quarantined_share_at_most_5_percent",
    }
    result = failed["hr_employments.deliveries.quarantined_share_at_most_50_percent"]
    assert result.severity == "block"
    assert result.unexpected_count == 1
    assert result.by_municipality == {
        "1856": {
            "count": 1,
            "examples": [
                {"municipality_code": "1856", "file_name": "arbeidsforhold_1856_2024.csv", "quarantined_share": 1.0}
            ],
        }
    }
    assert list(run.checked_deliveries.values()).count(False) == 1


def test_only_new_or_failing_deliveries_are_checked_again(gx: object, db: duckdb.DuckDBPyConnection) -> None:
    _quarantine_most_of_a_delivery(db)
    first = run_suite(db, "hr_employments")
    record_contract_checks(db, "run-1", "hr_employments", first)
    second = run_suite(db, "hr_employments")
    assert list(second.checked_deliveries.values()) == [False], "the failing delivery is checked until fixed"
    db.execute("update audit.deliveries set rows_quarantined = 0")
    third = run_suite(db, "hr_employments")
    assert list(third.checked_deliveries.values()) == [True]
    record_contract_checks(db, "run-3", "hr_employments", third)
    fourth = run_suite(db, "hr_employments")
    assert fourth.checked_deliveries == {}
    rows = next(
        r for r in fourth.results if r.check_name.endswith("column_values_to_be_between(rows_loaded)")
    )
    assert rows.passed and rows.evaluated_rows == 0 and rows.message == "Ingen nye leveranser å kontrollere"


def test_headcount_drift_against_the_previous_delivery_warns(
    gx: object, db: duckdb.DuckDBPyConnection
) -> None:
    """The newest extract of 1857 lacks half its employees: their rows stay with the previous
    delivery (nothing superseded them), as they would after a real incomplete export."""
    latest, previous = (
        sha
        for (sha,) in db.execute(
            "select delivery_sha256 from audit.deliveries "
            "where kind = 'employments' and municipality_code = '1857' "
            "order by extraction_date desc"
        ).fetchall()
    )
    db.execute(
        "update raw.hr_employments set delivery_sha256 = ? "
        "where delivery_sha256 = ? and source_row_number % 2 = 0",
        [previous, latest],
    )
    run = run_suite(db, "hr_employments")
    drift = {r.check_name: r for r in run.results if ".drift." in r.check_name}
    headcount = drift["hr_employments.drift.column_values_to_be_between(headcount_change)"]
    assert not headcount.passed and headcount.severity == "warn"
    assert headcount.by_municipality["1857"]["count"] == 1
    assert headcount.examples[0]["headcount_change"] < -0.2


def test_a_missing_suite_file_fails(
    gx: object, db: duckdb.DuckDBPyConnection, expectations_copy: Path
) -> None:
    (expectations_copy / "fct_indicators.json").unlink()
    (result,) = run_suite(db, "fct_indicators", expectations_copy).results
    assert not result.passed and result.severity == "block"
    assert "fct_indicators.json finnes ikke" in result.message


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda text: text[: len(text) // 2], "ikke gyldig JSON"),
        (lambda text: text.replace('"severity": "block", ', "", 1), "mangler meta.severity"),
        (
            lambda text: text.replace(
                "expect_column_values_to_be_between", "expect_column_values_to_be_betwen", 1
            ),
            "Ugyldige forventninger",
        ),
        (lambda text: text.replace('"max_value": 0.6}', '"max_valu": 0.6}', 1), "Ugyldige forventninger"),
    ],
    ids=["truncated", "no-severity", "unknown-expectation", "bad-kwargs"],
)
def test_a_broken_suite_file_fails(
    gx: object, db: duckdb.DuckDBPyConnection, expectations_copy: Path, damage, reason: str
) -> None:
    path = expectations_copy / "fct_indicators.json"
    path.write_text(damage(path.read_text()))
    results = run_suite(db, "fct_indicators", expectations_copy).results
    suite_failures = [r for r in results if r.check_name == "fct_indicators.suite"]
    assert suite_failures, [r.message for r in results]
    assert not suite_failures[0].passed and suite_failures[0].severity == "block"
    assert reason in suite_failures[0].message


def test_a_suite_whose_gx_import_fails_fails(
    gx: object, db: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "great_expectations", None)  # `import great_expectations` now raises
    for name in ("hr_employments", "fct_indicators"):
        (result,) = run_suite(db, name).results
        assert not result.passed and result.severity == "block"
        assert "ImportError" in result.message or "ModuleNotFoundError" in result.message


def test_a_gx_api_error_fails(
    gx: object, db: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def changed_api(*args: object, **kwargs: object) -> object:
        raise TypeError("validate() got an unexpected keyword argument 'result_format'")

    monkeypatch.setattr(GX, "validate", changed_api)
    results = run_suite(db, "ssb_kostra_fte").results
    assert results and all(not r.passed and r.severity == "block" for r in results)
    assert "unexpected keyword argument" in results[0].message


def test_a_frame_over_a_missing_table_fails(gx: object, db: duckdb.DuckDBPyConnection) -> None:
    db.execute("drop table marts.fct_fulltime")
    results = {r.check_name: r for r in run_suite(db, "fct_fulltime").results}
    assert not results["fct_fulltime.schema"].passed  # an empty schema frame is not a pass
    assert "fct_fulltime" in results["fct_fulltime.area_type_year"].message


def test_suite_files_are_valid_gx_suite_json() -> None:
    """The files stay loadable by GX itself (name, expectations with type/kwargs/meta)."""
    for path in EXPECTATIONS_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        assert set(data) <= {"name", "expectations", "meta", "notes", "id", "suite_parameters"}
        assert all(set(e) <= {"type", "kwargs", "meta", "notes", "description"} for e in data["expectations"])


def test_example_columns_a_frame_lacks_fail_the_frame_instead_of_being_dropped(
    gx: object, db: duckdb.DuckDBPyConnection, expectations_copy: Path
) -> None:
    path = expectations_copy / "ssb_population.json"
    path.write_text(path.read_text().replace('"example_columns": ["municipality_code", "year"]',
                                             '"example_columns": ["municipality_code", "aar"]', 1))
    results = {r.check_name: r for r in run_suite(db, "ssb_population", expectations_copy).results}
    frame = results["ssb_population.municipality_year"]
    assert not frame.passed and frame.severity == "block"
    assert "mangler eksempelkolonnene aar" in frame.message


GX_WITHOUT_SCIPY = """
import sys
import pandas as pd
from pipelines.quality.suites import GX, SUITES, DeferredModule, load_suite
GX.module()
assert isinstance(sys.modules["scipy.stats"], DeferredModule), "scipy.stats imported with GX"
assert isinstance(sys.modules["altair"], DeferredModule), "altair imported with GX"
for name in SUITES:  # every suite still builds, expectation for expectation
    suite = load_suite(name)
    built, problems = GX.build(name, suite.expectations)
    assert problems == [] and len(built.expectations) == len(suite.expectations), name
between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min_value": 0, "max_value": 2}}
suite, _ = GX.build("probe", [between])
result = GX.validate(suite, pd.DataFrame({"x": [1, 2, 3]}))
assert not result.success and result.results[0].result["unexpected_count"] == 1
assert isinstance(sys.modules["scipy.stats"], DeferredModule), "validating loaded scipy.stats"
from scipy import stats  # a later user gets the real module through the stand-in
assert stats.norm.cdf(0) == 0.5 and not isinstance(sys.modules["scipy.stats"], DeferredModule)
print("ok")
"""


def test_gx_runs_without_importing_scipy_stats_or_altair() -> None:
    """Issue 16.4: GX imports scipy.stats and altair only for expectations no suite uses; they
    are deferred to first use, and the suites build and validate as before (a fresh process:
    this one may have imported them already)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", GX_WITHOUT_SCIPY], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]
