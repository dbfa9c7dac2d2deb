"""Definitions of the HR area: the inbox ingestion assets and the build database resource.

Imports stay light (no polars, no pipelines.hr): the asset body imports the domain."""

import dagster as dg

from pipelines.defs.hr.assets import hr_inbox
from pipelines.defs.hr.resources import DUCKDB_KEY, duckdb_resource

defs = dg.Definitions(assets=[hr_inbox], resources={DUCKDB_KEY: duckdb_resource()})
