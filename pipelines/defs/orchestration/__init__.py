"""Dagster wiring of orchestration: jobs, the inbox sensor, schedules, publishing, backfills."""
