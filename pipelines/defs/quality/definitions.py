"""Definitions of the `quality` area: the asset checks of every checked asset.

The checks target assets other areas define (raw tables, SSB tables, dbt models); merged in
`pipelines/definitions.py`, Dagster runs them whenever those assets materialise.
"""

import dagster as dg

from pipelines.defs.quality.checks import ASSET_CHECKS

defs = dg.Definitions(asset_checks=ASSET_CHECKS)
