"""The delivery ledger: `audit.deliveries` (one row per distinct file content),
`audit.delivery_attempts` (every attempt, re-deliveries included) and `audit.quarantine`.

The ledger is what makes "nothing is lost" checkable: every delivery reconciles as
`rows_read = rows_loaded + rows_quarantined + rows_duplicate` (rows_stale is a subset of
rows_loaded: valid rows a newer extract had already superseded; so is rows_unknown_code: loaded
rows whose well-formed position code is in no code list, by code in `unknown_position_codes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl


@dataclass(frozen=True)
class PastDelivery:
    file_name: str
    outcome: str
    loaded_at: datetime
    kind: str | None
    municipality_code: str | None
    extraction_date: date | None
    profile: str | None


def lookup(con: duckdb.DuckDBPyConnection, sha256: str) -> PastDelivery | None:
    row = con.execute(
        "select file_name, outcome, loaded_at, kind, municipality_code, extraction_date, profile "
        "from audit.deliveries where delivery_sha256 = ?",
        [sha256],
    ).fetchone()
    return PastDelivery(*row) if row else None


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Content hashes of every delivery loaded so far (one query, for a whole run)."""
    return {
        row[0]
        for row in con.execute("select delivery_sha256 from audit.deliveries where outcome = 'loaded'").fetchall()
    }


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    *,
    sha256: str,
    file_name: str,
    kind: str | None,
    municipality_code: str | None,
    extraction_date: date | None,
    profile: str | None,
    counts: dict[str, int],
    outcome: str,
    reason: str | None,
    archive_path: str | None,
    at: datetime,
    replaces_rejected: bool = True,
    unknown_position_codes: dict[str, int] | None = None,
    period_start: date | None = None,
) -> None:
    """Insert the delivery (replacing an earlier *rejected* row for the same content; a caller
    that has just looked the content up and found nothing passes `replaces_rejected=False`
    and saves a statement per file)."""
    if replaces_rejected:
        con.execute("delete from audit.deliveries where delivery_sha256 = ? and outcome = 'rejected'", [sha256])
    con.execute(
        """
        insert into audit.deliveries (delivery_sha256, file_name, kind, municipality_code, extraction_date,
            profile, rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_stale, outcome, reason,
            archive_path, loaded_at, period_start, rows_unknown_code, unknown_position_codes)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            sha256,
            file_name,
            kind,
            municipality_code,
            extraction_date,
            profile,
            counts.get("read", 0),
            counts.get("loaded", 0),
            counts.get("quarantined", 0),
            counts.get("duplicate", 0),
            counts.get("stale", 0),
            outcome,
            reason,
            archive_path,
            at,
            period_start,
            sum((unknown_position_codes or {}).values()),
            json.dumps(unknown_position_codes, sort_keys=True) if unknown_position_codes else None,
        ],
    )


def record_attempt(
    con: duckdb.DuckDBPyConnection,
    *,
    sha256: str,
    file_name: str,
    outcome: str,
    reason: str | None,
    at: datetime,
) -> None:
    con.execute(
        "insert into audit.delivery_attempts values (?, ?, ?, ?, ?)", [sha256, file_name, outcome, reason, at]
    )


def record_quarantine(con: duckdb.DuckDBPyConnection, sha256: str, rows: pl.DataFrame) -> None:
    """`rows`: source_row_number, column_name, reason, row_json."""
    if rows.height == 0:
        return
    con.register("quarantine_rows", rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        con.execute("delete from audit.quarantine where delivery_sha256 = ?", [sha256])
        con.execute(
            "insert into audit.quarantine select ?, source_row_number, column_name, reason, row_json "
            "from quarantine_rows",
            [sha256],
        )
    finally:
        con.unregister("quarantine_rows")
