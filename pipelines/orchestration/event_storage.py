"""Dagster's event log in one SQLite database, written without a disk flush per event.

Dagster's `ConsolidatedSqliteEventLogStorage` (WAL) opens a new engine and connection for
every event and closes it after one commit. With ~1,400 events in a demo run that cost more
than the run's work (profiled in docs/scaling.md): each commit waited for an fsync of the
WAL, and each close of the only open connection checkpointed the WAL into the database and
deleted it (a second fsync).

This subclass changes only how the connection is made and how often the schema is asked
about, in each process:
- one engine per process instead of one per event, with a small pool of connections that
  are reused (a new SQLite connection per event cost more than the insert; issue 16.4);
- `PRAGMA synchronous = NORMAL` on every connection: in WAL mode SQLite then syncs at
  checkpoints only. The database cannot be corrupted by a crash; a power cut can lose the
  last events, which the run's own outcome (and the build database's audit tables, where
  every check result is recorded) does not depend on;
- one idle connection held open for the process's life, so closing a working connection
  is not the last close and does not checkpoint; SQLite's automatic checkpoint (every
  1,000 pages) still bounds the WAL;
- the schema questions Dagster asks for every asset and check event ("is there a table
  asset_check_executions?", "has asset_keys the column cached_status_data?", each a new
  engine and an introspection query) are answered once per process when the answer is yes.
  A table or column never disappears while a process runs; one that is missing is asked
  again, so `dagster instance migrate` in another process is still seen.
Reads, schema, migrations and the watchers are Dagster's own.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.schema import AssetKeyTable
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

# Connections kept open per process: the run's thread, the display's listener and Dagster's
# own threads rarely need more than a couple at once; more are opened (and closed) on demand.
POOL_SIZE = 4


class WorkforceEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """`ConsolidatedSqliteEventLogStorage` with pooled connections per process, no fsync per
    event and the schema's answers cached."""

    _engine: Any = None
    _engine_pid: int | None = None
    _keeper: sqlite3.Connection | None = None
    _known: frozenset[str] = frozenset()  # "table" and "asset_keys.column" names seen to exist

    def _process_engine(self) -> Any:
        if self._engine is None or self._engine_pid != os.getpid():
            engine = db.create_engine(
                self._conn_string,
                pool_size=POOL_SIZE,
                max_overflow=-1,  # never wait for a connection
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )

            @db.event.listens_for(engine, "connect")
            def _no_sync_per_commit(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("pragma synchronous = normal")

            keeper = sqlite3.connect(self.get_db_path(), timeout=SQLITE_BUSY_TIMEOUT_SECONDS, check_same_thread=False)
            keeper.execute("select count(*) from sqlite_master").fetchall()  # attach to the WAL index
            self._engine, self._engine_pid, self._keeper = engine, os.getpid(), keeper
            self._known = frozenset()
        return self._engine

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with self._process_engine().connect() as conn, conn.begin():
            yield conn

    def _remember(self, name: str) -> None:
        self._known = self._known | {name}

    def has_table(self, table_name: str) -> bool:
        engine = self._process_engine()
        if table_name in self._known:
            return True
        with engine.connect() as conn:
            found = bool(engine.dialect.has_table(conn, table_name))
        if found:
            self._remember(table_name)
        return found

    def _has_asset_key_col_on_connection(self, conn: Any, column_name: str) -> bool:
        key = f"{AssetKeyTable.name}.{column_name}"
        if key in self._known and self._engine_pid == os.getpid():
            return True
        found = super()._has_asset_key_col_on_connection(conn, column_name)
        if found:
            self._remember(key)
        return found

    def has_asset_key_col(self, column_name: str) -> bool:
        if f"{AssetKeyTable.name}.{column_name}" in self._known and self._engine_pid == os.getpid():
            return True
        return super().has_asset_key_col(column_name)

    def upgrade(self) -> None:
        super().upgrade()
        self._known = frozenset()

    def dispose(self) -> None:
        super().dispose()
        if self._engine_pid == os.getpid():
            if self._engine is not None:
                self._engine.dispose()
            if self._keeper is not None:
                self._keeper.close()
        self._engine = self._keeper = self._engine_pid = None
        self._known = frozenset()
