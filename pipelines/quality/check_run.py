"""A check run: the cross-system SQL checks, the GX suites and dbt's test results.

`evaluate_checks` is what Dagster's asset checks run (a subset per asset, in the job);
`run_all_checks` runs all of them outside Dagster in one go (`workforce check`; tests and
benchmarks measure it on its own). The dbt tests come from the build: the run results a `dbt
build` wrote (`dbt_run_results`), or else the latest ones the dbt step recorded. Results are
recorded in `audit.check_results`, reports are written under `WORKFORCE_HOME/quality/<run_id>/`.
Whether the figures may leave is the quality gate's verdict on those results
(`pipelines.quality.gate`), not this module's: a `block` check that failed — including one
that could not run — closes it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.errors import WorkforceError
from pipelines.quality.reconciliation import checks_for, prepare_macros, run_checks
from pipelines.quality.references import prepare_references
from pipelines.quality.report import write_reports
from pipelines.quality.results import (
    CheckResult,
    current_results,
    dbt_results_from_run_results,
    ensure_results_schema,
    record_results,
)
from pipelines.quality.suites import GX, SUITES, record_contract_checks, run_suite
from pipelines.settings import EXPECTATIONS_DIR, Settings
from pipelines.warehouse.connection import connect


@dataclass
class CheckRun:
    """The results of one check run."""

    run_id: str
    results: list[CheckResult]
    report_path: Path | None = None
    feedback_paths: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocking_failure]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed and r.severity != "block"]

    @property
    def passed(self) -> bool:
        """Open only when something was checked and no blocking check failed."""
        return bool(self.results) and not self.blocking_failures


def new_run_id() -> str:
    return f"gate-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def evaluate_checks(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    assets: Iterable[tuple[str, ...]] | None = None,
    expectations_dir: Path = EXPECTATIONS_DIR,
    timings: dict[str, float] | None = None,
) -> tuple[list[CheckResult], list[tuple[str, str]]]:
    """Run the SQL checks and GX suites (all, or those on `assets`), record the results.

    Returns the results and the reference sources used (for the report)."""
    timings = timings if timings is not None else {}
    wanted = None if assets is None else {tuple(a) for a in assets}
    ensure_results_schema(con)

    started = time.perf_counter()
    refs = prepare_references(con)
    prelude_errors = prepare_macros(con)
    sql_results, per_check = run_checks(con, checks_for(wanted), prelude_errors)
    timings["sql_checks"] = time.perf_counter() - started
    timings.update({f"sql:{k}": v for k, v in per_check.items()})

    results = list(sql_results)
    suites = [name for name, key in SUITES.items() if wanted is None or key in wanted]
    if suites:
        started = time.perf_counter()
        gx_was_loaded = GX.batch_definition is not None
        for name in suites:
            run = run_suite(
                con, name, expectations_dir
            )  # fails closed: never raises, never passes by default
            timings[f"gx:{name}"] = run.seconds
            results += run.results
            record_contract_checks(con, run_id, name, run)
        timings["gx_suites"] = time.perf_counter() - started
        timings["gx_import"] = 0.0 if gx_was_loaded else GX.import_seconds  # paid once per process

    started = time.perf_counter()
    record_results(con, run_id, results)
    timings["record"] = time.perf_counter() - started
    references = [
        ("Kommunenummer (KLASS 131)", refs.klass_source),
        ("KS' stillingskoder", refs.position_codes_source),
    ]
    return results, references


def run_all_checks(
    settings: Settings,
    run_id: str | None = None,
    *,
    dbt_run_results: Path | None = None,
    expectations_dir: Path = EXPECTATIONS_DIR,
    write_report: bool = True,
) -> CheckRun:
    """Run every check against the build database, record and report; never publishes."""
    run_id = run_id or new_run_id()
    path = settings.build_db_path
    if not path.is_file():
        raise WorkforceError(
            f"Det finnes ingen byggedatabase i {path}; les inn leveranser og bygg modellene først."
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with connect(path) as con:
        results, references = evaluate_checks(con, run_id, expectations_dir=expectations_dir, timings=timings)
        if dbt_run_results is not None:
            if not Path(dbt_run_results).is_file():
                raise WorkforceError(f"dbts resultatfil {dbt_run_results} finnes ikke.")
            dbt_results = dbt_results_from_run_results(Path(dbt_run_results), con=con)
        else:
            # the tests of the build being checked, as its dbt run recorded them: most row and
            # key checks are dbt tests (issue 15), and a verdict or report without them is partial
            dbt_results = [r for r in current_results(con) if r.kind == "dbt"]
        record_results(con, run_id, dbt_results)
        results += dbt_results
        report_path, feedback = None, []
        if write_report:
            report_started = time.perf_counter()
            report_path, feedback = write_reports(
                con, settings, run_id, references=references, directory=expectations_dir
            )
            timings["report"] = time.perf_counter() - report_started
    timings["total"] = time.perf_counter() - started
    return CheckRun(run_id, results, report_path, feedback, timings)
