"""Check results: one record type for every check, and one append-only table that holds them.

SQL reconciliations, Great Expectations suites and dbt tests all end up as rows of
`audit.check_results`, so the report, the release and an analyst asking "was this checked?"
read one place. Rows are never updated or deleted: the history of a check is its rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

Severity = Literal["block", "warn"]
Kind = Literal["sql", "gx", "dbt"]
SEVERITIES: tuple[str, ...] = ("block", "warn")

RESULTS_DDL = """
create schema if not exists audit;
create table if not exists audit.check_results (
    run_id             varchar not null,    -- gate run id (CLI) or Dagster run id
    check_name         varchar not null,
    asset_key          varchar not null,    -- Dagster asset key as a path, e.g. raw/hr_employments
    severity           varchar not null,    -- block | warn
    passed             boolean not null,
    observed           varchar,
    expected           varchar,
    evaluated_rows     bigint,
    unexpected_count   bigint,
    checked_at         timestamp not null,
    kind               varchar not null,    -- sql | gx | dbt
    message            varchar,
    suite              varchar,             -- GX suite (or dbt node) the check came from
    subject            varchar,             -- narrower scope than the asset: a delivery, a frame
    municipality_code  varchar,             -- set when the result concerns one municipality
    examples           varchar,             -- JSON list of failing rows, pseudonymised
    by_municipality    varchar              -- JSON {code: {count, examples}} for delivery feedback
);

-- Deliveries whose contract suite already ran at a given suite version: a delivery's rows do
-- not change once loaded, so it is checked once (and again while it keeps failing).
create table if not exists audit.contract_checks (
    run_id             varchar not null,
    suite              varchar not null,
    suite_version      varchar not null,    -- sha256 of the suite file
    delivery_sha256    varchar not null,
    passed             boolean not null,    -- no blocking expectation failed
    checked_at         timestamp not null
);
"""

# An 11-digit run (a possible national id) must never reach disk, not even inside an example.
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_KEY_COLUMNS = ("employment_key", "employee_key", "person_key", "person_id", "hired_employee_key")


def ensure_results_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the audit tables this module writes (idempotent)."""
    con.execute(RESULTS_DDL)


def asset_path(asset_key: Sequence[str]) -> str:
    """`["raw", "hr_employments"]` → `raw/hr_employments` (Dagster's own user string)."""
    return "/".join(asset_key)


def scrub(value: Any) -> Any:
    """Make one example value safe to store: no 11-digit numbers, pseudonyms shortened."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        text = str(value)
        return "***********" if _ELEVEN_DIGITS.fullmatch(text) else value
    text = str(value)
    return _ELEVEN_DIGITS.sub("***********", text)


def scrub_row(row: dict[str, Any]) -> dict[str, Any]:
    """Scrub every value of an example row; HMAC pseudonyms are cut to 10 characters, enough
    for an HR office to match against its own export through us, too short to be worth keeping."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _KEY_COLUMNS and isinstance(value, str) and len(value) > 10:
            value = value[:10] + "…"
        out[key] = scrub(value)
    return out


@dataclass
class CheckResult:
    """The outcome of one check over one scope; `passed=False` with severity `block` stops publication."""

    check_name: str
    asset_key: tuple[str, ...]
    severity: str
    passed: bool
    kind: str
    message: str = ""
    observed: str | None = None
    expected: str | None = None
    evaluated_rows: int | None = None
    unexpected_count: int | None = None
    suite: str | None = None
    subject: str | None = None
    municipality_code: str | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    by_municipality: dict[str, dict[str, Any]] = field(default_factory=dict)
    title: str | None = None  # Norwegian, for the report; not stored (the spec or suite has it)

    @property
    def blocking_failure(self) -> bool:
        return not self.passed and self.severity == "block"

    @property
    def asset(self) -> str:
        return asset_path(self.asset_key)


def record_results(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    results: Iterable[CheckResult],
    checked_at: datetime | None = None,
) -> int:
    """Append results to `audit.check_results`; returns how many rows were written."""
    ensure_results_schema(con)
    at = (checked_at or datetime.now(UTC)).replace(tzinfo=None)
    rows = [
        (
            run_id,
            r.check_name,
            r.asset,
            r.severity,
            bool(r.passed),
            r.observed,
            r.expected,
            r.evaluated_rows,
            r.unexpected_count,
            at,
            r.kind,
            scrub(r.message),
            r.suite,
            r.subject,
            r.municipality_code,
            json.dumps([scrub_row(e) for e in r.examples], ensure_ascii=False, default=str)
            if r.examples
            else None,
            json.dumps(
                {
                    code: {**info, "examples": [scrub_row(e) for e in info.get("examples", [])]}
                    for code, info in r.by_municipality.items()
                },
                ensure_ascii=False,
                default=str,
            )
            if r.by_municipality
            else None,
        )
        for r in results
    ]
    # one multi-row insert per batch: DuckDB's executemany costs milliseconds per row
    placeholders = "(" + ", ".join("?" * 17) + ")"
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        con.execute(
            "insert into audit.check_results values " + ", ".join([placeholders] * len(batch)),
            [value for row in batch for value in row],
        )
    return len(rows)


def _row_to_result(row: tuple[Any, ...], columns: list[str]) -> CheckResult:
    data = dict(zip(columns, row, strict=True))
    return CheckResult(
        check_name=data["check_name"],
        asset_key=tuple(data["asset_key"].split("/")),
        severity=data["severity"],
        passed=bool(data["passed"]),
        kind=data["kind"],
        message=data["message"] or "",
        observed=data["observed"],
        expected=data["expected"],
        evaluated_rows=data["evaluated_rows"],
        unexpected_count=data["unexpected_count"],
        suite=data["suite"],
        subject=data["subject"],
        municipality_code=data["municipality_code"],
        examples=json.loads(data["examples"]) if data["examples"] else [],
        by_municipality=json.loads(data["by_municipality"]) if data["by_municipality"] else {},
    )


def _has_results(con: duckdb.DuckDBPyConnection) -> bool:
    """Readers may hold a read-only connection (the release, analysts): never create, only look."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'check_results'"
    ).fetchall()
    return bool(row and row[0][0])


def run_results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[CheckResult]:
    """Every result recorded under `run_id`, in the order written."""
    if not _has_results(con):
        return []
    cur = con.execute(
        "select * from audit.check_results where run_id = ? order by checked_at, rowid", [run_id]
    )
    columns = [d[0] for d in cur.description]
    return [_row_to_result(row, columns) for row in cur.fetchall()]


def current_results(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """The current verdict of every check: its rows from the latest run that evaluated it.

    Checks run in different runs (one Dagster run per asset selection, or the CLI gate), so the
    state of the gate is per check, not per run. A check whose latest evaluation failed stays
    failed until a later run evaluates it again.
    """
    if not _has_results(con):
        return []
    cur = con.execute(
        """
        with latest as (
            select check_name, asset_key, arg_max(run_id, checked_at) as run_id
            from audit.check_results group by check_name, asset_key
        )
        select r.* from audit.check_results r
        join latest using (check_name, asset_key, run_id)
        order by r.asset_key, r.check_name
        """
    )
    columns = [d[0] for d in cur.description]
    return [_row_to_result(row, columns) for row in cur.fetchall()]


def blocking_failures(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Checks whose current verdict is a failed `block`: what the release must refuse on.

    An empty gate (no check ever ran) is not a pass: callers should treat "no results" as a
    reason to refuse, which `gate_is_open` does.
    """
    return [r for r in current_results(con) if r.blocking_failure]


def gate_is_open(con: duckdb.DuckDBPyConnection) -> tuple[bool, list[str]]:
    """(may publish, reasons not to). Fails closed when the gate has never run."""
    current = current_results(con)
    if not current:
        return False, ["Kvalitetskontrollen har ikke kjørt (ingen resultater i audit.check_results)."]
    reasons = [f"{r.asset}: {r.check_name} – {r.message}" for r in current if r.blocking_failure]
    return not reasons, reasons


# --- dbt tests -------------------------------------------------------------------------------
def _dbt_asset_key(node: dict[str, Any]) -> tuple[str, ...]:
    """The asset key dagster-dbt's translator gives a model: [schema, name] (our marts use a
    custom schema per folder, e.g. `marts.fct_indicators`)."""
    schema = (node.get("config") or {}).get("schema") or node.get("schema") or "main"
    return (str(schema), str(node.get("name")))


def dbt_results_from_run_results(
    run_results_path: Path, manifest_path: Path | None = None
) -> list[CheckResult]:
    """Turn dbt's `run_results.json` (tests only) into check results.

    The manifest (beside run_results.json by default) gives each test's severity and the model
    it is attached to; without it, a failed test counts as `block` (fail closed) and the
    asset is the test's own name.
    """
    data = json.loads(Path(run_results_path).read_text())
    manifest_path = manifest_path or Path(run_results_path).with_name("manifest.json")
    nodes: dict[str, Any] = {}
    if manifest_path.is_file():
        nodes = json.loads(manifest_path.read_text()).get("nodes", {})
    results: list[CheckResult] = []
    for item in data.get("results", []):
        unique_id: str = item.get("unique_id", "")
        if not unique_id.startswith(("test.", "unit_test.")):
            continue
        status = str(item.get("status", "")).lower()
        node = nodes.get(unique_id, {})
        configured = str((node.get("config") or {}).get("severity", "error")).lower()
        severity = "warn" if (status == "warn" or configured == "warn") else "block"
        attached = node.get("attached_node") or next(
            iter((node.get("depends_on") or {}).get("nodes", [])), None
        )
        asset_key = (
            _dbt_asset_key(nodes[attached]) if attached in nodes else ("dbt", unique_id.split(".")[-1])
        )
        failures = item.get("failures")
        results.append(
            CheckResult(
                check_name=unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id,
                asset_key=asset_key,
                severity=severity,
                passed=status in ("pass", "success"),
                kind="dbt",
                message=(item.get("message") or status)[:500],
                observed=f"{failures} feil" if failures is not None else status,
                expected="0 feil",
                unexpected_count=int(failures) if isinstance(failures, int) else None,
                suite=unique_id,
            )
        )
    return results


def record_dbt_results(
    con: duckdb.DuckDBPyConnection, run_id: str, run_results_path: Path, manifest_path: Path | None = None
) -> list[CheckResult]:
    """Record the dbt tests of one `dbt build`/`dbt test` into `audit.check_results`."""
    results = dbt_results_from_run_results(run_results_path, manifest_path)
    record_results(con, run_id, results)
    return results
