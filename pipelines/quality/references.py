"""Reference lists the checks compare codes against, as temporary views on one connection.

Two lists matter: KLASS classification 131 (municipality codes with validity periods) and
KS's position codes. Each comes from the warehouse when it has been loaded (SSB's loader
writes `raw.klass_municipality`; dbt seeds `ks_position_codes`) and otherwise from the copy
shipped with the repository, so a code check never silently compares against nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.reference import EARLIEST_KLASS_LIST
from pipelines.settings import DBT_PROJECT_DIR

MUNICIPALITIES_CSV = Path(__file__).resolve().parent.parent / "reference" / "municipalities.csv"
KS_POSITION_CODES_CSV = DBT_PROJECT_DIR / "seeds" / "ks_position_codes.csv"


@dataclass(frozen=True)
class References:
    """Where each reference view was read from (shown in the report)."""

    klass_source: str
    position_codes_source: str


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """True when `schema.table` exists as a table or view in the current database."""
    schema, _, name = qualified.rpartition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema or "main", name],
    ).fetchall()
    return bool(row and row[0][0])


def _has_rows(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    return bool(con.execute(f"select exists (select 1 from {qualified})").fetchall()[0][0])


def _csv(path: Path) -> str:
    return "read_csv('" + str(path).replace("'", "''") + "', header = true, all_varchar = true)"


def prepare_references(con: duckdb.DuckDBPyConnection) -> References:
    """Create `ref_klass(code, name, valid_from, valid_to)` and `ref_ks_position_codes
    (position_code, valid_from)` as temporary views, plus `ref_klass_coverage(coverage_from)`:
    the first date the classification covers (dates before it are checked against it, since
    the bundled list starts in 2019 and codes older than that are the same codes)."""
    if table_exists(con, "raw.klass_municipality") and _has_rows(con, "raw.klass_municipality"):
        klass_from, klass_source = "raw.klass_municipality", "raw.klass_municipality"
    else:
        klass_from, klass_source = _csv(MUNICIPALITIES_CSV), f"{MUNICIPALITIES_CSV.name} (pakket med koden)"
    con.execute(
        f"""
        create or replace temp view ref_klass as
        select cast(code as varchar) as code, cast(name as varchar) as name,
       -- an empty start (reference CSV) means "in force in the oldest list we hold"
       coalesce(cast(nullif(cast(valid_from as varchar), '') as date), date '{EARLIEST_KLASS_LIST}') as valid_from,
       cast(nullif(cast(valid_to as varchar), '') as date) as valid_to
        from {klass_from}
        where cast(code as varchar) <> '9999'  -- KLASS's "Uoppgitt" (unknown) is no municipality
        """
    )
    con.execute(
        """
        create or replace temp view ref_klass_coverage as
        select coalesce(min(valid_from), date '1900-01-01') as coverage_from from ref_klass
        """
    )

    seeded = con.execute(
        """
        select table_schema from information_schema.tables
        where table_name = 'ks_position_codes' and table_schema not like 'pg_%'
        order by table_schema = 'main' desc, table_schema limit 1
        """
    ).fetchall()
    seeded = seeded[0] if seeded else None
    if seeded:
        codes_from, codes_source = (
            f'"{seeded[0]}".ks_position_codes',
            f"{seeded[0]}.ks_position_codes (dbt seed)",
        )
    else:
        codes_from, codes_source = _csv(KS_POSITION_CODES_CSV), f"{KS_POSITION_CODES_CSV.name} (dbt/seeds)"
    con.execute(
        f"""
        create or replace temp view ref_ks_position_codes as
        select lpad(cast(position_code as varchar), 4, '0') as position_code,
              coalesce(cast(nullif(cast(valid_from as varchar), '') as date), date '1900-01-01') as valid_from
        from {codes_from}
        """
    )
    return References(klass_source=klass_source, position_codes_source=codes_source)
