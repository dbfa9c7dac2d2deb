"""Definitions of orchestration: jobs, sensors, the nightly schedule, and the in-process executor
every asset job uses (including materialisations from the UI). It owns no assets: each area's
assets live in its own `defs/<area>`."""

import dagster as dg

from pipelines.defs.orchestration.jobs import jobs
from pipelines.defs.orchestration.schedules import schedules
from pipelines.defs.orchestration.sensors import sensors

defs = dg.Definitions(
    jobs=jobs,
    sensors=sensors,
    schedules=schedules,
    executor=dg.in_process_executor,
)
