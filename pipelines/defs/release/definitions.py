"""Definitions of the release area: the `release` asset."""

import dagster as dg

from pipelines.defs.release.assets import release
from pipelines.defs.resources import SETTINGS_KEY, code_location_resources

defs = dg.Definitions(assets=[release], resources={SETTINGS_KEY: code_location_resources()[SETTINGS_KEY]})
