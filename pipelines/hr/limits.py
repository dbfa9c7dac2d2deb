"""How large a delivery, a name or a value may be, and the checks that keep hostile files out.

A delivery is untrusted input. A workbook of 2 MB can unpack to gigabytes (a zip bomb), a
few cells can claim a sheet of seventeen billion (`A1` and `XFD1048576`: the reader makes
the range dense), a file name can be longer than the file system allows, and one ragged
line can be 50 MB. Each limit here is far above what a municipality's real export needs
(Oslo's employments are about a million cells) and far below what hurts the machine.
"""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl

from pipelines.errors import DeliveryError

XLSX_MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # every part of the workbook, unpacked
XLSX_MAX_CELLS = 4_000_000  # cells written, over all sheets
XLSX_MAX_AREA = 20_000_000  # rows x columns of one sheet's used range (the reader's grid)
XLSX_MAX_PARTS = 10_000
MAX_VALUE_CHARS = 500  # a value as stored in quarantine documents and the landing archive
MAX_NAME_BYTES = 120  # a file name as stored (ledger, landing archive)
TRUNCATED = "…"

_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_CELL = re.compile(rb"<c[\s>/]")
_CHUNK = 1 << 20


def truncate_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """`name` within `limit` UTF-8 bytes: its start and its end kept (a municipality code
    tends to lead and a date and the extension to close a delivery's name)."""
    if len(name.encode("utf-8")) <= limit:
        return name
    head, tail = name, ""
    keep = (limit - len(TRUNCATED.encode("utf-8"))) // 2
    tail = name.encode("utf-8")[-keep:].decode("utf-8", errors="ignore")
    head = name.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
    return head + TRUNCATED + tail


def cap_values(expr: pl.Expr, limit: int = MAX_VALUE_CHARS) -> pl.Expr:
    """A text column with every value longer than `limit` characters cut there (and marked)."""
    return pl.when(expr.str.len_chars() > limit).then(expr.str.slice(0, limit) + TRUNCATED).otherwise(expr)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(data: bytes) -> None:
    """Refuse a workbook whose unpacked size, cell count or used range is beyond the limits,
    before any reader allocates for it. Reads the zip directory, then streams each sheet
    through the decompressor a megabyte at a time (never more than that in memory)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DeliveryError("filen ser ut som .xlsx, men arbeidsboken kan ikke åpnes (ødelagt fil?)") from None
    if len(parts) > XLSX_MAX_PARTS:
        raise DeliveryError(f"arbeidsboken har for mange deler ({len(parts)}); filen er avvist")
    declared = sum(part.file_size for part in parts)
    if declared > XLSX_MAX_UNPACKED_BYTES:
        raise _too_big(declared)
    cells = 0
    unpacked = 0
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        max_row = max_col = 0
        carry = b""
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > XLSX_MAX_UNPACKED_BYTES:
                        raise _too_big(unpacked)
                    text = carry + chunk
                    cut = text.rfind(b"<")  # a tag split between chunks is read with the next one
                    scan, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
                    cells += len(_CELL.findall(scan))
                    for letters, row in _CELL_REF.findall(scan):
                        max_row = max(max_row, int(row))
                        max_col = max(max_col, _column_number(letters))
                    if cells > XLSX_MAX_CELLS:
                        raise DeliveryError(
                            f"arbeidsboken har over {XLSX_MAX_CELLS:,} celler".replace(",", " ")
                            + "; filen er avvist (del den opp, eller lever CSV)"
                        )
                    if max_row * max_col > XLSX_MAX_AREA:
                        raise DeliveryError(
                            "et ark i arbeidsboken spenner over for mange rader og kolonner "
                            f"({max_row} rader × {max_col} kolonner); filen er avvist"
                        )
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
            raise DeliveryError("filen ser ut som .xlsx, men arbeidsboken kan ikke åpnes (ødelagt fil?)") from None


def _too_big(size: int) -> DeliveryError:
    mib = XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)
    return DeliveryError(
        f"arbeidsboken pakker seg ut til mer enn {mib} MB (over {size // (1024 * 1024)} MB); "
        "filen er avvist (en «zip-bombe» eller en for stor eksport: lever CSV)"
    )
