"""The dbt step's choice between a full build and a range of years, and its bookkeeping.

A delivery run (`ingest_deliveries`) asks `build_plan(..., incremental=True)`: the slice
(years x municipalities) the loads noted in `audit.pending_loads` made stale
(pipelines/warehouse/pending.py), unless something
else changed that a range build would not pick up (no complete full build yet, the dbt
project or dbt changed, SSB/KLASS were fetched since) — then a full build, as before. Every
other run builds everything. `record_build` runs after `dbt build` succeeded: it records the
build and clears the pending years it covered; a failed build leaves them for the next run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pipelines.warehouse.pending import Plan, finish, plan


def build_plan(build_db: Path, *, incremental: bool) -> tuple[Plan, datetime]:
    from pipelines.warehouse.connection import connect

    started = datetime.now(UTC).replace(tzinfo=None)
    with connect(build_db) as con:
        if incremental:
            return plan(con), started
        return Plan.full_build(con, "a full rebuild was asked for"), started


def record_build(
    build_db: Path, done: Plan, started: datetime, run_id: str | None, *, complete: bool, covers_pending: bool
) -> None:
    from dataclasses import replace

    from pipelines.warehouse.connection import connect

    if not covers_pending:  # a partial selection: the pending years stay for a build that covers them
        done = replace(done, pending=())
    with connect(build_db) as con:
        finish(con, done, started, run_id, complete=complete)
