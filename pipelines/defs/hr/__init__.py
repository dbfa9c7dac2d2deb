"""Dagster wiring of the `hr` area."""
