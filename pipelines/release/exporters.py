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
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def _json_float(value: float) -> str:
    """What `json` writes for a float: `float.__repr__`, or NaN/Infinity/-Infinity."""
    return float.__repr__(value) if math.isfinite(value) else _JSON.encode(value)


def _json_values(values: pl.Series) -> pl.Series:
    """Each value as `json` encodes it (ensure_ascii off), null as `null`."""
    dtype = values.dtype
    if dtype == pl.Boolean:
        texts = values.replace_strict([True, False], ["true", "false"], default=None, return_dtype=pl.String)
    elif dtype.is_integer():
        texts = values.cast(pl.String)  # int.__repr__, as json writes ints
    elif dtype.is_float():
        texts = _float_texts(values, _json_float, whole_suffix=".0", exact_zero=True)
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


class _SheetBody:
    """A family sheet's middle rows (all but the header and the last row), written as sheet XML.

    XlsxWriter spends ~15 µs per cell (a release has about a million, a national one twenty
    million); these rows are plain strings and numbers, so they are rendered here in polars,
    a column of cell XML per sheet column (each distinct string looked up once in the shared
    string table, as XlsxWriter's `write_string` would), slice by slice into a temporary file,
    and spliced into the sheet's <sheetData> between the header row and the last row, which
    XlsxWriter writes itself (so its dimensions, filters and panes stay its own). Shared
    strings rather than inline ones: the sheet XML is half as long, and compressing it was
    most of the workbook's cost.
    """

    def __init__(self, sheet: Any, strings: _SharedStrings) -> None:
        import shutil
        import tempfile

        # Open until the workbook is closed and the sheet is written (then closed in write_rows).
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.strings = strings
        original = sheet._write_rows

        def write_rows() -> None:
            # Header row, then these rows, then the last row (all in row order).
            first, last = sheet.dim_rowmin, sheet.dim_rowmax
            sheet.dim_rowmax = first
            original()
            self.file.seek(0)
            shutil.copyfileobj(self.file, sheet.fh)
            self.file.close()
            sheet.dim_rowmin = sheet.dim_rowmax = last
            original()
            sheet.dim_rowmin, sheet.dim_rowmax = first, last

        sheet._write_rows = write_rows

    def write(self, rows: pl.DataFrame, formats: dict[str, Any], area_types: dict[str, str]) -> None:
        """Rows 1..n of the sheet from `rows` (SHEET_COLUMNS, in sheet order, without the last row).

        Cell styles are numbered by XlsxWriter the first time a format is used; formats are used
        here in the order the cells use them (row by row, left to right as written below), so the
        numbering and the file are the same as when every cell went through XlsxWriter."""
        keys = _format_keys(rows)
        uses = pl.concat(
            [rows.select(k.alias("key"), (pl.int_range(pl.len()) * 4 + n).alias("order")) for n, k in enumerate(keys)]
        )
        first_use = uses.drop_nulls("key").group_by("key").agg(pl.col("order").min()).sort("order")["key"]
        styles = {key: f' s="{formats[key]._get_xf_index()}"' for key in first_use.to_list()}
        for offset in range(0, rows.height, ROWS_PER_SLICE):
            part = rows.slice(offset, ROWS_PER_SLICE)
            self.file.write(_sheet_rows_xml(part, offset + 2, keys, styles, area_types, self.strings))


def _format_keys(rows: pl.DataFrame) -> list[pl.Expr]:
    """Which format each figure cell uses (columns G, I, J, K): `s` suppressed, `i` integer,
    `d` decimal, `u:<unit>` the value's unit format; null where the cell is not written."""
    hidden = pl.col("suppressed").fill_null(False)
    unit = pl.col("unit").replace_strict(
        list(VALUE_FORMATS), [f"u:{u}" for u in VALUE_FORMATS], default="d", return_dtype=pl.String
    )

    def whole(column: str) -> pl.Expr:
        return pl.when(pl.col(column).is_finite() & (pl.col(column).floor() == pl.col(column))).then(pl.lit("i"))

    return [
        pl.when(hidden).then(pl.lit("s")).otherwise(unit),
        pl.when(hidden).then(pl.lit("s")).when(pl.col("persons").is_not_null()).then(pl.lit("i")),
        *(
            pl.when(hidden).then(pl.lit("s")).when(pl.col(c).is_not_null()).then(whole(c).otherwise(pl.lit("d")))
            for c in ("numerator", "denominator")
        ),
    ]


def _cell_number_text(value: float) -> str:
    """A number cell's <v>, as XlsxWriter writes it."""
    return repr(value) if not value.is_integer() else str(int(value))


class _SharedStrings:
    """Cell bodies of text cells from the workbook's shared string table, as XlsxWriter's
    `write_string` makes them (`t="s"`, the string's index; the table counts every use)."""

    def __init__(self, workbook: Any) -> None:
        self.table = workbook.str_table

    def body(self, text: str) -> str:
        from xlsxwriter.worksheet import _utf16_len, _utf16_truncate  # what write_string does to long text

        if len(text) > 32767 // 2 and _utf16_len(text) > 32767:
            text = _utf16_truncate(text, 32767)
        return f' t="s"><v>{self.table._get_shared_string_index(text)}</v></c>'

    def cells(self, values: pl.Series) -> pl.Series:
        """Bodies of `values`, null where nothing is written (null or empty text)."""
        values = values.replace("", None)
        distinct = values.drop_nulls().unique(maintain_order=True).to_list()  # indices in order of first use
        bodies = values.replace_strict(distinct, [self.body(x) for x in distinct], default=None, return_dtype=pl.String)
        self.table.count += values.is_not_null().sum() - len(distinct)
        return bodies

    def repeated(self, text: str, times: int) -> str:
        body = self.body(text)
        self.table.count += times - 1
        return body


# The written columns of a family sheet: letter, text or number, and the column of the sheet's
# rows they come from (`area_type` and `region_text` are worked out in `_sheet_rows_xml`).
SHEET_CELLS = (
    ("A", "text", "indicator_name"),
    ("B", "text", "area_name"),
    ("C", "text", "area_type"),
    ("D", "number", "year"),
    ("E", "text", "breakdown_name"),
    ("F", "text", "breakdown_value_name"),
    ("G", "number", "value"),
    ("H", "text", "unit_name"),
    ("I", "number", "persons"),
    ("J", "number", "numerator"),
    ("K", "number", "denominator"),
    ("L", "text", "region_text"),
    ("M", "text", "basis_name"),
    ("N", "text", "suppression_text"),
    ("O", "text", "indicator_id"),
    ("P", "text", "area_code"),
)


def _sheet_rows_xml(
    rows: pl.DataFrame,
    first_row: int,
    keys: list[pl.Expr],
    styles: dict[str, str],
    area_types: dict[str, str],
    strings: _SharedStrings,
) -> str:
    """`<row>` elements for `rows` from sheet row number `first_row` (1-based, as in the XML)."""
    hidden = rows["suppressed"].fill_null(False)
    if (rows["value"].is_null() & ~hidden).any():
        raise ReleaseError("En publisert celle i marts.fct_indicators mangler verdi; regnearket kan ikke skrives.")

    def text(column: str | pl.Series) -> pl.Series:  # shared-string bodies; null where nothing is written
        return strings.cells(rows[column] if isinstance(column, str) else column)

    def numbers(column: str | pl.Series) -> pl.Series:
        values = rows[column] if isinstance(column, str) else column
        return values.cast(pl.String) if values.dtype.is_integer() else _float_texts(values, _cell_number_text)

    region_text = rows.select(
        pl.when((pl.col("area_type") == "region") & (pl.col("municipalities_in_area").fill_null(0) != 0)).then(
            pl.concat_str(
                pl.col("municipalities_with_data").cast(pl.String).fill_null("None"),
                pl.lit(" av "),
                pl.col("municipalities_in_area").cast(pl.String),
            )
        )
    ).to_series()
    area_type = rows["area_type"].replace_strict(area_types, default=None, return_dtype=pl.String)
    derived = {"area_type": area_type, "region_text": region_text}
    parts = pl.DataFrame(
        [
            *(
                (text if kind == "text" else numbers)(derived.get(source, source)).alias(letter)
                for letter, kind, source in SHEET_CELLS
            ),
            hidden.alias("hidden"),
            *rows.select(
                k.replace_strict(styles, default="", return_dtype=pl.String).alias(f"style{n}")
                for n, k in enumerate(keys)
            ),
        ]
    ).with_columns(pl.int_range(first_row, first_row + rows.height).cast(pl.String).alias("row"))
    row = pl.col("row")
    symbol = strings.repeated(SUPPRESSED_SYMBOL, 4 * int(hidden.sum())) if hidden.any() else ""

    def string_cell(letter: str) -> pl.Expr:
        return pl.concat_str(pl.lit(f'<c r="{letter}'), row, pl.lit('"'), pl.col(letter)).fill_null("")

    def number_cell(letter: str, style: pl.Expr) -> pl.Expr:
        cell = pl.concat_str(
            pl.lit(f'<c r="{letter}'), row, pl.lit('"'), style, pl.lit("><v>"), pl.col(letter), pl.lit("</v></c>")
        )
        return cell.fill_null("")

    def figure_cell(letter: str, n: int) -> pl.Expr:
        style = pl.col(f"style{n}")
        hidden_cell = pl.concat_str(pl.lit(f'<c r="{letter}'), row, pl.lit('"'), style, pl.lit(symbol))
        return pl.when(pl.col("hidden")).then(hidden_cell).otherwise(number_cell(letter, style))

    cells = [
        *(string_cell(c) for c in "ABC"),
        number_cell("D", pl.lit("")),
        *(string_cell(c) for c in "EF"),
        *(figure_cell(c, n) for n, c in enumerate("GIJK")),  # the order the cells were written in
        *(string_cell(c) for c in "HLMNOP"),
    ]
    xml = parts.select(pl.concat_str(pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")))
    return "".join(xml.to_series().to_list()) if rows.height else ""


def _write_last_row(
    sheet: Any, r: int, row: tuple, formats: dict[str, Any], area_types: dict[str, str]
) -> None:
    """Row `r` of a family sheet through XlsxWriter (what `_SheetBody` renders for the rows above)."""
    (name, area, area_type, year, breakdown, category, value, unit_name, persons, numerator, denominator,
     with_data, in_area, basis, hidden, why, indicator_id, area_code, unit) = row
    integer, decimal = formats["i"], formats["d"]
    sheet.write_string(r, 0, name)  # these four are neutralised by the caller
    sheet.write_string(r, 1, area)
    sheet.write_string(r, 2, area_types[area_type])
    sheet.write_number(r, 3, year)
    sheet.write_string(r, 4, breakdown)
    sheet.write_string(r, 5, category)
    if hidden:
        for col in (6, 8, 9, 10):
            sheet.write_string(r, col, SUPPRESSED_SYMBOL, formats["s"])
    else:
        sheet.write_number(r, 6, value, formats.get(f"u:{unit}", decimal))
        if persons is not None:
            sheet.write_number(r, 8, persons, integer)
        if numerator is not None:
            sheet.write_number(r, 9, numerator, integer if float(numerator).is_integer() else decimal)
        if denominator is not None:
            sheet.write_number(r, 10, denominator, integer if float(denominator).is_integer() else decimal)
    sheet.write_string(r, 7, unit_name)
    if area_type == "region" and in_area:
        sheet.write_string(r, 11, f"{with_data} av {in_area}")
    sheet.write_string(r, 12, basis)
    sheet.write_string(r, 13, why or "")
    sheet.write_string(r, 14, indicator_id)
    sheet.write_string(r, 15, area_code)


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

    # The figure cells' formats by the keys `_format_keys` gives them.
    formats = {"s": suppressed_format, "i": integer, "d": decimal, **{f"u:{u}": f for u, f in value_formats.items()}}
    strings = _SharedStrings(workbook)
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
        _SheetBody(sheet, strings).write(rows.slice(0, max(rows.height - 1, 0)), formats, area_types)
        if rows.height:  # the last row through XlsxWriter: it sets the sheet's dimensions
            _write_last_row(sheet, rows.height, rows.row(rows.height - 1), formats, area_types)
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


