"""Definitions of the `ssb` area: the catalogue's tables and KLASS, a job and a monthly schedule."""

import dagster as dg

from pipelines.defs.resources import SETTINGS_KEY, location_settings
from pipelines.defs.ssb.assets import assets
from pipelines.defs.ssb.schedules import ssb_monthly, ssb_refresh_job

defs = dg.Definitions(
    assets=assets,
    jobs=[ssb_refresh_job],
    schedules=[ssb_monthly],
    resources={SETTINGS_KEY: location_settings()},
)
