"""The `release` asset in a real Dagster materialisation."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.defs.release.assets import MART_DEPS, release
from pipelines.defs.release.definitions import defs
from pipelines.defs.resources import WorkforceSettings
from pipelines.settings import Settings
from tests.release.conftest import query
from tests.release.test_publish import FAILING_CHECK

# The settings the asset receives (read from the test's environment when the step runs).
RESOURCES = {"settings": WorkforceSettings()}

pytestmark = pytest.mark.slow


def test_release_asset_is_wired_to_the_marts():
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("release"))
    assert node.group_name == "release"
    assert set(node.parent_keys) == set(MART_DEPS)


def test_materialising_release_writes_a_release(warehouse: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WORKFORCE_HOME", str(tmp_path))
    monkeypatch.delenv("WORKFORCE_DISCLOSURE_RULE", raising=False)
    settings = Settings.from_env()
    settings.build_db_path.parent.mkdir(parents=True)
    shutil.copyfile(warehouse, settings.build_db_path)
    [(year,)] = query(warehouse, "select max(year) - 1 from marts.fct_indicators")
    result = dg.materialize(
        [release], run_config={"ops": {"release": {"config": {"year": year}}}}, resources=RESOURCES
    )
    assert result.success
    metadata = result.asset_materializations_for_node("release")[0].metadata
    release_id = metadata["release_id"].value
    assert (settings.releases_dir / release_id / "report.html").is_file()
    assert metadata["reference_year"].value == year
    # The reference year keeps the history up to it, and nothing after.
    [(first,)] = query(warehouse, "select min(year) from marts.fct_indicators")
    published = pl.read_parquet(settings.releases_dir / release_id / "indicators.parquet")
    assert sorted(published["year"].unique().to_list()) == list(range(first, year + 1))
    assert metadata["suppressed_primary"].value > 0


def test_materialisation_fails_and_writes_nothing_when_a_blocking_check_failed(
    warehouse: Path, tmp_path: Path, monkeypatch
):
    from tests.release.conftest import warehouse_copy

    monkeypatch.setenv("WORKFORCE_HOME", str(tmp_path))
    settings = Settings.from_env()
    warehouse_copy(warehouse, settings.build_db_path, FAILING_CHECK)
    result = dg.materialize([release], resources=RESOURCES, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "fulltime_share_in_range" in str(failure.event_specific_data.error)
    assert not settings.releases_dir.exists()
