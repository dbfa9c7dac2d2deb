"""Dagster wiring of the `dbt` area."""
