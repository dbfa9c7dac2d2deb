"""Municipal HR deliveries: readers, profiles, validation, pseudonymisation, ledger.

Pure polars + DuckDB; no Dagster here, so the domain is testable on its own.
"""
