"""Issue 12, point 7: SSB's 11918 ends in 2019, so the HR-versus-KOSTRA check compares
2019 and says, for every later year of the demo warehouse, that there are no KOSTRA figures
(instead of comparing with figures that do not exist)."""

from __future__ import annotations

import duckdb

from tests.orchestration.conftest import DemoWarehouse


def test_kostra_check_names_the_years_without_kostra_figures(demo_warehouse: DemoWarehouse):
    con = duckdb.connect(str(demo_warehouse.root / "build" / "workforce.duckdb"), read_only=True)
    try:
        kostra_years = con.execute("select list(distinct year order by year) from raw.ssb_kostra_fte").fetchone()[0]
        message = con.execute(
            "select message from audit.check_results where check_name = 'hr_fte_vs_kostra_fte' "
            "order by checked_at desc limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    assert kostra_years == [2015, 2016, 2017, 2018, 2019]
    assert "2020, 2021, 2022, 2023: ingen KOSTRA-tall for dette året (ikke sammenlignet)" in message
    assert "2019" not in message.split(";")[-1]
