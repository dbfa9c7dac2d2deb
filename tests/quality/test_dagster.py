"""The checks as Dagster asset checks: real materialisations with stand-ins for the assets of
other areas (same keys), where a blocking failure must hold back what comes after."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from pipelines.defs.quality.checks import ASSET_CHECKS, check_specs, checked_assets, gx_check_name
from pipelines.defs.resources import WorkforceSettings
from pipelines.quality.reconciliation import CHECKS
from pipelines.quality.suites import SUITES
from pipelines.settings import REPO_ROOT, Settings
from tests.quality import fixtures

pytestmark = pytest.mark.slow

RAW_HR = ["raw", "hr_employments"]
INT_PERSON_YEAR = ["intermediate", "int_person_snapshots"]
FCT_INDICATORS = ["marts", "fct_indicators"]
# The settings the check bodies receive (read from the test's environment when a step runs).
RESOURCES = {"settings": WorkforceSettings()}


def _pipeline(ran: list[str]) -> list[object]:
    """Stand-ins: an HR ingestion asset, a dbt multi-asset, and the release after the marts."""

    @dg.asset(key=RAW_HR)
    def hr_employments() -> None:
        ran.append("hr")

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(INT_PERSON_YEAR, deps=[RAW_HR]),
            dg.AssetSpec(FCT_INDICATORS, deps=[INT_PERSON_YEAR]),
        ]
    )
    def dbt_models():
        ran.append("dbt")
        yield dg.MaterializeResult(asset_key=INT_PERSON_YEAR)
        yield dg.MaterializeResult(asset_key=FCT_INDICATORS)

    @dg.asset(key=["release"], deps=[FCT_INDICATORS])
    def release() -> None:
        ran.append("release")

    mine = (RAW_HR, INT_PERSON_YEAR, FCT_INDICATORS)
    checks = [c for c in ASSET_CHECKS if any(list(k.asset_key.path) in mine for k in c.check_keys)]
    return [hr_employments, dbt_models, release, *checks]


def _failed(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckSeverity]:
    return {e.asset_check_key.name: e.severity for e in result.get_asset_check_evaluations() if not e.passed}


def _recorded_failures(settings: Settings, run_id: str) -> set[tuple[str, str]]:
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        return set(
            con.execute(
                "select check_name, severity from audit.check_results where run_id = ? and not passed",
                [run_id],
            ).fetchall()
        )


def test_every_check_and_suite_is_an_asset_check_with_its_blocking_flag() -> None:
    specs = {
        (s.asset_key.path[0], s.asset_key.path[1], s.name): s
        for k in checked_assets()
        for s in check_specs(k)
    }
    for check in CHECKS:
        spec = specs[(*check.asset_key, check.name)]
        assert spec.blocking == (check.severity == "block")
    for suite, key in SUITES.items():
        assert specs[(*key, gx_check_name(suite))].blocking
    assert len(specs) == len(CHECKS) + len(SUITES)


def test_the_code_location_imports_without_great_expectations() -> None:
    code = (
        "import sys, pipelines.defs.quality.definitions as d; "
        "assert 'great_expectations' not in sys.modules, 'GX imported at load'; "
        "assert 'dagster_dbt' not in sys.modules; print(len(d.defs.asset_checks))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert int(out.stdout.strip()) == len(checked_assets())


def test_a_clean_run_materialises_everything_down_to_the_release(gx: object, settings: Settings) -> None:
    ran: list[str] = []
    result = dg.materialize(_pipeline(ran), resources=RESOURCES, raise_on_error=False)
    assert result.success
    assert ran == ["hr", "dbt", "release"]
    assert _failed(result) == {}
    assert _recorded_failures(settings, result.run_id) == set()
    assert (settings.quality_dir / result.run_id / "index.html").is_file()


def test_a_blocking_failure_on_a_raw_table_stops_everything_downstream(
    gx: object, settings: Settings, breaking
) -> None:
    breaking(fixtures.break_ledger)
    ran: list[str] = []
    result = dg.materialize(_pipeline(ran), resources=RESOURCES, raise_on_error=False)
    assert not result.success
    assert ran == ["hr"], "neither dbt nor the release may run after a blocking failure"
    assert _failed(result) == {"hr_employments_ledger_reconciles": dg.AssetCheckSeverity.ERROR}
    assert _recorded_failures(settings, result.run_id) == {("hr_employments_ledger_reconciles", "block")}


def test_a_blocking_failure_on_the_marts_stops_the_release_and_a_warning_does_not(
    gx: object, settings: Settings, breaking
) -> None:
    breaking(fixtures.break_turnover, fixtures.break_kostra)
    ran: list[str] = []
    result = dg.materialize(_pipeline(ran), resources=RESOURCES, raise_on_error=False)
    assert ran == ["hr", "dbt"], "the release waits for the blocking checks on fct_indicators"
    failed = _failed(result)
    assert failed[gx_check_name("fct_indicators")] == dg.AssetCheckSeverity.ERROR
    assert failed["hr_fte_vs_kostra_fte"] == dg.AssetCheckSeverity.WARN
    assert ("fct_indicators.area_year.column_values_to_be_between(turnover)", "block") in _recorded_failures(
        settings, result.run_id
    )


def test_a_check_body_that_cannot_run_fails_every_check(gx: object, settings: Settings) -> None:
    settings.build_db_path.unlink()
    ran: list[str] = []
    result = dg.materialize(_pipeline(ran), resources=RESOURCES, raise_on_error=False)
    assert ran == ["hr"]
    failed = _failed(result)
    assert set(failed) == {s.name for s in check_specs(tuple(RAW_HR))}
    assert set(failed.values()) == {dg.AssetCheckSeverity.ERROR}
