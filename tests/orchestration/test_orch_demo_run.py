"""After the demo, the Dagster UI shows the pipeline as it ran (issue 15): the instance of the
demo's home holds one successful run in which every asset of the code location was
materialised and every check evaluated, and dbt's docs were built.

`demo_warehouse` is built by `pipelines.demo.run.run_pipeline`, the run `workforce demo` makes
after writing its deliveries into the inbox (tests/orchestration/conftest.py), so these
assertions are about the demo's own path."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from tests.orchestration.conftest import DemoWarehouse


@pytest.fixture(scope="module")
def instance(demo_warehouse: DemoWarehouse) -> Iterator[dg.DagsterInstance]:
    """The demo home's instance, as `workforce ui` opens it (dagster.yaml reads DAGSTER_HOME)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DAGSTER_HOME", str(demo_warehouse.root / "dagster"))
        with dg.DagsterInstance.get() as instance:
            yield instance


@pytest.fixture(scope="module")
def demo_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
    assert len(runs) == 1, [(run.job_name, run.status) for run in runs]
    return runs[0]


def _events(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> list:
    return [
        record.event_log_entry.dagster_event
        for record in instance.get_records_for_run(run_id, of_type=kind, limit=100_000).records
    ]


def test_the_demo_run_materialised_every_asset_of_the_code_location(
    instance: dg.DagsterInstance, demo_run: dg.DagsterRun
) -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    every = {key for key in graph.get_all_asset_keys() if graph.get(key).is_executable}
    materialised = {
        event.asset_key for event in _events(instance, demo_run.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    assert len(every) > 90
    assert every - materialised == set()
    assert {dg.AssetKey("release"), dg.AssetKey("published_warehouse"), dg.AssetKey(["quality", "gate"])} <= (
        materialised
    )
    # and the UI reads them as materialised: the latest materialisation of each is this run's
    latest = instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_indicators"]))
    assert latest is not None and latest.run_id == demo_run.run_id


def test_the_demo_run_evaluated_every_check_and_none_failed(
    instance: dg.DagsterInstance, demo_run: dg.DagsterRun
) -> None:
    from pipelines.definitions import defs

    every = set(defs.resolve_asset_graph().asset_check_keys)
    evaluations = _events(instance, demo_run.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluated = {
        dg.AssetCheckKey(event.event_specific_data.asset_key, event.event_specific_data.check_name)
        for event in evaluations
    }
    assert len(every) > 100
    assert every - evaluated == set()
    failed_blocking = [
        event.event_specific_data.check_name
        for event in evaluations
        if not event.event_specific_data.passed
        and event.event_specific_data.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert failed_blocking == []


def test_the_demo_built_dbt_docs_and_recorded_every_kind_of_check(demo_warehouse: DemoWarehouse) -> None:
    import duckdb

    index = demo_warehouse.root / "docs" / "index.html"
    assert index.is_file() and index.stat().st_size > 100_000
    con = duckdb.connect(str(demo_warehouse.root / "workforce.duckdb"), read_only=True)
    try:
        kinds = dict(con.execute("select kind, count(*) from audit.check_results group by kind").fetchall())
    finally:
        con.close()
    # the dbt tests reach the gate's ledger from the Dagster run too, beside the SQL and GX checks
    assert set(kinds) == {"dbt", "gx", "sql"} and kinds["dbt"] > 50, kinds
