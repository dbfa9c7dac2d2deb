"""The cuts of per-run fixed costs (issue 16.4) keep what they replace.

- Dagster's event log: the project's instance config uses `WorkforceEventLogStorage`, a real
  run's events are stored and read back, its connections do not flush per commit, are
  reused, and the schema questions Dagster asks per event are answered from what was seen.
- dbt's parse state: a dbt step against a build database keeps its parse beside it, and the
  next step against the same database starts from it instead of parsing everything again
  (dbt writes the reason to its log when it cannot).
Speed itself is the benchmark's business (docs/scaling.md), not asserted here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.indicators.build import parse_state_path, run_dbt
from pipelines.orchestration.event_storage import WorkforceEventLogStorage
from pipelines.settings import DAGSTER_YAML


@dg.asset
def tiny() -> int:
    return 1


@dg.asset_check(asset=tiny)
def tiny_is_one() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_events_are_stored_by_the_project_storage_without_a_flush_per_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copyfile(DAGSTER_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the config names its folder through it
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, WorkforceEventLogStorage)
        job = dg.define_asset_job("tiny_job", selection=[tiny]).resolve(
            asset_graph=dg.Definitions(assets=[tiny], asset_checks=[tiny_is_one]).resolve_asset_graph()
        )
        for _ in range(2):
            result = job.execute_in_process(instance=instance)
            assert result.success
        records = instance.fetch_materializations(dg.AssetKey("tiny"), limit=10).records
        assert len(records) == 2  # both runs' materialisations, read back through Dagster
        evaluations = instance.get_event_records(
            dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        )
        assert len(evaluations) == 2
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL, not FULL (2)
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert storage._keeper is not None  # the idle connection: closing a working one never checkpoints
        # connections are reused, not opened per event
        assert storage._engine.pool.checkedin() >= 1
        # the schema is asked once per process for what exists, and again for what does not
        assert {"asset_check_executions", "asset_keys.cached_status_data"} <= storage._known
        assert not storage.has_table("no_such_table")
        assert "no_such_table" not in storage._known
    assert storage._keeper is None  # disposed with the instance
    assert not storage._known


@pytest.mark.slow
def test_a_dbt_step_starts_from_the_last_parse_against_the_same_database(tmp_path: Path) -> None:
    build_db = tmp_path / "build" / "workforce.duckdb"
    build_db.parent.mkdir()
    run_dbt(["parse"], build_db, target_path=tmp_path / "first")
    kept = parse_state_path(build_db)
    assert kept.is_file() and kept.parent == build_db.parent
    run_dbt(["parse"], build_db, target_path=tmp_path / "second")
    log = (tmp_path / "second" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in log
    assert "Nothing changed, skipping partial parsing" in log
    # another database is another profile: dbt would parse everything, so its state is its own
    assert parse_state_path(tmp_path / "other" / "workforce.duckdb") != kept
