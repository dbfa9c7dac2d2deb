"""The quality gate: cross-system SQL checks, GX suites, dbt test results, quality reports."""
