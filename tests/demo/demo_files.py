"""Reading the demo's delivery files back in tests, independently of the ingestion code."""

from __future__ import annotations

import io
from pathlib import Path

import fastexcel
import polars as pl

BOM_UTF8 = b"\xef\xbb\xbf"
BOM_UTF16_LE = b"\xff\xfe"


def decode(raw: bytes) -> str:
    if raw.startswith(BOM_UTF16_LE):
        return raw[2:].decode("utf-16-le")
    if raw.startswith(BOM_UTF8):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def header_and_body(path: Path) -> tuple[str | None, str]:
    """(title line or None, text from the header line on)."""
    text = decode(path.read_bytes())
    first, _, rest = text.partition("\n")
    if not any(d in first for d in ";,\t|"):
        return first.rstrip("\r"), rest.lstrip("\r\n")
    return None, text


def delimiter_of(header_line: str) -> str:
    return max(";,\t|", key=header_line.count)


def read(path: Path) -> pl.DataFrame:
    """Any demo delivery as a frame of strings (dates in xlsx as Excel gives them)."""
    if path.suffix == ".xlsx":
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=1)
        return sheet.to_polars()
    _, body = header_and_body(path)
    separator = delimiter_of(body.partition("\n")[0])
    return pl.read_csv(io.StringIO(body), separator=separator, infer_schema=False)
