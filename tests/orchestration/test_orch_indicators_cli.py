"""`workforce indicators` is a selection of the job, not a second way to run dbt: on a copy
of the demo warehouse it makes one Dagster run of the `dbt` group (shown in the UI like any
other run), with the dbt tests as asset checks, and then prints the headline table."""

from __future__ import annotations

import sys
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
