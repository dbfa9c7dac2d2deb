"""The inbox scan decides what is new and complete: a file is read once, never half-written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipelines.orchestration.inbox import InboxState, name_key, scan_inbox

NOW = 1_800_000_000.0


def write(path: Path, data: bytes, *, age: float = 0.0) -> Path:
    path.write_bytes(data)
    os.utime(path, (NOW - age, NOW - age))
    return path


def test_a_fresh_file_waits_until_it_is_unchanged_across_two_scans(tmp_path: Path):
    path = write(tmp_path / "1856_arbeidsforhold.csv", b"a;b\n1;2\n")
    ready, state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    assert ready == []
    assert state.pending == {name_key(path.name): (8, path.stat().st_mtime_ns)}
    assert path.name not in state.to_cursor()  # names are not stored

    ready, state = scan_inbox(tmp_path, state, now=NOW + 30, settle_seconds=60)
    assert [(f.name, f.sha256, f.size) for f in ready] == [
        (path.name, hashlib.sha256(b"a;b\n1;2\n").hexdigest(), 8)
    ]
    assert state.pending == {}
    # requested once: later scans do not hand it out again
    ready, state = scan_inbox(tmp_path, state, now=NOW + 60, settle_seconds=60)
    assert ready == []
    assert name_key(path.name) in state.requested


def test_a_file_still_growing_is_not_read(tmp_path: Path):
    path = write(tmp_path / "1856_utlysninger.csv", b"a;b\n")
    _, state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    with open(path, "ab") as handle:
        handle.write(b"1;2\n")
    os.utime(path, (NOW + 5, NOW + 5))
    ready, state = scan_inbox(tmp_path, state, now=NOW + 10, settle_seconds=60)
    assert ready == []
    assert state.pending[name_key(path.name)][0] == 8
    ready, _ = scan_inbox(tmp_path, state, now=NOW + 20, settle_seconds=60)
    assert [f.size for f in ready] == [8]


def test_a_file_older_than_the_settle_time_is_complete_at_first_sight(tmp_path: Path):
    write(tmp_path / "old.csv", b"x\n", age=120)
    write(tmp_path / "new.csv", b"y\n", age=5)
    ready, state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    assert [f.name for f in ready] == ["old.csv"]
    assert list(state.pending) == [name_key("new.csv")]


def test_replaced_content_is_a_new_delivery_and_departed_files_leave_the_cursor(tmp_path: Path):
    path = write(tmp_path / "1857_restanser.csv", b"v1\n", age=120)
    [first], state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    write(path, b"v2 fixed\n", age=90)
    [second], state = scan_inbox(tmp_path, state, now=NOW, settle_seconds=60)
    assert first.sha256 != second.sha256
    path.unlink()
    _, state = scan_inbox(tmp_path, state, now=NOW, settle_seconds=60)
    assert state.requested == {} and state.pending == {}


def test_partial_downloads_hidden_files_and_folders_are_ignored(tmp_path: Path):
    for name in (".1856.csv.swp", "~$1856.xlsx", "1856.csv.part", "1856.csv.crdownload", "x.tmp"):
        write(tmp_path / name, b"z\n", age=300)
    (tmp_path / "folder").mkdir()
    ready, state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    assert ready == [] and state.pending == {}


def test_the_cursor_round_trips_and_a_damaged_one_starts_afresh(tmp_path: Path):
    write(tmp_path / "a.csv", b"1\n", age=300)
    write(tmp_path / "b.csv", b"2\n")
    _, state = scan_inbox(tmp_path, InboxState(), now=NOW, settle_seconds=60)
    again = InboxState.from_cursor(state.to_cursor())
    assert again == state
    for damaged in ("", "not json", '{"v": 99}', '{"v": 1, "pending": {"a": [1]}}', "[]"):
        assert InboxState.from_cursor(damaged) == InboxState()


def test_a_missing_inbox_is_an_empty_one(tmp_path: Path):
    assert scan_inbox(tmp_path / "nope", InboxState(), now=NOW) == ([], InboxState())


def test_a_link_out_of_the_inbox_is_handed_on_without_its_target_being_read(tmp_path: Path):
    """The ingestion refuses such a link with a ledger row (tests/hr/test_hr_hostile.py); the
    scan hands it on under a hash of the link, not of the file it points to."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = write(tmp_path / "hemmelig.csv", b"HEMMELIG\n", age=600)
    links = {"1856_lenke.csv": secret, "1856_brutt.csv": tmp_path / "finnes-ikke.csv", "mappe": tmp_path}
    for name, target in links.items():
        (inbox / name).symlink_to(target)
        os.utime(inbox / name, (NOW - 600, NOW - 600), follow_symlinks=False)
    ready, _ = scan_inbox(inbox, InboxState(), now=NOW, settle_seconds=60)
    assert sorted(f.name for f in ready) == ["1856_brutt.csv", "1856_lenke.csv"]
    assert hashlib.sha256(b"HEMMELIG\n").hexdigest() not in {f.sha256 for f in ready}
