"""Dagster wiring of the `warehouse` area: the analysts' published warehouse."""
