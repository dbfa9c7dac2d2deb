"""Connections to the build database.

DuckDB allows one read-write process or many readers, never both. The pipeline is the
only writer of the build file; when another run holds it, we wait a little and retry
rather than fail, and say clearly what is happening if the lock does not go away.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.errors import WorkforceError
from pipelines.permissions import PRIVATE_FILE, set_mode
from pipelines.warehouse.schema import ensure_schema

LOCK_WAIT_SECONDS = 60.0


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error).lower()
    return "lock" in text and ("could not set" in text or "conflicting" in text)


@contextmanager
def connect(path: Path, *, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[
    duckdb.DuckDBPyConnection
]:
    """Open `path`, creating the schema when writing; retry while another process holds the lock."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as error:
            if not _is_lock_error(error) or time.monotonic() >= deadline:
                if _is_lock_error(error):
                    raise WorkforceError(
                        f"Databasen {path} er låst av en annen prosess; prøv igjen når den er ferdig."
                    ) from None
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        if not read_only:
            set_mode(path, PRIVATE_FILE)  # person-level rows: the pipeline's user only
            ensure_schema(con)
        yield con
    finally:
        con.close()
