"""Fixtures for the statistics area: a fake SSB on a real local HTTP server, settings, a socket guard."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipelines.settings import Settings
from pipelines.ssb import snapshot
from pipelines.ssb.transport import RetryPolicy, Timeouts, Transport

from .fakessb import FakeSsb

FIXTURES = Path(__file__).parent / "fixtures"


def _shared_samples() -> Path:
    """`../shared/ssb-samples` seen from the repo (or a worktree below it), when present."""
    env = os.environ.get("WORKFORCE_SSB_SAMPLES")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "ssb-samples"
        if candidate.is_dir():
            return candidate
    return Path("/nonexistent/ssb-samples")


SHARED_SAMPLES = _shared_samples()


def snapshot_docs(kind: str = "data") -> dict[str, dict]:
    """The bundled snapshot's json-stat2 documents by SSB table id."""
    out = {}
    for entry in snapshot.manifest()["tables"].values():
        out[entry["table_id"]] = json.loads((snapshot.SNAPSHOT_DIR / entry[kind]).read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="session")
def cubes() -> dict[str, dict]:
    return snapshot_docs("data")


@pytest.fixture(scope="session")
def metadata_docs() -> dict[str, dict]:
    return snapshot_docs("metadata")


@pytest.fixture(scope="session")
def ssb_server() -> Iterator[HTTPServer]:
    """A real local HTTP server (threaded, so a request stuck in a slow handler can time out
    while the retry is served)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def fake_ssb(ssb_server, cubes, metadata_docs) -> Iterator[FakeSsb]:
    fake = FakeSsb(cubes, rate_policy="1000;w=60s")
    fake.metadata = dict(metadata_docs)
    ssb_server.clear()
    ssb_server.expect_request(re.compile(".*")).respond_with_handler(fake)
    yield fake
    ssb_server.clear()


@pytest.fixture
def settings(tmp_path, ssb_server) -> Settings:
    return Settings(
        home=tmp_path / "home",
        ssb_mode="live",
        ssb_base_url=ssb_server.url_for("/api/pxwebapi/v2/"),
        klass_base_url=ssb_server.url_for("/api/klass/v1/"),
    )


class Sleeps(list):
    """Records the waits the client asked for, without waiting (backoff is tested, not endured)."""

    def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 3))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def transport(sleeps) -> Transport:
    return Transport(
        retry=RetryPolicy(attempts=4, connect_attempts=1, backoff=0.01, factor=2.0, max_wait=30.0),
        timeouts=Timeouts(connect=2.0, read=0.5),
        sleep=sleeps,
    )


@pytest.fixture
def socket_guard(monkeypatch) -> Iterator[list[tuple]]:
    """Fails any outgoing connection and records the attempt."""
    attempts: list[tuple] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"socket guard: a connection to {address} was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    yield attempts
