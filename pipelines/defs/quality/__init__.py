"""Dagster wiring of the `quality` area."""
