"""The data files: one published table in five formats, each readable by its audience,
made from a real build of the demo (plus a delivery whose service names are formulas)."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.release.errors import ReleaseError
from pipelines.release.exporters import (
    FORMULA_TRIGGERS,
    SHEET_HEADERS,
    neutralise,
    plain_number,
    write_csvs,
    write_json,
    write_xlsx,
)
from pipelines.release.inputs import load_inputs
from tests.release.conftest import HOSTILE_SERVICES, query

KEY = ("indicator_id", "area_code", "year", "breakdown", "breakdown_value")


@pytest.fixture(scope="module")
def published(release_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(release_dir / "indicators.parquet")


@pytest.fixture(scope="module")
def workbook(release_dir: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(release_dir / "indicators.xlsx")


def _row(frame: pl.DataFrame, indicator: str, area: str, year: int, breakdown="total", value="total") -> dict:
    rows = frame.filter(
        (pl.col("indicator_id") == indicator) & (pl.col("area_code") == area) & (pl.col("year") == year)
        & (pl.col("breakdown") == breakdown) & (pl.col("breakdown_value") == value)
    ).to_dicts()
    assert len(rows) == 1, (indicator, area, year, breakdown, value)
    return rows[0]


def test_parquet_hides_suppressed_figures_and_names_every_figure(published: pl.DataFrame, warehouse: Path):
    hidden = published.filter(pl.col("suppressed"))
    assert hidden.height > 0
    for column in ("value", "numerator", "denominator", "persons"):
        assert hidden[column].null_count() == hidden.height
    assert set(hidden["symbol"].unique()) == {":"}
    assert set(hidden["suppression_reason"].unique()) <= {"primary", "secondary"}
    shown = published.filter(~pl.col("suppressed"))
    assert shown["suppression_reason"].null_count() == shown.height
    # Salten's full-time share is published as the mart has it, rounded, with its name and family.
    [(year, value, numerator, denominator, with_data)] = query(
        warehouse,
        "select year, value, numerator, denominator, municipalities_with_data from marts.fct_indicators "
        "where indicator_id = 'fulltime_share' and area_code = 'salten' and breakdown = 'total' "
        "order by year desc limit 1",
    )
    salten = _row(published, "fulltime_share", "salten", year)
    assert salten["value"] == round(value, 4)
    assert (salten["numerator"], salten["denominator"]) == (numerator, denominator)
    assert (salten["indicator_name"], salten["family"], salten["family_name"]) == ("Heltidsandel", "fulltime", "Heltid")
    assert (salten["area_name"], salten["unit_name"]) == ("Salten", "andel")
    assert (salten["municipalities_with_data"], salten["municipalities_in_area"]) == (with_data, 10)
    # Every figure carries its Norwegian name and labels, never a code in their place.
    assert published.filter(pl.col("indicator_name") == pl.col("indicator_id")).height == 0
    for column in ("indicator_name", "family_name", "area_name", "breakdown_name", "breakdown_value_name", "unit_name"):
        assert published[column].null_count() == 0 and (published[column] == "").sum() == 0, column
    ages = set(published.filter(pl.col("breakdown") == "age_band")["breakdown_value_name"].unique().to_list())
    assert "62 år og eldre" in ages and not any("_" in age for age in ages)
    bases = set(published.filter(pl.col("basis").is_not_null())["basis_name"].unique().to_list())
    labels = {label for (label,) in query(warehouse, "select label_nb from marts.dim_label where kind = 'basis'")}
    assert bases and bases <= labels  # the marts' own words (marts.dim_label)


def test_workbook_has_a_sheet_per_family_with_names_values_and_symbols(
    workbook: openpyxl.Workbook, published: pl.DataFrame, warehouse: Path
):
    present = set(published["family"].to_list())
    topics = query(warehouse, "select code, label_nb from marts.dim_label where kind = 'topic' order by sort_order")
    families = [label for code, label in topics if code in present]
    plans = [name for name in workbook.sheetnames if name.startswith("Kompetanseplan")]  # issue 17
    assert workbook.sheetnames == [*families, *plans, "Mål", "Definisjoner", "Metadata"]
    assert "Andre" not in workbook.sheetnames
    sheet = workbook["Heltid"]
    assert [cell.value for cell in sheet[1]] == [title for title, _ in SHEET_HEADERS]
    assert sheet.freeze_panes == "B2"
    year = published.filter(pl.col("indicator_id") == "fulltime_share")["year"].max()
    expected = _row(published, "fulltime_share", "salten", year)
    salten = next(
        r for r in sheet.iter_rows(min_row=2)
        if r[14].value == "fulltime_share" and r[15].value == "salten" and r[3].value == year and r[4].value == "Totalt"
    )
    assert (salten[0].value, salten[1].value, salten[2].value) == ("Heltidsandel", "Salten", "Region")
    assert salten[6].value == pytest.approx(expected["value"]) and salten[6].number_format == "0.0%"
    assert salten[7].value == "andel"
    assert salten[9].value == expected["numerator"] and salten[10].value == expected["denominator"]
    assert salten[8].value == expected["persons"] and expected["persons"] > 0  # "Personer" beside the figure
    assert salten[11].value in (None, f"{expected['municipalities_with_data']} av 10")

    n_hidden = 0
    for name in families:
        for r in workbook[name].iter_rows(min_row=2, values_only=True):
            assert r[0] and not str(r[0]).startswith(("nan", "None"))
            if r[13]:
                n_hidden += 1
                assert r[6] == r[8] == r[9] == r[10] == ":"
    assert n_hidden == published.filter(pl.col("suppressed")).height


def test_workbook_definitions_goals_and_metadata_are_filled(workbook: openpyxl.Workbook, warehouse: Path):
    definitions = list(workbook["Definisjoner"].iter_rows(min_row=2, values_only=True))
    [(n_catalogue,)] = query(warehouse, "select count(*) from marts.dim_indicator")
    assert len(definitions) == n_catalogue
    for name, family, definition, unit, source, indicator_id in definitions:
        assert name and family and definition and unit and source and indicator_id, indicator_id
        assert name != indicator_id and ".md" not in source and "§" not in source

    goals = {r[0]: r for r in workbook["Mål"].iter_rows(min_row=2, values_only=True)}
    cost = goals["Halvere kostnaden per rekruttering til nøkkelstillinger"]
    assert cost[1] == "Ytre Lofoten" and cost[2] == "Kostnad per rekruttering, nøkkelstillinger"
    assert cost[9] == "uten målår" and "uten målår" in cost[10]
    statuses = {r[11] for r in goals.values()}
    assert statuses <= {"nådd", "på sporet", "ikke på sporet", "kan ikke vurderes"}
    assert statuses - {"kan ikke vurderes"}, "no goal could be judged"
    for row in goals.values():
        assert row[12], row  # every status says why
        assert ".md" not in row[3] and "§" not in row[3]

    metadata = {r[0]: r[1] for r in workbook["Metadata"].iter_rows(min_row=2, values_only=True)}
    assert metadata["ADVARSEL"].startswith("Demotall – ikke SSBs tall")
    assert "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0" in metadata["Kilde"]
    assert "07459" in metadata["SSB-tabeller"] and "2 personer" in metadata["Slik leser du tallene"]


def test_norwegian_csv_has_bom_semicolons_decimal_comma_and_symbols(release_dir: Path, published: pl.DataFrame):
    raw = (release_dir / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == published.height
    year = published.filter(pl.col("indicator_id") == "fulltime_share")["year"].max()
    salten = next(r for r in rows if r["indicator_id"] == "fulltime_share" and r["area_code"] == "salten"
                  and r["year"] == str(year) and r["breakdown"] == "total")
    expected = _row(published, "fulltime_share", "salten", year)
    assert salten["value"] == f"{expected['value']}".replace(".", ",")
    assert "," in salten["value"] and "." not in salten["value"]
    assert salten["indicator_name"] == "Heltidsandel" and salten["unit_name"] == "andel"
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden and all(r["value"] == r["numerator"] == r["denominator"] == ":" for r in hidden)
    assert not any(v in ("nan", "None") for r in rows for v in r.values())

    comma = (release_dir / "indicators_comma.csv").read_text(encoding="utf-8")
    assert not comma.startswith("\ufeff")
    comma_rows = list(csv.DictReader(io.StringIO(comma)))
    assert [r["value"] for r in comma_rows] == [r["value"].replace(",", ".") for r in rows]


def test_formulas_from_a_delivery_are_neutralised_in_csv_and_xlsx(release_dir: Path, workbook: openpyxl.Workbook):
    """Røst delivered services named `=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`: they reach
    the files (as the county must see what was delivered) but as text that cannot run."""
    wanted = {service.lower() for service in HOSTILE_SERVICES}
    for name, delimiter in (("indicators.csv", ";"), ("indicators_comma.csv", ",")):
        text = (release_dir / name).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        services = {r["breakdown_value"] for r in rows if r["breakdown"] == "service"}
        assert {"'" + service for service in wanted} <= services, name
        for row in rows:
            for column, value in row.items():
                if column in ("numerator", "denominator", "value", "persons") and value not in ("", ":"):
                    float(value.replace(",", "."))  # a number, possibly negative, never quoted
                else:
                    assert not value.startswith(FORMULA_TRIGGERS), (name, column, value)
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert {"'" + service for service in wanted} <= seen


def test_negative_numbers_stay_numbers_while_text_is_neutralised(
    published: pl.DataFrame, tmp_path: Path, warehouse: Path
):
    frame = published.head(3).with_columns(
        pl.Series("value", [-0.25, 1.5, -3.0]),
        pl.Series("suppressed", [False, False, False]),
        pl.Series("area_name", ["=1+1", "-Røst", "@A1"]),
    )
    write_csvs(frame, semicolon=tmp_path / "t.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r["value"] for r in rows] == ["-0,25", "1,5", "-3"]
    assert [r["area_name"] for r in rows] == ["'=1+1", "'-Røst", "'@A1"]
    write_xlsx(
        frame, tmp_path / "t.xlsx", metadata_rows=[], definitions=[], goals=[], created=datetime(2025, 1, 1),
        labels=load_inputs(warehouse).labels,
    )
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [r[6] for r in sheet.iter_rows(min_row=2, values_only=True)] == [-0.25, 1.5, -3.0]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["'=1+1", "'-Røst", "'@A1"]
    assert neutralise("\t=1") == "'\t=1" and neutralise("Bodø") == "Bodø"


def test_json_is_compact_with_metadata_definitions_labels_and_goals_once(
    release_dir: Path, published: pl.DataFrame
):
    path = release_dir / "indicators.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    figures = document["figures"]
    assert len(figures["rows"]) == published.height
    assert path.stat().st_size < 250 * published.height  # no key names or most labels repeated per row (was ~400)
    columns = figures["columns"]
    rows = [dict(zip(columns, row, strict=True)) for row in figures["rows"]]
    assert document["metadata"]["demo_figures"] is True
    assert document["metadata"]["credit"] == "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0"
    assert document["labels"]["indicator_id"]["fulltime_share"] == "Heltidsandel"
    assert document["labels"]["area_code"]["salten"] == "Salten"
    assert {d["indicator_id"] for d in document["definitions"]} >= {"fulltime_share", "turnover"}
    hidden = [f for f in rows if f["suppressed"]]
    assert hidden and all(f["value"] is None and f["symbol"] == ":" for f in hidden)
    goals = {g["goal_id"]: g for g in document["goals"]}
    cost = goals["outer_lofoten_key_cost"]
    assert cost["goal_text"] == "Halvere kostnaden per rekruttering til nøkkelstillinger"
    assert cost["status_nb"] in {"nådd", "på sporet", "ikke på sporet", "kan ikke vurderes"} and cost["status_reason"]
    # A relative target ("−50 %") would reveal its baseline: hidden with it.
    for goal in goals.values():
        if goal["baseline_symbol"] == ":" and not goal["direction_only"]:
            assert goal["target_value"] is None and goal["target_symbol"] == ":"


def test_every_format_hides_the_same_cells(release_dir: Path, published: pl.DataFrame):
    parquet = {tuple(r[k] for k in KEY) for r in published.filter(pl.col("suppressed")).to_dicts()}
    document = json.loads((release_dir / "indicators.json").read_text(encoding="utf-8"))
    columns = document["figures"]["columns"]
    from_json = {
        tuple(f[k] for k in KEY)
        for f in (dict(zip(columns, row, strict=True)) for row in document["figures"]["rows"])
        if f["suppressed"]
    }
    text = (release_dir / "indicators_comma.csv").read_text(encoding="utf-8")
    from_csv = {
        (r["indicator_id"], r["area_code"], int(r["year"]), r["breakdown"], r["breakdown_value"].removeprefix("'"))
        for r in csv.DictReader(io.StringIO(text)) if r["suppressed"] == "true"
    }
    assert parquet == from_json == from_csv


def test_json_refuses_a_value_code_with_two_labels_rather_than_dropping_one(published: pl.DataFrame, tmp_path: Path):
    """The JSON looks labels up by code; a code labelled two ways (in two breakdowns) is an error."""
    frame = published.head(2).with_columns(
        pl.Series("breakdown_value", ["ukjent", "ukjent"]),
        pl.Series("breakdown_value_name", ["Ukjent kjønn", "Ukjent tjenesteområde"]),
    )
    with pytest.raises(ReleaseError, match="breakdown_value ukjent har flere etiketter"):
        write_json(frame, tmp_path / "t.json", metadata={}, definitions=[], goals=[])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(), st.integers(-10**18, 10**18), st.sampled_from([0.0, -0.0, 1e15, 1e16])),
        max_size=30,
    ),
)
def test_figure_texts_made_in_polars_are_what_python_writes(values):
    """The files' vectorised number texts equal Python's own, value by value: `plain_number` in the
    CSV files (decimal point and comma), `json` in the JSON file, `repr`/`str(int(...))` in the workbook."""
    from pipelines.release.exporters import _float_texts, _json_values

    floats = [None if v is None else float(v) for v in values]
    finite = pl.Series("v", [v for v in floats if v is None or math.isfinite(v)], dtype=pl.Float64)
    point = _float_texts(finite, plain_number)
    assert point.to_list() == [None if v is None else plain_number(v) for v in finite]
    comma = point.str.replace(".", ",", literal=True)  # the `;` file's figures
    assert comma.to_list() == [None if v is None else plain_number(v, decimal_comma=True) for v in finite]
    assert _json_values(pl.Series("v", floats, dtype=pl.Float64)).to_list() == [json.dumps(v) for v in floats]

    def cell(v: float) -> str:  # the workbook's <v> text
        return repr(v) if not v.is_integer() else str(int(v))

    assert _float_texts(finite, cell).to_list() == [None if v is None else cell(v) for v in finite]
