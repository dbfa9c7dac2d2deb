"""Rebuilding a range of years: only those years' slices are replaced, and they come out as a
full rebuild would make them.

On a copy of the demo warehouse (fully built), `workforce run --years 2021-2022` (in process)
runs dbt with the year range; every intermediate and mart table must then equal the full
build's (numbers compared to 6 decimals), while dbt's log shows the year-grained models ran
incrementally on the range.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from pipelines.errors import WorkforceError
from pipelines.orchestration.years import dbt_vars, parse_years, require_full_build
from tests.orchestration.conftest import DemoWarehouse, compare_builds

YEAR_GRAINED = (
    "int_person_snapshots",
    "int_person_year_pairs",
    "int_function_staff",
    "int_indicators__turnover",
    "int_indicators",
    "fct_indicators",
)


def test_year_ranges_are_read_and_checked():
    assert parse_years("2021") == (2021, 2021)
    assert parse_years(" 2019 - 2021 ") == (2019, 2021)
    assert dbt_vars(2019, 2021) == '{"from_year":2019,"to_year":2021}'
    for bad in ("2021-2019", "21", "2019-", "1850-1860", "last year"):
        with pytest.raises(WorkforceError):
            parse_years(bad)


def test_a_range_rebuild_is_refused_without_a_full_build(tmp_path: Path):
    with pytest.raises(WorkforceError, match="fullt bygg"):
        require_full_build(tmp_path / "missing.duckdb")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(WorkforceError, match="fullt bygg"):
        require_full_build(empty)


@pytest.mark.slow
def test_rebuilding_two_years_replaces_their_slices_and_matches_a_full_build(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pipelines.defs.orchestration.runner import run_in_process

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    output = io.StringIO()
    outcome = run_in_process(Console(file=output, width=150), years="2021-2022")
    assert outcome.success, output.getvalue()[-3000:]
    assert "published_warehouse" in outcome.materialised

    log = (settings.home / "logs" / f"run-{outcome.run_id}.log").read_text(encoding="utf-8")
    for model in YEAR_GRAINED:
        assert f"incremental model {('marts' if model.startswith('fct') else 'intermediate')}.{model}" in log, model
    assert "table model intermediate.int_hr__employments" in log  # not year-grained: rebuilt whole

    assert compare_builds(demo_warehouse.root / "build" / "workforce.duckdb", settings.build_db_path) == {}
    con = duckdb.connect()
    con.execute(f"attach '{settings.build_db_path}' as ranged (read_only)")
    first, last = con.execute("select min(year), max(year) from ranged.marts.fct_indicators").fetchone()
    assert first < 2021 and last > 2022  # the years outside the range are still there
