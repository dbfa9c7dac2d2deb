"""Two builds of the same data give identical marts, doubles to the last bit.

DuckDB adds DOUBLEs in the order its threads and row groups hand rows over, so sums of FTE
and other fractions differed in their last bits between two builds of the same deliveries,
and a figure on a rounding boundary was published as 15.77 by one build and 15.78 by the
next: the release diff then reported changes that were not there. The models now sum such
measures as exact decimals (dbt/macros/exact.sql).

Here the session's demo warehouse (built through Dagster) is copied, its raw tables are
rewritten in reverse row order (the same rows, as another load could store them), and dbt
rebuilds every model with one thread instead of the demo's two. Every intermediate and mart
table must equal the original exactly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.indicators.build import run_dbt
from tests.orchestration.conftest import DemoWarehouse, compare_builds


def reverse_raw_tables(db_path: Path) -> None:
    """Store every raw table's rows again, last row first: the same data in another order."""
    with duckdb.connect(str(db_path)) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
            ).fetchall()
        ]
        assert {"hr_employments", "hr_postings", "ssb_population", "klass_municipality_map"} <= set(tables)
        first_before = con.execute("select employment_key from raw.hr_employments limit 1").fetchone()
        for table in tables:
            con.execute(f"create temp table reversed as select * from raw.{table} order by rowid desc")
            con.execute(f"delete from raw.{table}")
            con.execute(f"insert into raw.{table} select * from reversed")
            con.execute("drop table reversed")
        assert con.execute("select employment_key from raw.hr_employments limit 1").fetchone() != first_before


@pytest.mark.slow
def test_a_rebuild_of_the_same_data_in_another_order_gives_identical_tables(
    demo_warehouse: DemoWarehouse, tmp_path: Path
) -> None:
    original = demo_warehouse.root / "build" / "workforce.duckdb"
    rebuilt = tmp_path / "build" / "workforce.duckdb"
    rebuilt.parent.mkdir()
    shutil.copyfile(original, rebuilt)
    reverse_raw_tables(rebuilt)

    run_dbt(["run"], rebuilt, target_path=tmp_path / "dbt_target", threads=1)
    assert compare_builds(original, rebuilt, exact=True) == {}
