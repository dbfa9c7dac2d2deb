"""The DuckDB resource of the build database.

One object per process (cached), so every area that imports it hands `Definitions.merge`
the *same* resource under the key `duckdb`, which merge requires.
"""

from __future__ import annotations

from functools import cache

from dagster_duckdb import DuckDBResource

from pipelines.settings import get_settings

DUCKDB_KEY = "duckdb"


@cache
def duckdb_resource() -> DuckDBResource:
    return DuckDBResource(database=str(get_settings().build_db_path))
