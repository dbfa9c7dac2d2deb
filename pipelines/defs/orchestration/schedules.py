"""Schedules: the nightly rebuild (off by default). SSB's monthly refresh is the ssb area's.

`nightly_rebuild` rebuilds the indicators, runs the gate and publishes at 03:00 Oslo time.
Every delivery already triggers that chain through the inbox sensor, and an SSB refresh
through `rebuild_after_ssb_refresh`, so a nightly rebuild only matters after changes made
outside Dagster (a `workforce ingest` from the shell, edited seeds). Turn it on in the UI
(Automation → nightly_rebuild → Start) or with
`dagster schedule start nightly_rebuild -m pipelines.definitions`.
"""

import dagster as dg

from pipelines.defs.orchestration.jobs import rebuild_indicators_job

nightly_rebuild = dg.ScheduleDefinition(
    name="nightly_rebuild",
    job=rebuild_indicators_job,
    cron_schedule="0 3 * * *",
    execution_timezone="Europe/Oslo",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Nattlig gjenoppbygging av indikatorene, kvalitetsporten og publisering (av som standard).",
)

schedules = [nightly_rebuild]
