"""Publish the build database as the analysts' read-only file.

Analysts must never meet a lock or a half-built table. The build file is copied to a new
file beside the published one and renamed over it in one atomic step (`os.replace`):
a reader that has the old file open keeps its consistent snapshot (the old inode), a new
reader gets the new one, and a run killed mid-copy leaves only a stray temporary file,
never a damaged published file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from pipelines.errors import WorkforceError
from pipelines.warehouse.connection import connect


def _checkpoint(build_db: Path) -> None:
    """Fold the write-ahead log into the file, so the copy holds every committed change."""
    with connect(build_db) as con:
        con.execute("checkpoint")


def publish_database(build_db: Path, published_db: Path) -> Path:
    """Copy `build_db` to `published_db` atomically and check the copy opens read-only."""
    if not build_db.is_file():
        raise WorkforceError(f"There is no build database at {build_db} to publish; run the pipeline first.")
    _checkpoint(build_db)
    published_db.parent.mkdir(parents=True, exist_ok=True)
    temporary = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        # The copy must be a whole, readable database before it replaces anything.
        check = duckdb.connect(str(temporary), read_only=True)
        try:
            check.execute("select count(*) from information_schema.tables").fetchone()
        finally:
            check.close()
        os.replace(temporary, published_db)
        directory = os.open(published_db.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        if temporary.exists():
            temporary.unlink()
    return published_db


def open_published(published_db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the analysts' file (never takes the writer's lock)."""
    if not published_db.is_file():
        raise WorkforceError(
            f"Nothing is published yet at {published_db}: run `make demo` or `workforce run` first."
        )
    return duckdb.connect(str(published_db), read_only=True)
