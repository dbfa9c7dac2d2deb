"""Parts of the job run as selections of it, never as a second ordering: `workforce indicators`
makes one Dagster run of the `dbt` group (shown in the UI like any other run), with the dbt
tests as asset checks, then prints the headline table; `run_selection` (the benchmarks' entry
point) runs any selection quietly in the home's instance. Both on copies of the demo warehouse."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import dagster as dg
import pytest
from rich.console import Console

from pipelines.cli import INDICATORS_SELECTION, main
from tests.orchestration.conftest import DemoWarehouse

pytestmark = pytest.mark.slow


def test_workforce_indicators_runs_the_dbt_assets_of_the_job(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from pipelines.definitions import defs

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    monkeypatch.setattr(sys, "argv", ["workforce", "indicators"])
    monkeypatch.setattr("pipelines.cli.console", Console(width=200))
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Heltidsandel" in out and "Salten" in out  # the headline table

    with warnings.catch_warnings():  # `group:` resolves through a beta parameter
        warnings.simplefilter("ignore", dg.BetaWarning)
        dbt_assets = dg.AssetSelection.from_string(INDICATORS_SELECTION).resolve(defs.resolve_asset_graph())
    with dg.DagsterInstance.get() as instance:
        assert instance.root_directory == str(settings.dagster_home)
        [run] = instance.get_runs(limit=1)  # the newest: this command's
        assert run.status == dg.DagsterRunStatus.SUCCESS
        records = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=100_000
        ).records
        checks = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
        ).records
    materialised = {record.event_log_entry.dagster_event.asset_key for record in records}
    assert materialised == dbt_assets and len(materialised) > 50
    assert checks  # the dbt tests ran as checks of the models


def test_run_selection_runs_part_of_the_job_in_the_homes_instance(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The benchmarks' entry point: a quiet run of a selection with the run's own settings."""
    from pipelines.defs.orchestration.runner import run_selection

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    result = run_selection("key:quality/gate", settings=settings)
    assert result.success
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialised == {dg.AssetKey(["quality", "gate"])}
    with dg.DagsterInstance.get() as instance:
        assert instance.root_directory == str(settings.dagster_home)
        assert instance.get_run_by_id(result.run_id) is not None  # shows in the home's UI
