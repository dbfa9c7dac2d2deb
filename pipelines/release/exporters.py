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

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import polars as pl

from pipelines.release.disclosure import SUPPRESSED_SYMBOL
from pipelines.release.errors import ReleaseError
from pipelines.release.labels import Labels
from pipelines.release.table import LABEL_COLUMNS, PUBLISHED_COLUMNS, goal_target_text

FIGURE_COLUMNS = ("numerator", "denominator", "value", "persons")
# A text cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets: `=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`, or a tab/CR before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell that cannot run as a formula: a leading `'` when it starts like one (OWASP).

    Only text is touched; numbers are written as numbers, so -3 stays -3."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def plain_number(value: float | int, decimal_comma: bool = False) -> str:
    """A number without exponent or trailing zeros: 0.0001 → '0.0001', 12.0 → '12'."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(".", ",") if decimal_comma else text


def _neutralised(column: str) -> pl.Expr:
    """`neutralise` over a text column, in polars."""
    return (
        pl.when(pl.any_horizontal([pl.col(column).str.starts_with(t) for t in FORMULA_TRIGGERS]))
        .then(pl.lit("'") + pl.col(column))
        .otherwise(pl.col(column))
        .alias(column)
    )


# Rows rendered as text at a time: each file is written slice by slice, so a national release
# (1.5 million figures) never holds a whole file, or a Python object per figure, in memory.
ROWS_PER_SLICE = 100_000


def _slices(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """`frame` in slices of ROWS_PER_SLICE rows, in order (one empty slice for an empty frame)."""
    for offset in range(0, max(frame.height, 1), ROWS_PER_SLICE):
        yield frame.slice(offset, ROWS_PER_SLICE)


def _float_texts(
    values: pl.Series, text_of: Callable[[float], str], *, whole_suffix: str = "", exact_zero: bool = False
) -> pl.Series:
    """Each float as the text `text_of` gives it, worked out in polars where that is safe.

    A whole number below 10^15 is `str(int(v)) + whole_suffix` (so `text_of` must agree there);
    every other value (fractions, huge numbers, NaN, and zeros with `exact_zero`, for "-0.0")
    goes through `text_of` in Python. Nulls stay null."""
    frame = pl.DataFrame({"v": values.cast(pl.Float64)})
    v = pl.col("v")
    whole = v.is_finite() & (v.abs() < 1e15) & (v.floor() == v)
    if exact_zero:
        whole = whole & (v != 0)
    texts = frame.select(
        (pl.when(whole).then(v).cast(pl.Int64).cast(pl.String) + whole_suffix).alias("t"), whole.alias("w")
    )
    special = (texts["w"].not_() & values.is_not_null()).arg_true()
    out = texts["t"]
    if len(special):
        out = out.scatter(special, [text_of(x) for x in values.gather(special).to_list()])
    return out.alias(values.name)


def _mapped(values: pl.Series, text_of: Callable[[Any], str]) -> pl.Series:
    """`text_of` of each value, computed once per distinct value (codes, names and sentences
    repeat on every row); nulls stay null."""
    distinct = values.drop_nulls().unique().to_list()
    return values.replace_strict(
        distinct, [text_of(x) for x in distinct], default=None, return_dtype=pl.String
    ).alias(values.name)


def _csv_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The table as the CSV files show it: ':' in hidden figures, safe text, true/false, and
    each figure as `plain_number` writes it with a decimal point (the `;` file swaps in commas)."""
    text_columns = [c for c in PUBLISHED_COLUMNS if table.schema[c] == pl.String]
    safe = [_neutralised(c) for c in text_columns]
    frame = table.select(PUBLISHED_COLUMNS).with_columns(
        *safe,
        pl.col("suppressed").cast(pl.String).str.to_lowercase(),
    )
    # Figures as plain decimals (never 1e-05); ':' where suppressed.
    seen: dict[float, str] = {}

    def plain(v: float) -> str:
        text = seen.get(v)
        if text is None:
            text = seen[v] = plain_number(v)
        return text

    figures = [
        frame[c].cast(pl.String) if frame.schema[c] == pl.Int64 else _float_texts(frame[c], plain)
        for c in FIGURE_COLUMNS
    ]
    return frame.with_columns(*figures).with_columns(
        [
            pl.when(pl.col("suppressed") == "true").then(pl.lit(SUPPRESSED_SYMBOL)).otherwise(pl.col(c)).alias(c)
            for c in FIGURE_COLUMNS
        ]
    )


def _with_decimal_comma(frame: pl.DataFrame) -> pl.DataFrame:
    """`plain_number(v, decimal_comma=True)`: the same text with a comma for the point."""
    return frame.with_columns(pl.col(c).str.replace(".", ",", literal=True) for c in FIGURE_COLUMNS)


def write_csvs(table: pl.DataFrame, *, semicolon: Path | None = None, comma: Path | None = None) -> None:
    """The CSV files from one rendering of the figures, slice by slice.

    `semicolon`: `;`-separated, decimal comma, UTF-8 with BOM (opens right in Norwegian Excel);
    `comma`: `,`-separated, decimal point, UTF-8 without BOM (for programs)."""
    with contextlib.ExitStack() as stack:
        targets = []
        if semicolon is not None:
            handle = stack.enter_context(semicolon.open("wb"))
            handle.write(b"\xef\xbb\xbf")
            targets.append((handle, ";"))
        if comma is not None:
            targets.append((stack.enter_context(comma.open("wb")), ","))
        for number, part in enumerate(_slices(table)):
            frame = _csv_frame(part)
            for handle, separator in targets:
                rows = _with_decimal_comma(frame) if separator == ";" else frame
                rows.write_csv(
                    handle, separator=separator, line_terminator="\n", quote_style="necessary",
                    include_header=not number,
                )


def write_csv(table: pl.DataFrame, path: Path) -> Path:
    """`;`-separated, decimal comma, UTF-8 with BOM: opens right in Norwegian Excel."""
    write_csvs(table, semicolon=path)
    return path


def write_comma_csv(table: pl.DataFrame, path: Path) -> Path:
    """`,`-separated, decimal point, UTF-8 without BOM: for programs."""
    write_csvs(table, comma=path)
    return path


def _arrow_type(column: str, pa: Any) -> Any:
    if column in ("year", "persons", "municipalities_with_data", "municipalities_in_area"):
        return pa.int64()
    if column == "suppressed":
        return pa.bool_()
    if column in FIGURE_COLUMNS:
        return pa.float64()
    return pa.string()


def write_parquet(table: pl.DataFrame, path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(column, _arrow_type(column, pa)) for column in PUBLISHED_COLUMNS])
    # An explicit schema: polars' string views and int widths must not leak into the file format.
    arrow = table.select(PUBLISHED_COLUMNS).to_arrow().cast(schema)
    pq.write_table(arrow, path, compression="zstd", write_statistics=True, use_dictionary=True)
    return path


# Names and labels are looked up once in `labels` by code (indicator_id → indicator_name, ...).
JSON_COLUMNS = tuple(c for c in PUBLISHED_COLUMNS if c not in LABEL_COLUMNS)


def write_json(
    table: pl.DataFrame,
    path: Path,
    *,
    metadata: dict[str, Any],
    definitions: list[dict[str, Any]],
    goals: list[dict[str, Any]],
) -> Path:
    """One document: metadata, definitions, labels and goals once, then the figures compactly.

    `figures.columns` names the fields; each row of `figures.rows` is a list in that order.
    The Norwegian labels are looked up in `labels` by code instead of repeated on every row.
    """
    labels: dict[str, dict[str, str]] = {}
    for label, code in LABEL_COLUMNS.items():
        pairs = table.select(code, label).unique().drop_nulls(code).sort(code).rows()
        labels[code] = dict(pairs)
        if len(labels[code]) < len(pairs):  # one code, two labels (a value code in two breakdowns)
            clash = sorted({c for c, _ in pairs if sum(1 for other, _ in pairs if other == c) > 1})
            raise ReleaseError(
                f"{code} {', '.join(clash)} har flere etiketter i marts.dim_label; JSON-filen slår opp "
                "etiketten på koden alene, så gi koden samme etikett overalt."
            )
    head = json.dumps(
        {"metadata": metadata, "definitions": definitions, "labels": labels, "goals": goals},
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    )
    columns = json.dumps(list(JSON_COLUMNS), ensure_ascii=False)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head[:-2] + ',\n "figures": {\n  "columns": ' + columns + ',\n  "rows": [\n')
        for number, part in enumerate(_slices(table.select(JSON_COLUMNS))):
            if number:
                handle.write(",\n")
            handle.write(_json_rows(part))
        handle.write("\n  ]\n }\n}\n")
    return path


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json_values(values: pl.Series) -> pl.Series:
    """Each value as `json` encodes it (ensure_ascii off), null as `null`."""
    dtype = values.dtype
    if dtype == pl.Boolean:
        texts = values.replace_strict([True, False], ["true", "false"], default=None, return_dtype=pl.String)
    elif dtype.is_integer():
        texts = values.cast(pl.String)  # int.__repr__, as json writes ints
    elif dtype.is_float():
        texts = _float_texts(values, _JSON.encode, whole_suffix=".0", exact_zero=True)  # float.__repr__
    else:
        texts = _mapped(values, _JSON.encode)
    return texts.fill_null("null").alias(values.name)


def _json_rows(frame: pl.DataFrame) -> str:
    """The rows of `frame` as JSON arrays, one a line, separated by `,\\n` (what
    `JSONEncoder(separators=(",", ":")).encode(list(row))` writes for each row)."""
    texts = pl.DataFrame([_json_values(frame[c]) for c in frame.columns])
    lines = texts.select(pl.concat_str([pl.lit("["), pl.concat_str(pl.all(), separator=","), pl.lit("]")]))
    return lines.to_series().str.join(",\n").item() if frame.height else ""


# --- the workbook --------------------------------------------------------------------------
SHEET_HEADERS = (
    ("Indikator", 34),
    ("Område", 20),
    ("Områdetype", 11),
    ("År", 7),
    ("Inndeling", 15),
    ("Kategori", 22),
    ("Verdi", 11),
    ("Enhet", 12),
    ("Personer / utlysninger", 12),
    ("Teller", 11),
    ("Nevner", 11),
    ("Kommuner med tall", 10),
    ("Grunnlag", 26),
    ("Prikket", 40),
    ("Indikator-ID", 24),
    ("Områdekode", 12),
)
VALUE_FORMATS = {
    "share": "0.0%",
    "percent": '0.0" %"',
    "days": "#,##0",
    "nok": '#,##0 "kr"',
    "years": "0.0",
    "fte": "#,##0.0",
    "per_1000": "0.0",
    "index": "0.000",
    "applicants": "0.0",
    "count": "#,##0",
    "persons": "#,##0",
}
SHEET_COLUMNS = (
    "indicator_name",
    "area_name",
    "area_type",
    "year",
    "breakdown_name",
    "breakdown_value_name",
    "value",
    "unit_name",
    "persons",
    "numerator",
    "denominator",
    "municipalities_with_data",
    "municipalities_in_area",
    "basis_name",
    "suppressed",
    "suppression_text",
    "indicator_id",
    "area_code",
    "unit",
)


def _sheet_name(title: str, used: set[str]) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Ark"
    name, n = cleaned, 2
    while name.lower() in used:
        suffix = f" {n}"
        name = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


class _FastRows:
    """Cells of a worksheet's middle rows, written as sheet XML directly.

    XlsxWriter spends ~15 µs per cell (a release has about a million); these rows are
    plain strings and numbers, so they are rendered once here — repeated strings are
    escaped once — and spliced into the sheet's <sheetData> between the header row and
    the last row, which XlsxWriter writes itself (so its dimensions, filters and panes
    stay its own). Inline strings (`t="inlineStr"`) are part of the standard; Excel,
    LibreOffice and openpyxl read them.
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.rows: list[str] = []
        self.cells: list[str] = []
        self.row = -1
        self.number = ""
        self.strings: dict[str, str] = {}
        from xlsxwriter.utility import xl_col_to_name

        self.letters = [xl_col_to_name(col) for col in range(64)]
        original = sheet._write_rows

        def write_rows() -> None:
            # Header row, then these rows, then the last row (all in row order).
            first, last = sheet.dim_rowmin, sheet.dim_rowmax
            sheet.dim_rowmax = first
            original()
            sheet.fh.write("".join(self.rows))
            sheet.dim_rowmin = sheet.dim_rowmax = last
            original()
            sheet.dim_rowmin, sheet.dim_rowmax = first, last

        sheet._write_rows = write_rows

    def _start(self, row: int) -> None:
        self.end_row()
        self.row = row
        self.number = str(row + 1)

    def end_row(self) -> None:
        if self.cells:
            self.rows.append(f'<row r="{self.row + 1}">' + "".join(self.cells) + "</row>")
            self.cells = []

    def write_string(self, row: int, col: int, text: str, cell_format: Any = None) -> None:
        if not text:
            return
        if row != self.row:
            self._start(row)
        style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        body = self.strings.get(text)
        if body is None:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            body = self.strings[text] = f' t="inlineStr"><is><t{space}>{xml_escape(text)}</t></is></c>'
        self.cells.append(f'<c r="{self.letters[col]}{self.number}"{style}{body}')

    def write_number(self, row: int, col: int, value: float | int, cell_format: Any = None) -> None:
        if row != self.row:
            self._start(row)
        style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        number = repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
        self.cells.append(f'<c r="{self.letters[col]}{self.number}"{style}><v>{number}</v></c>')


def write_xlsx(
    table: pl.DataFrame,
    path: Path,
    *,
    plan: Sequence[Any] = (),  # competence.load_plan rows: the Kompetanseplan sheets after the families
    metadata_rows: Sequence[tuple[str, str]],
    definitions: list[dict[str, Any]],
    goals: list[dict[str, Any]],
    created: datetime,
    labels: Labels,
) -> Path:
    """One sheet per indicator family (the catalogue's topic), then Mål, Definisjoner, Metadata."""
    import xlsxwriter

    from pipelines.release.labels import format_value

    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_urls": False, "strings_to_formulas": False}
    )
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
    suppressed_format = workbook.add_format({"align": "right", "font_color": "#7A1F1F"})
    integer = workbook.add_format({"num_format": "#,##0"})
    decimal = workbook.add_format({"num_format": "#,##0.0#"})
    value_formats = {unit: workbook.add_format({"num_format": fmt}) for unit, fmt in VALUE_FORMATS.items()}
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True, "valign": "top"})

    used: set[str] = set()
    families = sorted(table["family"].unique().to_list(), key=labels.family_rank)
    area_types = {t: labels.area_type(t) for t in table["area_type"].unique().to_list()}
    for family in families:
        sheet = workbook.add_worksheet(_sheet_name(labels.family(family), used))
        # Indicators by name (a reader looks for "Heltidsandel", not fulltime_share); within one, the table's order.
        rows = table.filter(pl.col("family") == family)
        rows = rows.sort("indicator_name", maintain_order=True).select(SHEET_COLUMNS).with_columns(
            *(_neutralised(c) for c in ("indicator_name", "area_name", "breakdown_value_name", "area_code"))
        )
        for col, (title, width) in enumerate(SHEET_HEADERS):
            sheet.write_string(0, col, title, header)
            sheet.set_column(col, col, width)
        fast = _FastRows(sheet)
        for r, row in enumerate(rows.iter_rows(), start=1):
            if r < rows.height:
                write_string, write_number = fast.write_string, fast.write_number
            else:  # the last row through XlsxWriter: it sets the sheet's dimensions
                fast.end_row()
                write_string, write_number = sheet.write_string, sheet.write_number
            (name, area, area_type, year, breakdown, category, value, unit_name, persons, numerator, denominator,
             with_data, in_area, basis, hidden, why, indicator_id, area_code, unit) = row
            write_string(r, 0, name)  # these four are neutralised above
            write_string(r, 1, area)
            write_string(r, 2, area_types[area_type])
            write_number(r, 3, year)
            write_string(r, 4, breakdown)
            write_string(r, 5, category)
            if hidden:
                for col in (6, 8, 9, 10):
                    write_string(r, col, SUPPRESSED_SYMBOL, suppressed_format)
            else:
                write_number(r, 6, value, value_formats.get(unit, decimal))
                if persons is not None:
                    write_number(r, 8, persons, integer)
                if numerator is not None:
                    write_number(r, 9, numerator, integer if float(numerator).is_integer() else decimal)
                if denominator is not None:
                    write_number(r, 10, denominator, integer if float(denominator).is_integer() else decimal)
            write_string(r, 7, unit_name)
            if area_type == "region" and in_area:
                write_string(r, 11, f"{with_data} av {in_area}")
            write_string(r, 12, basis)
            write_string(r, 13, why or "")
            write_string(r, 14, indicator_id)
            write_string(r, 15, area_code)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, max(rows.height, 1), len(SHEET_HEADERS) - 1)

    if plan:
        from pipelines.release.competence import write_plan_sheets

        write_plan_sheets(
            workbook, plan, lambda title: workbook.add_worksheet(_sheet_name(title, used)), neutralise=neutralise
        )

    if goals:
        sheet = workbook.add_worksheet(_sheet_name("Mål", used))
        headers = (
            ("Mål", 44),
            ("Område", 14),
            ("Indikator", 30),
            ("Kilde", 40),
            ("Utgangsår", 10),
            ("Utgangsverdi", 13),
            ("Siste år", 9),
            ("Siste verdi", 13),
            ("Målverdi", 13),
            ("Målår", 10),
            ("Målet", 30),
            ("Status", 16),
            ("Begrunnelse", 60),
        )
        for col, (title, width) in enumerate(headers):
            sheet.write_string(0, col, title, header)
            sheet.set_column(col, col, width, wrap if col in (0, 3, 10, 12) else None)
        for r, goal in enumerate(goals, start=1):
            unit = goal["unit"]
            sheet.write_string(r, 0, neutralise(goal["goal_text"]), wrap)
            sheet.write_string(r, 1, goal["area_name"])
            sheet.write_string(r, 2, goal["indicator_name"])
            sheet.write_string(r, 3, neutralise(goal["source"]), wrap)
            for col, key in ((4, "baseline_year"), (6, "latest_year")):
                if goal[key] is not None:
                    sheet.write_number(r, col, goal[key])
            for col, key in ((5, "baseline"), (7, "latest"), (8, "target")):
                value = goal[f"{key}_value"]
                if goal[f"{key}_symbol"] == SUPPRESSED_SYMBOL:
                    sheet.write_string(r, col, SUPPRESSED_SYMBOL, suppressed_format)
                elif value is not None:
                    sheet.write_number(r, col, value, value_formats.get(unit, decimal))
            if goal["target_year"] is not None:
                sheet.write_number(r, 9, goal["target_year"])
            else:
                sheet.write_string(r, 9, "uten målår")
            sheet.write_string(r, 10, goal_target_text(goal, format_value(goal["target_value"], unit)), wrap)
            sheet.write_string(r, 11, goal["status_nb"], bold)
            sheet.write_string(r, 12, goal["status_reason"], wrap)
        sheet.freeze_panes(1, 1)

    sheet = workbook.add_worksheet(_sheet_name("Definisjoner", used))
    headers = (
        ("Indikator", 34),
        ("Familie", 22),
        ("Definisjon", 80),
        ("Enhet", 16),
        ("Kilde", 40),
        ("Indikator-ID", 26),
    )
    for col, (title, width) in enumerate(headers):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width, wrap if col in (2, 4) else None)
    for r, item in enumerate(definitions, start=1):
        sheet.write_string(r, 0, item["indicator_name"], bold)
        sheet.write_string(r, 1, item["family_name"])
        sheet.write_string(r, 2, neutralise(item["definition"]), wrap)
        sheet.write_string(r, 3, item["unit_name"])
        sheet.write_string(r, 4, neutralise(item["source"]), wrap)
        sheet.write_string(r, 5, item["indicator_id"])
    sheet.freeze_panes(1, 1)

    sheet = workbook.add_worksheet(_sheet_name("Metadata", used))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    sheet.write_string(0, 0, "Felt", header)
    sheet.write_string(0, 1, "Verdi", header)
    for r, (key, value) in enumerate(metadata_rows, start=1):
        sheet.write_string(r, 0, key, bold)
        sheet.write_string(r, 1, neutralise(value), wrap)
    sheet.freeze_panes(1, 0)

    workbook.close()
    return path


