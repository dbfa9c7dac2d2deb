"""DDL of the tables the Python side writes: `raw.*` (loaded data) and `audit.*` (ledgers).

The raw HR tables are declared once, in the HR contract (`pipelines/hr/contract.py`,
RAW_SCHEMA); their DDL is generated from it here. dbt's sources and the GX column lists are
checked against it by tests/hr/test_hr_contract_tables.py. Every statement is idempotent.
"""

from __future__ import annotations

import duckdb

from pipelines.errors import WorkforceError
from pipelines.hr.contract import KINDS, RAW_SCHEMA, RAW_TABLES, raw_table_ddl
from pipelines.warehouse.transaction import transaction

SCHEMAS = ("raw", "audit")

HR_DDL = """
create table if not exists audit.deliveries (
    delivery_sha256      varchar primary key,  -- sha256 of the file as delivered
    file_name            varchar not null,
    kind                 varchar,               -- employments | postings | backlog
    municipality_code    varchar,
    extraction_date      date,
    profile              varchar,
    rows_read            bigint not null default 0,
    rows_loaded          bigint not null default 0,
    rows_quarantined     bigint not null default 0,
    rows_duplicate       bigint not null default 0,
    rows_stale           bigint not null default 0,  -- valid rows a newer extract already superseded
    outcome              varchar not null,      -- loaded | rejected | already_loaded
    reason               varchar,
    archive_path         varchar,               -- redacted copy under landing/, relative to WORKFORCE_HOME
    loaded_at            timestamp not null,
    period_start         date,                  -- employments: first day the extract covers, when it
                                                -- declares a history (else the 12 months up to extraction_date)
    rows_unknown_code    bigint default 0,      -- loaded rows whose well-formed position code is in no list
    unknown_position_codes varchar              -- JSON {"code": rows} of those codes (null: none)
);

-- every attempt, including re-deliveries recognised by hash (which add no row above)
create table if not exists audit.delivery_attempts (
    delivery_sha256      varchar not null,
    file_name            varchar not null,
    outcome              varchar not null,
    reason               varchar,
    attempted_at         timestamp not null
);

create table if not exists audit.quarantine (
    delivery_sha256      varchar not null,
    source_row_number    bigint not null,       -- 1-based data row in the file, after the header
    column_name          varchar not null,
    reason               varchar not null,
    row_json             varchar not null       -- the offending row, identifiers pseudonymised
);

"""

# The raw HR tables: append-only versions, one row per delivered row (issue 16).
RAW_HR_DDL = "\n".join(raw_table_ddl(kind) for kind in KINDS)


# SSB/KLASS (pipelines/ssb). The raw.ssb_<name> tables take their dimension columns from
# the table's JSON-stat2 and are created by the loader (pipelines/ssb/load.py).
SSB_DDL = """
create table if not exists audit.ssb_fetches (
    table_id             varchar not null,      -- SSB table id, or 'klass-131'
    table_name           varchar,               -- catalogue name (population, ...) or 'klass'
    query_hash           varchar,
    status               varchar not null,      -- ok | fallback | HTTP status | timeout | unreachable | ...
    rows                 bigint not null default 0,
    table_updated        timestamp,             -- SSB's 'updated' of the data used
    source               varchar,               -- live | cache | snapshot | demo (null when nothing loaded)
    duration_ms          bigint,
    fetched_at           timestamp not null,    -- when the data used was fetched (on fallback: the cache's)
    message              varchar
);

create table if not exists raw.ssb_notes (
    table_id             varchar not null,
    table_name           varchar not null,
    dimension            varchar,               -- null: a note on the whole table
    category             varchar,               -- null: a note on the whole dimension
    note                 varchar not null,
    mandatory            boolean not null,      -- SSB's noteMandatory: must be shown with the figures
    fetched_at           timestamp not null
);

create table if not exists raw.klass_municipality (
    code                 varchar not null,
    name                 varchar not null,
    valid_from           date,
    valid_to             date,                  -- inclusive; null while valid
    version              varchar,
    source               varchar not null       -- live | cache | snapshot | derived
);

create table if not exists raw.klass_municipality_changes (
    old_code             varchar not null,
    old_name             varchar,
    new_code             varchar not null,
    new_name             varchar,
    change_occurred      date not null,
    weight               double not null,       -- share of old_code that went to new_code (splits < 1)
    weight_basis         varchar,
    source               varchar not null
);

create table if not exists raw.klass_municipality_map (
    historical_code      varchar not null,      -- any code, historical or current
    current_code         varchar not null,      -- today's code it lands on
    weight               double not null,       -- product of split weights along the path
    path                 varchar not null       -- e.g. '1852 > 5412 > 5512'
);
"""


# The fingerprint of the pseudonymisation secret the warehouse was built with
# (pipelines/hr/key_fingerprint.py): HMAC(secret, fixed label), never the secret.
SECRET_DDL = """
create table if not exists audit.secret_fingerprint (
    fingerprint          varchar not null,
    recorded_at          timestamp not null
);
"""

# Columns added after a table was first shipped: an existing warehouse gains them here, in
# this order (the same order as the DDL above, so column positions agree).
ADDED_COLUMNS = (
    ("audit.deliveries", "period_start", "date"),  # issue 12 (history in one delivery)
    ("audit.deliveries", "rows_unknown_code", "bigint default 0"),  # issue 12
    ("audit.deliveries", "unknown_position_codes", "varchar"),  # issue 12
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and HR/audit/SSB tables if they are missing (and add later columns).

    A warehouse whose raw HR tables predate the append-only layer (issue 16) is refused with
    the command that migrates it: appending to a table that keeps one version per key would
    fail on its key, and reading it as versions would be wrong."""
    old = old_raw_tables(con)
    if old:
        raise WorkforceError(
            f"Lageret har rådata i det gamle formatet ({', '.join(old)}: én versjon per nøkkel). "
            "Kjør `workforce migrate-raw` én gang før du går videre."
        )
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    con.execute(HR_DDL)
    con.execute(RAW_HR_DDL)
    con.execute(SSB_DDL)
    con.execute(SECRET_DDL)
    for table, column, definition in ADDED_COLUMNS:
        con.execute(f"alter table {table} add column if not exists {column} {definition}")


# --- migrating a warehouse from before the append-only raw layer (issue 16) -------------------
def old_raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Raw HR tables in the form before issue 16: one current version per key under a primary
    key, without the load time that orders versions of equal extraction date."""
    names = [table.split(".")[1] for table in RAW_TABLES.values()]
    rows = con.execute(
        "select 'raw.' || table_name from information_schema.columns "
        "where table_schema = 'raw' and table_name in (select unnest($names::varchar[])) "
        "group by table_name having count(*) filter (where column_name = 'loaded_at') = 0 order by 1",
        {"names": names},
    ).fetchall()
    return [r[0] for r in rows]


def migrate_raw(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild old-format raw HR tables as append-only tables, in one transaction; returns the
    rows carried over per table (nothing to do: empty).

    An old table holds, per key, the version the superseding upsert kept; each becomes one
    version row, its load time the ledger's for its delivery. The versions the upsert
    overwrote are no longer in the warehouse (their deliveries stay in the landing archive
    and the ledger), and were never current, so staging, marts and the incremental plan read
    exactly what they read before."""
    old = old_raw_tables(con)
    moved: dict[str, int] = {}
    if not old:
        return moved
    with transaction(con):
        for kind, table in RAW_TABLES.items():
            if table not in old:
                continue
            schema, name = table.split(".")
            con.execute(f"alter table {table} rename to {name}_before_append_only")
            con.execute(raw_table_ddl(kind))
            columns = ", ".join(f"r.{c.name}" for c in RAW_SCHEMA[kind] if c.name != "loaded_at")
            con.execute(
                f"insert into {table} select {columns}, "
                f"coalesce(d.loaded_at, cast(r.extraction_date as timestamp)) "
                f"from {schema}.{name}_before_append_only r left join audit.deliveries d using (delivery_sha256)"
            )
            moved[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            con.execute(f"drop table {schema}.{name}_before_append_only")
    return moved
