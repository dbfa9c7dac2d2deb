"""Dagster wiring of the `ssb` area."""
