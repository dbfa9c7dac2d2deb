"""The Dagster wiring: loads without the network, and materialises the `ssb` group for real."""

from __future__ import annotations

import importlib
import sys
from datetime import timedelta

import dagster as dg
import duckdb

from pipelines.settings import Settings

from .test_ssb_modes import CATALOGUE_TABLES


def test_definitions_load_offline_with_assets_schedule_and_freshness(socket_guard):
    for name in [m for m in sys.modules if m.startswith("pipelines.defs.ssb")]:
        del sys.modules[name]
    defs = importlib.import_module("pipelines.defs.ssb.definitions").defs
    assert socket_guard == []
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    klass_keys = {"raw/klass_municipality", "raw/klass_municipality_changes", "raw/klass_municipality_map"}
    assert keys == {f"raw/ssb_{n}" for n in CATALOGUE_TABLES} | klass_keys
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name == "ssb"
        assert node.freshness_policy.fail_window.to_timedelta() == timedelta(days=40)
    schedule = defs.resolve_schedule_def("ssb_monthly")
    assert schedule.cron_schedule == "0 6 3 * *" and schedule.execution_timezone == "Europe/Oslo"
    assert schedule.job_name == "ssb_refresh"


def test_materialising_the_ssb_group_in_snapshot_mode(tmp_path, monkeypatch, socket_guard):
    from pipelines.defs.ssb.assets import assets

    monkeypatch.setenv("WORKFORCE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKFORCE_SSB_MODE", "snapshot")
    from pipelines.defs.resources import WorkforceSettings

    result = dg.materialize(
        assets, instance=dg.DagsterInstance.ephemeral(), resources={"settings": WorkforceSettings()}
    )
    assert result.success
    assert socket_guard == []
    materialised = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    population = materialised["raw/ssb_population"]
    assert population["source"].value == "demo" and population["is_demo"].value is True
    assert population["rows"].value == 37312
    assert "demotall, ikke SSBs tall" in population["message"].value
    assert materialised["raw/klass_municipality_map"]["source"].value == "snapshot"
    settings = Settings.from_env()
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        assert con.execute("select count(*) from audit.ssb_fetches").fetchone() == (7,)
        assert con.execute("select count(*) from raw.ssb_population").fetchone() == (37312,)
    finally:
        con.close()
