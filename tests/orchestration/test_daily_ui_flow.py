"""From demo to daily use, with a real `workforce ui` (webserver, daemon, inbox sensor) on a
demo-like home: the secret lives only in `<home>/demo.secret`, as `make demo` leaves it.

1. Before the demo secret exists, a dropped delivery's run fails at once with the configuration
   error as its message — not retried — and the sensor names the file and how to run it again.
   `workforce run --retry FILE` starts that delivery's run again (failing the same way, quickly).
2. With the demo secret in place, "Re-execute" of the failed run (the UI's GraphQL call) ingests it.
3. A second delivery dropped while the UI runs is materialised by the sensor without any extra
   step, and the UI's runs page shows both (headless Chromium, network cut off)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.orchestration.sensors import DELIVERY_TAG
from pipelines.settings import REPO_ROOT
from tests.browser_support import offline_page
from tests.orchestration.conftest import SECRET, DemoWarehouse, home_env
from tests.orchestration.orch_support import UiServer, wait_for, workforce_command

pytestmark = pytest.mark.slow

FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
REEXECUTE = (
    "mutation($parentRunId: String!) { launchPipelineReexecution(reexecutionParams: "
    "{parentRunId: $parentRunId, strategy: FROM_FAILURE}) { __typename ... on LaunchRunSuccess { run { runId } } "
    "... on PythonError { message } } }"
)
SENSOR_TICKS = (
    "{ sensorOrError(sensorSelector: {repositoryLocationName: \"pipelines.definitions:defs\", "
    "repositoryName: \"__repository__\", sensorName: \"inbox\"}) { ... on Sensor { sensorState { "
    "ticks(limit: 3) { status skipReason } } } } }"
)


def drop(source: Path, inbox: Path) -> Path:
    target = inbox / source.name
    shutil.copyfile(source, target)
    old = time.time() - 300  # written a while ago: complete on first sight
    os.utime(target, (old, old))
    return target


def finished_run(instance: dg.DagsterInstance, name: str) -> dg.DagsterRun | None:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={DELIVERY_TAG: name}), limit=1)
    return runs[0] if runs and runs[0].status in FINISHED else None


def test_a_delivery_flows_from_the_inbox_to_the_published_warehouse_on_the_demo_secret(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    monkeypatch.delenv("WORKFORCE_SECRET")  # as after `make demo`: only <home>/demo.secret
    env = {**os.environ, **home_env(settings.home), "WORKFORCE_INBOX_SETTLE_SECONDS": "1"}
    env.pop("WORKFORCE_SECRET")
    first = demo_warehouse.later("1856", "arbeidsforhold")
    second = demo_warehouse.later("1857", "arbeidsforhold")

    ui = UiServer(env, tmp_path / "ui.log")
    try:
        ui.wait_until_loaded()
        with dg.DagsterInstance.get() as instance:
            # 1. no secret yet: the run fails on the configuration, once, and says why
            drop(first, settings.inbox_dir)
            failed = wait_for(lambda: finished_run(instance, first.name), timeout=600, every=2.0,
                              what="the first delivery's run")
            assert failed.status == dg.DagsterRunStatus.FAILURE
            records = instance.get_records_for_run(failed.run_id).records
            kinds = [r.event_log_entry.dagster_event_type for r in records]
            assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in kinds  # not retried
            [failure] = [r.event_log_entry.dagster_event for r in records
                         if r.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_FAILURE]
            message = failure.step_failure_data.error.message
            assert "Konfigurasjonsfeil: Ingen pseudonymiseringsnøkkel" in message
            assert len(instance.get_runs(filters=dg.RunsFilter(tags={DELIVERY_TAG: first.name}))) == 1

            def told() -> str | None:
                ticks = ui.graphql(SENSOR_TICKS)["sensorOrError"]["sensorState"]["ticks"]
                reasons = [t["skipReason"] or "" for t in ticks]
                return next((r for r in reasons if first.name in r), None)

            reason = wait_for(told, timeout=300, every=3.0, what="the sensor to name the failed delivery")
            assert f"workforce run --retry {first.name}" in reason and "Re-execute" in reason

            # `workforce run --retry` starts the same delivery's run (still no secret: it fails
            # in seconds, with the same headline and the delivery's tags)
            early = subprocess.run(workforce_command("run", "--retry", first.name), cwd=REPO_ROOT, env=env,
                                   capture_output=True, text=True, timeout=600)
            assert early.returncode == 1, early.stdout[-3000:] + early.stderr[-3000:]
            assert "Konfigurasjonsfeil: Ingen pseudonymiseringsnøkkel" in early.stdout
            [cli_run] = instance.get_runs(filters=dg.RunsFilter(tags={DELIVERY_TAG: first.name,
                                                                      "workforce/trigger": "retry"}))
            assert cli_run.status == dg.DagsterRunStatus.FAILURE
            assert cli_run.run_config["ops"]["hr_inbox"]["config"]["files"] == [first.name]

            # 2. `make demo` wrote the secret: "Re-execute" on the failed run in the UI ingests it
            settings.demo_secret_path.write_text(SECRET + "\n")
            launched = ui.graphql(REEXECUTE, {"parentRunId": failed.run_id})["launchPipelineReexecution"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            rerun_id = launched["run"]["runId"]
            rerun = wait_for(lambda: (r := instance.get_run_by_id(rerun_id)) and r.status in FINISHED and r,
                             timeout=900, every=2.0, what="the re-executed run")
            assert rerun.status == dg.DagsterRunStatus.SUCCESS
            assert rerun.tags[DELIVERY_TAG] == first.name

            # 3. the next delivery goes all the way while the UI runs, without any extra step
            drop(second, settings.inbox_dir)
            done = wait_for(lambda: finished_run(instance, second.name), timeout=900, every=2.0,
                            what="the second delivery's run")
            assert done.status == dg.DagsterRunStatus.SUCCESS
        with duckdb.connect(str(settings.published_db_path), read_only=True) as con:
            outcomes = dict(con.execute(
                "select file_name, outcome from audit.deliveries where file_name in (?, ?)",
                [first.name, second.name],
            ).fetchall())
        assert outcomes == {first.name: "loaded", second.name: "loaded"}
        assert list(settings.inbox_dir.iterdir()) == []

        with offline_page(viewport=(1500, 1000), allow=(ui.url + "/",)) as browser:
            browser.open_url(f"{ui.url}/runs")
            browser.page.get_by_text("Failure").first.wait_for(timeout=120_000)
            browser.page.get_by_text("Success").first.wait_for(timeout=120_000)
            shot = browser.screenshot("dagster-runs-demo-secret.png", full_page=False)
            assert browser.blocked == [] and browser.page_errors == []
        assert shot.stat().st_size > 10_000
    finally:
        ui.stop()
    log = (tmp_path / "ui.log").read_text(errors="replace")
    assert "SupersessionWarning" not in log
