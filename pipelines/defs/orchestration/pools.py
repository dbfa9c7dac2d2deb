"""The one concurrency pool of the build database.

DuckDB allows one read-write process or many readers, never both, so every asset and check
that opens the build database — to write it, or to read it while a writer might be at
work — runs in this pool. `dagster.yaml` gives every pool a limit of 1
(`concurrency: pools: default_limit: 1`), so at most one such step runs at a time across
all runs; the others wait for the slot instead of failing on DuckDB's lock.
"""

WAREHOUSE_WRITER = "warehouse_writer"

# Run tag of every job that writes the build database; `dagster.yaml` starts at most one
# such run at a time (`concurrency: runs: tag_concurrency_limits`), the rest stay queued.
WRITER_TAG = {"workforce/writer": "build-db"}
