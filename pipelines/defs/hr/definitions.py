"""Definitions of the HR area: the inbox ingestion assets, with the settings and build database resources.

Imports stay light (no polars, no pipelines.hr): the asset body imports the domain."""

import dagster as dg

from pipelines.defs.hr.assets import hr_inbox
from pipelines.defs.resources import DUCKDB_KEY, SETTINGS_KEY, location_duckdb, location_settings

defs = dg.Definitions(assets=[hr_inbox], resources={SETTINGS_KEY: location_settings(), DUCKDB_KEY: location_duckdb()})
