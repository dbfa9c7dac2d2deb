"""The competence marts (issue 17) on what the demo really produces: the session's demo
warehouse (generated deliveries, real ingestion, the bundled SSB snapshot, one Dagster run of
dbt, the checks and the gate), read from the published file.

The demo's own rules (pipelines/demo/catalogue.py): Beiarn 1839 and Værøy 1857 deliver no
education; municipalities under 3 000 inhabitants have one or two positions per finance job.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import duckdb
import pytest

from pipelines.demo import catalogue as cat
from pipelines.settings import REPO_ROOT
from tests.orchestration.conftest import DemoWarehouse

pytestmark = pytest.mark.slow

CATALOGUE = REPO_ROOT / "dbt" / "seeds" / "indicator_catalogue.csv"


@pytest.fixture(scope="module")
def published(demo_warehouse: DemoWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(demo_warehouse.root / "workforce.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_competence_figure_is_published(published):
    with CATALOGUE.open(encoding="utf-8") as handle:
        ids = {row["indicator_id"] for row in csv.DictReader(handle) if row["topic"] == "competence"}
    assert len(ids) >= 10
    found = {row[0] for row in published.execute("select distinct indicator_id from marts.fct_indicators").fetchall()}
    assert ids <= found, ids - found
    # recruitment difficulty per function family rides on the posting figures
    assert published.execute(
        "select count(*) from marts.fct_indicators where indicator_id = 'time_to_fill_days' "
        "and breakdown = 'function_family'"
    ).fetchone()[0] > 0


def test_education_not_delivered_is_said_never_imputed(published):
    statuses = dict(
        published.execute(
            "select area_code, list(distinct education_status) from marts.fct_qualification_gap "
            "where area_type = 'municipality' and breakdown = 'total' group by area_code"
        ).fetchall()
    )
    silent = sorted(cat.EDUCATION_NOT_DELIVERED & statuses.keys())
    assert silent, statuses
    for code in silent:
        assert statuses[code] == ["ikke levert"], code
    delivering = [code for code in statuses if code not in cat.EDUCATION_NOT_DELIVERED]
    assert len(delivering) > len(silent)  # most, not all
    assert all(statuses[code] == ["levert"] for code in delivering)
    # no gap figure for a silent municipality; its reported share is 0 of its employees
    assert published.execute(
        "select count(*) from marts.fct_indicators where indicator_id = 'qualification_gap' and area_code in ?",
        [silent],
    ).fetchone() == (0,)
    reported = published.execute(
        "select min(numerator), min(denominator) from marts.fct_indicators "
        "where indicator_id = 'education_reported_share' and breakdown = 'total' and area_code in ?",
        [silent],
    ).fetchone()
    assert reported[0] == 0 and reported[1] > 0
    assert published.execute(
        "select distinct education_status from marts.fct_qualification_gap "
        "where area_code = 'salten' and breakdown = 'total'"
    ).fetchall() == [("delvis levert",)]


def test_replacement_need_rows_follow_the_cohort_rule(published):
    rows = published.execute(
        "select stock_persons, retirements, turnover_excl_retirement, hires_mean, horizon_years, "
        "other_leavers, inflow, gap, gap_low, gap_high from marts.fct_replacement_need"
    ).fetchall()
    assert len(rows) > 50
    for s, r, q, h_mean, h, other, inflow, gap, low, high in rows:
        assert 0 <= r <= s and 0 <= q <= 1
        assert other == pytest.approx((s - r) * (1 - (1 - q) ** h))
        assert inflow == pytest.approx(h * h_mean)
        assert gap == pytest.approx(r + other - inflow)
        assert low - 1e-9 <= gap <= high + 1e-9


def test_small_municipalities_have_thin_finance_and_hosts_are_found(published):
    single = published.execute(
        "select count(*) from marts.fct_competence_plan where is_latest_year and is_single_person "
        "and function_family in ('payroll', 'accounting', 'finance')"
    ).fetchone()[0]
    assert single > 0
    plan = published.execute(
        "select priority_rank, priority_reason from marts.fct_competence_plan "
        "where is_latest_year and municipality_code = '1856' order by priority_rank"
    ).fetchall()
    assert plan and plan[0][0] == 1 and "én person" in plan[0][1]
    hosts = published.execute(
        "select count(*) from marts.fct_shared_service_candidates where region_code = 'salten' "
        "and has_host_candidate and role = 'sårbar'"
    ).fetchone()[0]
    assert hosts > 0
