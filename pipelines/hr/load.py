"""Append-only load into the raw tables (issue 16).

A raw table holds every accepted version of every row: a delivery's validated, pseudonymised
rows are inserted once, with their extraction date, delivery and load time, and never
updated. Which version is current is decided where it is read — dbt staging's window
(`stg_hr__*`, the latest extract wins; of equal extracts the later load) and, for the
incremental plan, `current_versions` below — so delivering extracts out of order ends in the
same marts as delivering them in order. Valid rows that lose to a newer stored version are
still counted as stale in the ledger (they are stored, but never current).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from pipelines.hr.contract import KINDS, RAW_KEYS, RAW_TABLES, RAW_VERSION_ORDER, raw_columns

# The raw tables' columns in table order (declared once, in the contract).
RAW_COLUMNS = {kind: raw_columns(kind) for kind in KINDS}
# What a prepared delivery carries: everything but the load time, which the commit sets.
STAGED_COLUMNS = {kind: tuple(c for c in columns if c != "loaded_at") for kind, columns in RAW_COLUMNS.items()}


def current_versions(kind: str, where: str = "") -> str:
    """SQL for the current version of each key (the rule dbt staging applies, here for the
    incremental plan, which runs before dbt): newest extract, then latest load."""
    keys = ", ".join(RAW_KEYS[kind])
    order = ", ".join(f"{c} desc" for c in RAW_VERSION_ORDER)
    return (
        f"select * from {RAW_TABLES[kind]} {where} "
        f"qualify row_number() over (partition by {keys} order by {order}) = 1"
    )


def stale_count(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> int:
    """How many of `rows` (STAGED_COLUMNS[kind]) are stale, i.e. a stored version of the same
    key has a newer extract. Runs inside the caller's transaction, before `rows` are inserted.

    The caller asks only when the ledger has a newer loaded extract of the same municipality
    and kind (or the file has no single municipality); delivering in order, the common case,
    reads nothing."""
    if rows.height == 0:
        return 0
    table, keys = RAW_TABLES[kind], RAW_KEYS[kind]
    con.register("staged", _exactly(rows, kind).to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        on = " and ".join(f"r.{k} = s.{k}" for k in keys)
        [(stale,)] = con.execute(  # fetched to the end: the result must be finished before unregister
            f"select count(*) from staged s where exists (select 1 from {table} r where {on} "
            f"and r.extraction_date > s.extraction_date)"
        ).fetchall()
    finally:
        con.unregister("staged")
    return int(stale)


def insert(con: duckdb.DuckDBPyConnection, kind: str, loads: list[tuple[pl.DataFrame, datetime]]) -> None:
    """Insert each load's rows (STAGED_COLUMNS[kind], unique per key) with its load time as new
    versions, in order, in ONE statement: a statement per small file costs more than its rows.
    Runs inside the caller's transaction."""
    loads = [(rows, at) for rows, at in loads if rows.height]
    if not loads:
        return
    columns = STAGED_COLUMNS[kind]
    frames = [_exactly(rows, kind) for rows, _ in loads]
    rows = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
    which = np.repeat(np.arange(len(loads)), [frame.height for frame in frames])
    times = pl.Series("loaded_at", [at for _, at in loads], dtype=pl.Datetime("us")).gather(which)
    table = RAW_TABLES[kind]
    con.register("staged", rows.hstack([times]).to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        column_list = ", ".join(columns)
        con.execute(f"insert into {table} ({column_list}, loaded_at) select {column_list}, loaded_at from staged")
    finally:
        con.unregister("staged")


def _exactly(rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """`rows` in STAGED_COLUMNS[kind] (a prepared delivery has them already: no copy then)."""
    columns = STAGED_COLUMNS[kind]
    return rows if tuple(rows.columns) == columns else rows.select(columns)
