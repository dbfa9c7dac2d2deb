"""Runs whose process died: mark them failed and give back their pool slots.

A run worker killed mid-run (OOM killer, a reboot, `kill -9`, Ctrl-C twice) never reports
its end. Dagster then keeps the run "started" for ever, with two consequences here: its
`warehouse_writer` slot stays claimed, so every later step of every run waits for it, and
its writer tag keeps the run queue from starting anything else. The default run launcher
cannot check a worker's health, so this module does: a run whose worker process (the pid in
its "Started process" / "Executing steps in process" engine event) no longer exists on this
machine is reported failed and its slots freed. The stale-run sensor does it every minute;
`workforce run` does it before it starts. One machine runs this warehouse; pids from another
host would be misread, which is why only this host's runs are ever judged (a run with no pid
event is left alone).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import dagster as dg

# A run younger than this may not have written its pid event yet.
MIN_AGE_SECONDS = 20.0


@dataclass(frozen=True)
class ReapedRun:
    run_id: str
    job_name: str
    pid: int


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process executing the run's steps (the last engine event naming one)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
    pid = None
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.engine_event_data if event is not None else None
        value = data.metadata.get("pid") if data is not None and data.metadata else None
        if value is not None:
            try:
                pid = int(value.value)
            except (TypeError, ValueError):
                continue
    return pid


def process_alive(pid: int) -> bool:
    """True while `pid` is a running (not zombie) process on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def reap_stale_runs(instance: dg.DagsterInstance, *, min_age_seconds: float = MIN_AGE_SECONDS) -> list[ReapedRun]:
    """Report every started run whose worker is gone as failed; free its concurrency slots."""
    reaped: list[ReapedRun] = []
    now = time.time()
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING])
    )
    for record in records:
        run = record.dagster_run
        started = record.start_time or record.create_timestamp.timestamp()
        if now - started < min_age_seconds:
            continue
        pid = worker_pid(instance, run.run_id)
        if pid is None or pid == os.getpid() or process_alive(pid):
            continue
        instance.report_run_failed(
            run, f"The run's process (pid {pid}) is gone: it was killed or crashed. Marked failed; pool slots freed."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(ReapedRun(run.run_id, run.job_name, pid))
    return reaped
