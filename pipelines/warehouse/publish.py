"""Publish the analysts' warehouse: the marts and the audit summaries, nothing person-level.

Analysts need figures, not people. The published file is built fresh from the build database
and holds only what `PUBLISHED` lists: every table of `marts` (aggregates by area and year,
and the dimensions) and summaries of the ledgers (deliveries without archive paths,
quarantine as counts per column and reason, check verdicts without failing-row examples,
SSB fetches). `raw.*`, `staging.*`, `intermediate.*` (person-level, pseudonymised) and the
quarantined rows stay in the build database, which only the pipeline and its operators open
(GDPR's data minimisation).

Analysts must never meet a lock or a half-built table. The file is written beside the
published one and renamed over it in one atomic step (`os.replace`): a reader that has the
old file open keeps its consistent snapshot (the old inode), a new reader gets the new one,
and a run killed mid-copy leaves only a stray temporary file (removed by the next publish),
never a damaged published file.

`publish_warehouse` is the whole step (what the `published_warehouse` asset calls): the
quality gate is read again (`pipelines.quality.gate`; in a Dagster run the blocking checks
already stopped this step when one failed, but a publish started on its own — the `publish`
job, `workforce run --select published_warehouse` — must fail closed too), dbt's docs are
generated when the project or the schema changed (`pipelines.warehouse.docs`), and only then
is the file copied: a failure before the copy leaves the previous file and docs as they were.

Analysts open it through `open_published`: read-only, with external access disabled and
the configuration locked, so a statement can neither write, nor attach the build database,
nor read files or the network, nor load extensions.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import WorkforceError
from pipelines.permissions import SHARED_FILE, restrict, set_mode
from pipelines.processes import process_gone
from pipelines.settings import Settings
from pipelines.warehouse.connection import connect

MARTS_SCHEMA = "marts"
# audit tables analysts get, each as the statement that builds it from the build database
# `build`. Columns are named: a column added to a ledger is not published until it is listed
# here, and one that disappears fails the publish.
PUBLISHED_AUDIT: dict[str, str] = {
    "deliveries": (
        "select delivery_sha256, file_name, kind, municipality_code, extraction_date, profile, rows_read, "
        "rows_loaded, rows_quarantined, rows_duplicate, rows_stale, rows_unknown_code, unknown_position_codes, "
        "period_start, outcome, reason, loaded_at "
        "from build.audit.deliveries order by loaded_at, delivery_sha256"
    ),
    "quarantine_summary": (
        "select delivery_sha256, column_name, reason, count(*) as quarantined_rows "
        "from build.audit.quarantine group by all order by all"
    ),
    "check_results": (
        "select run_id, check_name, asset_key, severity, passed, observed, expected, evaluated_rows, "
        "unexpected_count, checked_at, kind, message, suite, subject, municipality_code "
        "from build.audit.check_results order by checked_at, check_name, asset_key"
    ),
    "ssb_fetches": (
        "select table_id, table_name, query_hash, status, rows, table_updated, source, duration_ms, fetched_at, "
        "message from build.audit.ssb_fetches order by fetched_at, table_id"
    ),
}
# What the analysts' connection may not do (DuckDB settings, fixed when it opens).
LOCKED_READER_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,  # no files, no network, no attach, no copy ... to
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,  # and none of the above can be set back
}


def _checkpoint(build_db: Path) -> None:
    """Fold the write-ahead log into the file, so the copy holds every committed change (and
    make sure the check-results ledger exists: a warehouse never checked publishes it empty)."""
    from pipelines.quality.results import ensure_results_schema

    with connect(build_db) as con:
        ensure_results_schema(con)
        con.execute("checkpoint")


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = ? and table_type = 'BASE TABLE' order by 1",
            [catalog, schema],
        ).fetchall()
    ]


def write_published(build_db: Path, target: Path) -> dict[str, int]:
    """Write the analysts' tables of `build_db` into the new file `target`; rows per table."""
    con = duckdb.connect(str(target))
    try:
        con.execute("attach ? as build (read_only)", [str(build_db)])
        marts = _tables(con, "build", MARTS_SCHEMA)
        if not marts:
            raise WorkforceError(f"Byggedatabasen {build_db} har ingen marts-tabeller å publisere; kjør dbt først.")
        counts: dict[str, int] = {}
        for schema in (MARTS_SCHEMA, "audit"):
            con.execute(f"create schema {schema}")
        for table in marts:
            con.execute(f'create table {MARTS_SCHEMA}."{table}" as select * from build.{MARTS_SCHEMA}."{table}"')
        for table, query in PUBLISHED_AUDIT.items():
            con.execute(f'create table audit."{table}" as {query}')
        for schema, table in [(MARTS_SCHEMA, t) for t in marts] + [("audit", t) for t in PUBLISHED_AUDIT]:
            counts[f"{schema}.{table}"] = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def remove_stray_copies(published_db: Path) -> list[Path]:
    """Temporary files left by a publish that was killed mid-copy (`.<name>.<pid>.tmp` and its
    `.wal`), whose process is gone."""
    removed = []
    prefix = f".{published_db.name}."
    for path in published_db.parent.glob(f"{prefix}*.tmp*"):
        pid = path.name.removeprefix(prefix).split(".", 1)[0]
        if path.name.endswith((".tmp", ".tmp.wal")) and process_gone(pid):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def publish_database(build_db: Path, published_db: Path) -> Path:
    """Build the analysts' file from `build_db` and rename it over `published_db` atomically."""
    if not build_db.is_file():
        raise WorkforceError(f"Det finnes ingen byggedatabase i {build_db} å publisere; kjør rørledningen først.")
    _checkpoint(build_db)
    if published_db.parent.is_dir():
        remove_stray_copies(published_db)
    published_db.parent.mkdir(parents=True, exist_ok=True)
    temporary = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with restrict(SHARED_FILE):
            write_published(build_db, temporary)
        set_mode(temporary, SHARED_FILE)
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
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return published_db


def open_published(published_db: Path, *, locked: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the analysts' file (never takes the writer's lock). Locked (the
    default, and always for statements a person types): no external access, configuration
    locked. `locked=False` only for the project's own fixed statements that write files the user
    asked for (`workforce export`'s `copy ... to`)."""
    if not published_db.is_file():
        raise WorkforceError(
            f"Ingenting er publisert ennå i {published_db}: kjør `make demo` eller `workforce run` først."
        )
    try:
        config = dict(LOCKED_READER_CONFIG) if locked else {}
        return duckdb.connect(str(published_db), read_only=True, config=config)
    except duckdb.Error as error:
        first = " ".join(str(error).split())[:200]
        raise WorkforceError(
            f"Det publiserte lageret {published_db} kan ikke åpnes ({first}); publiser det på nytt med "
            "`workforce run --job publish`."
        ) from None


@dataclass
class PublishOutcome:
    path: Path
    size_bytes: int
    state: dict[str, int | str | None] = field(default_factory=dict)
    docs_index: Path | None = None
    checks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


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
    from pipelines.quality.gate import require_open_gate
    from pipelines.warehouse.docs import docs_are_current, docs_fingerprint, generate_docs, install_docs

    build_db, published_db = settings.build_db_path, settings.published_db_path
    if not build_db.is_file():
        raise WorkforceError(f"Det finnes ingen byggedatabase i {build_db} å publisere; kjør rørledningen først.")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    checks = require_open_gate(build_db) if gate else 0
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
