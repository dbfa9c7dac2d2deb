"""One test per row of the contract's "What bad input gets" table, against a real DuckDB file.

Each test asserts the outcome, the exact counts, and that the delivery reconciles in
`audit.deliveries` (rows_read = loaded + quarantined + duplicate)."""

from __future__ import annotations

import json

import pytest
from hr_support import VISMA_HEADER, WEBCRUITER_HEADER, Home, visma_file, visma_row, webcruiter_row, write_text


def _assert_rejected(home: Home, result, reason_part: str) -> dict:
    assert result.outcome == "rejected"
    assert reason_part in (result.reason or "")
    row = home.assert_reconciles(result)
    assert row["outcome"] == "rejected"
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["rows_duplicate"]) == (
        0,
        0,
        0,
        0,
    )
    assert reason_part in row["reason"]
    assert "\n" not in row["reason"]
    assert home.query("select count(*) from raw.hr_employments") == [(0,)]
    attempts = home.query(
        "select outcome from audit.delivery_attempts where delivery_sha256 = ?", [result.sha256]
    )
    assert attempts == [("rejected",)]
    return row


# --- unreadable file, unknown format, empty file, no recognisable header --------------------
def test_unreadable_binary_file_is_rejected(home: Home):
    path = home.files / "eksport.csv"
    path.write_bytes(b"\x00\x01\x02garbage\x00\xff" * 50)
    result = home.ingest_one(path)
    _assert_rejected(home, result, "ukjent filformat")


def test_legacy_xls_is_rejected_with_advice(home: Home):
    path = home.files / "eksport.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    _assert_rejected(home, home.ingest_one(path), ".xls")


def test_damaged_xlsx_is_rejected_and_not_archived_unchecked(home: Home):
    path = home.files / "eksport.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    result = home.ingest_one(path)
    row = _assert_rejected(home, result, "arbeidsboken kan ikke åpnes")
    assert row["archive_path"] is None
    assert "ikke arkivert" in row["reason"]


def test_empty_file_is_rejected(home: Home):
    path = home.files / "tom.csv"
    path.write_bytes(b"")
    _assert_rejected(home, home.ingest_one(path), "tom fil")


def test_file_without_recognisable_header_is_rejected_naming_profiles(home: Home):
    path = write_text(home.files / "rart.csv", ["a", "b", "c"], [["1", "2", "3"]])
    result = home.ingest_one(path)
    row = _assert_rejected(home, result, "fant ingen kjent kolonneoverskrift")
    for profile in ("canonical", "sap", "unit4", "visma", "webcruiter"):
        assert profile in row["reason"]


def test_header_only_file_is_rejected(home: Home):
    path = visma_file(home.files / "1857_tom.csv", [])
    _assert_rejected(home, home.ingest_one(path), "ingen datarader")


# --- a required column missing ----------------------------------------------------------------
def test_missing_required_column_names_column_and_names_tried(home: Home):
    header = [h for h in VISMA_HEADER if h != "Stillingskode"]
    rows = [[v for h, v in zip(VISMA_HEADER, visma_row(), strict=True) if h != "Stillingskode"]]
    path = write_text(home.files / "1857_uten_kode.csv", header, rows)
    result = home.ingest_one(path)
    row = _assert_rejected(home, result, "position_code")
    assert "Stillingskode" in row["reason"]  # the source name that was tried
    assert row["profile"] == "visma" and row["kind"] == "employments"


def test_missing_municipality_everywhere_asks_for_option(home: Home):
    header = [h for h in VISMA_HEADER if h != "Kommunenr"]
    rows = [[v for h, v in zip(VISMA_HEADER, visma_row(), strict=True) if h != "Kommunenr"]]
    path = write_text(home.files / "arbeidsforhold.csv", header, rows)
    row = _assert_rejected(home, home.ingest_one(path), "municipality_code")
    assert "--municipality" in row["reason"]


# --- rows with invalid values -------------------------------------------------------------------
def test_invalid_rows_are_quarantined_with_column_and_reason_and_the_rest_loads(home: Home):
    rows = [
        visma_row(Ansattnr="1"),  # fine
        visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1", Startdato="31.02.2020"),  # bad date
        visma_row(Ansattnr="3", Arbeidsforholdsnr="3-1", Stillingsprosent="120"),  # percent
        visma_row(Ansattnr="4", Arbeidsforholdsnr="4-1", Sluttdato="01.01.2010", Startdato="01.01.2012"),
        visma_row(Ansattnr="5", Arbeidsforholdsnr="5-1", Kommunenr="9999"),  # unknown municipality
        visma_row(Ansattnr="6", Arbeidsforholdsnr="6-1", Stillingskode="1234"),  # unknown code: loads
        visma_row(Ansattnr="7", Arbeidsforholdsnr="7-1", Stillingskode="71A4", Kjønn="X"),  # two columns
        visma_row(Ansattnr="8", Arbeidsforholdsnr="8-1", Ansettelsesform=""),  # missing required value
        visma_row(Ansattnr="9", Arbeidsforholdsnr="9-1", Fødselsår="19x0"),
        visma_row(Ansattnr="10", Arbeidsforholdsnr="10-1", Ledernivå="7"),
        visma_row(Ansattnr="11", Arbeidsforholdsnr="11-1", Stillingsprosent="100", Ledernivå=""),  # fine
    ]
    result = home.ingest_one(visma_file(home.files / "1857_blandet.csv", rows))
    assert result.outcome == "loaded"
    row = home.assert_reconciles(result)
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["rows_duplicate"]) == (
        11,
        3,
        8,
        0,
    )
    # a well-formed code in no list loads and is reported per delivery (issue 12)
    assert result.unknown_position_codes == {"1234": 1}
    assert (row["rows_unknown_code"], row["unknown_position_codes"]) == (1, '{"1234": 1}')
    quarantine = home.query(
        "select source_row_number, column_name, reason from audit.quarantine where delivery_sha256 = ? "
        "order by source_row_number, column_name",
        [result.sha256],
    )
    assert quarantine == [
        (2, "start_date", "Startdato: ugyldig dato"),
        (3, "fte_percent", "Stillingsprosent: utenfor 0–100 %"),
        (4, "end_date", "Sluttdato: før startdato"),
        (5, "municipality_code", "Kommunenr: ukjent kommunenummer"),
        (7, "gender", "Kjønn: ukjent kjønnskode"),
        (7, "position_code", "Stillingskode: ugyldig stillingskode (ikke fire sifre)"),
        (8, "employment_type", "Ansettelsesform: mangler verdi"),
        (9, "birth_year", "Fødselsår: ugyldig heltall"),
        (10, "manager_level", "Ledernivå: ugyldig ledernivå (må være 1–4)"),
    ]
    loaded = home.table("raw.hr_employments")
    assert [r["source_row_number"] for r in loaded] == [1, 6, 11]
    assert loaded[0]["fte_percent"] == 62.5 and loaded[2]["fte_percent"] == 100.0
    assert loaded[1]["position_code"] == "1234"
    # the quarantined row is kept whole, identifiers pseudonymised
    [(document,)] = home.query(
        "select distinct row_json from audit.quarantine where delivery_sha256 = ? and source_row_number = 7",
        [result.sha256],
    )
    data = json.loads(document)
    assert data["Kjønn"] == "X" and data["Stillingskode"] == "71A4"
    assert "Ansattnr" not in data and len(data["employee_key"]) == 64
    assert "Arbeidsforholdsnr" not in data and len(data["employment_key"]) == 64


def test_postings_and_backlog_cross_column_rules(home: Home):
    postings = write_text(
        home.files / "1856_utlysninger.csv",
        WEBCRUITER_HEADER,
        [
            webcruiter_row(),
            webcruiter_row(
                **{"Annonse-ID": "A-2", "Besatt dato": "15.01.2023", "Ansatt ansattnr": "78", "Kostnad": "0"}
            ),
            webcruiter_row(
                **{
                    "Annonse-ID": "A-3",
                    "Besatt dato": "",
                    "Status": "Åpen",
                    "Antall søkere": "-1",
                    "Kvalifiserte søkere": "",
                    "Ansatt ansattnr": "",
                    "Rekrutteringskilde": "",
                    "Kostnad": "",
                }
            ),
        ],
    )
    backlog = write_text(
        home.files / "1856_restanser.csv",
        ["kommunenr", "tjeneste", "måned", "åpne saker", "forfalte saker"],
        [["1856", "byggesak", "2023-05", "10", "3"], ["1856", "byggesak", "2023-06", "4", "9"]],
    )
    posting_result, backlog_result = home.ingest(postings, backlog)
    assert (posting_result.rows_loaded, posting_result.rows_quarantined) == (1, 2)
    assert (backlog_result.rows_loaded, backlog_result.rows_quarantined) == (1, 1)
    home.assert_reconciles(posting_result)
    home.assert_reconciles(backlog_result)
    reasons = home.query("select source_row_number, reason from audit.quarantine order by all")
    assert (2, "Besatt dato: besatt før publisert") in reasons
    assert (3, "Antall søkere: negativt antall") in reasons
    assert (2, "forfalte saker: flere forfalte enn åpne saker") in reasons


# --- exact duplicate rows -------------------------------------------------------------------------
def test_exact_duplicates_load_once_and_are_counted(home: Home):
    one, two = (
        visma_row(Ansattnr="1", Arbeidsforholdsnr="1-1"),
        visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1"),
    )
    result = home.ingest_one(visma_file(home.files / "1857.csv", [one, two, one, one]))
    row = home.assert_reconciles(result)
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["rows_duplicate"]) == (
        4,
        2,
        0,
        2,
    )
    assert [r["source_row_number"] for r in home.table("raw.hr_employments")] == [1, 2]


def test_same_id_with_different_content_is_quarantined_not_guessed(home: Home):
    first = visma_row(Ansattnr="1", Arbeidsforholdsnr="1-1", Stillingsprosent="50")
    second = visma_row(Ansattnr="1", Arbeidsforholdsnr="1-1", Stillingsprosent="80")
    result = home.ingest_one(visma_file(home.files / "1857.csv", [first, second, visma_row()]))
    row = home.assert_reconciles(result)
    assert (row["rows_loaded"], row["rows_quarantined"], row["rows_duplicate"]) == (1, 2, 0)
    assert home.query("select distinct column_name from audit.quarantine") == [("employment_id",)]


# --- same file delivered twice --------------------------------------------------------------------
def test_same_file_twice_is_recognised_by_hash_and_changes_nothing(home: Home):
    path = visma_file(
        home.files / "1857.csv", [visma_row(), visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1")]
    )
    first = home.ingest_one(path)
    before = home.table("raw.hr_employments")
    copy = home.files / "kopi_av_1857.csv"
    copy.write_bytes(path.read_bytes())
    second = home.ingest_one(copy)
    assert second.outcome == "already_loaded" and second.sha256 == first.sha256
    assert "1857.csv" in second.reason
    assert home.table("raw.hr_employments") == before
    assert home.query("select count(*), min(outcome) from audit.deliveries") == [(1, "loaded")]
    attempts = home.query("select outcome from audit.delivery_attempts order by attempted_at, outcome")
    assert sorted(a for (a,) in attempts) == ["already_loaded", "loaded"]
    home.assert_reconciles(first)


def test_a_rejected_file_may_be_delivered_again_with_the_missing_option(home: Home):
    header = [h for h in VISMA_HEADER if h != "Kommunenr"]
    rows = [[v for h, v in zip(VISMA_HEADER, visma_row(), strict=True) if h != "Kommunenr"]]
    path = write_text(home.files / "arbeidsforhold.csv", header, rows)
    assert home.ingest_one(path).outcome == "rejected"
    again = home.ingest_one(path, municipality="1857")
    assert again.outcome == "loaded" and again.municipality_code == "1857"
    assert home.query("select outcome from audit.deliveries") == [("loaded",)]
    assert home.query("select count(*) from audit.delivery_attempts") == [(2,)]
    home.assert_reconciles(again)


# --- a later extract --------------------------------------------------------------------------------
def test_later_extract_supersedes_earlier_rows_and_the_earlier_delivery_stays_archived(home: Home):
    early = visma_file(
        home.files / "1857_2022.csv",
        [
            visma_row(Ansattnr="1", Arbeidsforholdsnr="1-1", Stillingsprosent="50"),
            visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1"),
        ],
        title="Arbeidsforhold per 01.12.2022",
    )
    late = visma_file(
        home.files / "1857_2023.csv",
        [
            visma_row(
                Ansattnr="1",
                Arbeidsforholdsnr="1-1",
                Stillingsprosent="80",
                Sluttdato="31.10.2023",
                Sluttårsak="Egen oppsigelse",
            )
        ],
        title="Arbeidsforhold per 01.12.2023",
    )
    first, second = home.ingest(early, late)
    assert (first.rows_loaded, second.rows_loaded, second.rows_stale) == (2, 1, 0)
    rows = {r["employee_key"]: r for r in home.current("employments")}
    assert len(rows) == 2
    assert len(home.table("raw.hr_employments")) == 3  # append-only: the superseded version stays
    updated = [r for r in rows.values() if r["delivery_sha256"] == second.sha256]
    assert len(updated) == 1 and updated[0]["fte_percent"] == 80.0
    assert str(updated[0]["extraction_date"]) == "2023-12-01"
    assert updated[0]["termination_reason"] == "Egen oppsigelse"
    kept = [r for r in rows.values() if r["delivery_sha256"] == first.sha256]
    assert len(kept) == 1  # employee 2 is not in the later extract, so the earlier row stays
    for result in (first, second):
        assert (home.root / home.delivery(result.sha256)["archive_path"]).is_file()
        home.assert_reconciles(result)


@pytest.mark.parametrize("same_date", [False, True])
def test_older_extract_after_newer_counts_stale_rows(home: Home, same_date: bool):
    newer = visma_file(
        home.files / "ny.csv", [visma_row(Stillingsprosent="80")], title="Arbeidsforhold per 01.12.2023"
    )
    older = visma_file(
        home.files / "gammel.csv",
        [visma_row(Stillingsprosent="50")],
        title="Arbeidsforhold per 01.12.2023" if same_date else "Arbeidsforhold per 01.12.2022",
    )
    home.ingest(newer)
    result = home.ingest_one(older)
    row = home.assert_reconciles(result)
    [stored] = home.current("employments")
    assert len(home.table("raw.hr_employments")) == 2  # both versions are kept (append-only)
    if same_date:  # equal extraction date: the later ingestion wins
        assert (row["rows_loaded"], row["rows_stale"], stored["fte_percent"]) == (1, 0, 50.0)
    else:
        assert (row["rows_loaded"], row["rows_stale"], stored["fte_percent"]) == (1, 1, 80.0)
