"""One DuckDB transaction as a `with` block.

Every writer that must leave the warehouse all-or-nothing (a delivery's ledger rows, an SSB
table and its notes, a migration) begins, commits and rolls back the same way; declaring it
once keeps the rollback from being forgotten in the next writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Begin; commit when the block ends normally, roll back and re-raise when it raises."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
