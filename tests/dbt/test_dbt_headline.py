"""The headline table the demo prints: Norwegian formatting and the figures it reads."""

from __future__ import annotations

import pytest

from pipelines.indicators.headline import format_value, headline_rows

pytestmark = pytest.mark.slow


def test_values_are_formatted_the_norwegian_way():
    assert format_value(0.6101, "share") == "61,0 %"
    assert format_value(84.123, "percent") == "84,1 %"
    assert format_value(40000, "nok") == "40 000 kr"
    assert format_value(6.8966, "per_1000") == "6,9"


def test_headline_rows_show_the_latest_year_per_region(golden_build, golden_db):
    rows = dict(headline_rows(golden_build.db_path))
    # Salten 2021: 10 of 14 full-time (see test_dbt_golden.py); outer Lofoten (Røst) 1 of 3
    assert rows["Heltidsandel"] == {"salten": "71,4 % (2021)", "outer_lofoten": "33,3 % (2021)"}
    # key cost per hire: only outer Lofoten has key postings
    assert rows["Kostnad per rekruttering, nøkkelstillinger"] == {"outer_lofoten": "40 000 kr (2021)"}
