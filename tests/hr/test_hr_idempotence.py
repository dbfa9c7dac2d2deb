"""Re-delivering changes nothing: the same file twice leaves `raw.hr_employments` exactly as it
was; an older extract after a newer one adds its versions (raw is append-only) but leaves the
current versions as they were; and delivery order does not matter."""

from __future__ import annotations

import shutil

from hr_support import Home, synthetic_ids, visma_file, visma_row


def _extract(home: Home, name: str, date: str, fte: str, ids: list[str]):
    rows = [
        visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1", Fødselsnummer=number, Stillingsprosent=fte)
        for i, number in enumerate(ids)
    ]
    return visma_file(home.files / name, rows, title=f"Arbeidsforhold per {date}")


def test_same_file_twice_leaves_raw_employments_unchanged(home: Home):
    path = _extract(home, "1857_2023.csv", "01.12.2023", "80", synthetic_ids(5, seed=3))
    home.ingest(path)
    before = home.table("raw.hr_employments")
    assert len(before) == 5
    [again] = home.ingest(path)
    assert again.outcome == "already_loaded"
    assert home.table("raw.hr_employments") == before


def test_older_extract_after_newer_leaves_raw_employments_unchanged(home: Home):
    ids = synthetic_ids(5, seed=4)
    newer = _extract(home, "1857_2023.csv", "01.12.2023", "80", ids)
    older = _extract(home, "1857_2022.csv", "01.12.2022", "50", ids)
    home.ingest(newer)
    stored = home.table("raw.hr_employments")
    before = home.current("employments")
    [result] = home.ingest(older)
    assert (result.outcome, result.rows_loaded, result.rows_stale) == ("loaded", 5, 5)
    assert home.current("employments") == before
    assert {r["fte_percent"] for r in before} == {80.0}
    # written once, never updated: the newer rows are untouched, the older ones added beside them
    after = home.table("raw.hr_employments")
    assert [r for r in after if r["delivery_sha256"] != result.sha256] == stored
    assert sorted(r["fte_percent"] for r in after) == [50.0] * 5 + [80.0] * 5

    # the quality gate's ledger reconciliation agrees: stale rows are part of the loaded ones
    from pipelines.quality.reconciliation import checks_for, run_checks

    ledger_check = [c for c in checks_for() if c.name == "hr_employments_ledger_reconciles"]
    with home.db() as con:
        [verdict], _ = run_checks(con, ledger_check)
    assert verdict.passed, verdict.message
    assert verdict.evaluated_rows == 2


def test_delivery_order_does_not_matter(home: Home, tmp_path):
    ids = synthetic_ids(6, seed=5)
    newer = _extract(home, "1857_2023.csv", "01.12.2023", "80", ids[:4])
    older = _extract(home, "1857_2022.csv", "01.12.2022", "50", ids)  # two who left before 2023
    home.ingest(older, newer)
    in_order = home.current("employments", order="employment_key")
    versions = home.records("select * exclude (loaded_at) from raw.hr_employments order by all")

    # a second warehouse receives the same files the other way round
    shutil.rmtree(home.root)
    home.ingest(newer, older)
    reversed_order = home.current("employments", order="employment_key")
    assert reversed_order == in_order
    assert sorted(r["fte_percent"] for r in in_order) == [50.0, 50.0, 80.0, 80.0, 80.0, 80.0]
    # the same versions are stored either way; only which one is current is decided on reading
    assert home.records("select * exclude (loaded_at) from raw.hr_employments order by all") == versions
    assert len(versions) == 10
