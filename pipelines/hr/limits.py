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
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.errors import DeliveryError

if TYPE_CHECKING:  # polars only where values are capped: the inbox sensor imports this module
    import polars as pl

XLSX_MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # every part of the workbook, unpacked
XLSX_MAX_CELLS = 4_000_000  # cells written, over all sheets
XLSX_MAX_AREA = 20_000_000  # rows x columns of one sheet's used range (the reader's grid)
XLSX_MAX_PARTS = 10_000
MAX_VALUE_CHARS = 500  # a value as stored in quarantine documents and the landing archive
MAX_NAME_BYTES = 120  # a file name as stored (ledger, landing archive)
TRUNCATED = "…"

# A sheet's used range is bounded cheaply: cells are counted at C speed, and only references
# past column Z or row 99999 (rare in real exports) are parsed. When a wide column shows up
# in a sheet of fewer rows than that, a second pass reads every row number.
# (`<c` also starts a few other tags, `<col>`, `<cfRule>`: an upper bound is what a limit needs.)
_WIDE_COLUMN = re.compile(rb' r="([A-Z]{2,3})[0-9]')
_HIGH_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{6,7})"')
_ANY_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{1,7})"')
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
    import polars as pl

    return pl.when(expr.str.len_chars() > limit).then(expr.str.slice(0, limit) + TRUNCATED).otherwise(expr)


def refuse_link(path: Path) -> str | None:
    """Why a symbolic link is not to be read, or None (also for a plain file). A link that
    leads out of its folder could copy any file the pipeline may read (`/etc/passwd`, the
    secret) into the landing archive; a broken link or a link to a folder is no delivery."""
    if not path.is_symlink():
        return None
    folder = path.parent.resolve()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symbolsk lenke som ikke fører til noen fil; lever selve filen"
    if not target.is_relative_to(folder) or not target.is_file():
        return "symbolsk lenke ut av mappen er ikke tillatt; lever selve filen (ikke en lenke)"
    return None


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
    budget = _Budget()
    try:
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                _check_sheet(data, part, budget)
            else:  # the shared strings, styles, comments ...: their size counts too
                for _ in _chunks(data, part, budget):
                    pass
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error, struct.error):
        raise DeliveryError("filen ser ut som .xlsx, men arbeidsboken kan ikke åpnes (ødelagt fil?)") from None


class _Budget:
    """What the sheets read so far have used of the workbook's limits."""

    def __init__(self) -> None:
        self.unpacked = 0
        self.cells = 0


def _inflate(data: bytes, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, unpacked from its compressed data a megabyte at a time. The sizes a
    zip declares are not trusted (a bomb may declare a small size and inflate to gigabytes,
    and some readers believe the stream, not the declaration), so the output is what counts."""
    offset = part.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("no local header")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    view = memoryview(data)[start:]
    if part.compress_type == zipfile.ZIP_STORED:
        stored = view[: part.compress_size]
        for at in range(0, len(stored), _CHUNK):
            yield bytes(stored[at : at + _CHUNK])
        return
    if part.compress_type != zipfile.ZIP_DEFLATED:
        raise NotImplementedError(part.compress_type)
    inflater = zlib.decompressobj(-15)
    for at in range(0, len(view), _CHUNK):
        pending = view[at : at + _CHUNK]
        while pending:
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return
    raise zipfile.BadZipFile("truncated part")


def _chunks(data: bytes, part: zipfile.ZipInfo, budget: _Budget | None) -> Iterator[bytes]:
    """A part's XML a megabyte at a time, each cut after its last complete tag (the rest
    goes with the next chunk), unpacked bytes counted against the budget."""
    carry = b""
    for chunk in _inflate(data, part):
        if budget is not None:
            budget.unpacked += len(chunk)
            if budget.unpacked > XLSX_MAX_UNPACKED_BYTES:
                raise _too_big(budget.unpacked)
        text = carry + chunk
        cut = text.rfind(b"<")
        if cut > 0:
            yield text[:cut]
            carry = text[cut:]
        else:
            yield text
            carry = b""
    if carry:
        yield carry


def _check_sheet(data: bytes, part: zipfile.ZipInfo, budget: _Budget) -> None:
    wide = high = 0
    any_cell = False
    for scan in _chunks(data, part, budget):
        count = scan.count(b"<c")
        budget.cells += count
        any_cell = any_cell or count > 0
        if budget.cells > XLSX_MAX_CELLS:
            raise DeliveryError(
                f"arbeidsboken har over {XLSX_MAX_CELLS:,} celler".replace(",", " ")
                + "; filen er avvist (del den opp, eller lever CSV)"
            )
        wide = max(wide, 0, *(_column_number(c) for c in _WIDE_COLUMN.findall(scan)))
        high = max(high, 0, *(int(r) for r in _HIGH_ROW.findall(scan)))
        columns = max(wide, 26 if any_cell else 0)
        if high and high * columns > XLSX_MAX_AREA:
            raise _too_wide(high, columns)
    if not high and wide and 99_999 * wide > XLSX_MAX_AREA:  # a wide column: how many rows, exactly?
        rows = 0
        for scan in _chunks(data, part, None):
            rows = max(rows, 0, *(int(r) for r in _ANY_ROW.findall(scan)))
        if rows * wide > XLSX_MAX_AREA:
            raise _too_wide(rows, wide)


def _too_wide(rows: int, columns: int) -> DeliveryError:
    return DeliveryError(
        f"et ark i arbeidsboken spenner over for mange rader og kolonner (opptil {rows} rader × {columns} kolonner); "
        "filen er avvist"
    )


def _too_big(size: int) -> DeliveryError:
    mib = XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)
    return DeliveryError(
        f"arbeidsboken pakker seg ut til mer enn {mib} MB (over {size // (1024 * 1024)} MB); "
        "filen er avvist (en «zip-bombe» eller en for stor eksport: lever CSV)"
    )
