"""The one measurement of time and memory every benchmark uses.

`run_measured` runs one stage in a child process: wall time, CPU seconds and peak memory,
that stage's own. `reset_peak`/`peak_kb`/`rss_kb` measure an operation inside a process
(the kernel's high-water mark, VmHWM, reset before the operation so imports do not count).

Peak memory is measured two ways, and the larger is reported:
- the child's own max RSS from `os.wait4` (the kernel's figure, exact, but blind to any
  process the child starts: dbt runs as a subprocess of Dagster);
- the summed RSS of the child and all its descendants, polled from /proc every 100 ms
  (catches a Dagster process and its dbt subprocess holding memory at the same time; can
  miss a spike shorter than the interval).
Neither uses RUSAGE_CHILDREN of this process, which would accumulate over every stage.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
POLL_SECONDS = 0.1
RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class Measured:
    """One stage's measurement."""

    wall_s: float
    own_rss_mb: float
    tree_rss_mb: float
    returncode: int
    output: str
    cpu_s: float = 0.0  # user + system of the child and the descendants it waited for
    result: dict = field(default_factory=dict)  # what the stage reported (its last BENCH-RESULT line)

    @property
    def peak_rss_mb(self) -> float:
        return max(self.own_rss_mb, self.tree_rss_mb)


def _children(pid: int) -> list[int]:
    pids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                pids += [int(p) for p in handle.read().split()]
    except OSError:  # the process ended between two reads
        pass
    return pids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kb(root: int) -> int:
    """RSS of `root` and every descendant, now."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += _children(pid)
    return total


class _TreePoller(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self.done.wait(POLL_SECONDS)


def run_measured(
    command: list[str], *, env: dict[str, str], cwd: Path | None = None, log: Path | None = None
) -> Measured:
    """Run `command`; its output goes to `log` (kept for a failed stage's message)."""
    log_handle = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    try:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log_handle, stderr=subprocess.STDOUT)
        poller = _TreePoller(process.pid)
        poller.start()
        # Reap the child ourselves: wait4 returns this child's own rusage (its max RSS).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        poller.done.set()
        poller.join()
    finally:
        if log:
            log_handle.close()
    output = log.read_text(encoding="utf-8", errors="replace") if log else ""
    result: dict = {}
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
    return Measured(
        wall_s=round(wall, 2),
        own_rss_mb=round(usage.ru_maxrss / 1024, 1),
        tree_rss_mb=round(poller.peak_kb / 1024, 1),
        returncode=process.returncode,
        output=output,
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        result=result,
    )


def rss_kb() -> int:
    """This process's resident set now."""
    return _rss_kb(os.getpid())


def reset_peak() -> bool:
    """Reset this process's high-water mark (VmHWM) so earlier peaks (imports, warm-up) do not
    count (Linux ≥ 4.0). `ru_maxrss` cannot be reset, and after a fork/exec it can carry the
    parent's peak: VmHWM is the process's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_kb() -> int:
    """This process's high-water mark since start or the last `reset_peak`."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (the benchmarks measure memory on Linux only)")


def report_result(result: dict) -> None:
    """Called in a stage child: hand `result` to the parent on stdout."""
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)
