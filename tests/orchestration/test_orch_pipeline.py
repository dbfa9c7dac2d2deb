"""The warehouse left running, as a data engineer leaves it: one scenario, one promise per test.

On a copy of the session's demo warehouse (published, with docs):

1. a delivery is dropped in the inbox and `workforce run --job ingest_deliveries` is started
   as a subprocess; when dbt is building tables the whole process group is killed (SIGKILL);
2. two more deliveries are dropped; the inbox sensor is evaluated with
   `dg.build_sensor_context` against the home's real instance;
3. two reader processes start: one holds a read-only connection to the published file, one
   reopens it for every read;
4. `workforce ui` starts Dagster's webserver and daemon on that home: the stale-run sensor
   marks the killed run failed, the inbox sensor starts a run per file, the run queue starts
   them one at a time, each run ingests its file, rebuilds the indicators, runs the gate and
   publishes;
5. headless Chromium looks at the UI's asset graph.

Each test below asserts one promise against what the scenario recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from pipelines.defs.orchestration.sensors import DELIVERY_SHA_TAG, DELIVERY_TAG, inbox_sensor
from pipelines.defs.warehouse.assets import PUBLISHED
from pipelines.settings import REPO_ROOT, Settings
from pipelines.warehouse.publish import published_state
from tests.browser_support import offline_page
from tests.orchestration.conftest import LATER_YEAR, DemoWarehouse, home_env
from tests.orchestration.orch_support import (
    UiServer,
    alive,
    cmdline,
    descendants,
    kill_group,
    wait_for,
    workforce_command,
)

pytestmark = pytest.mark.slow

KILLED_DELIVERY = ("1856", "utlysninger")
SENSOR_DELIVERIES = (("1856", "arbeidsforhold"), ("1857", "arbeidsforhold"))
GROUPS = ("hr", "ssb", "dbt", "quality", "release")
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def drop(source: Path, inbox: Path) -> Path:
    """Deliver a file as an SFTP job would, finished a while ago (so it counts as complete)."""
    target = inbox / source.name
    shutil.copyfile(source, target)
    old = time.time() - 300
    os.utime(target, (old, old))
    return target


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Scenario:
    settings: Settings
    ui: UiServer
    state_before: dict[str, Any]
    published_sha_before: str
    docs_sha_before: str
    kill: dict[str, Any] = field(default_factory=dict)
    sensor_result: Any = None
    dropped: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    runs: list[Any] = field(default_factory=list)  # daemon run records, by start time
    killed_run_after: Any = None
    readers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    published_states: list[dict[str, Any]] = field(default_factory=list)
    state_after: dict[str, Any] = field(default_factory=dict)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.published_db_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _kill_during_dbt_build(settings: Settings, env: dict[str, str], warehouse: DemoWarehouse) -> dict[str, Any]:
    """Start `workforce run`, wait until dbt is building tables, kill everything it started."""
    drop(warehouse.later(*KILLED_DELIVERY), settings.inbox_dir)
    logs = settings.home / "logs"
    before = set(logs.glob("run-*.log")) if logs.is_dir() else set()
    output = settings.home / "killed-run.out"
    with open(output, "wb") as out:
        process = subprocess.Popen(
            workforce_command("run", "--job", "ingest_deliveries"),
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:

            def building() -> Path | None:
                if process.poll() is not None:
                    raise AssertionError(f"workforce run ended before the kill: {output.read_text()[-2000:]}")
                for log in set(logs.glob("run-*.log")) - before:
                    if "START sql table model" in log.read_text(encoding="utf-8", errors="replace"):
                        return log
                return None

            log = wait_for(building, timeout=300, what="dbt to build tables", every=0.1)
            time.sleep(1.0)  # well inside the build: some tables replaced, most not yet
            victims = descendants(process.pid)
            dbt = [pid for pid in victims if b"dbt" in cmdline(pid)]
            dbt_running = bool(dbt)
            # Only the run's own process is killed (as an OOM killer or `kill -9 <pid>` would):
            # its dbt child must die with it (pipelines/processes.py), not keep writing.
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            with contextlib.suppress(AssertionError):
                wait_for(lambda: not any(alive(pid) for pid in dbt), timeout=120, what="dbt to die", every=0.2)
            dbt_survivors = [pid for pid in dbt if alive(pid)]
            kill_group(process, signal.SIGKILL)
            for pid in victims:  # whatever is left dies now, so the scenario goes on cleanly
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        finally:
            if process.poll() is None:
                kill_group(process, signal.SIGKILL)
    run_id = log.stem.removeprefix("run-")
    with dg.DagsterInstance.get() as instance:
        status = instance.get_run_by_id(run_id).status
    return {
        "run_id": run_id,
        "returncode": process.returncode,
        "dbt_was_running": dbt_running,
        "dbt_survivors": dbt_survivors,
        "log_tail": log.read_text(encoding="utf-8", errors="replace")[-400:],
        "status_after_kill": status,
        "published_sha": sha256(settings.published_db_path),
        "docs_sha": sha256(settings.docs_dir / "index.html"),
        "state": published_state(settings.published_db_path),
        "stray_files": sorted(p.name for p in settings.home.iterdir() if p.name.endswith(".tmp")),
    }


@pytest.fixture(scope="module")
def scenario(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("scenario") / "home"
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = demo_warehouse.copy_to(root, monkeypatch)
        env = {k: v for k, v in os.environ.items() if k != "WORKFORCE_BUILD_DB"}
        env.update(home_env(root))
        published = settings.published_db_path
        recorded = Scenario(
            settings=settings,
            ui=None,  # type: ignore[arg-type]  (started below)
            state_before=published_state(published),
            published_sha_before=sha256(published),
            docs_sha_before=sha256(settings.docs_dir / "index.html"),
        )

        # 1. a run killed while dbt builds
        recorded.kill = _kill_during_dbt_build(settings, env, demo_warehouse)

        # 2. two deliveries, and the sensor's verdict on them
        for code, kind in SENSOR_DELIVERIES:
            path = drop(demo_warehouse.later(code, kind), settings.inbox_dir)
            recorded.dropped[path.name] = sha256(path)
        with dg.DagsterInstance.get() as instance:
            recorded.sensor_result = inbox_sensor(dg.build_sensor_context(instance=instance, sensor_name="inbox"))

        # 3. analysts reading all along
        stop = root / "readers.stop"
        readers = {}
        for mode in ("hold", "reopen"):
            out = root / f"reader-{mode}.jsonl"
            readers[mode] = (
                subprocess.Popen(
                    [sys.executable, "-m", "tests.orchestration.orch_reader", *map(str, (published, out, stop)), mode],
                    cwd=REPO_ROOT,
                    env=env,
                ),
                out,
            )
        for _, out in readers.values():
            wait_for(lambda out=out: out.is_file() and '"ready"' in out.read_text(), what="a reader to start")

        # 4. Dagster's daemon takes over
        ui = UiServer(env, root / "ui.log")
        recorded.ui = ui
        try:
            ui.wait_until_loaded()
            with dg.DagsterInstance.get() as instance:

                def sensor_runs_done() -> list[Any] | None:
                    records = instance.get_run_records(
                        filters=dg.RunsFilter(tags={"dagster/sensor_name": "inbox"})
                    )
                    if len(records) >= len(SENSOR_DELIVERIES) and all(
                        r.dagster_run.status in FINISHED for r in records
                    ):
                        return records
                    return None

                records = wait_for(sensor_runs_done, timeout=900, what="the sensor's runs to finish", every=2.0)
                recorded.runs = sorted(records, key=lambda r: r.start_time or 0)
                recorded.killed_run_after = instance.get_run_by_id(recorded.kill["run_id"])
                recorded.published_states = [  # every publish of this home, oldest first
                    json.loads(json.dumps(record.asset_materialization.metadata["state"].value, default=str))
                    for record in instance.fetch_materializations(PUBLISHED, limit=100, ascending=True).records
                ]
        except BaseException:
            ui.stop()
            raise
        finally:
            stop.touch()
            for process, _ in readers.values():
                process.wait(timeout=60)
        recorded.readers = {mode: read_jsonl(out) for mode, (_, out) in readers.items()}
        recorded.state_after = published_state(published)
        try:
            yield recorded
        finally:
            ui.stop()


# --- the kill ---------------------------------------------------------------------------------
def test_killing_a_run_during_dbt_build_leaves_the_published_file_unchanged(scenario: Scenario):
    kill = scenario.kill
    assert kill["returncode"] == -signal.SIGKILL
    assert kill["dbt_was_running"], kill["log_tail"]
    assert kill["dbt_survivors"] == []  # dbt died with the run (issue 14, case 9)
    assert kill["status_after_kill"] == dg.DagsterRunStatus.STARTED  # nobody told Dagster
    assert kill["published_sha"] == scenario.published_sha_before
    assert kill["docs_sha"] == scenario.docs_sha_before
    assert kill["state"] == scenario.state_before
    assert kill["stray_files"] == []


def test_the_next_run_after_the_kill_succeeds(scenario: Scenario):
    killed = scenario.killed_run_after
    assert killed.status == dg.DagsterRunStatus.FAILURE  # the stale-run sensor marked it
    first = scenario.runs[0].dagster_run
    assert first.status == dg.DagsterRunStatus.SUCCESS
    # the delivery the killed run had ingested reaches the published marts through the next run
    rows = scenario.query(
        "select count(*) from audit.deliveries where municipality_code = '1856' and kind = 'postings' "
        "and year(extraction_date) = ?",
        [LATER_YEAR],
    )
    assert rows == [(1,)]
    assert scenario.query(
        "select count(*) from marts.fct_recruitment where area_code = '1856' and year = ?", [LATER_YEAR]
    )[0][0] > 0


# --- the sensor and the queue ----------------------------------------------------------------
def test_the_sensor_requests_one_run_per_new_file_keyed_by_its_content(scenario: Scenario):
    requests = scenario.sensor_result.run_requests
    assert {r.tags[DELIVERY_TAG]: r.run_key for r in requests} == scenario.dropped
    for request in requests:
        assert request.tags[DELIVERY_SHA_TAG] == request.run_key
        assert request.run_config == {"ops": {"hr_inbox": {"config": {"files": [request.tags[DELIVERY_TAG]]}}}}


def test_two_sensor_runs_started_together_both_succeed_and_the_second_queues(scenario: Scenario):
    runs = scenario.runs
    assert len(runs) == 2
    assert [r.dagster_run.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
    assert {r.dagster_run.tags["dagster/run_key"] for r in runs} == set(scenario.dropped.values())
    assert {r.dagster_run.tags[DELIVERY_TAG] for r in runs} == set(scenario.dropped)
    first, second = runs
    # requested by the same tick, the second waited in the queue until the first had finished
    assert abs(second.create_timestamp.timestamp() - first.create_timestamp.timestamp()) < 30
    assert second.start_time >= first.end_time


def test_each_file_is_ingested_once_and_the_published_marts_include_it(scenario: Scenario):
    for sha in scenario.dropped.values():
        assert scenario.query("select count(*) from audit.deliveries where delivery_sha256 = ?", [sha]) == [(1,)]
        with duckdb.connect(str(scenario.settings.build_db_path), read_only=True) as build:  # not published
            attempts = build.execute(
                "select outcome from audit.delivery_attempts where delivery_sha256 = ?", [sha]
            ).fetchall()
        assert attempts == [("loaded",)]
    assert list(scenario.settings.inbox_dir.iterdir()) == []
    for code, _ in SENSOR_DELIVERIES:
        count = scenario.query(
            "select count(*) from marts.fct_indicators where area_code = ? and year = ? "
            "and indicator_id = 'fulltime_share'",
            [code, LATER_YEAR],
        )[0][0]
        assert count > 0, f"no {LATER_YEAR} full-time share for {code} in the published marts"
    assert scenario.state_after["deliveries"] == scenario.state_before["deliveries"] + 3


# --- readers ---------------------------------------------------------------------------------
def test_readers_never_error_and_see_the_old_or_a_new_whole_state(scenario: Scenario):
    published = [scenario.state_before, *scenario.published_states]
    assert published[-1] == scenario.state_after
    for mode, records in scenario.readers.items():
        reads = [r for r in records if "ready" not in r]
        assert len(reads) > 50, f"the {mode} reader barely ran"
        errors = [r["error"] for r in reads if "error" in r]
        assert errors == [], f"{mode} reader: {errors[:3]}"
        unknown = [r["state"] for r in reads if r["state"] not in published]
        assert unknown == [], f"{mode} reader saw a state no publish produced: {unknown[:1]}"
    held = {json.dumps(r["state"], sort_keys=True) for r in scenario.readers["hold"] if "state" in r}
    assert held == {json.dumps(scenario.state_before, sort_keys=True)}  # its snapshot never moves
    fresh = [r["state"] for r in scenario.readers["reopen"] if "state" in r]
    assert fresh[0] == scenario.state_before
    assert fresh[-1] == scenario.state_after != scenario.state_before
    order = [published.index(state) for state in fresh]
    assert order == sorted(order)  # never back to an older state


# --- the UI ----------------------------------------------------------------------------------
@pytest.mark.browser
def test_the_ui_shows_the_asset_graph_with_every_group(scenario: Scenario):
    ui = scenario.ui
    with offline_page(viewport=(1600, 1000), allow=(ui.url + "/",)) as browser:
        page = browser.page
        browser.open_url(f"{ui.url}/asset-groups")
        for group in GROUPS:
            page.get_by_text(group, exact=True).first.wait_for(timeout=120_000)
        for _ in range(30):  # let the statuses arrive before the screenshot
            if "fetching statuses" not in page.locator("body").inner_text():
                break
            page.wait_for_timeout(1000)
        page.wait_for_timeout(1000)
        shot = browser.screenshot("dagster-asset-graph.png", full_page=False)
        texts = f"\n{page.locator('body').inner_text()}\n"
        missing = [group for group in GROUPS if f"\n{group}\n" not in texts]
        assert missing == []
        assert "Join the Dagster community" not in texts  # nux is off in dagster.yaml

        browser.open_url(f"{ui.url}/automation")
        for name in ("inbox", "stale_runs", "rebuild_after_ssb_refresh", "nightly_rebuild", "ssb_monthly"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
        browser.screenshot("dagster-automation.png", full_page=False)
        assert browser.blocked == [], browser.blocked[:5]
        assert browser.page_errors == [], browser.page_errors[:5]
    assert shot.stat().st_size > 10_000
