"""What each benchmark child process runs: one pipeline stage, as the pipeline runs it.

    python -m pipelines.bench.stages STAGE [ARG]

The child's environment carries WORKFORCE_HOME, the secret, snapshot mode for SSB and
DAGSTER_HOME (set by the harness); each stage calls the same function `workforce demo` and
the Dagster assets call, then reports a few counts on one BENCH-RESULT line. dbt build is
not here: the harness runs the `dbt` executable itself as the measured child.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path

from pipelines.bench.measure import report_result
from pipelines.settings import Settings


def generate(out: str, municipalities: str, years: str, scale: str) -> dict:
    from pipelines.demo.generate import generate_deliveries

    summary = generate_deliveries(Path(out), years=years, scale=float(scale), municipalities=municipalities)
    return {"summary": summary, "files": sum(1 for _ in Path(out).iterdir())}


def ingest(folder: str) -> dict:
    from pipelines.hr.ingest import ingest_paths

    results = ingest_paths([Path(folder)], Settings.from_env())
    rows: Counter[str] = Counter()
    for result in results:
        rows[result.kind or "unknown"] += result.rows_read
    return {
        "files": len(results),
        "outcomes": dict(Counter(r.outcome for r in results)),
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "rows_by_kind": dict(rows),
    }


def ssb() -> dict:
    from pipelines.ssb.load import fetch_catalogue

    outcomes = fetch_catalogue(Settings.from_env(), mode="snapshot")
    return {"tables": len(outcomes)}


def gate(run_results: str) -> dict:
    from pipelines.quality.check_run import run_all_checks

    result = run_all_checks(Settings.from_env(), dbt_run_results=Path(run_results))
    return {
        "checks": len(result.results),
        "passed": result.passed,
        "blocking_failures": [r.check_name for r in result.blocking_failures][:20],
        "warnings": len(result.warnings),
    }


def publish() -> dict:
    from pipelines.warehouse.publish import publish_database

    settings = Settings.from_env()
    path = publish_database(settings.build_db_path, settings.published_db_path)
    return {"bytes": path.stat().st_size}


def release() -> dict:
    from pipelines.release.make import make_release

    settings = Settings.from_env()
    folder = make_release(settings, settings.published_db_path)
    return {"files": sum(1 for p in folder.rglob("*") if p.is_file())}


def dagster() -> dict:
    """The whole warehouse and the county release in one Dagster run (the inbox is filled)."""
    from rich.console import Console

    from pipelines.defs.orchestration.runner import run_in_process

    out = io.StringIO()
    outcome = run_in_process(Console(file=out, width=160), select="*")
    return {
        "success": outcome.success,
        "materialised": len(outcome.materialised),
        "failed_steps": outcome.failed_steps[:10],
        "failed_checks": [c[:2] for c in outcome.failed_checks][:10],
        "display_tail": out.getvalue()[-1500:] if not outcome.success else "",
    }


STAGES = {
    "generate": generate,
    "ingest": ingest,
    "ssb": ssb,
    "gate": gate,
    "publish": publish,
    "release": release,
    "dagster": dagster,
}

if __name__ == "__main__":
    report_result(STAGES[sys.argv[1]](*sys.argv[2:]))
