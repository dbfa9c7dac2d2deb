"""Check results: one record type for every check, and one append-only table that holds them.

SQL reconciliations, Great Expectations suites and dbt tests all end up as rows of
`audit.check_results`, so the report, the release and an analyst asking "was this checked?"
read one place. Rows are never updated or deleted: the history of a check is its rows.
"""

from __future__ import annotations

import functools
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


EXAMPLE_ROWS = 5
FEEDBACK_EXAMPLES_PER_MUNICIPALITY = 3


@dataclass(frozen=True)
class FailingRows:
    """What a query returning failing rows says: how many output rows, how many data rows they
    stand for (`failing_rows` when the query groups), a few examples, and per municipality."""

    outputs: int
    rows: int
    examples: list[dict[str, Any]]
    by_municipality: dict[str, dict[str, Any]]


def _json_safe(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def failing_rows_summary(con: duckdb.DuckDBPyConnection, sql: str) -> FailingRows:
    """Summarise the rows `sql` returns (a SQL reconciliation, or a dbt test's stored
    failures): the same conventions for both, so the report reads them alike."""
    cur = con.execute(
        f"select *, count(*) over () as __failing_outputs from ({sql}) as failing limit {EXAMPLE_ROWS}"
    )
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    outputs = int(rows[0]["__failing_outputs"]) if rows else 0
    count = outputs
    if rows and "failing_rows" in columns:
        count = int(con.execute(f"select sum(failing_rows) from ({sql}) as failing").fetchall()[0][0])
    by_municipality: dict[str, dict[str, Any]] = {}
    if rows and "municipality_code" in columns:
        weight = "sum(failing_rows)" if "failing_rows" in columns else "count(*)"
        grouped = con.execute(
            f"""
            select municipality_code, {weight} as n,
                   list(to_json(failing))[1:{FEEDBACK_EXAMPLES_PER_MUNICIPALITY}] as examples
            from ({sql}) as failing group by municipality_code
            """
        ).fetchall()
        by_municipality = {
            str(code): {"count": int(n), "examples": [json.loads(e) for e in examples or []]}
            for code, n, examples in grouped
        }
    examples = [{k: _json_safe(v) for k, v in r.items() if k != "__failing_outputs"} for r in rows]
    return FailingRows(outputs, count, examples, by_municipality)


# --- dbt tests -------------------------------------------------------------------------------
# A test's Norwegian title and feedback live in its yml (`config.meta.title`, `.feedback`); the
# generic tests in dbt/tests/generic/ store failing rows (`store_failures`) with a
# `municipality_code`, which the gate reads for each municipality's feedback.
_MODEL_ARGUMENT = re.compile(r"(source|ref)\(\s*'([^']+)'(?:\s*,\s*'([^']+)')?\s*\)")


def _dbt_asset_key(node: dict[str, Any]) -> tuple[str, ...]:
    """The asset key dagster-dbt's translator gives a model: [schema, name] (our marts use a
    custom schema per folder, e.g. `marts.fct_indicators`)."""
    schema = (node.get("config") or {}).get("schema") or node.get("schema") or "main"
    return (str(schema), str(node.get("name")))


def _tested_asset(node: dict[str, Any], manifest: dict[str, Any]) -> tuple[str, ...] | None:
    """The asset a test is about: the model or source it is applied to (a source test has no
    `attached_node`; a source's key is [source name, table], as the translator gives it)."""
    nodes = manifest.get("nodes", {})
    attached = node.get("attached_node")
    if attached in nodes:
        return _dbt_asset_key(nodes[attached])
    model = str(((node.get("test_metadata") or {}).get("kwargs") or {}).get("model") or "")
    found = _MODEL_ARGUMENT.search(model)
    if found and found.group(1) == "source" and found.group(3):
        return (found.group(2), found.group(3))
    if found and found.group(1) == "ref":
        named = [n for n in nodes.values() if n.get("name") == found.group(2) and n.get("resource_type") == "model"]
        if named:
            return _dbt_asset_key(named[0])
    parents = (node.get("depends_on") or {}).get("nodes", [])
    if parents and parents[0] in nodes:
        return _dbt_asset_key(nodes[parents[0]])
    if parents and parents[0] in manifest.get("sources", {}):
        source = manifest["sources"][parents[0]]
        return (str(source["source_name"]), str(source["name"]))
    return None


def _test_meta(node: dict[str, Any]) -> dict[str, Any]:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def dbt_test_catalog(manifest_path: Path) -> dict[str, tuple[str, str | None]]:
    """Norwegian title and feedback of every dbt test that declares them, by test name.

    Read once per version of the file: the quality report asks after every checked asset of a
    run, and the manifest is ~2 MB of JSON (issue 16.4)."""
    if not manifest_path.is_file():
        return {}
    stat = manifest_path.stat()
    return dict(_dbt_test_catalog(str(manifest_path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _dbt_test_catalog(manifest_path: str, _mtime_ns: int, _size: int) -> dict[str, tuple[str, str | None]]:
    nodes = json.loads(Path(manifest_path).read_text()).get("nodes", {})
    return {
        str(node["name"]): (str(meta["title"]), meta.get("feedback"))
        for node in nodes.values()
        if node.get("resource_type") == "test" and (meta := _test_meta(node)).get("title")
    }


def _stored_failures(node: dict[str, Any]) -> str | None:
    """`schema.table` of a test's stored failing rows (the catalog name is left out: the build
    database is attached under its file's name)."""
    if not (node.get("config") or {}).get("store_failures"):
        return None
    return f'"{node.get("schema")}"."{node.get("alias") or node.get("name")}"'


def dbt_results_from_run_results(
    run_results_path: Path,
    manifest_path: Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[CheckResult]:
    """Turn dbt's `run_results.json` (tests only) into check results.

    The manifest (beside run_results.json by default) gives each test's severity, title and
    the model or source it tests; without it, a failed test counts as `block` (fail closed) and
    the asset is the test's own name. With a connection to the build database, a failed test
    that stores its failing rows gets its examples and its failures per municipality from them.
    """
    data = json.loads(Path(run_results_path).read_text())
    manifest_path = manifest_path or Path(run_results_path).with_name("manifest.json")
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
    nodes: dict[str, Any] = manifest.get("nodes", {})
    results: list[CheckResult] = []
    for item in data.get("results", []):
        unique_id: str = item.get("unique_id", "")
        if not unique_id.startswith(("test.", "unit_test.")):
            continue
        status = str(item.get("status", "")).lower()
        node = nodes.get(unique_id, {})
        configured = str((node.get("config") or {}).get("severity", "error")).lower()
        severity = "warn" if (status == "warn" or configured == "warn") else "block"
        asset_key = _tested_asset(node, manifest) or ("dbt", unique_id.split(".")[-1])
        failures = item.get("failures")
        result = CheckResult(
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
            title=_test_meta(node).get("title"),
        )
        stored = _stored_failures(node)
        if con is not None and stored and not result.passed and status in ("fail", "warn"):
            try:
                failing = failing_rows_summary(con, f"select * from {stored}")
            except duckdb.Error as error:  # the verdict stands; only the details are missing
                result.message += f" (feilradene kunne ikke leses: {str(error).splitlines()[0][:200]})"
            else:
                result.unexpected_count = failing.rows
                result.observed = f"{failing.rows} rader feiler"
                if result.title:  # read like the gate's own checks: "N rader feiler: <title>"
                    result.message = f"{failing.rows} rader feiler: {result.title[0].lower()}{result.title[1:]}"
                result.examples = failing.examples
                result.by_municipality = failing.by_municipality
        results.append(result)
    return results


def record_dbt_results(
    con: duckdb.DuckDBPyConnection, run_id: str, run_results_path: Path, manifest_path: Path | None = None
) -> list[CheckResult]:
    """Record the dbt tests of one `dbt build`/`dbt test` into `audit.check_results`, with
    the failing rows each failed test stored."""
    results = dbt_results_from_run_results(run_results_path, manifest_path, con)
    record_results(con, run_id, results)
    return results
