"""Child processes die with their parent.

A process the pipeline starts must not outlive it: a `workforce run` killed mid-build left its
dbt child writing the build database, and `workforce ui` stopped with SIGTERM left Dagster's
webserver, daemon (still running sensors) and code server behind. Two mechanisms, both Linux's:

- `die_with_parent`: `prctl(PR_SET_PDEATHSIG)`, the kernel signals the child when the process
  (strictly: the thread) that started it dies, however it died (SIGKILL included). dagster-dbt
  starts dbt itself, so the `dbt` the project runs is `workforce-dbt` (`dbt_child_main`): a small
  single-threaded parent of the real dbt that watches its own parent and stops dbt when it dies.
- `supervise`: `workforce ui` starts `dagster dev` in a process group of its own, which everything
  Dagster starts (webserver, daemon, code servers, run workers, their dbt) inherits; on SIGTERM,
  SIGINT or SIGHUP it asks `dagster dev` to shut down (SIGINT, its clean path), waits, then
  terminates and finally kills whatever is left in the group.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

PR_SET_PDEATHSIG = 1
SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 30.0  # for `dagster dev` to stop its services cleanly
TERM_SECONDS = 10.0  # for stragglers after SIGTERM, before SIGKILL


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send `sig` to this process when its parent dies (Linux; elsewhere a no-op).

    Call it in the child (a `preexec_fn`, or first thing in a process): it survives `exec`.
    An ignored or blocked `sig` would make the arrangement silently void, and both are inherited
    across `fork` and `exec` (`nohup` ignores SIGHUP; Python's multiprocessing blocks SIGTERM
    and SIGINT in a thread while it starts its resource tracker), so the signal is first made
    deliverable with its default action, unless the process has a handler of its own."""
    if not sys.platform.startswith("linux"):
        return
    if signal.getsignal(sig) == signal.SIG_IGN:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(error)}")


def process_gone(pid_text: str) -> bool:
    """True when `pid_text` names a process id that is not this process and no longer runs:
    what a temporary file or folder named after its writer's pid can be removed on."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def real_dbt() -> str:
    """The dbt next to this interpreter (the project's venv), else the one on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_child_main() -> None:
    """`workforce-dbt ARGS`: dbt ARGS, stopped when the process that started it dies.

    `PR_SET_PDEATHSIG` fires when the *thread* that forked a process ends, and dagster-dbt may
    start dbt from a short-lived thread; so this wrapper, single-threaded, starts dbt with the
    signal armed against itself, watches its own parent *process* (`getppid` changes when it
    dies), passes on SIGINT/SIGTERM/SIGHUP (dagster-dbt interrupts dbt with SIGINT), and exits
    with dbt's exit code."""
    parent = os.getppid()
    if parent == 1:  # the parent died before we got here
        sys.exit(143)
    # in the build database's folder when asked (pipelines.indicators.build.dbt_database_env)
    folder = os.environ.get("WORKFORCE_DBT_CWD") or None
    # dbt's own command line, with fewer garbage collections and no teardown at its end
    # (pipelines/orchestration/lifecycle.py).
    command = [sys.executable, "-m", "pipelines.orchestration.lifecycle", *sys.argv[1:]]
    dbt = subprocess.Popen(command, preexec_fn=die_with_parent, cwd=folder)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            dbt.send_signal(signum)

    for sig in SHUTDOWN_SIGNALS:
        signal.signal(sig, forward)
    while True:
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = dbt.wait(timeout=0.5)
            sys.exit(128 - code if code < 0 else code)
        if os.getppid() != parent:  # orphaned: stop dbt before it writes another table
            dbt.terminate()
            try:
                dbt.wait(timeout=TERM_SECONDS)
            except subprocess.TimeoutExpired:
                dbt.kill()
                dbt.wait()
            sys.exit(143)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal still counts
        return True
    return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _wait_group(pgid: int, process: subprocess.Popen, seconds: float) -> bool:
    """Wait until no process of the group is left (reaping our own child); True if none is."""
    deadline = time.monotonic() + seconds
    while True:
        process.poll()
        if not _group_alive(pgid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def stop_group(process: subprocess.Popen, first: int = signal.SIGINT, grace: float = GRACE_SECONDS) -> None:
    """Stop `process` (a group leader) and its whole group: `first` to the leader, then SIGTERM,
    then SIGKILL to the group, each after a wait."""
    pgid = process.pid
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    if _wait_group(pgid, process, 1.0):
        return
    _signal_group(pgid, signal.SIGTERM)
    if not _wait_group(pgid, process, TERM_SECONDS):
        _signal_group(pgid, signal.SIGKILL)
        _wait_group(pgid, process, TERM_SECONDS)


def supervise(command: Sequence[str], *, cwd: Path | None = None, grace: float = GRACE_SECONDS) -> int:
    """Run `command` in its own process group until it ends or we are asked to stop; then stop
    the group. Returns the command's exit code, or 0 when we stopped it on request."""
    requested: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        requested.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in SHUTDOWN_SIGNALS}
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            process_group=0,
            # If we are killed outright, `dagster dev` still gets its clean-shutdown signal.
            preexec_fn=lambda: die_with_parent(signal.SIGINT),
        )
        try:
            while not requested and process.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.5)
        finally:
            stop_group(process, grace=grace)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if requested else (process.returncode or 0)
