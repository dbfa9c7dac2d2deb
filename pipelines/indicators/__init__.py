"""Indicators: running the dbt project outside Dagster and reading its headline figures."""
