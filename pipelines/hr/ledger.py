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


def past_deliveries(con: duckdb.DuckDBPyConnection) -> dict[str, PastDelivery]:
    """Every delivery in the ledger by content hash (one query for a whole run: the run is the
    warehouse's only writer, and it keeps this up to date as it stores)."""
    rows = con.execute(
        "select delivery_sha256, file_name, outcome, loaded_at, kind, municipality_code, extraction_date, profile "
        "from audit.deliveries"
    ).fetchall()
    return {row[0]: PastDelivery(*row[1:]) for row in rows}


# audit.deliveries' columns as a batch writes them (DELIVERY_COLUMNS) and their types.
_DELIVERY_SCHEMA = {
    "delivery_sha256": pl.String,
    "file_name": pl.String,
    "kind": pl.String,
    "municipality_code": pl.String,
    "extraction_date": pl.Date,
    "profile": pl.String,
    "rows_read": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_duplicate": pl.Int64,
    "rows_stale": pl.Int64,
    "outcome": pl.String,
    "reason": pl.String,
    "archive_path": pl.String,
    "loaded_at": pl.Datetime("us"),
    "period_start": pl.Date,
    "rows_unknown_code": pl.Int64,
    "unknown_position_codes": pl.String,
}
_ATTEMPT_SCHEMA = {
    "delivery_sha256": pl.String,
    "file_name": pl.String,
    "outcome": pl.String,
    "reason": pl.String,
    "attempted_at": pl.Datetime("us"),
}


def delivery_row(
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
    unknown_position_codes: dict[str, int] | None = None,
    period_start: date | None = None,
) -> dict:
    """One `audit.deliveries` row, for `record_batch`."""
    return {
        "delivery_sha256": sha256,
        "file_name": file_name,
        "kind": kind,
        "municipality_code": municipality_code,
        "extraction_date": extraction_date,
        "profile": profile,
        "rows_read": counts.get("read", 0),
        "rows_loaded": counts.get("loaded", 0),
        "rows_quarantined": counts.get("quarantined", 0),
        "rows_duplicate": counts.get("duplicate", 0),
        "rows_stale": counts.get("stale", 0),
        "outcome": outcome,
        "reason": reason,
        "archive_path": archive_path,
        "loaded_at": at,
        "period_start": period_start,
        "rows_unknown_code": sum((unknown_position_codes or {}).values()),
        "unknown_position_codes": (
            json.dumps(unknown_position_codes, sort_keys=True) if unknown_position_codes else None
        ),
    }


def attempt_row(*, sha256: str, file_name: str, outcome: str, reason: str | None, at: datetime) -> dict:
    """One `audit.delivery_attempts` row, for `record_batch`."""
    return {"delivery_sha256": sha256, "file_name": file_name, "outcome": outcome, "reason": reason, "attempted_at": at}


def record_batch(
    con: duckdb.DuckDBPyConnection,
    deliveries: list[dict],
    attempts: list[dict],
    quarantine: dict[str, pl.DataFrame],
    replaced: list[str],
) -> None:
    """Write a batch of files' ledger rows in a few statements (inside the caller's transaction):
    `deliveries` (at most one per content hash), every attempt, each loaded file's quarantined
    rows by content hash, after deleting the *rejected* rows of the contents in `replaced`
    (an earlier delivery of the same bytes that was rejected; a loaded one is never replaced)."""
    if replaced:
        con.execute(
            "delete from audit.deliveries where delivery_sha256 in (select unnest(?)) and outcome = 'rejected'",
            [replaced],
        )
        con.execute("delete from audit.quarantine where delivery_sha256 in (select unnest(?))", [replaced])
    _insert(con, "audit.deliveries", pl.DataFrame(deliveries, schema=_DELIVERY_SCHEMA, orient="row"))
    _insert(con, "audit.delivery_attempts", pl.DataFrame(attempts, schema=_ATTEMPT_SCHEMA, orient="row"))
    frames = [
        rows.select(
            pl.lit(sha, dtype=pl.String).alias("delivery_sha256"),
            pl.col("source_row_number").cast(pl.Int64),
            "column_name",
            "reason",
            "row_json",
        )
        for sha, rows in quarantine.items()
        if rows.height
    ]
    if frames:
        _insert(con, "audit.quarantine", pl.concat(frames))


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    if rows.height == 0:
        return
    columns = ", ".join(rows.columns)
    con.register("ledger_rows", rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from ledger_rows")
    finally:
        con.unregister("ledger_rows")


class Known:
    """What the ledger says, for a run that stores many files: read once and kept up to date
    in memory as the run records (the run is the warehouse's only writer), so storing a file
    asks the database nothing about the ledger."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.past = past_deliveries(con)
        # newest loaded extraction date per (kind, municipality; None: a file of several)
        self.newest: dict[tuple[str | None, str | None], date] = {}
        for delivery in self.past.values():
            self._note(delivery)

    def loaded(self) -> frozenset[str]:
        return frozenset(sha for sha, past in self.past.items() if past.outcome == "loaded")

    def remember(self, sha256: str, delivery: PastDelivery) -> None:
        self.past[sha256] = delivery
        self._note(delivery)

    def _note(self, delivery: PastDelivery) -> None:
        if delivery.outcome != "loaded" or delivery.extraction_date is None:
            return
        key = (delivery.kind, delivery.municipality_code)
        if key not in self.newest or self.newest[key] < delivery.extraction_date:
            self.newest[key] = delivery.extraction_date

    def newer_extract_loaded(self, kind: str | None, municipality_code: str | None, extracted: date | None) -> bool:
        """Has a newer extract of the kind been loaded for the municipality (or for several at
        once)? Unknown municipality or date: assume so."""
        if municipality_code is None or extracted is None:
            return True
        return any(
            (newest := self.newest.get((kind, code))) is not None and newest > extracted
            for code in (municipality_code, None)
        )
