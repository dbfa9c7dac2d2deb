"""The release's data files, all written from the one published long table.

* `indicators.xlsx` — for people: one sheet per indicator family with Norwegian headers,
  numbers stored as numbers with formats (percent for shares), frozen headers and
  filters, `:` as text in suppressed cells, plus sheets for goals (Mål), definitions
  (Definisjoner) and metadata (Metadata).
* `indicators.csv` — for Norwegian Excel: UTF-8 with a byte-order mark (without it
  Excel shows "VÃ¦rÃ¸y"), `;`-separated, decimal comma. `indicators_comma.csv` is the
  same table for programs: `,`-separated, decimal point, no BOM.
* `indicators.parquet` and `indicators.json` — typed: suppressed figures are null with
  `symbol` ':' and `suppressed` true (a typed column cannot hold ':').

Every file is byte-deterministic: sorted rows, fixed metadata, no timestamps, a fixed
workbook creation date (taken from the inputs) and fixed zip entry dates (XlsxWriter's).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.release.disclosure import SUPPRESSED_SYMBOL
from pipelines.release.labels import (
    AREA_TYPE_NB,
    BREAKDOWN_NB,
    FAMILY_NB,
    REASON_NB,
    UNIT_NB,
    family_nb,
    value_nb,
)
from pipelines.release.table import PUBLISHED_COLUMNS

FIGURE_COLUMNS = ("numerator", "denominator", "value")


def plain_number(value: float | int, decimal_comma: bool = False) -> str:
    """A number without exponent or trailing zeros: 0.0001 → '0.0001', 12.0 → '12'."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(".", ",") if decimal_comma else text


def _csv_bytes(table: pl.DataFrame, *, delimiter: str, decimal_comma: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(PUBLISHED_COLUMNS)
    for row in table.select(PUBLISHED_COLUMNS).iter_rows(named=True):
        out = []
        for column in PUBLISHED_COLUMNS:
            value = row[column]
            if column in FIGURE_COLUMNS and row["suppressed"]:
                out.append(SUPPRESSED_SYMBOL)
            elif value is None:
                out.append("")
            elif isinstance(value, bool):
                out.append("true" if value else "false")
            elif isinstance(value, float):
                out.append(plain_number(value, decimal_comma))
            else:
                out.append(str(value))
        writer.writerow(out)
    return buffer.getvalue().encode("utf-8")


def write_csv(table: pl.DataFrame, path: Path) -> Path:
    """`;`-separated, decimal comma, UTF-8 with BOM: opens right in Norwegian Excel."""
    path.write_bytes(b"\xef\xbb\xbf" + _csv_bytes(table, delimiter=";", decimal_comma=True))
    return path


def write_comma_csv(table: pl.DataFrame, path: Path) -> Path:
    """`,`-separated, decimal point, UTF-8 without BOM: for programs."""
    path.write_bytes(_csv_bytes(table, delimiter=",", decimal_comma=False))
    return path


def write_parquet(table: pl.DataFrame, path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            (
                column,
                pa.int64()
                if column in ("year", "persons")
                else pa.bool_()
                if column == "suppressed"
                else pa.float64()
                if column in FIGURE_COLUMNS
                else pa.string(),
            )
            for column in PUBLISHED_COLUMNS
        ]
    )
    # An explicit schema: polars' string views and int widths must not leak into the file format.
    arrow = table.select(PUBLISHED_COLUMNS).to_arrow().cast(schema)
    pq.write_table(arrow, path, compression="zstd", write_statistics=True, use_dictionary=True)
    return path


def write_json(
    table: pl.DataFrame,
    path: Path,
    *,
    metadata: dict[str, Any],
    definitions: list[dict[str, Any]],
    goals: list[dict[str, Any]],
) -> Path:
    """One document: metadata, definitions, goals and the figures (one object per row)."""
    head = json.dumps(
        {"metadata": metadata, "definitions": definitions, "goals": goals}, ensure_ascii=False, indent=1,
        sort_keys=True,
    )
    # Figures one compact object per line: readable in a diff, and fast to write at national scale.
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    lines = ",\n".join(encoder.encode(row) for row in table.select(PUBLISHED_COLUMNS).iter_rows(named=True))
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head[:-2] + ',\n "figures": [\n' + lines + "\n ]\n}\n")
    return path


# --- the workbook --------------------------------------------------------------------------
SHEET_HEADERS = (
    ("Indikator", 34),
    ("Indikator-ID", 24),
    ("Områdetype", 11),
    ("Områdekode", 12),
    ("Område", 22),
    ("År", 7),
    ("Inndeling", 16),
    ("Kategori", 18),
    ("Verdi", 11),
    ("Enhet", 12),
    ("Teller", 11),
    ("Nevner", 11),
    ("Prikket", 10),
    ("Grunnlag", 13),
)
FAMILY_ORDER = tuple(FAMILY_NB)
VALUE_FORMATS = {
    "share": "0.0%",
    "days": "#,##0",
    "nok": '#,##0 "kr"',
    "years": "0.0",
    "per_1000": "0.0",
    "index": "0.000",
}


def _sheet_name(title: str, used: set[str]) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Ark"
    name, n = cleaned, 2
    while name.lower() in used:
        suffix = f" {n}"
        name = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def write_xlsx(
    table: pl.DataFrame,
    path: Path,
    *,
    metadata_rows: Sequence[tuple[str, str]],
    definitions: list[dict[str, Any]],
    goals: list[dict[str, Any]],
    created: datetime,
) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties(
        {
            "title": "Bemanningsindikatorer for kommunene i Nordland",
            "subject": "Prikket utgivelse",
            "author": "workforce-warehouse",
            "company": "",
            "created": created,
        }
    )
    header = workbook.add_format({"bold": True, "bg_color": "#DCE6F0", "bottom": 1, "text_wrap": True, "valign": "top"})
    text = workbook.add_format({})
    suppressed = workbook.add_format({"align": "right", "font_color": "#7A1F1F"})
    integer = workbook.add_format({"num_format": "#,##0"})
    decimal = workbook.add_format({"num_format": "#,##0.0#"})
    value_formats = {unit: workbook.add_format({"num_format": fmt}) for unit, fmt in VALUE_FORMATS.items()}
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True, "valign": "top"})

    def number_format(value: float, unit: str | None = None):
        if unit in value_formats:
            return value_formats[unit]
        return integer if float(value).is_integer() else decimal

    used: set[str] = set()
    families = table["family"].unique().to_list()
    families.sort(key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else len(FAMILY_ORDER), f or ""))
    for family in families:
        sheet = workbook.add_worksheet(_sheet_name(family_nb(family), used))
        rows = table.filter(pl.col("family").is_null() if family is None else pl.col("family") == family)
        for col, (title, width) in enumerate(SHEET_HEADERS):
            sheet.write_string(0, col, title, header)
            sheet.set_column(col, col, width)
        for r, row in enumerate(rows.iter_rows(named=True), start=1):
            sheet.write_string(r, 0, row["indicator_name"] or "", text)
            sheet.write_string(r, 1, row["indicator_id"], text)
            sheet.write_string(r, 2, AREA_TYPE_NB.get(row["area_type"], row["area_type"]), text)
            sheet.write_string(r, 3, row["area_code"], text)
            sheet.write_string(r, 4, row["area_name"] or "", text)
            sheet.write_number(r, 5, row["year"])
            sheet.write_string(r, 6, BREAKDOWN_NB.get(row["breakdown"], row["breakdown"]), text)
            sheet.write_string(r, 7, value_nb(row["breakdown_value"]), text)
            for col, column in ((8, "value"), (10, "numerator"), (11, "denominator")):
                value = row[column]
                if row["suppressed"]:
                    sheet.write_string(r, col, SUPPRESSED_SYMBOL, suppressed)
                elif value is None:
                    sheet.write_blank(r, col, None)
                else:
                    unit = row["unit"] if column == "value" else None
                    sheet.write_number(r, col, value, number_format(value, unit))
            sheet.write_string(r, 9, UNIT_NB.get(row["unit"], row["unit"]), text)
            sheet.write_string(r, 12, REASON_NB.get(row["suppression_reason"] or "", ""), text)
            sheet.write_string(r, 13, row["basis"] or "", text)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(rows.height, 1), len(SHEET_HEADERS) - 1)

    if goals:
        sheet = workbook.add_worksheet(_sheet_name("Mål", used))
        headers = (
            ("Mål", 20),
            ("Indikator", 34),
            ("Område", 18),
            ("Basisår", 9),
            ("Basisverdi", 12),
            ("Siste år", 9),
            ("Siste verdi", 12),
            ("Målverdi", 12),
            ("Målår", 8),
            ("På sporet", 10),
        )
        for col, (title, width) in enumerate(headers):
            sheet.write_string(0, col, title, header)
            sheet.set_column(col, col, width)
        for r, goal in enumerate(goals, start=1):
            sheet.write_string(r, 0, str(goal["goal_id"] or ""))
            sheet.write_string(r, 1, goal["indicator_name"])
            sheet.write_string(r, 2, goal["area_name"])
            for col, key in ((3, "baseline_year"), (5, "latest_year"), (8, "target_year")):
                if goal[key] is None:
                    sheet.write_blank(r, col, None)
                else:
                    sheet.write_number(r, col, goal[key])
            for col, key in ((4, "baseline"), (6, "latest"), (7, "target")):
                value = goal[f"{key}_value"]
                if goal[f"{key}_symbol"] == SUPPRESSED_SYMBOL:
                    sheet.write_string(r, col, SUPPRESSED_SYMBOL, suppressed)
                elif value is None:
                    sheet.write_blank(r, col, None)
                else:
                    sheet.write_number(r, col, value, number_format(value, goal["unit"]))
            on_track = goal["on_track"]
            sheet.write_string(r, 9, "" if on_track is None else ("ja" if on_track else "nei"))
        sheet.freeze_panes(1, 0)

    sheet = workbook.add_worksheet(_sheet_name("Definisjoner", used))
    headers = (("Indikator-ID", 26), ("Navn", 34), ("Definisjon", 80), ("Enhet", 16), ("Familie", 22), ("Kilde", 20))
    for col, (title, width) in enumerate(headers):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width, wrap if col == 2 else None)
    for r, item in enumerate(definitions, start=1):
        sheet.write_string(r, 0, item["indicator_id"])
        sheet.write_string(r, 1, item.get("name_nb") or "")
        sheet.write_string(r, 2, item.get("definition_nb") or "", wrap)
        sheet.write_string(r, 3, UNIT_NB.get(item.get("unit") or "", item.get("unit") or ""))
        sheet.write_string(r, 4, family_nb(item.get("family")))
        sheet.write_string(r, 5, item.get("source") or "")
    sheet.freeze_panes(1, 0)

    sheet = workbook.add_worksheet(_sheet_name("Metadata", used))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    sheet.write_string(0, 0, "Felt", header)
    sheet.write_string(0, 1, "Verdi", header)
    for r, (key, value) in enumerate(metadata_rows, start=1):
        sheet.write_string(r, 0, key, bold)
        sheet.write_string(r, 1, value, wrap)
    sheet.freeze_panes(1, 0)

    workbook.close()
    return path
