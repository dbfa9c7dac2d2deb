"""Definitions of the warehouse area: the published warehouse asset."""

import dagster as dg

from pipelines.defs.resources import SETTINGS_KEY, code_location_resources
from pipelines.defs.warehouse.assets import published_warehouse

defs = dg.Definitions(
    assets=[published_warehouse], resources={SETTINGS_KEY: code_location_resources()[SETTINGS_KEY]}
)
