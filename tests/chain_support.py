"""The real chain for small end-to-end tests, the way every run goes: the caller's files are
ingested with `ingest_paths` (the function the `hr_inbox` asset calls, so each file's result
object can be inspected), then one Dagster run of everything after ingestion — SSB/KLASS from
the snapshot, dbt, every check, the gate, the published warehouse and the county release —
with the same definitions, resources and ordering as `workforce demo`. Real DuckDB files, real
dbt, real GX; nothing mocked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pipelines.hr.ingest import DeliveryResult
from pipelines.quality.check_run import CheckRun
from pipelines.settings import Settings

# Everything but the inbox ingestion (the chain ingests the caller's files itself).
AFTER_INGESTION = "* and not group:hr"


@dataclass(frozen=True)
class ChainResult:
    deliveries: list[DeliveryResult]
    gate: CheckRun  # every check result of the run (dbt, SQL, GX), with the run's report
    published: Path | None
    release: Path | None


def _run_results(settings: Settings, run_id: str) -> CheckRun:
    """The check results the run recorded in `audit.check_results`, as result objects."""
    import json

    import duckdb

    from pipelines.quality.results import CheckResult

    columns = ("check_name", "asset_key", "severity", "passed", "kind", "message", "observed", "expected",
               "evaluated_rows", "unexpected_count", "suite", "subject", "municipality_code", "examples",
               "by_municipality")  # fmt: skip
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        rows = con.execute(f"select {', '.join(columns)} from audit.check_results where run_id = ?", [run_id])
        results = [dict(zip(columns, row, strict=True)) for row in rows.fetchall()]
    finally:
        con.close()
    parsed = [
        CheckResult(
            **{
                **r,
                "asset_key": tuple(r["asset_key"].split("/")),
                "message": r["message"] or "",
                "examples": json.loads(r["examples"] or "[]"),
                "by_municipality": json.loads(r["by_municipality"] or "{}"),
            }
        )
        for r in results
    ]
    return CheckRun(
        run_id,
        parsed,
        report_path=settings.quality_dir / run_id / "index.html",
    )


def run_chain(settings: Settings, paths: Sequence[Path], *, publish: bool = True) -> ChainResult:
    """Ingest `paths` into `settings`' build database, then build, check and (when the gate
    is open and `publish`) publish the warehouse and the county release, in one Dagster run."""
    from rich.console import Console

    from pipelines.defs.orchestration.runner import run_in_process
    from pipelines.hr.ingest import ingest_paths

    settings = replace(settings, ssb_mode="snapshot")
    settings.ensure_dirs()
    deliveries = ingest_paths(list(paths), settings) if paths else []
    selection = AFTER_INGESTION if publish else f"{AFTER_INGESTION} and not key:published_warehouse and not key:release"
    with pytest.MonkeyPatch.context() as monkeypatch:  # the run points DAGSTER_HOME at this home; restored after
        monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))
        outcome = run_in_process(Console(file=io.StringIO(), width=150), select=selection, settings=settings)
    gate = _run_results(settings, outcome.run_id)
    if not (publish and outcome.success):
        return ChainResult(deliveries, gate, None, None)
    release = outcome.paths.get("release")
    return ChainResult(deliveries, gate, settings.published_db_path, Path(release) if release else None)
