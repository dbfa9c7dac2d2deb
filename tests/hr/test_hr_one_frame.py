"""Many files of one profile and kind prepared as ONE frame (issue 16.2, pipelines/hr/batch.py):
each file gets exactly the ledger row, quarantine rows and raw rows it gets when it is ingested
alone, whatever the other files of its batch hold. Real files, a real warehouse.

The batch mixes, all Visma employments with the same columns: good files (one with national
ids in the id column, one with an exact duplicate row), files with the same employment key or
the same row (two extracts: no conflict, no duplicate), a file with quarantined rows (a bad date, a key conflict),
a file leaking a national id outside the id column and one with no extraction date anywhere
(both rejected as a whole, one before and one inside the shared pass), a file whose blank
municipality cells take the code in its name, and an older extract of a key loaded earlier in
the same batch (stale)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hr_support import Home, synthetic_ids, visma_file, visma_row

from pipelines.hr import batch as hr_batch


def _files(home: Home) -> list[Path]:
    f = home.files
    ids = synthetic_ids(4, seed=16)

    def row(number: str, **overrides: str) -> list[object]:
        return visma_row(Ansattnr=number, Arbeidsforholdsnr=f"{number}-1", **overrides)

    visma_file(f / "1857_a_god.csv", [row("1", Fødselsnummer=ids[0]), row("2", Fødselsnummer=ids[1]), row("3")])
    visma_file(f / "1856_b_god.csv", [row("1", Kommunenr="1856")] + [row("4", Kommunenr="1856")] * 2)
    visma_file(
        f / "1857_c_karantene.csv",
        [
            row("1", Stillingsprosent="10"),  # 1857_a's key with other content: another extract, no conflict
            row("6", Startdato="31.02.2020"),  # no such date
            row("7", Stillingsprosent="50"),
            row("7", Stillingsprosent="80"),  # the same key with other content: a conflict
        ],
    )
    visma_file(f / "1857_d_lekk.csv", [row("8"), row("9", Tjenestested=f"Kontakt {ids[2]}")])
    # no date in a title line, the name or any date column: rejected inside the shared pass
    visma_file(f / "1857_e_udatert.csv", [row("10", Startdato="")], title=None)
    visma_file(f / "1856_f_tom_kommune.csv", [row("11", Kommunenr=""), row("12", Kommunenr="1856")])
    # an older extract of employment 2-1 of 1857, after the newer one in the same batch
    # (and a row exactly as in 1857_a: a duplicate only within one file)
    visma_file(
        f / "1857_g_eldre.csv",
        [row("2", Fødselsnummer=ids[1], Stillingsprosent="20"), row("3")],
        title="Arbeidsforhold per 15.12.2022",
    )
    return sorted(f.iterdir())


def _state(home: Home, results) -> tuple:
    ledger = home.records(
        "select * exclude (loaded_at) from audit.deliveries order by file_name"
    )
    quarantine = home.records(
        "select d.file_name, q.* from audit.quarantine q join audit.deliveries d using (delivery_sha256) "
        "order by d.file_name, q.source_row_number, q.column_name"
    )
    raw = home.records("select * exclude (loaded_at) from raw.hr_employments order by all")
    pending = home.records("select * exclude (recorded_at) from audit.pending_loads order by all")
    summary = [dataclasses.astuple(r) for r in results]
    return summary, ledger, quarantine, raw, pending


@pytest.mark.parametrize("shared_pass_fails", [False, True])
def test_files_prepared_as_one_frame_get_what_each_gets_alone(
    home: Home, monkeypatch: pytest.MonkeyPatch, caplog, shared_pass_fails: bool
) -> None:
    files = _files(home)
    groups: list[int] = []
    together = hr_batch._together

    def spy(members, *args, **kwargs):
        groups.append(len(members))
        if shared_pass_fails and len(members) > 1:
            raise RuntimeError("the shared pass failed")
        return together(members, *args, **kwargs)

    monkeypatch.setattr(hr_batch, "_together", spy)
    results = home.ingest(home.files, workers=1)
    assert groups[0] == 6  # every file but the leaking one shares the pass (it is refused first)
    if shared_pass_fails:  # then each file alone, with the same outcome
        assert "tas én og én" in caplog.text and groups[1:] == [1] * 6
    else:
        assert groups == [6]

    by_name = {r.file_name: r for r in results}
    assert {n: r.outcome for n, r in by_name.items()} == {
        "1856_b_god.csv": "loaded",
        "1856_f_tom_kommune.csv": "loaded",
        "1857_a_god.csv": "loaded",
        "1857_c_karantene.csv": "loaded",
        "1857_d_lekk.csv": "rejected",
        "1857_e_udatert.csv": "rejected",
        "1857_g_eldre.csv": "loaded",
    }
    assert "kolonnen «Tjenestested» inneholder noe som ser ut som fødselsnumre" in by_name["1857_d_lekk.csv"].reason
    assert "fant ingen uttrekksdato" in by_name["1857_e_udatert.csv"].reason
    counts = {n: (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate, r.rows_stale)
              for n, r in by_name.items() if r.outcome == "loaded"}
    assert counts == {
        "1857_a_god.csv": (3, 3, 0, 0, 0),
        "1856_b_god.csv": (3, 2, 0, 1, 0),
        "1857_c_karantene.csv": (4, 1, 3, 0, 0),
        "1856_f_tom_kommune.csv": (2, 2, 0, 0, 0),
        "1857_g_eldre.csv": (2, 2, 0, 0, 2),  # 1857_a's newer extract is stored in the same batch
    }
    assert by_name["1856_f_tom_kommune.csv"].municipality_code == "1856"
    for result in results:
        home.assert_reconciles(result)
    reasons = {
        (q["file_name"], q["source_row_number"], q["reason"])
        for q in home.records(
            "select d.file_name, q.source_row_number, q.reason from audit.quarantine q "
            "join audit.deliveries d using (delivery_sha256)"
        )
    }
    assert ("1857_c_karantene.csv", 2, "Startdato: ugyldig dato") in reasons
    conflict = "Arbeidsforholdsnr: samme nøkkel forekommer flere ganger i filen med ulikt innhold"
    assert {r for r in reasons if "ulikt innhold" in r[2]} == {
        ("1857_c_karantene.csv", 3, conflict),
        ("1857_c_karantene.csv", 4, conflict),
    }
    together_state = _state(home, results)

    # each file alone, one run per file, in a fresh warehouse
    shutil.rmtree(home.root)
    monkeypatch.setattr(hr_batch, "_together", together)
    alone = [r for path in files for r in home.ingest(path, workers=1)]
    assert _state(home, alone) == together_state
