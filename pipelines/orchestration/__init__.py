"""Orchestration domain code without Dagster: the inbox scan, the incremental dbt plan, year
ranges, the run display.

The Dagster wiring that uses it lives in `pipelines/defs/orchestration/`.
"""
