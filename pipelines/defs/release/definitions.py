"""Definitions of the release area: the `release` asset."""

import dagster as dg

from pipelines.defs.release.assets import release
from pipelines.defs.resources import SETTINGS_KEY, location_settings

defs = dg.Definitions(assets=[release], resources={SETTINGS_KEY: location_settings()})
