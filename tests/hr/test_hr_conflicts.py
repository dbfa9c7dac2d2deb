"""Issue 12, points 4 and 6 at the ingestion seam: conflicting facts in one file are refused
(naming both sources), identical duplicates load with a note, and a declared history
(`period_start`, as an option or a column) is checked and kept in the ledger."""

from __future__ import annotations

from datetime import date

from hr_support import CANONICAL_EMPLOYMENTS, VISMA_HEADER, Home, visma_row, write_text


def _with_second_municipality(values: list[str]) -> tuple[list[str], list[list[object]]]:
    header = [*VISMA_HEADER, "Kommunenr"]
    rows = [[*visma_row(Ansattnr=str(i + 1), Arbeidsforholdsnr=f"{i + 1}-1"), v] for i, v in enumerate(values)]
    return header, rows


def _rejected(home: Home, result) -> dict:
    assert result.outcome == "rejected"
    row = home.delivery(result.sha256)
    assert row["outcome"] == "rejected" and row["rows_loaded"] == 0
    assert home.query("select count(*) from raw.hr_employments") == [(0,)]
    return row


def test_two_municipality_columns_that_disagree_reject_the_file_naming_both(home: Home):
    header, rows = _with_second_municipality(["1857", "1856", "1857"])
    result = home.ingest_one(write_text(home.files / "arbeidsforhold_2023-12-15.csv", header, rows))
    reason = _rejected(home, result)["reason"]
    assert "«Kommunenr»" in reason and "«Kommunenr (2)»" in reason
    assert "1857 mot 1856" in reason and "rad 2" in reason


def test_identical_duplicate_columns_load_and_say_which_was_read(home: Home):
    header, rows = _with_second_municipality(["1857", "1857"])
    result = home.ingest_one(write_text(home.files / "arbeidsforhold_2023-12-15.csv", header, rows))
    assert result.outcome == "loaded" and result.rows_loaded == 2
    assert "leste «Kommunenr»" in home.assert_reconciles(result)["reason"]


def test_municipality_column_that_disagrees_with_the_file_name_is_refused(home: Home):
    rows = [visma_row(Ansattnr="1", Kommunenr="1857")]
    result = home.ingest_one(write_text(home.files / "1856_arbeidsforhold_2023-12-15.csv", VISMA_HEADER, rows))
    reason = _rejected(home, result)["reason"]
    assert "«Kommunenr» (1857)" in reason and "filnavnet" in reason and "(1856)" in reason


def _canonical_file(home: Home, name: str, extra: dict[str, str] | None = None) -> object:
    header = [*CANONICAL_EMPLOYMENTS, *(extra or {})]
    base = ["1857", "100", "100-1", "1980", "F", "7174", "Sykepleier", "80", "permanent", "2012-03-01", "", "Sykehjem"]
    return write_text(home.files / name, header, [[*base, *(extra or {}).values()]])


def test_period_start_from_the_option_or_the_column_reaches_the_ledger(home: Home):
    flagged = home.ingest_one(
        _canonical_file(home, "1857_arbeidsforhold_2020-12-15.csv"), period_start=date(2015, 1, 1)
    )
    column = home.ingest_one(
        _canonical_file(home, "1857_arbeidsforhold_2021-12-15.csv", {"periode fra": "2016-01-01"})
    )
    assert [flagged.outcome, column.outcome] == ["loaded", "loaded"]
    assert home.delivery(flagged.sha256)["period_start"] == date(2015, 1, 1)
    assert home.delivery(column.sha256)["period_start"] == date(2016, 1, 1)
    assert "historikk fra 01.01.2016 (kolonnen «periode fra»)" in home.delivery(column.sha256)["reason"]


def test_period_start_that_disagrees_with_the_column_or_follows_the_extraction_is_refused(home: Home):
    disagrees = home.ingest_one(
        _canonical_file(home, "1857_arbeidsforhold_2020-12-15.csv", {"period_start": "2016-01-01"}),
        period_start=date(2015, 1, 1),
    )
    assert "--period-start 2015-01-01" in _rejected(home, disagrees)["reason"]
    too_late = home.ingest_one(
        _canonical_file(home, "1857_arbeidsforhold_2019-12-15.csv"), period_start=date(2020, 1, 1)
    )
    assert "ikke før uttrekksdatoen" in _rejected(home, too_late)["reason"]
