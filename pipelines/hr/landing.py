"""The landing archive: every delivery, content-addressed, with national ids removed.

`landing/<sha[:2]>/<sha>/<file name>` holds the original bytes when the file carries no
national id anywhere; otherwise a redacted UTF-8 CSV of the parsed table
(`<stem>.redacted.csv`: the id column dropped, `person_key` added) or, for a file that was
rejected before it could be parsed, its text with every id-like token replaced. A file that
can neither be checked nor redacted (a damaged workbook) is not archived, and the ledger
says so: an unchecked copy could hold ids.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

from pipelines.hr import fnr
from pipelines.settings import Settings


def safe_name(file_name: str) -> str:
    """The file name with id-like tokens removed (a name like `01019012345.csv` happens)."""
    name = fnr.redact(file_name, "fnr-fjernet").replace("/", "_").replace("\\", "_")
    return name or "levering"


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


def archive_original(settings: Settings, sha256: str, file_name: str, data: bytes) -> str:
    path = _folder(settings, sha256) / safe_name(file_name)
    if not path.exists():
        _write_atomic(path, data)
    return _relative(settings, path)


def archive_table(settings: Settings, sha256: str, file_name: str, table: pl.DataFrame) -> str:
    stem = Path(safe_name(file_name)).stem
    path = _folder(settings, sha256) / f"{stem}.redacted.csv"
    if not path.exists():
        _write_atomic(path, table)
    return _relative(settings, path)


def archive_text(settings: Settings, sha256: str, file_name: str, text: str) -> str:
    name = Path(safe_name(file_name))
    path = _folder(settings, sha256) / f"{name.stem}.redacted{name.suffix or '.txt'}"
    if not path.exists():
        _write_atomic(path, fnr.redact(text).encode("utf-8"))
    return _relative(settings, path)
