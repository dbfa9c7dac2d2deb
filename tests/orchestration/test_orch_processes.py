"""Loose ends of issue 14, case 9: processes and files the pipeline leaves behind.

- `workforce ui` stopped with SIGTERM (systemd's stop) stops the webserver, the daemon and the
  code server it started; before, they kept running (the daemon with its sensors).
- A process started with `die_with_parent` dies when its parent is killed outright, and the
  `dbt` the project runs is the wrapper that arms it (a killed `workforce run` and its dbt:
  tests/orchestration/test_orch_pipeline.py, which kills one mid-build).
- A release killed mid-write: tests/release/test_release_leftovers.py.

Process tests poll with generous timeouts and never time anything: the machine is shared.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.indicators.build import dbt_executable
from pipelines.settings import REPO_ROOT, Settings
from tests.orchestration.conftest import home_env
from tests.orchestration.orch_support import (
    alive,
    cmdline,
    descendants,
    free_port,
    kill_group,
    wait_for,
    workforce_command,
)

pytestmark = pytest.mark.slow

DAGSTER_SERVICES = {"webserver": b"dagster_webserver", "daemon": b"dagster._daemon", "code server": b"grpc"}


def _services(pid: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for child in descendants(pid):
        line = cmdline(child)
        for name, marker in DAGSTER_SERVICES.items():
            if marker in line or (name == "code server" and b"code-server" in line):
                found.setdefault(name, []).append(child)
    return found


def test_sigterm_to_workforce_ui_stops_everything_it_started(orch_home: Settings):
    env = {**os.environ, **home_env(orch_home.home)}
    env.pop("WORKFORCE_BUILD_DB", None)
    log = orch_home.home / "ui.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            workforce_command("ui", "--port", str(free_port())),
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        every: list[int] = []
        try:

            def started() -> dict[str, list[int]] | None:
                if process.poll() is not None:
                    raise AssertionError(f"workforce ui ended: {log.read_text(errors='replace')[-2000:]}")
                services = _services(process.pid)
                return services if set(services) == set(DAGSTER_SERVICES) else None

            services = wait_for(started, timeout=300, what="webserver, daemon and code server", every=0.5)
            every = descendants(process.pid)
            os.kill(process.pid, signal.SIGTERM)  # the process only, as systemd's stop or `kill` does
            assert process.wait(timeout=180) == 0, log.read_text(errors="replace")[-2000:]
            wait_for(lambda: not any(alive(pid) for pid in every), timeout=120, what="Dagster's processes to stop")
        finally:
            kill_group(process, signal.SIGKILL)
            for pid in every:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    assert all(services.values()) and not [pid for pid in every if alive(pid)]


def _signals(pid: int) -> str:
    """The signal state of `pid` (blocked, ignored, caught), for a failure's message."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "gone"
    return "; ".join(line for line in lines if line.startswith(("State", "PPid", "SigBlk", "SigIgn", "SigCgt")))


def test_a_child_armed_with_die_with_parent_dies_when_its_parent_is_killed(tmp_path: Path):
    script = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; from pipelines.processes import "
        "die_with_parent; die_with_parent(); print(\"armed\", flush=True); time.sleep(600)'])\n"
        "print(child.pid, flush=True)\n"
        "child.wait()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "armed"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=60)
        wait_for(lambda: not alive(child), timeout=60, what=f"the child to die with its parent ({_signals(child)})")
    finally:
        parent.kill()
        parent.wait(timeout=60)
    # and the dbt every part of the project runs is the wrapper that arms it, running the real dbt
    assert Path(dbt_executable()).name == "workforce-dbt"
    version = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, timeout=300)
    assert version.returncode == 0 and "installed:" in version.stdout
