"""Issue 12, point 5: `workforce inspect` tells how files would be read and counted, in
Norwegian, without writing anything anywhere and without printing a national id."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hr_support import VISMA_HEADER, Home, synthetic_ids, visma_file, visma_row, write_text
from test_hr_cli import _run


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_inspect_reports_reading_mapping_and_counts_and_writes_nothing(home: Home, monkeypatch, capsys, tmp_path):
    ids = synthetic_ids(3)
    visma_file(home.files / "1857_warmup.csv", [visma_row(Ansattnr="900", Arbeidsforholdsnr="900-1")])
    home.ingest_one(home.files / "1857_warmup.csv")  # a home with a database, a ledger and an archive
    header = [*VISMA_HEADER, "Kommentar"]
    rows = [
        [*visma_row(Ansattnr="1", Arbeidsforholdsnr="1-1", Fødselsnummer=ids[0]), "ok"],
        [*visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1", Fødselsnummer=ids[1], Stillingsprosent="120"), ""],
        [*visma_row(Ansattnr="3", Arbeidsforholdsnr="3-1", Fødselsnummer=ids[2], Stillingskode="1234"), ""],
        [*visma_row(Ansattnr="3", Arbeidsforholdsnr="3-1", Fødselsnummer=ids[2], Stillingskode="1234"), ""],
    ]
    good = write_text(
        home.files / "1857_arbeidsforhold.csv", header, rows, encoding="cp1252",
        title=["Arbeidsforhold per 15.12.2023", ""],
    )  # fmt: skip
    bad = write_text(home.files / "1856_arbeidsforhold_2023-12-15.csv", VISMA_HEADER, [visma_row()])
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = _tree(home.root)

    code, out, err = _run(monkeypatch, capsys, "inspect", str(good), str(bad))

    assert code == 1 and "Traceback" not in out + err
    assert _tree(home.root) == before and not any(scratch.iterdir())
    assert not any(i in out + err for i in ids)
    first, second = out.split("== 1856_")
    for expected in (
        "Tegnsett: Windows-1252; skilletegn: semikolon (;)",
        "Tittellinjer over overskriften: 1",
        "«Arbeidsforhold per 15.12.2023»",
        "Profil: visma/arbeidsforhold",
        "Kommunenr → municipality_code",
        "Fødselsnummer → national_id",
        "Kolonner som ikke brukes: Kommentar",
        "Kommune: 1857 (fra kolonnen «Kommunenr»)",
        "Uttrekksdato: 15.12.2023 (uttrekksdato fra tittellinjen)",
        "Stillingsprosent: utenfor 0–100 %: 1 rader",
        "Resultat: filen ville blitt lest inn",
    ):
        assert expected in first, (expected, first)
    # an unknown position code is quarantined today and reported once issue 12's point 1 is in
    counts = re.search(r"Rader: 4 lest; (\d) ville lastes, (\d) i karantene, 1 duplikater", first)
    assert counts and int(counts[1]) + int(counts[2]) == 3, first
    assert "Stillingskode: ukjent stillingskode" in first or "ukjente stillingskoder 1234 (1 rader)" in first
    assert "AVVIST" in second and "stemmer ikke med kommunenummeret i filnavnet" in second
    assert "1 ville blitt lest inn, 1 avvist. Ingenting er lagret." in out
