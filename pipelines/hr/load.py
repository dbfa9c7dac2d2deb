"""Superseding load into the raw tables.

A raw table holds the current version of each key. A staged row replaces the stored one
only when its extraction date is newer or equal (equal: the later ingestion wins), so
delivering extracts out of order ends in the same table as delivering them in order.
Valid rows that lose to a newer stored version are counted as stale.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.hr.contract import RAW_KEYS, RAW_TABLES

RAW_COLUMNS = {
    "employments": (
        "municipality_code",
        "employment_key",
        "employee_key",
        "person_key",
        "birth_year",
        "gender",
        "position_code",
        "position_title",
        "fte_percent",
        "employment_type",
        "start_date",
        "end_date",
        "termination_reason",
        "unit",
        "service_area",
        "kostra_function",
        "manager_level",
        "education_level",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
    "postings": (
        "municipality_code",
        "posting_id",
        "position_code",
        "position_title",
        "manager_level",
        "fte_percent",
        "employment_type",
        "published_date",
        "closing_date",
        "filled_date",
        "status",
        "applicants",
        "qualified_applicants",
        "hired_employee_key",
        "hire_source",
        "cost_nok",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
    "backlog": (
        "municipality_code",
        "service",
        "month",
        "open_cases",
        "overdue_cases",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
}


def upsert(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> int:
    """Merge `rows` (exactly RAW_COLUMNS[kind], unique per key) into the raw table; return
    how many of them were stale. Runs inside the caller's transaction.

    The common case, a municipality's first delivery, is a plain insert; otherwise one
    `insert ... on conflict do update ... where` statement applies the superseding rule. One
    join finds both whether any staged key is stored already and how many stored versions
    are newer (a statement less per file than asking the two questions apart)."""
    if rows.height == 0:
        return 0
    table, keys, columns = RAW_TABLES[kind], RAW_KEYS[kind], RAW_COLUMNS[kind]
    con.register("staged", rows.select(columns).to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        on = " and ".join(f"r.{k} = s.{k}" for k in keys)
        stored, stale = con.execute(
            f"select count(*), count(*) filter (where r.extraction_date > s.extraction_date) "
            f"from staged s join {table} r on {on}"
        ).fetchone()
        column_list = ", ".join(columns)
        if not stored:
            con.execute(f"insert into {table} ({column_list}) select {column_list} from staged")
            return 0
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
        con.execute(
            f"insert into {table} ({column_list}) select {column_list} from staged "
            f"on conflict ({', '.join(keys)}) do update set {updates} "
            f"where excluded.extraction_date >= extraction_date"
        )
    finally:
        con.unregister("staged")
    return int(stale)
