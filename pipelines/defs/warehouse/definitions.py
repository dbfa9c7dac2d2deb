"""Definitions of the warehouse area: the published warehouse asset."""

import dagster as dg

from pipelines.defs.resources import SETTINGS_KEY, location_settings
from pipelines.defs.warehouse.assets import published_warehouse

defs = dg.Definitions(
    assets=[published_warehouse], resources={SETTINGS_KEY: location_settings()}
)
