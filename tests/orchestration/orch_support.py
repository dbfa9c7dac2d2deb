"""Helpers of the orchestration tests: waiting, free ports, a `workforce ui` server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipelines.settings import REPO_ROOT

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], *, timeout: float = 90.0, what: str = "a condition", every: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), children first."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def cmdline(pid: int) -> bytes:
    """The command line of `pid` (empty when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workforce_command(*args: str) -> list[str]:
    """The installed `workforce` entry point of this venv."""
    return [str(Path(sys.executable).with_name("workforce")), *args]


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process and everything it started (it runs in its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


class UiServer:
    """`workforce ui` (Dagster's webserver and daemon) on a free port, for one test session."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            workforce_command("ui", "--port", str(self.port)),
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["data"]

    def location_status(self) -> str | None:
        try:
            data = self.graphql(
                "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus "
                "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
            )
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            return None
        [entry] = data["workspaceOrError"]["locationEntries"]
        error = entry["locationOrLoadError"] or {}
        if error.get("__typename") == "PythonError":
            raise AssertionError(f"the code location failed to load: {error['message']}")
        return entry["loadStatus"] if entry["loadStatus"] == "LOADED" else None

    def wait_until_loaded(self, timeout: float = 240.0) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"workforce ui exited: {self.log_path.read_text(errors='replace')[-3000:]}")
            return self.location_status() == "LOADED"

        wait_for(ready, timeout=timeout, what="the Dagster UI to load the code location", every=1.0)

    def stop(self) -> None:
        kill_group(self.process, signal.SIGINT)  # what Ctrl-C sends: dagster dev shuts down cleanly
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=30)
        kill_group(self.process, signal.SIGKILL)  # stragglers of the group (code server, daemon)
        self._log.close()
