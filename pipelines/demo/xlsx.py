"""Write .xlsx sheets fast: xlsxwriter builds the workbook, polars builds the rows.

xlsxwriter writes the package (styles, the title and header rows, the date format, column
widths); writing every data cell through it costs ~100 µs per row, minutes at national
scale. So the data rows are rendered as sheet XML by polars expressions — for all files of
a dialect at once — (inline strings, numbers, dates as serial numbers in xlsxwriter's date
style) and spliced into the sheet xlsxwriter wrote. Zip entries get a fixed timestamp, so
the same frame gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import polars as pl
import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"
EXCEL_EPOCH_OFFSET = 25569  # days from 1899-12-30 to 1970-01-01
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIRST_DATA_ROW = 3  # row 1 the title, row 2 the header


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _escape(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _cell(name: str, dtype: pl.DataType, letter: str, row: pl.Expr) -> pl.Expr:
    col = pl.col(name)
    ref = pl.concat_str(pl.lit(f'<c r="{letter}'), row)
    if dtype == pl.Date:
        value = (col.cast(pl.Int32) + EXCEL_EPOCH_OFFSET).cast(pl.Utf8)
        # "DATESTYLE" is replaced by the style xlsxwriter assigned once the workbook exists
        cell = pl.concat_str(ref, pl.lit('" s="DATESTYLE"><v>'), value, pl.lit("</v></c>"))
    elif dtype.is_numeric():
        cell = pl.concat_str(ref, pl.lit('"><v>'), col.cast(pl.Utf8), pl.lit("</v></c>"))
    else:
        text = _escape(col.cast(pl.Utf8))
        cell = pl.concat_str(ref, pl.lit('" t="inlineStr"><is><t>'), text, pl.lit("</t></is></c>"))
    return pl.when(col.is_null()).then(pl.lit("")).otherwise(cell)


def row_xml(frame: pl.DataFrame, group: str) -> pl.Series:
    """Each row's `<row>` element, numbered from row 3 within its `group` (one file each);
    `frame` must be sorted by `group`."""
    columns = [c for c in frame.columns if c != group]
    row = (pl.int_range(pl.len()).over(group) + FIRST_DATA_ROW).cast(pl.Utf8)
    cells = [_cell(name, frame.schema[name], _letters(i), row) for i, name in enumerate(columns)]
    return frame.select(
        pl.concat_str(pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")).alias("xml")
    )["xml"]


def write_xlsx(
    path: Path,
    schema: pl.Schema,
    rows: pl.Series,
    *,
    title: str,
    sheet_name: str,
    created: dt.datetime,
) -> None:
    """Header `schema`'s names (row 2) under `title` (row 1); `rows` from `row_xml`."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": created, "author": "Unit4 ERP"})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_string(0, 0, title, bold)
    names = list(schema.names())
    for i, name in enumerate(names):
        sheet.write_string(1, i, name, bold)
        if schema[name] == pl.Date:
            sheet.set_column(i, i, 11, date_format)
        else:
            sheet.set_column(i, i, max(10, min(30, len(name) + 2)))
    workbook.close()

    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        entries = [(info.filename, package.read(info.filename)) for info in package.infolist()]
    sheet_xml = dict(entries)[SHEET].decode("utf-8")
    date_style = "0"
    date_cols = [i for i, name in enumerate(names) if schema[name] == pl.Date]
    if date_cols:  # the style xlsxwriter gave the date format, read off the date column's <col>
        column = date_cols[0] + 1
        spans = re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"', sheet_xml)
        found = [style for low, high, style in spans if int(low) <= column <= int(high)]
        if not found:
            raise RuntimeError("xlsxwriter wrote no style for the date column")
        date_style = found[0]
    data = "".join(rows.to_list()).replace('s="DATESTYLE"', f's="{date_style}"')
    last = f"{_letters(len(names) - 1)}{len(rows) + FIRST_DATA_ROW - 1}"
    sheet_xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', sheet_xml, count=1)
    sheet_xml = sheet_xml.replace("</sheetData>", data + "</sheetData>", 1)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, sheet_xml.encode("utf-8") if name == SHEET else content, compresslevel=1)
    path.write_bytes(out.getvalue())
