"""Each raw table is declared once (issue 15.3): the HR contract (`RAW_SCHEMA`) and the SSB
catalogue. Everything else that names their columns is generated from them or checked here
against them: the DDL a real warehouse gets, the load's column order, dbt's sources, the GX
column lists and the demo's headers."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.demo import dialects
from pipelines.hr import contract, load
from pipelines.hr.profiles import fold, load_profiles
from pipelines.settings import REPO_ROOT
from pipelines.ssb.catalogue import load_catalogue
from pipelines.ssb.load import from_snapshot
from pipelines.warehouse.schema import ensure_schema


@pytest.fixture(scope="module")
def warehouse_columns() -> dict[str, list[tuple[str, str, bool]]]:
    """(name, type, nullable) of each raw HR table as a fresh warehouse really has it."""
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    found = {}
    for kind, table in contract.RAW_TABLES.items():
        schema, name = table.split(".")
        found[kind] = con.execute(
            "select column_name, data_type, is_nullable = 'YES' from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    con.close()
    return found


@pytest.mark.parametrize("kind", contract.KINDS)
def test_the_warehouse_ddl_is_the_contracts(kind: str, warehouse_columns) -> None:
    declared = [(c.name, c.sql_type.upper(), not c.not_null) for c in contract.RAW_SCHEMA[kind]]
    assert warehouse_columns[kind] == declared
    assert load.RAW_COLUMNS[kind] == tuple(c[0] for c in declared)
    assert set(contract.RAW_KEYS[kind]) <= set(load.RAW_COLUMNS[kind])


def test_raw_tables_have_no_key_index() -> None:
    """Append-only (issue 16): a second version of a key is a new row, never a conflict."""
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    constraints = con.execute(
        "select table_name, constraint_type from duckdb_constraints() "
        "where schema_name = 'raw' and table_name like 'hr_%' and constraint_type in ('PRIMARY KEY', 'UNIQUE')"
    ).fetchall()
    con.close()
    assert constraints == []


def test_dbt_sources_name_only_contract_columns() -> None:
    sources = yaml.safe_load((REPO_ROOT / "dbt" / "models" / "staging" / "_sources.yml").read_text())
    raw = next(s for s in sources["sources"] if s["name"] == "raw")
    tables = {t["name"]: t for t in raw["tables"]}
    for kind, table in contract.RAW_TABLES.items():
        name = table.split(".")[1]
        assert name in tables, f"{name} is not a dbt source"
        listed = [c["name"] for c in tables[name].get("columns", [])]
        unknown = set(listed) - set(load.RAW_COLUMNS[kind])
        assert not unknown, f"_sources.yml names columns {unknown} that {table} does not have"
    # the staging window orders versions by these; a source without them cannot pick one
    employments = [c["name"] for c in tables["hr_employments"]["columns"]]
    assert {*contract.RAW_KEYS["employments"], *contract.RAW_VERSION_ORDER} <= set(employments)


@pytest.mark.parametrize("kind", contract.KINDS)
def test_staging_picks_versions_by_the_contracts_keys(kind: str) -> None:
    sql = (REPO_ROOT / "dbt" / "models" / "staging" / f"stg_hr__{kind}.sql").read_text()
    keys = ", ".join(contract.RAW_KEYS[kind])
    order = ", ".join(f"{c} desc" for c in contract.RAW_VERSION_ORDER)
    assert f"partition by {keys} order by {order}" in sql


@pytest.mark.parametrize("kind", contract.KINDS)
def test_gx_schema_column_lists_are_the_contracts(kind: str) -> None:
    suite = json.loads((REPO_ROOT / "expectations" / f"hr_{kind}.json").read_text())
    [schema] = [e for e in suite["expectations"] if e["kwargs"].get("column") == "column_type"]
    declared = [f"{c.name} {c.sql_type.upper()}" for c in contract.RAW_SCHEMA[kind]]
    assert schema["kwargs"]["value_set"] == declared


HEADERS = {
    ("canonical", "employments"): dialects.CANONICAL_EMPLOYMENTS,
    ("visma", "employments"): dialects.VISMA_EMPLOYMENTS,
    ("sap", "employments"): dialects.SAP_EMPLOYMENTS,
    ("unit4", "employments"): dialects.UNIT4_EMPLOYMENTS,
    ("canonical", "postings"): dialects.CANONICAL_POSTINGS,
    ("webcruiter", "postings"): dialects.WEBCRUITER_POSTINGS,
    ("canonical", "backlog"): dialects.CANONICAL_BACKLOG,
}


@pytest.mark.parametrize(("profile", "kind"), list(HEADERS))
def test_demo_headers_read_back_as_every_contract_column(profile: str, kind: str) -> None:
    """A demo file's header, read through its profile, names every contract column the demo
    writes (all but the file-level dates and, for SAP, the national id), each once."""
    header = HEADERS[(profile, kind)]
    by_folded = load_profiles()[profile].kinds[kind].by_folded
    canonical = [by_folded[fold(name)][0] for name in header]
    assert len(set(canonical)) == len(canonical)
    expected = {c.name for c in contract.COLUMNS[kind]} - {"extraction_date", "period_start"}
    if profile == "sap":
        expected -= {"national_id"}
    assert set(canonical) == expected


def test_the_visma_header_is_declared_once() -> None:
    from hr_support import VISMA_HEADER

    from pipelines.bench.ingest import visma_header

    assert visma_header() == list(dialects.VISMA_EMPLOYMENTS) == VISMA_HEADER


@pytest.mark.parametrize("name", sorted(load_catalogue().tables))
def test_ssb_table_columns_are_what_the_loader_writes(name: str) -> None:
    """The catalogue's declared columns are exactly those of a real load of the bundled snapshot."""
    spec = load_catalogue().tables[name]
    frame = from_snapshot(spec).frame
    with duckdb.connect(":memory:") as con:
        con.execute("create schema raw")
        con.execute(spec.raw_ddl())
        con.register("loaded", frame.to_arrow())
        con.execute(f"insert into {spec.raw_table} by name select * from loaded")  # types cast cleanly
        declared = [r[0] for r in con.execute(f"describe {spec.raw_table}").fetchall()]
    assert sorted(frame.columns) == sorted(declared)


def test_no_copies_of_the_raw_ddl_in_tests_or_benchmarks() -> None:
    offenders = []
    for folder in ("tests", "benchmarks", "tools", "pipelines/bench"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if Path(path).name == Path(__file__).name:
                continue
            text = Path(path).read_text(encoding="utf-8").lower()
            if "create table if not exists raw." in text or "create table raw.ssb_" in text:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []
