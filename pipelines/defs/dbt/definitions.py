"""Definitions of this area (filled in as the area is built)."""

import dagster as dg

defs = dg.Definitions()
