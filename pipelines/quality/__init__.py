"""Checks and the quality gate: cross-system SQL checks, GX suites, dbt test results, check runs,
the gate's verdict, quality reports."""
