"""Orchestration domain code without Dagster: the inbox scan, publishing, the run display.

The Dagster wiring that uses it lives in `pipelines/defs/orchestration/`.
"""
