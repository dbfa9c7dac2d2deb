"""Definitions of the `quality` area: the asset checks of every checked asset, and the gate.

The checks target assets other areas define (raw tables, SSB tables, dbt models); merged in
`pipelines/definitions.py`, Dagster runs them whenever those assets materialise. The gate
asset comes after every mart and gives the verdict over the latest result of each check.
"""

import dagster as dg

from pipelines.defs.quality.assets import quality_gate
from pipelines.defs.quality.checks import ASSET_CHECKS
from pipelines.defs.resources import SETTINGS_KEY, location_settings

defs = dg.Definitions(
    assets=[quality_gate],
    asset_checks=ASSET_CHECKS,
    resources={SETTINGS_KEY: location_settings()},
)
