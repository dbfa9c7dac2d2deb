"""Sensors: new inbox files, runs whose process died, and SSB refreshes that need a rebuild.

`inbox` starts one `ingest_deliveries` run per new, complete file in `WORKFORCE_HOME/inbox/`
(see `pipelines.orchestration.inbox` for "new" and "complete"). The run key is the file's
sha256, so Dagster never starts a second run for the same content, whatever the cursor
says; the run's tags name the delivery. The run takes the file through ingestion, dbt, the
quality gate and publish, so the published marts include it when the run succeeds.

Settings (environment, read at each evaluation):
- `WORKFORCE_INBOX_SETTLE_SECONDS` (default 60): a file unchanged for this long is complete
  on first sight; otherwise it must be unchanged between two evaluations.
"""

import os

import dagster as dg

from pipelines.defs.orchestration.jobs import ingest_deliveries_job, rebuild_indicators_job
from pipelines.defs.ssb.schedules import ssb_refresh_job

INBOX_SENSOR_SECONDS = 30
DELIVERY_TAG = "workforce/delivery"
DELIVERY_SHA_TAG = "workforce/delivery_sha256"


def settle_seconds() -> float:
    from pipelines.orchestration.inbox import DEFAULT_SETTLE_SECONDS

    value = os.environ.get("WORKFORCE_INBOX_SETTLE_SECONDS")
    try:
        return float(value) if value else DEFAULT_SETTLE_SECONDS
    except ValueError:
        return DEFAULT_SETTLE_SECONDS


def inbox_run_request(name: str, sha256: str) -> dg.RunRequest:
    """The run for one delivered file: only that file is ingested, and the tags name it."""
    return dg.RunRequest(
        run_key=sha256,
        run_config={"ops": {"hr_inbox": {"config": {"files": [name]}}}},
        tags={DELIVERY_TAG: name, DELIVERY_SHA_TAG: sha256, "workforce/trigger": "inbox"},
    )


@dg.sensor(
    name="inbox",
    job=ingest_deliveries_job,
    minimum_interval_seconds=INBOX_SENSOR_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Én kjøring per ny, ferdig skrevet fil i WORKFORCE_HOME/inbox/ (kjørenøkkel = filens sha256).",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    from pipelines.hr.fnr import redact
    from pipelines.orchestration.inbox import InboxState, scan_inbox
    from pipelines.settings import get_settings

    inbox = get_settings().inbox_dir
    state = InboxState.from_cursor(context.cursor)
    ready, new_state = scan_inbox(inbox, state, settle_seconds=settle_seconds())
    requests = []
    refused = []
    for file in ready:
        if redact(file.name) != file.name:
            # The name would be stored in Dagster's run storage: a national id must never be.
            refused.append(redact(file.name))
            continue
        requests.append(inbox_run_request(file.name, file.sha256))
    if refused:
        context.log.warning(
            "Not read, because the file name looks like it holds a national id (rename the file): "
            + ", ".join(refused)
        )
    skip = None
    if not requests:
        waiting = len(new_state.pending)
        skip = f"No new complete files in {inbox}" + (f" ({waiting} still being written)" if waiting else "")
    return dg.SensorResult(run_requests=requests, cursor=new_state.to_cursor(), skip_reason=skip)


@dg.sensor(
    name="stale_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks runs whose process was killed as failed and frees their warehouse_writer slot.",
)
def stale_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    from pipelines.defs.orchestration.stale_runs import reap_stale_runs

    reaped = reap_stale_runs(context.instance)
    for run in reaped:
        context.log.warning(f"run {run.run_id} ({run.job_name}): process {run.pid} is gone; marked failed")
    return dg.SkipReason(f"{len(reaped)} stale runs marked failed" if reaped else "No stale runs")


@dg.run_status_sensor(
    name="rebuild_after_ssb_refresh",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ssb_refresh_job],
    request_job=rebuild_indicators_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a successful SSB refresh, rebuild the indicators and publish (new SSB figures reach the marts).",
)
def rebuild_after_ssb_refresh(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"after-{context.dagster_run.run_id}",
        tags={"workforce/trigger": f"ssb_refresh {context.dagster_run.run_id}"},
    )


sensors = [inbox_sensor, stale_runs_sensor, rebuild_after_ssb_refresh]
