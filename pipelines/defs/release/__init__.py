"""Dagster wiring of the `release` area."""
