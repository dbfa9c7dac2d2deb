"""Definitions of the release area: the `release` asset."""

import dagster as dg

from pipelines.defs.release.assets import release

defs = dg.Definitions(assets=[release])
