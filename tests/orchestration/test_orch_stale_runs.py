"""A run whose process is killed keeps its pool slot until the reaper marks it failed;
then the next writer runs instead of waiting for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest
from dagster._core.utils import make_new_run_id

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.orchestration.stale_runs import reap_stale_runs
from pipelines.settings import REPO_ROOT
from tests.orchestration import orch_toy_job


def wait_for(predicate, timeout: float = 90.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def slot_holders(instance: dg.DagsterInstance) -> set[str]:
    return instance.event_log_storage.get_concurrency_info(WAREHOUSE_WRITER).active_run_ids


@pytest.mark.timeout(180)
def test_a_killed_run_is_marked_failed_and_its_slot_freed(instance: dg.DagsterInstance):
    run_id = make_new_run_id()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.orchestration.orch_toy_job", run_id, "300"],
        cwd=REPO_ROOT,
        env=dict(os.environ),
    )
    try:
        wait_for(lambda: run_id in slot_holders(instance), what="the run to claim the pool slot")
        assert reap_stale_runs(instance, min_age_seconds=0) == []  # alive: left alone
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert run_id in slot_holders(instance)  # nobody else could write now

    [reaped] = reap_stale_runs(instance, min_age_seconds=0)
    assert (reaped.run_id, reaped.pid) == (run_id, process.pid)
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert slot_holders(instance) == set()
    assert orch_toy_job.run(instance, make_new_run_id(), 0)  # the next writer is not blocked
