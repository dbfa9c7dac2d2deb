"""The data files: one published table in five formats, each readable by its audience."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines.release.exporters import SHEET_HEADERS
from tests.release.fixtures import indicator_rows

KEY = ("indicator_id", "area_code", "year", "breakdown", "breakdown_value")


@pytest.fixture(scope="module")
def source() -> dict[tuple, dict]:
    return {tuple(row[k] for k in KEY): row for row in indicator_rows()}


@pytest.fixture(scope="module")
def published(release_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(release_dir / "indicators.parquet")


def _row(frame: pl.DataFrame, indicator: str, area: str, year: int, breakdown="total", value="total") -> dict:
    rows = frame.filter(
        (pl.col("indicator_id") == indicator) & (pl.col("area_code") == area) & (pl.col("year") == year)
        & (pl.col("breakdown") == breakdown) & (pl.col("breakdown_value") == value)
    ).to_dicts()
    assert len(rows) == 1, (indicator, area, year, breakdown, value)
    return rows[0]


def test_parquet_hides_suppressed_figures_as_null_with_symbol(published: pl.DataFrame, source):
    hidden = published.filter(pl.col("suppressed"))
    assert hidden.height > 0
    assert hidden["value"].null_count() == hidden["numerator"].null_count() == hidden.height
    assert hidden["denominator"].null_count() == hidden.height
    assert set(hidden["symbol"].unique()) == {":"}
    assert set(hidden["suppression_reason"].unique()) == {"primary", "secondary"}
    shown = published.filter(~pl.col("suppressed"))
    assert shown["suppression_reason"].null_count() == shown.height
    # Røst's key-position turnover in 2022 rests on one person: primary.
    rost = _row(published, "key_turnover", "1856", 2022)
    assert source[("key_turnover", "1856", 2022, "total", "total")]["denominator"] == 1.0
    assert (rost["suppressed"], rost["suppression_reason"], rost["value"]) == (True, "primary", None)
    # Bodø's full-time share is published, rounded to four decimals, with its persons.
    bodo = _row(published, "fulltime_share", "1804", 2024)
    expected = source[("fulltime_share", "1804", 2024, "total", "total")]
    assert bodo["value"] == round(expected["value"], 4)
    assert (bodo["numerator"], bodo["denominator"]) == (expected["numerator"], expected["denominator"])
    assert bodo["area_name"] == "Bodø" and bodo["indicator_name"] == "Heltidsandel"


def test_workbook_sheets_headers_values_and_symbols(release_dir: Path, published: pl.DataFrame, source):
    workbook = openpyxl.load_workbook(release_dir / "indicators.xlsx")
    assert workbook.sheetnames == [
        "Heltid", "Turnover og stabilitet", "Nøkkelstillinger", "Rekruttering", "Mangfold og alder",
        "Fellesfunksjoner", "Mål", "Definisjoner", "Metadata",
    ]
    sheet = workbook["Heltid"]
    assert [cell.value for cell in sheet[1]] == [title for title, _ in SHEET_HEADERS]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=False))
    salten = next(
        r for r in rows
        if r[1].value == "fulltime_share" and r[3].value == "salten" and r[5].value == 2024 and r[6].value == "Totalt"
    )
    expected = source[("fulltime_share", "salten", 2024, "total", "total")]
    assert salten[4].value == "Salten" and salten[2].value == "Region"
    assert salten[8].value == pytest.approx(round(expected["value"], 4))
    assert isinstance(salten[8].value, float) and salten[8].number_format == "0.0%"
    assert salten[10].value == expected["numerator"] and salten[11].value == expected["denominator"]

    key_sheet = workbook["Nøkkelstillinger"]
    rost = next(
        r for r in key_sheet.iter_rows(min_row=2, values_only=True)
        if r[1] == "key_turnover" and r[3] == "1856" and r[5] == 2022
    )
    assert rost[8] == ":" and rost[10] == ":" and rost[11] == ":" and rost[12] == "primær"

    # every suppressed cell of the table is ':' in the workbook, never 0 or empty
    n_hidden = 0
    for name in workbook.sheetnames[:6]:
        for r in workbook[name].iter_rows(min_row=2, values_only=True):
            if r[12]:
                n_hidden += 1
                assert r[8] == r[10] == r[11] == ":"
    assert n_hidden == published.filter(pl.col("suppressed")).height

    definitions = workbook["Definisjoner"]
    assert [c.value for c in definitions[1]] == ["Indikator-ID", "Navn", "Definisjon", "Enhet", "Familie", "Kilde"]
    assert definitions.max_row - 1 == 15
    metadata = {r[0]: r[1] for r in workbook["Metadata"].iter_rows(min_row=2, values_only=True)}
    assert metadata["ADVARSEL"].startswith("Demotall – ikke SSBs tall")
    assert "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0" in metadata["Kilde"]
    assert "07459" in metadata["SSB-tabeller"] and "færre enn 5 personer" in metadata["Prikking"]
    goals = list(workbook["Mål"].iter_rows(min_row=2, values_only=True))
    rost_goal = next(g for g in goals if g[2] == "Røst")
    assert ":" in (rost_goal[4], rost_goal[6])


def test_norwegian_csv_has_bom_semicolons_decimal_comma_and_symbols(release_dir: Path, published: pl.DataFrame):
    raw = (release_dir / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == published.height
    bodo = next(r for r in rows if r["indicator_id"] == "fulltime_share" and r["area_code"] == "1804"
                and r["year"] == "2024" and r["breakdown"] == "total")
    expected = _row(published, "fulltime_share", "1804", 2024)
    assert bodo["value"] == f"{expected['value']}".replace(".", ",")
    assert "," in bodo["value"] and "." not in bodo["value"]
    assert bodo["area_name"] == "Bodø"
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden and all(r["value"] == r["numerator"] == r["denominator"] == ":" for r in hidden)

    comma = (release_dir / "indicators_comma.csv").read_text(encoding="utf-8")
    assert not comma.startswith("\ufeff")
    comma_rows = list(csv.DictReader(io.StringIO(comma)))
    assert [r["value"] for r in comma_rows] == [r["value"].replace(",", ".") for r in rows]


def test_json_carries_metadata_definitions_goals_and_figures(release_dir: Path, published: pl.DataFrame):
    document = json.loads((release_dir / "indicators.json").read_text(encoding="utf-8"))
    assert len(document["figures"]) == published.height
    assert document["metadata"]["demo_figures"] is True
    assert document["metadata"]["credit"] == "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0"
    assert {d["indicator_id"] for d in document["definitions"]} >= {"fulltime_share", "turnover"}
    hidden = [f for f in document["figures"] if f["suppressed"]]
    assert all(f["value"] is None and f["symbol"] == ":" for f in hidden)
    goals = {g["goal_id"]: g for g in document["goals"]}
    assert goals["salten_heltid"]["latest_value"] is not None and goals["salten_heltid"]["on_track"] is not None
    rost = goals["rost_nokkel"]
    assert rost["latest_symbol"] == ":" or rost["baseline_symbol"] == ":"
    assert rost["on_track"] is None
    # A relative target ("−50 %") would reveal its baseline: hidden with it.
    cost = goals["lofoten_kostnad"]
    if cost["baseline_symbol"] == ":":
        assert cost["target_value"] is None and cost["target_symbol"] == ":"


def test_every_format_hides_the_same_cells(release_dir: Path, published: pl.DataFrame):
    parquet = {tuple(r[k] for k in KEY) for r in published.filter(pl.col("suppressed")).to_dicts()}
    document = json.loads((release_dir / "indicators.json").read_text(encoding="utf-8"))
    from_json = {tuple(f[k] for k in KEY) for f in document["figures"] if f["suppressed"]}
    text = (release_dir / "indicators_comma.csv").read_text(encoding="utf-8")
    from_csv = {
        (r["indicator_id"], r["area_code"], int(r["year"]), r["breakdown"], r["breakdown_value"] or None)
        for r in csv.DictReader(io.StringIO(text)) if r["suppressed"] == "true"
    }
    assert parquet == from_json == from_csv
