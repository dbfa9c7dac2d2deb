"""The inbox sensor, evaluated against a real Dagster instance: one run request per new,
complete file, keyed by its content hash, tagged with the delivery; nothing twice."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.orchestration.sensors import DELIVERY_SHA_TAG, DELIVERY_TAG, inbox_sensor
from pipelines.settings import Settings
from tests.hr.hr_support import synthetic_ids
from tests.orchestration.conftest import demo_file


def evaluate(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, sensor_name="inbox")
    return inbox_sensor(context)


def test_one_request_per_complete_file_keyed_by_content(orch_home: Settings, instance, demo_files: Path):
    inbox = orch_home.inbox_dir
    names = []
    for kind in ("arbeidsforhold", "utlysninger"):
        source = demo_file(demo_files, "1856", kind, 2024)
        shutil.copyfile(source, inbox / source.name)
        names.append(source.name)

    first = evaluate(instance, None)
    assert first.run_requests == []  # just written: could still be growing
    assert "2 fil(er) skrives fortsatt" in first.skip_reason.skip_message

    second = evaluate(instance, first.cursor)
    by_name = {r.tags[DELIVERY_TAG]: r for r in second.run_requests}
    assert sorted(by_name) == sorted(names)
    for name, request in by_name.items():
        sha = hashlib.sha256((inbox / name).read_bytes()).hexdigest()
        assert request.run_key == sha
        assert request.tags[DELIVERY_SHA_TAG] == sha
        assert request.run_config == {"ops": {"hr_inbox": {"config": {"files": [name]}}}}

    third = evaluate(instance, second.cursor)
    assert third.run_requests == []


def test_a_settled_file_runs_at_once_and_a_rewritten_file_is_a_new_delivery(
    orch_home: Settings, instance, demo_files: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("WORKFORCE_INBOX_SETTLE_SECONDS", "30")
    path = orch_home.inbox_dir / "1857_restanser.csv"
    shutil.copyfile(demo_file(demo_files, "1857", "restanser", 2023), path)
    old = time.time() - 120
    os.utime(path, (old, old))
    [request] = evaluate(instance, None).run_requests
    cursor = evaluate(instance, None).cursor

    shutil.copyfile(demo_file(demo_files, "1857", "restanser", 2024), path)
    os.utime(path, (old + 1, old + 1))
    [again] = evaluate(instance, cursor).run_requests
    assert again.run_key != request.run_key
    assert again.tags[DELIVERY_TAG] == path.name


def test_a_file_named_with_a_national_id_is_not_put_into_run_storage(
    orch_home: Settings, instance, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("WORKFORCE_INBOX_SETTLE_SECONDS", "0")
    [national_id] = synthetic_ids(1, seed=6)
    (orch_home.inbox_dir / f"{national_id}_arbeidsforhold.csv").write_text("x\n")
    result = evaluate(instance, None)
    assert result.run_requests == []
    assert national_id not in result.cursor  # the cursor is stored too: it keys files by a digest
    assert evaluate(instance, result.cursor).run_requests == []
