"""Issue 14, the ingestion side: what a hostile tester got through, one test per case.

1. ids written the way people write them (separators, grouping, other scripts' digits) in
   cells, headers and title lines;
2. a workbook's metadata (comments, properties, sheet names, header/footer, formula text);
3. an id as a column header, unknown columns (`Navn`), and quarantine documents;
7. hostile files (zip bombs, a 250-character name, a huge ragged row, symlinks);
8. misleading messages (mixed line ends, UTF-32, a BOM on Windows-1252, a truncated file).

Each runs on a real DuckDB file through `ingest_paths` (the bombs through the real CLI, to
measure the child's memory), asserts the outcome, that nothing else changed (`snapshot`),
and that no spelling of an id is anywhere under WORKFORCE_HOME, inside archives included.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hr_support import (
    VISMA_HEADER,
    Home,
    checkpoint,
    id_forms,
    id_spellings,
    scan_home,
    snapshot,
    synthetic_ids,
    visma_file,
    visma_row,
    write_text,
)

from pipelines.hr import limits

NUMBER = synthetic_ids(1, seed=14)[0]
SPELLINGS = id_spellings(NUMBER)
NO_ID_HEADER = [h for h in VISMA_HEADER if h != "Fødselsnummer"]


def _row(**overrides: object) -> list[object]:
    """A Visma row without the id column."""
    return [v for h, v in zip(VISMA_HEADER, visma_row(**overrides), strict=True) if h != "Fødselsnummer"]


@pytest.fixture
def loaded(home: Home) -> Home:
    """A home with one good delivery in it, so 'nothing else changed' has something to keep."""
    result = home.ingest_one(visma_file(home.files / "1857_grunnlag.csv", [visma_row(Ansattnr="1", Fødselsår="1970")]))
    assert result.outcome == "loaded"
    return home


def _changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def _assert_clean(home: Home, numbers: list[str]) -> None:
    checkpoint(home)
    assert scan_home(home.root, id_forms(numbers)) == []


# --- 1. ids in every spelling -------------------------------------------------------------------
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_an_id_in_any_spelling_rejects_the_file_naming_the_place_not_the_id(loaded: Home, spelling: str, caplog):
    caplog.set_level(logging.DEBUG)
    home, text = loaded, SPELLINGS[spelling]
    before = snapshot(home)
    files = [
        write_text(home.files / "1857_a.csv", NO_ID_HEADER, [_row(Sluttårsak=f"Se sak {text} (Excel)")]),
        write_text(home.files / "1857_b.csv", [*NO_ID_HEADER, "Merknad"], [[*_row(), f"fnr: {text}"]]),
        write_text(home.files / "1857_c.csv", [*NO_ID_HEADER, text], [[*_row(), "x"]]),
        write_text(home.files / "1857_d.csv", NO_ID_HEADER, [_row()], title=[f"Arbeidsforhold for {text}", ""]),
    ]
    results = home.ingest(*files)
    assert [r.outcome for r in results] == ["rejected"] * 4
    expected = ["«Sluttårsak»", "«Merknad»", f"kolonne {len(NO_ID_HEADER) + 1}", "tittellinjene"]
    for result, where in zip(results, expected, strict=True):
        assert where in result.reason, result.reason
        assert "fødselsnummer" in result.reason
        assert not any(form.decode("utf-8", "ignore") in result.reason for form in id_forms([NUMBER]))
    after = snapshot(home)
    assert _changed(before, after) == {"audit.deliveries", "landing"}
    assert len(after["audit.deliveries"]) == len(before["audit.deliveries"]) + 4
    _assert_clean(home, [NUMBER])
    assert not any(form.decode("utf-8", "ignore") in caplog.text for form in id_forms([NUMBER]))


def test_ids_in_the_id_column_are_read_in_any_spelling(home: Home):
    rows = [
        visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1", Fødselsnummer=text, Fødselsår="", Kjønn="")
        for i, text in enumerate(SPELLINGS.values())
        if "\t" not in text  # a tab in the id cell of a ';' file is read like any other separator
    ]
    result = home.ingest_one(visma_file(home.files / "1857_fnr.csv", rows))
    assert (result.outcome, result.rows_loaded, result.rows_quarantined) == ("loaded", len(rows), 0)
    assert home.query("select count(distinct person_key), count(*) from raw.hr_employments") == [(1, len(rows))]
    _assert_clean(home, [NUMBER])


# --- 2. a workbook's metadata never reaches disk ------------------------------------------------
def _workbook(path: Path, number: str, *, id_in_other_sheet: bool = False) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    spaced = f"{number[:6]} {number[6:]}"
    book = Workbook()
    sheet = book.active
    sheet.title = f"Ark {number}"
    sheet.append([*NO_ID_HEADER, "Kontroll"])
    for i in range(1, 4):
        sheet.append([*_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1"), None])
    sheet["B2"].comment = Comment(f"Gjelder {spaced}", "HR")
    sheet.oddHeader.center.text = f"Liste for {number}"
    sheet.oddFooter.right.text = spaced
    sheet.cell(row=2, column=len(NO_ID_HEADER) + 1, value=f'=IF(FALSE,"{number}","")')
    book.properties.title = number
    book.properties.subject = spaced
    book.properties.keywords = number
    book.properties.creator = f"HR {number}"
    other = book.create_sheet(f"Notat {spaced}")
    other["A1"] = f"fnr {spaced}" if id_in_other_sheet else "Intern merknad"
    book.save(path)
    return path


def test_a_workbook_is_archived_as_the_table_read_and_its_metadata_is_dropped(loaded: Home):
    home = loaded
    path = _workbook(home.files / "1857_metadata.xlsx", NUMBER)
    with zipfile.ZipFile(path) as book:  # the test file does carry the id where the issue found it
        parts = {name: book.read(name) for name in book.namelist()}
    assert any(SPELLINGS["space"].encode() in data for name, data in parts.items() if "comments" in name)
    assert NUMBER.encode() in parts["docProps/core.xml"] and NUMBER.encode() in parts["xl/workbook.xml"]
    sheet_xml = parts["xl/worksheets/sheet1.xml"]
    assert b"<f>" in sheet_xml and b"<oddHeader>" in sheet_xml and NUMBER.encode() in sheet_xml
    before = snapshot(home)
    result = home.ingest_one(path)
    assert (result.outcome, result.rows_loaded) == ("loaded", 3), result
    archived = home.root / result.archive_path
    assert archived.name == "1857_metadata.redacted.csv"
    header = archived.read_text(encoding="utf-8").splitlines()[0].split(";")
    assert header == NO_ID_HEADER  # the contract columns as delivered; «Kontroll» is not one
    after = snapshot(home)
    assert _changed(before, after) == {"raw.hr_employments", "audit.deliveries", "landing"}
    _assert_clean(home, [NUMBER])

    # an id in a cell of another sheet is a leak like any other
    other = home.ingest_one(_workbook(home.files / "1857_ark.xlsx", NUMBER, id_in_other_sheet=True))
    assert other.outcome == "rejected" and "et annet ark" in other.reason
    _assert_clean(home, [NUMBER])


# --- 3. unknown columns and quarantine documents --------------------------------------------------
def test_unknown_columns_are_not_archived_nor_kept_in_quarantine_and_values_are_capped(loaded: Home):
    home = loaded
    header = [*NO_ID_HEADER, "Navn", "Kontonummer intern"]
    rows = [
        [*_row(Ansattnr="2", Arbeidsforholdsnr="2-1"), "Kari Nordmann", "x"],
        [*_row(Ansattnr="3", Arbeidsforholdsnr="3-1", Stillingsprosent="120"), "Ola Nordmann", "y"],
        [*_row(Ansattnr="4", Arbeidsforholdsnr="4-1", Stillingsbetegnelse="Lang " * 400), "Per Hansen", "z"],
    ]
    before = snapshot(home)
    result = home.ingest_one(write_text(home.files / "1857_navn.csv", header, rows))
    assert (result.outcome, result.rows_loaded, result.rows_quarantined) == ("loaded", 1, 2)
    quarantine = home.records(
        "select column_name, reason, row_json from audit.quarantine where delivery_sha256 = ? order by all",
        [result.sha256],
    )
    assert [(q["column_name"], q["reason"]) for q in quarantine] == [
        ("fte_percent", "Stillingsprosent: utenfor 0–100 %"),
        ("position_title", f"Stillingsbetegnelse: for lang verdi (over {limits.MAX_VALUE_CHARS} tegn)"),
    ]
    for document in (json.loads(q["row_json"]) for q in quarantine):
        assert "Navn" not in document and "Kontonummer intern" not in document
        assert "employee_key" in document and "Ansattnr" not in document
        assert all(len(str(v)) <= limits.MAX_VALUE_CHARS + 1 for v in document.values())
    archived = (home.root / result.archive_path).read_text(encoding="utf-8")
    assert "Nordmann" not in archived and "Navn" not in archived and "Per Hansen" not in archived
    after = snapshot(home)
    assert _changed(before, after) == {"raw.hr_employments", "audit.deliveries", "audit.quarantine", "landing"}
    for state in (after["audit.quarantine"], after["landing"], after["raw.hr_employments"]):
        assert "Nordmann" not in repr(state)


# --- 7. hostile files ------------------------------------------------------------------------------
def _sheet_xlsx(path: Path, sheet_data: bytes | None = None, *, repeat: bytes = b"", times: int = 0) -> Path:
    """A minimal workbook whose one sheet is `sheet_data`, or `repeat` written `times` times
    (streamed into the zip, so the test never holds the unpacked sheet in memory)."""
    types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        b'<sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", types)
        book.writestr("_rels/.rels", rels)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        if sheet_data is not None:
            book.writestr("xl/worksheets/sheet1.xml", head + sheet_data + b"</worksheet>")
        else:
            with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(head + b"<sheetData>")
                block = repeat * max(1, (1 << 20) // len(repeat))
                for _ in range(times // max(1, (1 << 20) // len(repeat)) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def _declare_small(path: Path) -> Path:
    """The zip's directory and local header told that the sheet unpacks to 1000 bytes (a
    lying bomb: a reader that trusts the stream, not the declaration, still inflates it all)."""
    data = bytearray(path.read_bytes())
    # (signature, offset of the uncompressed size, of the name's length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        at = data.find(signature)
        while at >= 0:
            length = int.from_bytes(data[at + length_at : at + length_at + 2], "little")
            if data[at + name_at : at + name_at + length] == b"xl/worksheets/sheet1.xml":
                data[at + size_at : at + size_at + 4] = (1000).to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as book:
        assert book.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    return path


# Runs the CLI from a small Python process and reports that child's peak memory. Measured from
# pytest directly, the figure would include pytest's own size: Linux carries a forked process's
# peak (the parent's pages, shared at fork) over its exec.
_MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _peak_rss_mb(args: list[str], env: dict[str, str], tmp: Path) -> tuple[int, str]:
    """Run the real CLI; its exit status and peak memory (the CLI alone, not its parents)."""
    peak_file = tmp / "peak_rss_kb"
    process = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(peak_file), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
    )
    output = process.stdout.decode("utf-8", "replace")
    assert process.returncode == 1, output  # 1: some file was rejected
    return int(peak_file.read_text()) // 1024, output


def test_workbook_bombs_are_rejected_before_reading_with_a_ledger_row_and_little_memory(loaded: Home):
    home = loaded
    row = b"<row>" + b"<c/>" * 100 + b"</row>"
    corner = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData>'
    )
    bombs = {
        "1857_stor.xlsx": (
            _declare_small(_sheet_xlsx(home.files / "1857_stor.xlsx", repeat=b" " * 4096, times=66_000)),
            "MB",
        ),
        "1857_hjorne.xlsx": (_sheet_xlsx(home.files / "1857_hjorne.xlsx", corner), "rader"),
        "1857_celler.xlsx": (
            _sheet_xlsx(home.files / "1857_celler.xlsx", repeat=row, times=limits.XLSX_MAX_CELLS // 100 + 10),
            "celler",
        ),
    }
    assert all(path.stat().st_size < 3_000_000 for path, _ in bombs.values())
    good = visma_file(home.files / "1857_etter.csv", [visma_row(Ansattnr="9", Arbeidsforholdsnr="9-1")])
    before = snapshot(home)
    env = {**os.environ, "WORKFORCE_HOME": str(home.root)}
    cli = str(Path(sys.executable).with_name("workforce"))
    peak, output = _peak_rss_mb([cli, "ingest", *(str(p) for p, _ in bombs.values()), str(good)], env, home.root.parent)
    assert peak < 600, f"peak {peak} MB"  # about 180 MB here; reading a bomb took gigabytes
    assert "Traceback" not in output
    ledger = {r["file_name"]: r for r in home.records("select * from audit.deliveries")}
    for name, (_, word) in bombs.items():
        assert ledger[name]["outcome"] == "rejected" and word in ledger[name]["reason"], ledger[name]["reason"]
        assert ledger[name]["archive_path"] is None
    assert ledger["1857_etter.csv"]["outcome"] == "loaded"  # the batch went on
    assert _changed(before, snapshot(home)) == {"raw.hr_employments", "audit.deliveries", "landing"}


def test_a_long_file_name_a_huge_ragged_row_and_symlinks_do_not_stop_the_batch(loaded: Home, tmp_path: Path):
    home = loaded
    inbox = home.files / "innboks"
    inbox.mkdir()
    long_name = inbox / ("1857_" + "x" * 226 + "_arbeidsforhold.csv")  # 250 characters
    assert len(long_name.name) == 250
    visma_file(long_name, [visma_row(Ansattnr="5", Arbeidsforholdsnr="5-1")])
    ragged = visma_row(Ansattnr="6", Arbeidsforholdsnr="6-1")
    ragged[-1] = "Høgskole;" + ";".join(["ekstra"] * 20) + ";" + "X" * 5_000_000
    digits = visma_row(Ansattnr="8", Arbeidsforholdsnr="8-1", Sluttårsak="1 " * 2_500_000)  # 5 MB of digit groups
    visma_file(inbox / "1857_ragget.csv", [visma_row(Ansattnr="7", Arbeidsforholdsnr="7-1"), ragged, digits])
    outside = tmp_path / "hemmelig.csv"
    outside.write_text("Kommunenr;Ansattnr\nHEMMELIG-INNHOLD;1\n", encoding="utf-8")
    (inbox / "1857_lenke.csv").symlink_to(outside)
    (inbox / "1857_passwd.csv").symlink_to("/etc/passwd")
    (inbox / "1857_brutt.csv").symlink_to(tmp_path / "finnes-ikke.csv")
    before = snapshot(home)

    results = {r.file_name: r for r in home.ingest(inbox)}
    assert len(results) == 5
    [stored_long] = [name for name in results if name.startswith("1857_xx")]
    assert len(stored_long.encode("utf-8")) <= limits.MAX_NAME_BYTES and stored_long.endswith(".csv")
    assert results[stored_long].outcome == "loaded" and results[stored_long].rows_loaded == 1
    assert (home.root / results[stored_long].archive_path).is_file()

    assert (results["1857_ragget.csv"].rows_loaded, results["1857_ragget.csv"].rows_quarantined) == (1, 2)
    [(longest,)] = home.query("select max(length(row_json)) from audit.quarantine")
    assert longest < 20_000
    for name in ("1857_lenke.csv", "1857_passwd.csv", "1857_brutt.csv"):
        assert results[name].outcome == "rejected" and "symbolsk lenke" in results[name].reason
        assert results[name].archive_path is None
    after = snapshot(home)
    assert _changed(before, after) == {"raw.hr_employments", "audit.deliveries", "audit.quarantine", "landing"}
    assert len(after["audit.deliveries"]) == len(before["audit.deliveries"]) + 5
    landing = b"".join(data for _, data in after["landing"])
    assert b"HEMMELIG-INNHOLD" not in landing and b"root:" not in landing
    assert b"X" * 1000 not in landing and b"1 " * 1000 not in landing


# --- 8. clear messages -------------------------------------------------------------------------------
def _text(rows: int = 3, *, newline: str = "\n") -> str:
    lines = [";".join(VISMA_HEADER)]
    for i in range(1, rows + 1):
        lines.append(";".join(str(v) for v in visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1")))
    return newline.join(lines) + newline


def _mixed_line_ends() -> bytes:
    lines = _text(4).splitlines()
    return ("\r\n".join(lines[:3]) + "\r" + "\r".join(lines[3:]) + "\r\n").encode("utf-8")


def _truncated_line() -> bytes:
    data = _text(3).encode("utf-8")
    return data[: data.rstrip(b"\n").rfind(b";Fast;")]


def _open_quote() -> bytes:
    return (_text(3) + '1857;9;;9-1;1980;K;7174;"Sykepleier ved Vær').encode("utf-8")


MESSAGES = {
    "mixed CR and CRLF": (_mixed_line_ends, "loaded", 4, "blander linjeskifttyper"),
    "UTF-32 LE": (lambda: b"\xff\xfe\x00\x00" + _text().encode("utf-32-le"), "loaded", 3, "UTF-32"),
    "UTF-32 BE": (lambda: b"\x00\x00\xfe\xff" + _text().encode("utf-32-be"), "loaded", 3, "UTF-32"),
    "UTF-32 LE without BOM": (lambda: _text().encode("utf-32-le"), "loaded", 3, "UTF-32"),
    "BOM on Windows-1252": (lambda: b"\xef\xbb\xbf" + _text().encode("cp1252"), "loaded", 3, "Windows-1252"),
    "BOM on mixed encodings": (
        lambda: b"\xef\xbb\xbf" + _text().encode("cp1252") + "1857;9;;9-1;1980;K;7174;Sjåfør".encode(),
        "rejected",
        0,
        "blandet tegnkoding",
    ),
    "mixed encodings": (
        lambda: _text().encode("cp1252") + "1857;9;;9-1;1980;K;7174;Sjåfør\n".encode(),
        "rejected",
        0,
        "blandet tegnkoding",
    ),
    "truncated in a line": (_truncated_line, "rejected", 0, "avkortet"),
    "truncated in a quoted field": (_open_quote, "rejected", 0, "avkortet"),
}


@pytest.mark.parametrize("case", list(MESSAGES))
def test_misleading_inputs_get_a_clear_message_and_a_sensible_outcome(loaded: Home, case: str):
    home = loaded
    make, outcome, rows, words = MESSAGES[case]
    path = home.files / "1857_melding.csv"
    path.write_bytes(make())
    before = snapshot(home)
    result = home.ingest_one(path)
    assert (result.outcome, result.rows_loaded, result.rows_quarantined) == (outcome, rows, 0), result
    assert words in (result.reason or ""), result.reason
    assert "fødselsnummer" not in (result.reason or "") and "__extra" not in (result.reason or "")
    if outcome == "loaded":
        stored = home.query("select distinct unit from raw.hr_employments where delivery_sha256 = ?", [result.sha256])
        assert stored == [("Værøy sykehjem",)]  # æ and ø survived
        expected = {"raw.hr_employments", "audit.deliveries", "landing"}
    else:
        expected = {"audit.deliveries", "landing"} if result.archive_path else {"audit.deliveries"}
    assert _changed(before, snapshot(home)) == expected
    home.assert_reconciles(result)


def test_the_scan_finds_ids_inside_archived_workbooks(home: Home):
    """The scan itself can fail: an id inside a zip member under WORKFORCE_HOME is found."""
    canary = home.root / "landing" / "kanari.xlsx"
    canary.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/comments1.xml", f"<t>{SPELLINGS['grouped']}</t>")
    canary.write_bytes(buffer.getvalue())
    assert scan_home(home.root, id_forms([NUMBER])) == ["landing/kanari.xlsx!xl/comments1.xml"]


def test_an_archive_that_cannot_be_written_rejects_its_file_and_the_batch_goes_on(loaded: Home):
    import hashlib

    home = loaded
    first = visma_file(home.files / "1857_a.csv", [visma_row(Ansattnr="11", Arbeidsforholdsnr="11-1")])
    second = visma_file(home.files / "1857_b.csv", [visma_row(Ansattnr="12", Arbeidsforholdsnr="12-1")])
    prefix = hashlib.sha256(first.read_bytes()).hexdigest()[:2]
    assert hashlib.sha256(second.read_bytes()).hexdigest()[:2] != prefix
    (home.settings.landing_dir / prefix).write_bytes(b"")  # a file where the archive needs a folder
    before = snapshot(home)
    failed, loaded_ = home.ingest(first, second)
    assert failed.outcome == "rejected" and "kunne ikke arkiveres" in failed.reason
    assert failed.archive_path is None and failed.rows_loaded == 0
    assert loaded_.outcome == "loaded" and loaded_.rows_loaded == 1
    keys = {r["source_row_number"] for r in home.table("raw.hr_employments") if r["delivery_sha256"] == failed.sha256}
    assert keys == set()
    assert _changed(before, snapshot(home)) == {"raw.hr_employments", "audit.deliveries", "landing"}


def test_an_id_in_a_file_name_is_not_stored_in_any_spelling(home: Home):
    spellings = [k for k, v in SPELLINGS.items() if "/" not in v and "\t" not in v]
    files = [
        visma_file(
            home.files / f"{i}_{SPELLINGS[k]}_1857.csv", [visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1")]
        )
        for i, k in enumerate(spellings)
    ]
    results = home.ingest(*files)
    assert [r.outcome for r in results] == ["loaded"] * len(files)
    assert all("fnr-fjernet" in r.file_name for r in results)
    _assert_clean(home, [NUMBER])
