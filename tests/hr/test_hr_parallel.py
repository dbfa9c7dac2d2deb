"""Parallel ingestion (issue 16): files are prepared in worker processes and only the store is
serialised, with exactly the outcome of preparing them one after the other; a bad file never
stops the batch; national ids never reach disk or logs from a worker either."""

from __future__ import annotations

import logging
import os

from hr_support import Home, checkpoint, id_forms, scan_home, synthetic_ids, visma_file, visma_row, write_text

from pipelines.hr import parallel as hr_parallel


def _batch(home: Home, ids: list[str]) -> list:
    files = []
    for year, fte, order in ((2021, "50", "a"), (2023, "80", "b"), (2022, "60", "c")):  # 2022 after 2023
        rows = [
            visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1", Fødselsnummer=number, Stillingsprosent=fte)
            for i, number in enumerate(ids)
        ]
        title = f"Arbeidsforhold per 01.12.{year}"
        files.append(visma_file(home.files / f"1857_{order}_{year}.csv", rows, title=title))
    files.append(write_text(home.files / "1857_tom.csv", ["Kommunenr", "Ansattnr", "Stillingskode"], []))
    (home.files / "1857_binær.csv").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    return files


def _outcome(home: Home, results) -> tuple:
    ledger = home.records(
        "select file_name, outcome, rows_read, rows_loaded, rows_quarantined, rows_stale, reason "
        "from audit.deliveries order by file_name"
    )
    return [(r.file_name, r.outcome, r.rows_loaded, r.rows_stale) for r in results], ledger, home.current(
        "employments", order="employment_key"
    )


def test_worker_processes_give_the_outcome_of_one_file_after_the_other(home: Home, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ids = synthetic_ids(6, seed=21)
    _batch(home, ids)
    assert hr_parallel.worker_count(5, 2) == 2 and hr_parallel.worker_count(5, 1) == 0
    assert hr_parallel.worker_count(5) == 0  # by default a small run stays in-process
    if len(os.sched_getaffinity(0)) > 1:
        assert hr_parallel.worker_count(hr_parallel.MIN_FILES_FOR_PROCESSES) > 1  # a large one uses every core
    parallel = home.ingest(home.files, workers=2)
    assert len(parallel) == 5  # every file, the bad ones included, has its result and ledger row
    assert sorted(r.outcome for r in parallel) == ["loaded", "loaded", "loaded", "rejected", "rejected"]
    for result in parallel:
        if result.outcome == "loaded":
            home.assert_reconciles(result)
    stale = {r.file_name: r.rows_stale for r in parallel if r.outcome == "loaded"}
    assert stale == {"1857_a_2021.csv": 0, "1857_b_2023.csv": 0, "1857_c_2022.csv": 6}
    assert "egen prosess feilet" not in caplog.text  # prepared by the workers, not the fallback
    # the prepare stages' timings reach this process's log (the benchmark reads them)
    assert "pseudonymise" in caplog.text and "store" in caplog.text

    checkpoint(home)
    forms = id_forms(ids)
    assert scan_home(home.root, forms) == []
    assert not [f for f in forms if f.decode("ascii", "ignore") and f.decode("ascii", "ignore") in caplog.text]
    in_parallel = _outcome(home, parallel)

    # the same files, one after the other in this process, in a fresh warehouse
    import shutil

    shutil.rmtree(home.root)
    serial = home.ingest(home.files, workers=1)
    assert _outcome(home, serial) == in_parallel
