"""The analysts' warehouse holds figures, not people (issue 14, case 6).

The published file used to be a copy of the build database: `raw.hr_*` and
`audit.quarantine.row_json` handed every analyst pseudonymised person-level rows. Now it holds
every mart, and the ledgers only as summaries; person-level tables stay in the build database.
Checked on the demo warehouse the session builds through Dagster (its publish is the real one).
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse.publish import PUBLISHED_AUDIT
from tests.orchestration.conftest import DemoWarehouse

pytestmark = pytest.mark.slow

PERSON_COLUMNS = {"person_key", "employee_key", "employment_key", "hired_employee_key", "row_json", "archive_path",
                  "source_row_number", "birth_year", "examples", "by_municipality"}


def tables(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ).fetchall():
        found.setdefault((schema, table), []).append(column)
    return found


def test_the_published_file_holds_the_marts_and_audit_summaries_only(demo_warehouse: DemoWarehouse):
    with (
        duckdb.connect(str(demo_warehouse.root / "workforce.duckdb"), read_only=True) as published,
        duckdb.connect(str(demo_warehouse.root / "build" / "workforce.duckdb"), read_only=True) as build,
    ):
        shown, built = tables(published), tables(build)
        marts = {key for key in built if key[0] == "marts"}
        assert set(shown) == marts | {("audit", name) for name in PUBLISHED_AUDIT}
        assert {schema for schema, _ in built} >= {"raw", "staging", "intermediate", "audit", "marts"}
        for key in marts:  # whole marts, row for row
            assert shown[key] == built[key]
            count = f'select count(*) from {key[0]}."{key[1]}"'
            assert published.execute(count).fetchone() == build.execute(count).fetchone(), key
        leaking = {key: sorted(PERSON_COLUMNS & set(columns)) for key, columns in shown.items()}
        assert {key: cols for key, cols in leaking.items() if cols} == {}

        # the summaries reconcile with the ledgers they summarise
        assert published.execute("select count(*), sum(rows_quarantined) from audit.deliveries").fetchone() == (
            build.execute("select count(*), sum(rows_quarantined) from audit.deliveries").fetchone()
        )
        assert published.execute("select sum(quarantined_rows) from audit.quarantine_summary").fetchone() == (
            build.execute("select count(*) from audit.quarantine").fetchone()
        )
        assert published.execute("select count(*) from audit.check_results").fetchone() == (
            build.execute("select count(*) from audit.check_results").fetchone()
        )
        keys = [k for (k,) in build.execute(
            "select employee_key from raw.hr_employments union all select person_key from raw.hr_employments "
            "where person_key is not null limit 200"
        ).fetchall()]  # fmt: skip
    assert len(keys) == 200
    data = (demo_warehouse.root / "workforce.duckdb").read_bytes()
    assert not [key for key in keys if key.encode() in data]  # no pseudonym anywhere in the file


def test_the_databases_are_not_world_readable(demo_warehouse: DemoWarehouse):
    build = demo_warehouse.root / "build" / "workforce.duckdb"
    published = demo_warehouse.root / "workforce.duckdb"
    assert build.stat().st_mode & 0o777 == 0o600
    assert published.stat().st_mode & 0o777 == 0o640
    for path in (demo_warehouse.root / "landing").rglob("*"):
        assert path.stat().st_mode & 0o007 == 0, path
