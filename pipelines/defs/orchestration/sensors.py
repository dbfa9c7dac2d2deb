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
            "Ikke lest, fordi filnavnet ser ut til å inneholde et fødselsnummer (gi filen nytt navn): "
            + ", ".join(refused)
        )
    skip = None
    if not requests:
        skip = skip_reason(context.instance, inbox, new_state)
    return dg.SensorResult(run_requests=requests, cursor=new_state.to_cursor(), skip_reason=skip)


def failed_deliveries(instance: dg.DagsterInstance, inbox, state) -> list[tuple[str, str]]:
    """(file name, run id) of inbox files whose run (keyed by their sha256) failed or was
    cancelled: the run key is used, so the sensor will not request them again by itself."""
    from pipelines.orchestration.inbox import is_candidate, name_key

    shas = {key: seen[2] for key, seen in state.requested.items()}
    found = []
    for path in sorted(inbox.iterdir()) if inbox.is_dir() else []:
        sha = shas.get(name_key(path.name)) if is_candidate(path) else None
        if sha is None:
            continue
        runs = instance.get_runs(filters=dg.RunsFilter(tags={DELIVERY_SHA_TAG: sha}), limit=1)
        if runs and runs[0].status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED):
            found.append((path.name, runs[0].run_id))
    return found


def skip_reason(instance: dg.DagsterInstance, inbox, state) -> str:
    """Why nothing was requested, in the words the UI shows: files waiting to be written, and
    files still in the inbox whose run failed (with how to run them again)."""
    from pipelines.hr.fnr import redact

    failed = failed_deliveries(instance, inbox, state)
    parts = []
    if failed:
        names = ", ".join(f"{redact(name)} (kjøring {run_id[:8]})" for name, run_id in failed)
        first = redact(failed[0][0])
        parts.append(
            f"Innlesingen feilet for {names}; filen ligger fortsatt i innboksen og startes ikke på nytt av seg selv. "
            "Rett årsaken og kjør på nytt: «Re-execute» på den feilede kjøringen i UI-et, eller "
            f"`workforce run --retry {first}`."
        )
    else:
        parts.append(f"Ingen nye, ferdig skrevne filer i {inbox}.")
    waiting = len(state.pending)
    if waiting:
        parts.append(f"{waiting} fil(er) skrives fortsatt.")
    return " ".join(parts)


@dg.sensor(
    name="stale_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Markerer kjøringer med drept prosess som feilet og frigir plassen deres i warehouse_writer-køen.",
)
def stale_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    from pipelines.defs.orchestration.stale_runs import reap_stale_runs

    reaped = reap_stale_runs(context.instance)
    for run in reaped:
        context.log.warning(f"run {run.run_id} ({run.job_name}): process {run.pid} is gone; marked failed")
    return dg.SkipReason(f"{len(reaped)} døde kjøringer markert som feilet" if reaped else "Ingen døde kjøringer")


@dg.run_status_sensor(
    name="rebuild_after_ssb_refresh",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ssb_refresh_job],
    request_job=rebuild_indicators_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Etter en vellykket SSB-oppdatering: bygg indikatorene på nytt og publiser (nye SSB-tall når tabellene)."
    ),
)
def rebuild_after_ssb_refresh(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"after-{context.dagster_run.run_id}",
        tags={"workforce/trigger": f"ssb_refresh {context.dagster_run.run_id}"},
    )


sensors = [inbox_sensor, stale_runs_sensor, rebuild_after_ssb_refresh]
