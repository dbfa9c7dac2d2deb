"""Every file convention the contract lists is read correctly: each test loads a file in
one convention and asserts a value that only survives if the reading was right."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from hr_support import (
    CANONICAL_EMPLOYMENTS,
    VISMA_HEADER,
    WEBCRUITER_HEADER,
    Home,
    visma_file,
    visma_row,
    webcruiter_row,
    write_text,
)


def _only_row(home: Home, table: str = "raw.hr_employments") -> dict:
    rows = home.table(table)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("cp1252", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-8", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
    ids=["windows-1252", "utf-8-bom", "utf-8", "utf-16-le", "utf-16-be"],
)
def test_encodings_keep_norwegian_letters(home: Home, encoding: str, bom: bytes):
    path = visma_file(
        home.files / "1857.csv",
        [visma_row(Tjenestested="Værøy sykehjem – Ålesundvegen", Sektor="Helse og omsorg")],
        encoding=encoding,
        newline="\r\n",
    )
    path.write_bytes(bom + path.read_bytes())
    result = home.ingest_one(path)
    assert result.outcome == "loaded", result.reason
    row = _only_row(home)
    assert row["unit"] == "Værøy sykehjem – Ålesundvegen"
    assert row["fte_percent"] == 62.5


def test_utf16_without_bom_is_recognised(home: Home):
    path = visma_file(
        home.files / "1857.txt", [visma_row(Tjenestested="Tromsø")], encoding="utf-16-le", title=None
    )
    assert home.ingest_one(path).outcome == "loaded"
    assert _only_row(home)["unit"] == "Tromsø"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"], ids=["semicolon", "comma", "tab", "pipe"])
def test_each_delimiter_is_sniffed(home: Home, delimiter: str):
    row = visma_row(Stillingsprosent="62,5", Tjenestested="Skole, avd. 1; bygg A")
    result = home.ingest_one(visma_file(home.files / "1857.csv", [row], delimiter=delimiter))
    assert result.outcome == "loaded", result.reason
    stored = _only_row(home)
    assert stored["fte_percent"] == 62.5
    assert stored["unit"] == "Skole, avd. 1; bygg A"


def test_title_lines_above_the_header_are_skipped_and_give_the_extraction_date(home: Home):
    path = write_text(
        home.files / "1857.csv",
        VISMA_HEADER,
        [visma_row()],
        title=["Værøy kommune", "Arbeidsforhold per 15.12.2023", "", "Utskrevet av: lønn"],
    )
    result = home.ingest_one(path)
    assert result.outcome == "loaded" and str(result.extraction_date) == "2023-12-15"
    assert "tittellinjen" in result.reason


def test_extraction_date_from_file_name_then_from_content(home: Home):
    named = visma_file(home.files / "1857_arbeidsforhold_2023-12-01.csv", [visma_row()], title=None)
    [by_name] = home.ingest(named)
    assert str(by_name.extraction_date) == "2023-12-01" and "filnavnet" in by_name.reason
    content = visma_file(
        home.files / "1857_uten_dato.csv",
        [
            visma_row(Ansattnr="5", Startdato="01.03.2021"),
            visma_row(Ansattnr="6", Startdato="01.02.2019", Sluttdato="30.06.2022"),
        ],
        title=None,
    )
    [by_content] = home.ingest(content)
    assert str(by_content.extraction_date) == "2022-06-30" and "seneste dato" in by_content.reason
    explicit = visma_file(home.files / "1857_b.csv", [visma_row(Ansattnr="7")], title=None)
    [given] = home.ingest(explicit, extraction_date=dt.date(2024, 1, 31))
    assert str(given.extraction_date) == "2024-01-31" and given.reason is None


def test_decimal_comma_thousands_separators_and_cost_formats(home: Home):
    costs = ["12 500,00", "12\u00a0500,00", "1.234,50", "62,5", "1 234 567", "kr 900"]
    rows = [
        webcruiter_row(
            **{
                "Annonse-ID": f"A-{index}",
                "Stillingskode": "9451",
                "Stillingstittel": "Virksomhetsleder",
                "Stillingsprosent": "62,5" if index % 2 else "100",
                "Antall søkere": "12",
                "Kvalifiserte søkere": "5",
                "Rekrutteringskilde": "Annen kommune",
                "Kostnad": cost,
            }
        )
        for index, cost in enumerate(costs)
    ]
    result = home.ingest_one(write_text(home.files / "1856_webcruiter.csv", WEBCRUITER_HEADER, rows))
    assert result.outcome == "loaded" and result.profile == "webcruiter" and result.rows_loaded == 6
    stored = {r["posting_id"]: r for r in home.table("raw.hr_postings")}
    assert [stored[f"A-{i}"]["cost_nok"] for i in range(6)] == [
        12500.0,
        12500.0,
        1234.5,
        62.5,
        1234567.0,
        900.0,
    ]
    assert stored["A-1"]["fte_percent"] == 62.5
    assert stored["A-0"]["manager_level"] == 3  # derived from position code 9451
    assert stored["A-0"]["hire_source"] == "other_municipality" and stored["A-0"]["status"] == "filled"
    assert stored["A-0"]["hired_employee_key"] and len(stored["A-0"]["hired_employee_key"]) == 64


def test_norwegian_short_and_iso_dates_and_open_end_sentinels(home: Home):
    rows = [
        visma_row(Ansattnr="1", Arbeidsforholdsnr="1", Startdato="1.8.2015", Sluttdato="31.12.9999"),
        visma_row(
            Ansattnr="2", Arbeidsforholdsnr="2", Fødselsår="1960", Startdato="01.08.85", Sluttdato="15.06.23"
        ),
        visma_row(Ansattnr="3", Arbeidsforholdsnr="3", Startdato="2015-08-01", Sluttdato=""),
    ]
    result = home.ingest_one(visma_file(home.files / "1857.csv", rows))
    assert result.rows_loaded == 3, result
    stored = {r["source_row_number"]: r for r in home.table("raw.hr_employments")}
    assert stored[1]["start_date"] == dt.date(2015, 8, 1) and stored[1]["end_date"] is None
    assert stored[2]["start_date"] == dt.date(1985, 8, 1) and stored[2]["end_date"] == dt.date(2023, 6, 15)
    assert stored[3]["start_date"] == dt.date(2015, 8, 1)


def test_trailing_empty_columns_empty_lines_and_quoted_newlines(home: Home):
    text = (
        "Arbeidsforhold per 15.12.2023;;;\r\n;;;\r\n"
        + ";".join(VISMA_HEADER)
        + ";;;\r\n"
        + ";".join(visma_row(Ansattnr="1", Arbeidsforholdsnr="1"))
        + ";;;\r\n"
        + "\r\n;;;;\r\n"
        + ";".join(
            visma_row(Ansattnr="2", Arbeidsforholdsnr="2", Tjenestested='"Sykehjem\r\nandre etasje; vest"')
        )
        + ";;;\r\n"
    )
    path = home.files / "1857.csv"
    path.write_bytes(text.encode("cp1252"))
    result = home.ingest_one(path)
    assert (result.outcome, result.rows_read, result.rows_loaded) == ("loaded", 2, 2), result
    stored = {r["source_row_number"]: r for r in home.table("raw.hr_employments")}
    assert stored[4]["unit"] == "Sykehjem\r\nandre etasje; vest"


def test_rows_with_more_fields_than_the_header_are_quarantined(home: Home):
    path = home.files / "1857.csv"
    text = (
        ";".join(VISMA_HEADER)
        + "\n"
        + ";".join(visma_row())
        + ";overflødig\n"
        + ";".join(visma_row(Ansattnr="2"))
        + "\n"
    )
    path.write_text(text, encoding="utf-8")
    result = home.ingest_one(path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert home.query("select column_name, reason from audit.quarantine") == [
        ("__extra", "raden har flere felt enn overskriften")
    ]


def test_canonical_profile_with_english_names_and_iso_dates(home: Home):
    rows = [
        [
            "1804",
            "E1",
            "",
            "1990",
            "F",
            "7174",
            "Sykepleier",
            "87.5",
            "temporary",
            "2023-01-01",
            "",
            "Bodø sykehus",
        ]
    ]
    result = home.ingest_one(write_text(home.files / "bodo.csv", CANONICAL_EMPLOYMENTS, rows))
    assert (result.outcome, result.profile, result.municipality_code) == ("loaded", "canonical", "1804")
    row = _only_row(home)
    assert (row["fte_percent"], row["employment_type"], row["gender"]) == (87.5, "temporary", "F")


def test_municipality_from_file_name_and_option(home: Home):
    header = [h for h in VISMA_HEADER if h != "Kommunenr"]
    row = [v for h, v in zip(VISMA_HEADER, visma_row(), strict=True) if h != "Kommunenr"]
    named = write_text(home.files / "rost_1856_2023.csv", header, [row])
    result = home.ingest_one(named)
    assert result.municipality_code == "1856" and "filnavnet" in result.reason
    optioned = write_text(home.files / "varoy.csv", header, [[*row[:-1], "Master"]])
    assert home.ingest_one(optioned, municipality="1857").municipality_code == "1857"


def test_sap_profile(home: Home):
    header = [
        "PERNR",
        "BUKRS",
        "ARBFORH",
        "GBJHR",
        "GESCH",
        "STELL",
        "STLTX",
        "BSGRD",
        "PERSG",
        "BEGDA",
        "ENDDA",
        "MASSG",
        "ORGEH",
        "PERSK",
        "KOSTRA",
        "MGMT_LVL",
        "EDU_LVL",
    ]
    rows = [
        [
            "00012345",
            "1804",
            "00012345-01",
            "1971",
            "2",
            "9440",
            "Kommunalsjef",
            "100.00",
            "1",
            "01.02.2012",
            "31.12.9999",
            "",
            "Oppvekst",
            "Oppvekst",
            "202",
            "",
            "Master",
        ],
        [
            "00012346",
            "1804",
            "00012346-01",
            "1999",
            "1",
            "7076",
            "Helsefagarbeider",
            "75.50",
            "5",
            "15.08.2018",
            "14.08.2020",
            "Læretid ferdig",
            "Bodø sykehjem",
            "Helse",
            "253",
            "",
            "Fagbrev",
        ],
    ]
    result = home.ingest_one(write_text(home.files / "sap.csv", header, rows, delimiter=","))
    assert (result.outcome, result.profile, result.rows_loaded) == ("loaded", "sap", 2), result
    stored = {r["source_row_number"]: r for r in home.table("raw.hr_employments")}
    assert (stored[1]["gender"], stored[1]["manager_level"], stored[1]["end_date"]) == ("F", 2, None)
    assert (stored[2]["employment_type"], stored[2]["fte_percent"], stored[2]["gender"]) == (
        "apprentice",
        75.5,
        "M",
    )


def _unit4_workbook(path, rows) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Ansatte")
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write(0, 0, "Arbeidsforhold Værøy kommune 01.12.2023")
    header = [
        "Kommune",
        "Ressursnr",
        "Fnr",
        "Arbeidsforhold",
        "Fødselsår",
        "Kjønn",
        "Stillingskode",
        "Stilling",
        "Stillingsprosent",
        "Ansettelsesform",
        "Fra dato",
        "Til dato",
        "Sluttårsak",
        "Ansvar",
        "Tjenesteområde",
        "Funksjon",
        "Ledernivå",
        "Utdanning",
    ]
    for col, name in enumerate(header):
        sheet.write(2, col, name)
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            elif value is not None:
                sheet.write_string(r, col, value)
    book.close()


def test_unit4_xlsx_with_title_row_real_dates_serials_and_hundredths(home: Home):
    path = home.files / "unit4_eksport.xlsx"
    _unit4_workbook(
        path,
        [
            [
                1857,
                501,
                None,
                "501-1",
                1984,
                "Kvinne",
                7174,
                "Sykepleier",
                6250,
                "Fast",
                dt.date(2016, 3, 1),
                None,
                None,
                "Værøy sykehjem",
                "Helse og omsorg",
                253,
                None,
                "Høgskole",
            ],
            [
                1857,
                502,
                None,
                "502-1",
                1990,
                "Mann",
                7076,
                "Helsefagarbeider",
                10000,
                "Vikar",
                45275,
                45400.0,
                "Vikariat utløpt",
                "Hjemmetjenesten",
                "Helse og omsorg",
                254,
                None,
                "Fagbrev",
            ],
        ],
    )
    result = home.ingest_one(path)
    assert (result.outcome, result.profile, result.rows_loaded) == ("loaded", "unit4", 2), result
    assert str(result.extraction_date) == "2023-12-01"
    stored = {r["source_row_number"]: r for r in home.table("raw.hr_employments")}
    assert (stored[1]["fte_percent"], stored[1]["start_date"], stored[1]["unit"]) == (
        62.5,
        dt.date(2016, 3, 1),
        "Værøy sykehjem",
    )
    assert (stored[2]["start_date"], stored[2]["end_date"]) == (dt.date(2023, 12, 15), dt.date(2024, 4, 18))
    assert (stored[2]["fte_percent"], stored[2]["gender"], stored[2]["employment_type"]) == (
        100.0,
        "M",
        "substitute",
    )
    # the archive keeps what was read (a CSV of the contract columns), never the workbook itself
    archived = home.root / home.delivery(result.sha256)["archive_path"]
    assert archived.name == "unit4_eksport.redacted.csv" and not archived.read_bytes().startswith(b"PK")


def test_profile_detection_is_reported_and_forcing_a_wrong_profile_fails_clearly(home: Home):
    path = visma_file(home.files / "1857.csv", [visma_row()])
    result = home.ingest_one(path, profile="sap")
    assert result.outcome == "rejected" and "fant ingen kjent kolonneoverskrift" in result.reason
    assert home.ingest_one(path, kind="employments").profile == "visma"
