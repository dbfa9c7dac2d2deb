"""What each benchmark child process runs: a selection of the Dagster job's assets.

    python -m pipelines.bench.stages STAGE

Every stage is `workforce run --select <its assets>` in a fresh process: the same
definitions, checks, resources and instance as `workforce run`, `make demo` and the inbox
sensor, so a stage is measured as the pipeline runs it (with Dagster's own cost) and no
benchmark writes the order of the pipeline a second time. The asset checks of the selected
assets run in the same stage: the dbt stage includes dbt's tests and the SQL and GX checks of
the models; the gate stage is the gate's verdict over the results they recorded. The
child's environment carries WORKFORCE_HOME, the secret, snapshot mode for SSB and
DAGSTER_HOME (set by the harness), and the deliveries sit in the home's inbox. Each stage
reports a few counts on one BENCH-RESULT line.
"""

from __future__ import annotations

import io
import sys

from pipelines.bench.measure import report_result

# stage -> the asset selection it materialises (Dagster's selection syntax, as `--select`)
SELECTIONS = {
    "ingest": "group:hr",
    "ssb": "group:ssb",
    "dbt": "group:dbt",
    "gate": "key:quality/gate",
    "publish": "key:published_warehouse",
    "release": "key:release",
    "dagster": "*",  # the whole run, release included
}


def _ingest_counts() -> dict:
    """What the ingestion recorded in the delivery ledger (each file's row accounting)."""
    import duckdb

    from pipelines.settings import Settings

    con = duckdb.connect(str(Settings.from_env().build_db_path), read_only=True)
    try:
        rows = con.execute(
            "select kind, outcome, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from audit.deliveries group by all"
        ).fetchall()
    finally:
        con.close()
    outcomes: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for kind, outcome, files, read, _loaded, _quarantined in rows:
        outcomes[outcome] = outcomes.get(outcome, 0) + files
        by_kind[kind or "unknown"] = by_kind.get(kind or "unknown", 0) + int(read or 0)
    return {
        "files": sum(r[2] for r in rows),
        "outcomes": outcomes,
        "rows_read": sum(int(r[3] or 0) for r in rows),
        "rows_loaded": sum(int(r[4] or 0) for r in rows),
        "rows_quarantined": sum(int(r[5] or 0) for r in rows),
        "rows_by_kind": by_kind,
    }


def run_stage(stage: str) -> dict:
    """Materialise the stage's selection in this process; the run's outcome in a few counts."""
    from rich.console import Console

    from pipelines.defs.orchestration.runner import run_in_process

    out = io.StringIO()
    outcome = run_in_process(Console(file=out, width=160), select=SELECTIONS[stage])
    result = {
        "selection": SELECTIONS[stage],
        "run_id": outcome.run_id,
        "success": outcome.success,
        "materialised": len(outcome.materialised),
        "failed_steps": outcome.failed_steps[:10],
        "failed_checks": [c[:2] for c in outcome.failed_checks][:10],
        "display_tail": out.getvalue()[-1500:] if not outcome.success else "",
    }
    if stage == "ingest":
        result |= _ingest_counts()
    if stage == "release" and not outcome.success and any("gate" in str(s).lower() for s in outcome.failed_steps):
        result["refused"] = True  # the gate blocked: the release refusing is the pipeline working
    return result


def generate(out: str, municipalities: str, years: str, scale: str) -> dict:
    """The benchmark's input (not a pipeline stage): the demo generator's delivery files."""
    from pathlib import Path

    from pipelines.demo.generate import generate_deliveries

    summary = generate_deliveries(Path(out), years=years, scale=float(scale), municipalities=municipalities)
    return {"summary": summary, "files": sum(1 for _ in Path(out).iterdir())}


if __name__ == "__main__":
    from pipelines.orchestration.lifecycle import exit_fast, tune_gc  # as `workforce` runs

    tune_gc()
    stage = sys.argv[1]
    if stage == "generate":
        report_result(generate(*sys.argv[2:]))
        exit_fast(0)
    result = run_stage(stage)
    report_result(result)
    exit_fast(1 if not result["success"] and not result.get("refused") else 0)
