"""Write one delivery file in a dialect: delimiter, title line, encoding, line endings.

polars writes UTF-8; the bytes are then transcoded to what the HR system would have
written (Windows-1252, UTF-16 LE with BOM from Excel's "Unicode text", UTF-8 with BOM).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from pipelines.demo.dialects import Dialect
from pipelines.demo.xlsx import row_xml, write_xlsx

KIND_WORDS = {"employments": "arbeidsforhold", "postings": "utlysninger", "backlog": "restanser"}
TITLES = {"employments": "Arbeidsforhold", "postings": "Utlysninger", "backlog": "Restanser"}


def file_name(code: str, kind: str, extracted: dt.date, dialect: Dialect) -> str:
    return f"{code}_{KIND_WORDS[kind]}_{extracted.isoformat()}.{dialect.extension}"


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "cp1252":
        return text.encode("cp1252")
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    raise ValueError(f"unknown encoding {encoding!r}")


def write_group(out: Path, frame: pl.DataFrame, dialect: Dialect, kind: str, extracted: dt.date) -> int:
    """Write one file per `__code` in `frame` (already in the dialect's columns and sorted by
    code); returns the number of files."""
    stamp = extracted.strftime("%d.%m.%Y")
    if dialect.profile == "unit4":
        rows = frame.select("__code").with_columns(row_xml(frame, "__code"))
        schema = frame.drop("__code").schema
        parts = rows.partition_by("__code", as_dict=True, maintain_order=True)
        for (code,), part in parts.items():
            write_xlsx(
                out / file_name(str(code), kind, extracted, dialect),
                schema,
                part["xml"],
                title=f"Unit4 ERP – {TITLES[kind]} pr. {stamp}",
                sheet_name=TITLES[kind],
                created=dt.datetime(extracted.year, extracted.month, extracted.day, 6, 0),
            )
        return len(parts)
    parts = frame.partition_by("__code", as_dict=True, maintain_order=True)
    for (code,), part in parts.items():
        buffer = io.BytesIO()
        part.drop("__code").write_csv(
            buffer,
            separator=dialect.delimiter,
            line_terminator=dialect.line_terminator,
            quote_style="necessary",
            include_header=True,
        )
        text = buffer.getvalue().decode("utf-8")
        if dialect.title:
            newline = dialect.line_terminator
            text = f"{TITLES[kind]} per {stamp}{newline}{newline}{text}"
        (out / file_name(str(code), kind, extracted, dialect)).write_bytes(encode(text, dialect.encoding))
    return len(parts)
