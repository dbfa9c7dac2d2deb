"""From demo to daily use, with a real `workforce ui` (webserver, daemon, inbox sensor) on a
demo-like home: the secret lives only in `<home>/demo.secret`, as `make demo` leaves it.

1. Before the demo secret exists, a dropped delivery's run is started by the sensor and fails at
   once with the configuration error as its message — not retried — and the sensor names the
   file and how to run it again. `workforce run --retry FILE` (the real CLI, in this process)
   starts that delivery's run again, with the sensor's config and tags (failing the same way).
2. With the demo secret in place, the "Re-execute" button of the failed run, clicked in the real
   Dagster UI in headless Chromium (network cut off), starts the run again, and the delivery is
   materialised: loaded, in the published warehouse, gone from the inbox.

One full pipeline run in all (the re-executed one); every other run fails in seconds."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.orchestration.sensors import DELIVERY_TAG
from tests.browser_support import offline_page
from tests.cli_support import run_cli
from tests.orchestration.conftest import SECRET, DemoWarehouse, home_env
from tests.orchestration.orch_support import UiServer, wait_for

pytestmark = pytest.mark.slow

FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
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


def test_a_failed_delivery_is_re_executed_from_the_ui_and_materialised_on_the_demo_secret(
    demo_warehouse: DemoWarehouse,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    monkeypatch.delenv("WORKFORCE_SECRET")  # as after `make demo`: only <home>/demo.secret
    env = {**os.environ, **home_env(settings.home), "WORKFORCE_INBOX_SETTLE_SECONDS": "1"}
    env.pop("WORKFORCE_SECRET")
    delivery = demo_warehouse.later("1856", "arbeidsforhold")

    ui = UiServer(env, tmp_path / "ui.log")
    try:
        ui.wait_until_loaded()
        with dg.DagsterInstance.get() as instance:
            # 1. no secret yet: the run fails on the configuration, once, and says why
            drop(delivery, settings.inbox_dir)
            failed = wait_for(lambda: finished_run(instance, delivery.name), timeout=600, every=2.0,
                              what="the delivery's run")
            assert failed.status == dg.DagsterRunStatus.FAILURE
            assert failed.tags.get("dagster/sensor_name") == "inbox"  # started without any step of ours
            records = instance.get_records_for_run(failed.run_id).records
            kinds = [r.event_log_entry.dagster_event_type for r in records]
            assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in kinds  # not retried
            [failure] = [r.event_log_entry.dagster_event for r in records
                         if r.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_FAILURE]
            message = failure.step_failure_data.error.message
            assert "Konfigurasjonsfeil: Ingen pseudonymiseringsnøkkel" in message

            def told() -> str | None:
                ticks = ui.graphql(SENSOR_TICKS)["sensorOrError"]["sensorState"]["ticks"]
                reasons = [t["skipReason"] or "" for t in ticks]
                return next((r for r in reasons if delivery.name in r), None)

            reason = wait_for(told, timeout=300, every=3.0, what="the sensor to name the failed delivery")
            assert f"workforce run --retry {delivery.name}" in reason and "Re-execute" in reason

            # `workforce run --retry` starts the same delivery's run (still no secret: it fails
            # in seconds, with the same headline and the delivery's config and tags)
            code, out, _ = run_cli(monkeypatch, capsys, "run", "--retry", delivery.name)
            assert code == 1 and "Konfigurasjonsfeil: Ingen pseudonymiseringsnøkkel" in out, out[-3000:]
            [cli_run] = instance.get_runs(filters=dg.RunsFilter(tags={DELIVERY_TAG: delivery.name,
                                                                      "workforce/trigger": "retry"}))
            assert cli_run.status == dg.DagsterRunStatus.FAILURE
            assert cli_run.run_config["ops"]["hr_inbox"]["config"]["files"] == [delivery.name]

            # 2. `make demo` wrote the secret: "Re-execute" on the failed run, clicked in the UI
            settings.demo_secret_path.write_text(SECRET + "\n")
            with offline_page(viewport=(1500, 1000), allow=(ui.url + "/",)) as browser:
                browser.open_url(f"{ui.url}/runs/{failed.run_id}")
                button = browser.page.get_by_role("button", name=re.compile(r"^Re-execute"))
                button.first.wait_for(timeout=120_000)
                button.first.click()
                # the UI opens the new run's page
                browser.page.wait_for_url(re.compile(r"/runs/(?!" + failed.run_id + r")[0-9a-f-]{36}"),
                                          timeout=120_000)
                rerun_id = browser.page.url.rstrip("/").rsplit("/", 1)[-1]
                rerun = wait_for(lambda: (r := instance.get_run_by_id(rerun_id)) and r.status in FINISHED and r,
                                 timeout=900, every=2.0, what="the re-executed run")
                browser.page.reload(wait_until="domcontentloaded")
                browser.page.get_by_text("Success").first.wait_for(timeout=120_000)
                shot = browser.screenshot("dagster-reexecuted-demo-secret.png", full_page=False)
                assert browser.blocked == [] and browser.page_errors == []
            assert rerun.status == dg.DagsterRunStatus.SUCCESS
            assert rerun.parent_run_id == failed.run_id and rerun.tags[DELIVERY_TAG] == delivery.name
        with duckdb.connect(str(settings.published_db_path), read_only=True) as con:
            outcomes = con.execute(
                "select outcome from audit.deliveries where file_name = ?", [delivery.name]
            ).fetchall()
        assert outcomes == [("loaded",)]
        assert list(settings.inbox_dir.iterdir()) == []
        assert shot.stat().st_size > 10_000
    finally:
        ui.stop()
    log = (tmp_path / "ui.log").read_text(errors="replace")
    assert "SupersessionWarning" not in log
