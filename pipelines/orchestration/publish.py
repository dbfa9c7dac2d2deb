"""Publish the warehouse for analysts: gate, docs, atomic copy — in that order.

In a Dagster run the blocking asset checks already stop this step when a check fails. The
gate is read again here from `audit.check_results` (the latest result of every check, as
the county release reads it), so a publish started on its own — the `publish` job, or
`workforce run --select published_warehouse` — fails closed too: no results, or a blocking
failure, and nothing is replaced.

The dbt docs are generated before the database is copied, so a failure there leaves the
previous published file and docs as they were; the new docs are installed right after the
new file, describing the same state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.errors import WorkforceError
from pipelines.settings import Settings

if TYPE_CHECKING:
    from pipelines.release.gate import GateSummary

# The tables an analyst reaches first; their row counts are part of a publish's state.
MARTS_SCHEMA = "marts"


class PublishRefusedError(WorkforceError):
    """The quality gate forbids publishing (every reason is in the message)."""


@dataclass
class PublishOutcome:
    path: Path
    size_bytes: int
    state: dict[str, int | str | None] = field(default_factory=dict)
    docs_index: Path | None = None
    checks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def gate_summary(build_db: Path) -> GateSummary:
    """The latest result of every check in `audit.check_results` (none when it is missing)."""
    from pipelines.release.gate import evaluate
    from pipelines.warehouse.connection import connect

    with connect(build_db, read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'check_results'"
        ).fetchone()[0]
        rows: list[dict] = []
        if present:
            cursor = con.execute(
                "select run_id, check_name, asset_key, severity, passed, observed, expected, "
                "unexpected_count, cast(checked_at as varchar) as checked_at from audit.check_results"
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return evaluate(rows)


def check_gate(build_db: Path) -> int:
    """Raise `PublishRefusedError` unless every check's latest result passed or only warns;
    return the number of checks the verdict rests on."""
    summary = gate_summary(build_db)
    reasons = summary.refusal_reasons()
    if reasons:
        raise PublishRefusedError(
            "Analysebasen er ikke publisert: " + " ".join(reasons[:10])
            + (f" (og {len(reasons) - 10} til)" if len(reasons) > 10 else "")
        )
    return summary.total


def warehouse_state(con: duckdb.DuckDBPyConnection) -> dict[str, int | str | None]:
    """A fingerprint of a warehouse's content, read in one statement (one snapshot): rows of
    every mart, the deliveries in the ledger and the latest load. Two publishes of different
    data differ in it; a reader that met half of one and half of another would see a
    combination no publish ever had."""
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [MARTS_SCHEMA]
        ).fetchall()
    ]
    parts = [f'(select count(*) from {MARTS_SCHEMA}."{table}") as "{table}"' for table in tables]
    parts += [
        "(select count(*) from audit.deliveries) as deliveries",
        "(select cast(max(loaded_at) as varchar) from audit.deliveries) as last_loaded_at",
    ]
    cursor = con.execute("select " + ", ".join(parts))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def published_state(path: Path) -> dict[str, int | str | None]:
    """`warehouse_state` of a published file, opened read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return warehouse_state(con)
    finally:
        con.close()


def publish_warehouse(settings: Settings, *, docs: bool = True, gate: bool = True) -> PublishOutcome:
    """Gate → dbt docs (when the project or the schema changed) → atomic copy → docs installed."""
    from pipelines.orchestration.docs import docs_are_current, docs_fingerprint, generate_docs, install_docs
    from pipelines.warehouse.connection import connect
    from pipelines.warehouse.publish import publish_database

    build_db, published_db = settings.build_db_path, settings.published_db_path
    if not build_db.is_file():
        raise WorkforceError(f"Det finnes ingen byggedatabase i {build_db} å publisere; kjør rørledningen først.")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    checks = check_gate(build_db) if gate else 0
    seconds["gate"] = time.perf_counter() - started

    target = None
    fingerprint = ""
    if docs:
        started = time.perf_counter()
        with connect(build_db, read_only=True) as con:
            fingerprint = docs_fingerprint(con)
        if not docs_are_current(settings.docs_dir, fingerprint):
            target = generate_docs(settings, build_db)
        seconds["docs"] = time.perf_counter() - started

    started = time.perf_counter()
    publish_database(build_db, published_db)  # removes the copies of killed publishes first
    seconds["copy"] = time.perf_counter() - started
    if target is not None:
        docs_index: Path | None = install_docs(target, settings.docs_dir, fingerprint)
    else:
        docs_index = settings.docs_dir / "index.html" if docs else None
    return PublishOutcome(
        path=published_db,
        size_bytes=published_db.stat().st_size,
        state=published_state(published_db),
        docs_index=docs_index,
        checks=checks,
        seconds=seconds,
    )
