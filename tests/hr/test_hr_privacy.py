"""A national id never reaches disk, logs or messages.

Files carrying synthetic ids (in the id column, and separately hidden in a free-text
column) are ingested; then every byte under WORKFORCE_HOME (DuckDB files included, after
the connections are closed and checkpointed) and everything captured from logs and the
terminal is searched for the ids in every spelling people type (`hr_support.id_spellings`),
in the 10-digit form Excel leaves, and inside every zip (xlsx) stored there."""

from __future__ import annotations

import json
import logging

import pytest
from hr_support import (
    VISMA_HEADER,
    Home,
    checkpoint,
    id_forms,
    scan_home,
    synthetic_ids,
    visma_file,
    visma_row,
    write_text,
)

from pipelines import cli


@pytest.fixture
def ids() -> list[str]:
    numbers = synthetic_ids(6, seed=11)
    # one whose leading zero Excel would drop, to check the 10-digit form too
    with_zero = [n for n in synthetic_ids(200, seed=12) if n.startswith("0")]
    return [*numbers, with_zero[0]]


def test_ids_in_the_id_column_never_reach_disk_or_logs(home: Home, ids, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    rows = [
        visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1", Fødselsnummer=number, Fødselsår="", Kjønn="")
        for i, number in enumerate(ids[:5])
    ]
    # an invalid id (wrong control digit) is quarantined and must not be stored either
    broken = ids[5][:10] + str((int(ids[5][10]) + 1) % 10)
    rows.append(visma_row(Ansattnr="90", Arbeidsforholdsnr="90-1", Fødselsnummer=broken))
    # the Excel-mangled form (10 digits) is accepted and restored
    rows.append(
        visma_row(Ansattnr="91", Arbeidsforholdsnr="91-1", Fødselsnummer=ids[6].lstrip("0"), Fødselsår="")
    )
    path = visma_file(home.files / "1857_med_fnr.csv", rows)
    monkeypatch.setattr("sys.argv", ["workforce", "ingest", str(path)])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 0

    with home.db() as con:
        person_keys = con.execute(
            "select person_key, birth_year from raw.hr_employments order by all"
        ).fetchall()
        quarantine = con.execute("select reason, row_json from audit.quarantine").fetchall()
        archive = con.execute("select archive_path from audit.deliveries").fetchone()[0]
    assert len(person_keys) == 6 and all(len(k) == 64 for k, _ in person_keys)
    assert all(year is not None for _, year in person_keys)  # derived from the old-rule ids
    assert [r for r, _ in quarantine] == ["Fødselsnummer: ugyldig fødselsnummer"]
    assert json.loads(quarantine[0][1])["person_key"] == "[ugyldig fødselsnummer]"
    assert archive.endswith("1857_med_fnr.redacted.csv")
    redacted = (home.root / archive).read_text(encoding="utf-8")
    assert "Fødselsnummer" not in redacted.splitlines()[0] and "person_key" in redacted.splitlines()[0]

    checkpoint(home)
    forms = id_forms([*ids, broken])
    canary = home.root / "canary.bin"  # the scan itself must be able to fail
    canary.write_bytes(b"x" + ids[6].lstrip("0").encode() + b"y")
    assert scan_home(home.root, forms) == ["canary.bin"]
    canary.unlink()
    assert scan_home(home.root, forms) == []
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert not [f for f in forms if f.decode("ascii", "ignore") and f.decode("ascii", "ignore") in logged]


def test_id_hidden_in_a_free_text_column_rejects_the_file_without_naming_it(home: Home, ids, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    hidden = ids[0]
    rows = [
        visma_row(),
        visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1", Sluttårsak=f"Se sak for {hidden} (Excel)"),
    ]
    header = [h for h in VISMA_HEADER if h != "Fødselsnummer"]
    rows = [[v for h, v in zip(VISMA_HEADER, row, strict=True) if h != "Fødselsnummer"] for row in rows]
    path = write_text(home.files / "1857_kommentar.csv", header, rows)
    result = home.ingest_one(path)
    assert result.outcome == "rejected"
    assert "Sluttårsak" in result.reason and hidden not in result.reason
    row = home.delivery(result.sha256)
    assert (row["rows_read"], row["rows_loaded"]) == (0, 0)
    assert home.query("select count(*) from raw.hr_employments") == [(0,)]
    archived = (home.root / row["archive_path"]).read_text(encoding="utf-8")
    assert "[fødselsnummer fjernet]" in archived  # nothing lost but the id itself

    # a second file hides an id in the 6+5 spelling in an unmapped column
    spaced = f"{ids[1][:6]} {ids[1][6:]}"
    other = write_text(home.files / "1857_b.csv", [*header, "Merknad"], [[*rows[0], f"fnr: {spaced}"]])
    second = home.ingest_one(other)
    assert second.outcome == "rejected" and "Merknad" in second.reason

    checkpoint(home)
    forms = id_forms(ids[:2])
    assert scan_home(home.root, forms) == []
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert hidden not in logged and spaced not in logged


def test_an_id_in_a_file_name_or_title_line_is_not_stored(home: Home, ids):
    number = ids[2]
    path = visma_file(
        home.files / f"{number}_arbeidsforhold.csv", [visma_row()], title=f"Arbeidsforhold for {number}"
    )
    result = home.ingest_one(path)
    assert result.outcome == "rejected" and "tittellinjene" in result.reason
    assert number not in result.file_name
    checkpoint(home)
    assert scan_home(home.root, id_forms([number])) == []
