"""Dagster's event log in one SQLite database, written without a disk flush per event.

Dagster's `ConsolidatedSqliteEventLogStorage` (WAL) opens a new engine and connection for
every event and closes it after one commit. With ~1,400 events in a demo run that cost more
than the run's work (profiled in docs/scaling.md): each commit waited for an fsync of the
WAL, and each close of the only open connection checkpointed the WAL into the database and
deleted it (a second fsync).

This subclass changes only how the connection is made, in each process:
- one engine per process instead of one per event (still no pooling: a connection per use);
- `PRAGMA synchronous = NORMAL` on every connection: in WAL mode SQLite then syncs at
  checkpoints only. The database cannot be corrupted by a crash; a power cut can lose the
  last events, which the run's own outcome (and the build database's audit tables, where
  every check result is recorded) does not depend on;
- one idle connection held open for the process's life, so closing a working connection
  is not the last close and does not checkpoint; SQLite's automatic checkpoint (every
  1,000 pages) still bounds the WAL.
Reads, schema, migrations and the watchers are Dagster's own.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import NullPool


class WorkforceEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """`ConsolidatedSqliteEventLogStorage` with one engine per process and no fsync per event."""

    _engine: Any = None
    _engine_pid: int | None = None
    _keeper: sqlite3.Connection | None = None

    def _process_engine(self) -> Any:
        if self._engine is None or self._engine_pid != os.getpid():
            engine = db.create_engine(
                self._conn_string, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )

            @db.event.listens_for(engine, "connect")
            def _no_sync_per_commit(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("pragma synchronous = normal")

            keeper = sqlite3.connect(self.get_db_path(), timeout=SQLITE_BUSY_TIMEOUT_SECONDS, check_same_thread=False)
            keeper.execute("select count(*) from sqlite_master").fetchall()  # attach to the WAL index
            self._engine, self._engine_pid, self._keeper = engine, os.getpid(), keeper
        return self._engine

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with self._process_engine().connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        if self._keeper is not None and self._engine_pid == os.getpid():
            self._keeper.close()
        self._engine = self._keeper = self._engine_pid = None
