"""The landing archive: every delivery, content-addressed, as the pipeline read it.

`landing/<sha[:2]>/<sha>/<stem>.redacted.csv` is a UTF-8 CSV (`;`) of the parsed table:
the contract columns under their delivered names, the id column replaced by `person_key`,
values capped (Changed by issue 14: the original bytes are no longer kept, not even of a
clean CSV; a workbook's comments, properties, sheet names and formulas, and any column the
contract does not know, could carry ids or names). `<sha>` stays the SHA-256 of the bytes
delivered, so a re-delivery is still recognised. A file that could not be read as a table
is not archived, and the ledger says so.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

from pipelines.hr import fnr
from pipelines.hr.limits import truncate_name
from pipelines.settings import Settings


def safe_name(file_name: str) -> str:
    """The file name as stored (ledger, archive): id-like tokens removed (a name like
    `01019012345.csv` happens), no path separators or control characters, and short enough
    for any file system (its start and end kept)."""
    name = fnr.redact(file_name, "fnr-fjernet").replace("/", "_").replace("\\", "_")
    name = "".join(ch if ch.isprintable() else "_" for ch in name)
    return truncate_name(name) or "levering"


def _folder(settings: Settings, sha256: str) -> Path:
    return settings.landing_dir / sha256[:2] / sha256


def _write_atomic(path: Path, payload: bytes | pl.DataFrame) -> None:
    """Write to a temp file beside `path`, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(payload, pl.DataFrame):
                payload.write_csv(out, separator=";")
            else:
                out.write(payload)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _relative(settings: Settings, path: Path) -> str:
    return path.relative_to(settings.home).as_posix()


def archive_table(settings: Settings, sha256: str, file_name: str, table: pl.DataFrame) -> str:
    stem = Path(safe_name(file_name)).stem
    path = _folder(settings, sha256) / f"{stem}.redacted.csv"
    if not path.exists():
        _write_atomic(path, table)
    return _relative(settings, path)
