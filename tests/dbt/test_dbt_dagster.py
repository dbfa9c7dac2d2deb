"""dbt in Dagster: the translator's keys connect the dbt graph to the ingestion and SSB assets,
and a real materialisation through Dagster runs `dbt build`, streaming dbt's tests back as
asset checks."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dbt_defs(dbt_manifest):
    from pipelines.defs.dbt.definitions import defs

    return defs


def test_sources_map_to_the_ingestion_and_ssb_asset_keys(dbt_defs):
    import dagster as dg

    keys = {key.to_user_string() for key in dbt_defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/hr_employments", "raw/hr_postings", "raw/hr_backlog", "audit/deliveries",
        "raw/ssb_population", "raw/ssb_kostra_fte", "raw/klass_municipality",
        "raw/klass_municipality_changes",
    } <= keys  # fmt: skip
    graph = dbt_defs.resolve_asset_graph()
    # marts are downstream of the raw HR table, through staging and intermediate
    upstream = graph.get(dg.AssetKey(["marts", "fct_indicators"])).parent_keys
    assert dg.AssetKey(["intermediate", "int_indicators"]) in upstream
    staging = graph.get(dg.AssetKey(["staging", "stg_hr__employments"]))
    assert staging.parent_keys == {dg.AssetKey(["raw", "hr_employments"])}
    assert staging.group_name == "dbt"


def test_dbt_tests_are_asset_checks(dbt_defs):
    import dagster as dg

    graph = dbt_defs.resolve_asset_graph()
    fct_indicators = dg.AssetKey(["marts", "fct_indicators"])
    checks = {key for key in graph.asset_check_keys if key.asset_key == fct_indicators}
    names = {key.name for key in checks}
    assert any(name.startswith("region_equals_sum_of_municipalities") for name in names)
    assert any(name.startswith("no_indicator_without_data") for name in names)


def test_materialising_through_dagster_runs_dbt_build_with_checks(dbt_defs, tmp_path, monkeypatch):
    import dagster as dg
    from dbt_golden_support import build_golden_raw

    db_path = tmp_path / "build" / "workforce.duckdb"
    build_golden_raw(db_path)
    monkeypatch.setenv("WORKFORCE_BUILD_DB", str(db_path))
    selection = [
        dg.AssetKey(["staging", "stg_hr__employments"]),
        dg.AssetKey(["staging", "stg_audit__deliveries"]),
    ]
    result = dg.materialize(
        assets=dbt_defs.assets,
        resources=dbt_defs.resources,
        selection=selection,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialised == set(selection)
    checks = result.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks)
    # the HR rows are tested once, on their source (issue 15): not again on the staging view
    assert {check.asset_key for check in checks} == {dg.AssetKey(["staging", "stg_audit__deliveries"])}
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("select count(*) from staging.stg_hr__employments").fetchone()[0]
        # raw keeps every delivered version (append-only); staging the current one per employment
        raw = con.execute(
            "select count(*) from (select distinct municipality_code, employment_key from raw.hr_employments)"
        ).fetchone()[0]
        # a subset run tests the sources first and records every dbt test for the quality gate
        recorded = dict(
            con.execute(
                "select check_name, passed from audit.check_results where run_id = ? and kind = 'dbt'",
                [result.run_id],
            ).fetchall()
        )
    assert rows == raw > 0
    assert recorded["hr_employments_fte_percent_range"] and recorded["hr_postings_hired_employee_known"]
    assert recorded["unique_stg_audit__deliveries_delivery_sha256"]


def test_unit_tests_run_in_every_golden_build_and_not_in_the_pipeline(dbt_defs, dbt_manifest, golden_build):
    """dbt's unit tests are development tests (issue 16.4): the pipeline's `dbt build` leaves
    them out, as dbt's docs advise, and none is an asset check; the golden build of these tests
    (plain `dbt build`) runs every one of them."""
    import json

    from pipelines.defs.dbt.assets import PRODUCTION_BUILD

    unit_tests = json.loads(dbt_manifest.read_text(encoding="utf-8"))["unit_tests"].values()
    assert len(unit_tests) >= 5
    for test in unit_tests:
        assert f" PASS {test['model']}::{test['name']} " in golden_build.build_output, test["name"]
    assert " ".join(PRODUCTION_BUILD).startswith("build --exclude-resource-type unit_test")
    check_names = {key.name for key in dbt_defs.resolve_asset_graph().asset_check_keys}
    assert not check_names & {test["name"] for test in unit_tests}
