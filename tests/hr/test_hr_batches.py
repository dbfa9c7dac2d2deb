"""Many files per transaction (issue 16.2): a run commits its files in batches, and the outcome
is exactly that of storing them one after the other. A file that fails inside a batch (here: its
archive cannot be written) costs only itself: the batch is stored again one file at a time, the
other files load, and every delivery has its ledger row and reconciles."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest
from hr_support import Home, visma_file, visma_row

from pipelines.hr import ingest as hr_ingest


def _files(home: Home) -> tuple[list[Path], str]:
    """Six deliveries, in name order: good, unarchivable, bad bytes, with a quarantined row,
    the first one's bytes again, good. Returns them and the unarchivable one's hash prefix."""
    f = home.files

    def employments(name: str, number: str, **overrides: str) -> Path:
        return visma_file(f / name, [visma_row(Ansattnr=number, Arbeidsforholdsnr=f"{number}-1", **overrides)])

    first = employments("1857_a.csv", "11")
    # a distinct file whose hash prefix no other file shares (its archive folder will be blocked)
    others = {hashlib.sha256(first.read_bytes()).hexdigest()[:2]}
    blocked = None
    for number in range(20, 60):
        candidate = employments("1857_b.csv", str(number))
        prefix = hashlib.sha256(candidate.read_bytes()).hexdigest()[:2]
        if prefix not in others:
            blocked = prefix
            break
    assert blocked is not None
    (f / "1857_c.csv").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)  # not a table: rejected
    quarantined = visma_file(
        f / "1857_d.csv",
        [
            visma_row(Ansattnr="31", Arbeidsforholdsnr="31-1"),
            visma_row(Ansattnr="32", Arbeidsforholdsnr="32-1", Startdato="31.02.2020"),  # no such date
        ],
    )
    shutil.copy(first, f / "1857_e.csv")  # the same bytes again: already loaded
    last = employments("1857_f.csv", "41", Stillingsprosent="100")
    files = sorted(f.iterdir())
    prefixes = [hashlib.sha256(p.read_bytes()).hexdigest()[:2] for p in files if p.name != "1857_b.csv"]
    assert blocked not in prefixes and quarantined in files and last in files
    return files, blocked


def _state(home: Home, results) -> tuple:
    ledger = home.records(
        "select file_name, outcome, kind, municipality_code, extraction_date, rows_read, rows_loaded, "
        "rows_quarantined, rows_duplicate, rows_stale, archive_path, "
        "case when outcome = 'rejected' then reason end as reason "
        "from audit.deliveries order by file_name"
    )
    attempts = home.query("select file_name, outcome from audit.delivery_attempts order by file_name, outcome")
    quarantine = home.query(
        "select d.file_name, q.source_row_number, q.column_name, q.reason from audit.quarantine q "
        "join audit.deliveries d using (delivery_sha256) order by all"
    )
    summary = [(r.file_name, r.outcome, r.rows_read, r.rows_loaded, r.rows_quarantined) for r in results]
    return summary, ledger, attempts, quarantine, home.current("employments", order="employment_key")


@pytest.mark.parametrize("batch_files", [64, 2])
def test_a_batch_with_a_failing_file_loads_the_others_and_equals_one_file_at_a_time(
    home: Home, caplog, monkeypatch, batch_files: int
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(hr_ingest, "BATCH_FILES", batch_files)
    files, blocked = _files(home)

    def block_archive() -> None:
        home.settings.landing_dir.mkdir(parents=True, exist_ok=True)
        (home.settings.landing_dir / blocked).write_bytes(b"")  # a file where the archive needs a folder

    block_archive()
    results = home.ingest(home.files, workers=1)
    outcomes = {r.file_name: r.outcome for r in results}
    assert outcomes == {
        "1857_a.csv": "loaded",
        "1857_b.csv": "rejected",
        "1857_c.csv": "rejected",
        "1857_d.csv": "loaded",
        "1857_e.csv": "already_loaded",
        "1857_f.csv": "loaded",
    }
    by_name = {r.file_name: r for r in results}
    assert "kunne ikke arkiveres" in by_name["1857_b.csv"].reason and by_name["1857_b.csv"].rows_loaded == 0
    assert "samme innhold som 1857_a.csv" in by_name["1857_e.csv"].reason
    assert (by_name["1857_d.csv"].rows_loaded, by_name["1857_d.csv"].rows_quarantined) == (1, 1)
    assert "lagres én og én" in caplog.text  # the failing batch was stored again file by file
    for result in results:
        if result.outcome != "already_loaded":
            home.assert_reconciles(result)
    # every attempt has its row; the unarchivable file's rows are nowhere
    assert len(home.query("select * from audit.delivery_attempts")) == len(files)
    stored = {r["delivery_sha256"] for r in home.table("raw.hr_employments")}
    assert by_name["1857_b.csv"].sha256 not in stored
    assert {by_name[n].sha256 for n in ("1857_a.csv", "1857_d.csv", "1857_f.csv")} <= stored
    batched = _state(home, results)

    # the same files, one run per file, in a fresh warehouse
    shutil.rmtree(home.root)
    block_archive()
    one_by_one = [r for path in files for r in home.ingest(path, workers=1)]
    assert _state(home, one_by_one) == batched
