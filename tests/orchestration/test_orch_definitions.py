"""The code location as the data engineer meets it: groups, jobs, pools, sensors, schedules,
and the instance config in dagster.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER, WRITER_TAG
from pipelines.settings import DAGSTER_YAML

GROUPS = {"hr", "ssb", "dbt", "quality", "release"}
JOBS = {"ingest_deliveries", "ssb_refresh", "rebuild_indicators", "publish"}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.definitions import defs

    return defs


def test_assets_are_organised_in_the_five_groups(defs: dg.Definitions):
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert groups == GROUPS
    assert graph.get(dg.AssetKey(["quality", "gate"])).group_name == "quality"
    published = graph.get(dg.AssetKey("published_warehouse"))
    assert published.group_name == "release"
    assert dg.AssetKey(["quality", "gate"]) in published.parent_keys
    assert dg.AssetKey(["marts", "fct_indicators"]) in published.parent_keys


def test_the_gate_waits_for_every_mart_dbt_builds(defs: dg.Definitions):
    """The gate's deps come from dbt/models/marts/ (so the quality area loads without
    dagster-dbt); they must be exactly the marts the dbt assets materialise, in each area."""
    from pipelines.defs.dbt.assets import workforce_dbt_models
    from pipelines.defs.quality.assets import GATE, MARTS

    built = {key for key in workforce_dbt_models.keys if key.path[0] == "marts"}
    assert set(MARTS) == built and len(built) > 15
    graph = defs.resolve_asset_graph()
    assert graph.get(GATE).parent_keys == built


def test_every_asset_and_check_that_touches_the_build_database_is_in_the_writer_pool(defs: dg.Definitions):
    pools = {}
    for assets_def in [*defs.assets, *defs.asset_checks]:
        node = assets_def.node_def
        pools[node.name] = node.pools
    assert pools, "no assets"
    outside = {name: p for name, p in pools.items() if p != {WAREHOUSE_WRITER}}
    assert outside == {}


def test_the_jobs_run_in_process_carry_the_writer_tag_and_select_the_right_assets(defs: dg.Definitions):
    jobs = {job.name: job for job in defs.resolve_all_job_defs() if not job.name.startswith("__")}
    assert set(jobs) == JOBS
    for name in JOBS:
        job = jobs[name]
        assert job.executor_def.name == "in_process", name
        assert job.tags.get("workforce/writer"), name
    ingest = {k.to_user_string() for k in jobs["ingest_deliveries"].asset_layer.executable_asset_keys}
    assert {"hr/landing", "raw/hr_employments", "marts/fct_indicators", "quality/gate", "published_warehouse"} <= ingest
    assert "release" not in ingest
    rebuild = {k.to_user_string() for k in jobs["rebuild_indicators"].asset_layer.executable_asset_keys}
    assert "hr/landing" not in rebuild and {"marts/fct_indicators", "published_warehouse"} <= rebuild
    assert {k.to_user_string() for k in jobs["publish"].asset_layer.executable_asset_keys} == {
        "published_warehouse",
        "release",
    }
    assert WRITER_TAG.items() <= jobs["rebuild_indicators"].tags.items()


def test_sensors_and_schedules_and_their_default_state(defs: dg.Definitions):
    sensors = {s.name: s for s in defs.sensors}
    assert sensors["inbox"].default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors["inbox"].job_name == "ingest_deliveries"
    assert sensors["stale_runs"].default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors["rebuild_after_ssb_refresh"].job_name == "rebuild_indicators"
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["ssb_monthly"].default_status == dg.DefaultScheduleStatus.RUNNING
    nightly = schedules["nightly_rebuild"]
    assert nightly.default_status == dg.DefaultScheduleStatus.STOPPED  # off until someone turns it on
    assert (nightly.cron_schedule, nightly.job_name) == ("0 3 * * *", "rebuild_indicators")


def test_dagster_yaml_gives_one_writer_a_run_queue_retries_and_no_telemetry(tmp_path: Path, monkeypatch):
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:  # Dagster validates the file here
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        queue = config.run_queue_config
        assert queue.max_concurrent_runs == 2
        assert {"key": "workforce/writer", "limit": 1} in queue.tag_concurrency_limits
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.run_monitoring_enabled
        assert not instance.telemetry_enabled
        assert Path(instance.root_directory) == tmp_path  # storage under DAGSTER_HOME = WORKFORCE_HOME/dagster
