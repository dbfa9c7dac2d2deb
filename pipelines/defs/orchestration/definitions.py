"""Definitions of orchestration: the quality gate asset, the published warehouse, jobs, sensors, the nightly schedule,
and the in-process executor every asset job uses (including materialisations from the UI)."""

import dagster as dg

from pipelines.defs.orchestration.assets import published_warehouse, quality_gate
from pipelines.defs.orchestration.jobs import jobs
from pipelines.defs.orchestration.schedules import schedules
from pipelines.defs.orchestration.sensors import sensors

defs = dg.Definitions(
    assets=[quality_gate, published_warehouse],
    jobs=jobs,
    sensors=sensors,
    schedules=schedules,
    executor=dg.in_process_executor,
)
