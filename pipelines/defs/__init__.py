"""Dagster wiring, one folder per area (assets, checks, resources, schedules, sensors)."""
