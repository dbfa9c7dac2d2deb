"""Golden tests: hand-written extracts in golden/, indicators worked out by hand below, one
real `dbt build` on a real DuckDB file (the session fixture `golden_build`).

The cast (employments_<code>_<year>.csv is the yearly extract taken 31 December <year>;
snapshots are 1 December 2019, 2020 and 2021; every person has a national id except B12):

Bodø 1804 (Salten), extracts 2019-2021
  B1  F 1985  two 50 % positions 7076 (permanent 2015-01-01, temporary 2018-06-01)
  B2  F 1970  9451 leader level 3, 100 %, since 2010
  B3  M 1995  6572 60 % permanent 2016-01-01 .. 2020-03-31, back 2020-09-01 as temporary 60 %
  B4  F 1988  7174 nurse 100 % 2014-05-01 .. 2020-06-30, then Fauske from 2020-08-01
  B5  M 1980  7519 100 % 2017-01-01 .. 2021-01-31, then Røst (outer Lofoten) 80 % from 2021-03-01
  B6  F 1955  7076 100 % (was 6545, not a KS code; issue 12) 1990 .. 2021-05-31, termination 'pensjon'
  B7  F 1998  6572 temporary 100 % 2019-01-01 .. 2020-12-01 (ends exactly on 1 December)
  B8  M 2000  apprentice 2018-08-15 .. 2020-08-14, permanent 7517 100 % (was 6560; issue 12) from 2020-10-01
  B9  F 2001  apprentice 2018-08-15 .. 2020-08-14, not hired
  B10 F 1990  substitute 40 %            B11 M 1975 permanent 0 % (hourly)
  B12 M 1983  8530 50 %, no national id  B13 F 1992 temporary 40 % from 2021-02-01
  B14 F 1978  7174 50 % in Bodø and 50 % in Fauske since 2015
  B15 M 1985  7076 100 % since 2012, 7174 100 % from 2020-03-01 (position group changes)
  B16 F 1960  7050 payroll 100 % since 2005   B17 M 1975 7051 finance 100 % since 2011
Fauske 1841 (Salten), extracts 2019-2021: F1 7174 100 %; B14 50 %; F3 7050 payroll 60 %; B4 from 2020
Røst 1856 (outer Lofoten), extracts 2020-2021 only: R1 9430 level 1 100 %; R2 7076 50 % (since
  2019-05-01); B5 80 % from 2021; postings P1-P4 and backlog in golden/
Hamarøy: 1849 extract 2019 (H1 7174 80 % since 2012), 1875 extract 2020 (H1 again under a new
  key; T2 7004 100 % from 2020-01-01)
Tysfjord 1850 (split 0.6 to Narvik 1806, 0.4 to Hamarøy 1875), extract 2019: T1 (in Narvik's
  2020 extract), T2 (in Hamarøy's 2020 extract), T3 (in no later extract); Narvik 1806 has a
  2020 extract only.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from dbt_golden_support import figure, ratio

pytestmark = pytest.mark.slow


def tenure_years(start: date, snapshot: date) -> float:
    return (snapshot - start).days / 365.25


# --- full-time ------------------------------------------------------------------------------
def test_two_half_positions_make_a_fulltime_employee(golden_db):
    # Bodø 2019, counted: B1 B2 B3 B4 B5 B6 B7 B12 B14 B15 B16 B17 = 12 (B8/B9 apprentices,
    # B10 substitute, B11 0 % are not counted). Position sizes 100 except B3 60 and B12 50:
    # B1 reaches 100 with 50 + 50, B14 with 50 here + 50 in Fauske -> 10 full-time.
    assert ratio(golden_db, "fulltime_share", "1804", 2019) == (10, 12)
    # skilled (main codes 7076, 7050): B1, B6, B15, B16, all at 100 %; unskilled (6572):
    # B3 at 60 % and B7 at 100 %
    assert ratio(golden_db, "fulltime_share", "1804", 2019, breakdown="position_group", value="skilled") == (
        4,
        4,
    )
    assert ratio(
        golden_db, "fulltime_share", "1804", 2019, breakdown="position_group", value="unskilled"
    ) == (1, 2)


def test_fulltime_counts_positions_in_other_municipalities_when_persons_are_linked(golden_db):
    # Fauske 2019: F1 100, B14 50 (+50 in Bodø), F3 60 -> 2 of 3 full-time; every person has a
    # national id, so the figure's basis is the sector.
    assert ratio(golden_db, "fulltime_share", "1841", 2019) == (2, 3)
    basis = golden_db.execute(
        "select distinct basis from marts.fct_indicators where indicator_id = 'fulltime_share' "
        "and area_code = '1841'"
    ).fetchall()
    assert basis == [("sector",)]
    # Bodø has B12 without a national id: its figures say they summed within the municipality
    assert golden_db.execute(
        "select basis from marts.fct_fulltime "
        "where area_code = '1804' and year = 2019 and breakdown = 'total'"
    ).fetchone() == ("municipality",)


def test_average_position_size_short_parttime_and_fte(golden_db):
    # 2021 Bodø counted: B1 100, B2 100, B3 60, B8 100, B12 50, B13 40, B14 100 (50 here),
    # B15 100, B16 100, B17 100 -> capped sum 850 / 10 = 85.0; under 50 %: B13 -> 1 / 10;
    # FTE counts only Bodø's own percentages: 100+100+60+100+50+40+50+100+100+100 = 800 -> 8.0
    assert ratio(golden_db, "avg_position_size", "1804", 2021) == (850, 10)
    assert ratio(golden_db, "short_parttime_share", "1804", 2021) == (1, 10)
    assert figure(golden_db, "fte", "1804", 2021) == (pytest.approx(8.0), None, pytest.approx(8.0))
    assert figure(golden_db, "counted_employees", "1804", 2021)[0] == 10


def test_fulltime_share_of_new_hires(golden_db):
    # Bodø hires (first counted employment): 2019 B7 (100 %), 2020 B8 (100 %; apprenticeship
    # does not count, so his hire is 2020-10-01), 2021 B13 (40 %). B3's return is not a hire.
    assert ratio(golden_db, "fulltime_share_new_hires", "1804", 2019) == (1, 1)
    assert ratio(golden_db, "fulltime_share_new_hires", "1804", 2020) == (1, 1)
    assert ratio(golden_db, "fulltime_share_new_hires", "1804", 2021) == (0, 1)
    # Røst 2021: B5 at 80 % -> not full-time; R2 (2019) is before Røst's data and is not counted
    assert ratio(golden_db, "fulltime_share_new_hires", "1856", 2021) == (0, 1)
    assert figure(golden_db, "fulltime_share_new_hires", "1856", 2020) is None


# --- turnover -------------------------------------------------------------------------------
def test_leaving_and_returning_within_the_year_is_not_turnover(golden_db):
    # Bodø 1.12.2019 -> 1.12.2020: of the 12 counted, only B4 is not employed in Bodø on
    # 1.12.2020; B3 left in March and came back in September, B7's contract ends on 1 December.
    assert ratio(golden_db, "turnover", "1804", 2020) == (1, 12)


def test_leaver_to_a_neighbouring_municipality(golden_db):
    # B4 left Bodø for Fauske (Salten): a leaver for Bodø, but not out of the sector, and kept
    # in the region.
    assert ratio(golden_db, "sector_turnover", "1804", 2020) == (0, 12)
    assert ratio(golden_db, "regional_retention", "1804", 2020) == (1, 1)
    assert ratio(
        golden_db, "transitions", "1804", 2020, breakdown="transition", value="other_municipality_in_region"
    ) == (1, 12)
    # ... and Fauske's new hire: full-time on day one, still there 12 months later
    assert ratio(golden_db, "fulltime_share_new_hires", "1841", 2020) == (1, 1)
    assert ratio(golden_db, "retention_12m", "1841", 2020) == (1, 1)


def test_turnover_variants_2021(golden_db):
    # Bodø 1.12.2020 counted (12): B1 B2 B3 B5 B6 B7 B8 B12 B14 B15 B16 B17. Gone on 1.12.2021:
    # B5 (to Røst), B6 (retired, 66 in 2020), B7 (ended 1.12.2020) -> turnover 3/12.
    # Out of the sector: B6, B7 -> 2/12. Without retirement: B5, B7 -> 2/12.
    assert ratio(golden_db, "turnover", "1804", 2021) == (3, 12)
    assert ratio(golden_db, "sector_turnover", "1804", 2021) == (2, 12)
    assert ratio(golden_db, "turnover_excl_retirement", "1804", 2021) == (2, 12)


def test_regional_retention_depends_on_the_region(golden_db):
    # B5 moved Bodø -> Røst: outside Salten (Bodø's home region), inside Nordland.
    assert ratio(golden_db, "regional_retention", "1804", 2021) == (0, 3)
    assert ratio(golden_db, "regional_retention", "salten", 2021) == (0, 3)
    assert ratio(golden_db, "regional_retention", "nordland", 2021) == (1, 3)


def test_transitions_place_everyone_once(golden_db):
    # Bodø 2021: same municipality and service area B1 B2 B3 B8 B12 B14 B15 B16 B17 = 9,
    # other service area 0, in region 0, outside region B5, not employed B6 B7.
    rows = dict(
        golden_db.execute(
            "select breakdown_value, numerator from marts.fct_indicators "
            "where indicator_id = 'transitions' and area_code = '1804' and year = 2021"
        ).fetchall()
    )
    assert rows == {
        "same_municipality_same_service_area": 9,
        "same_municipality_other_service_area": 0,
        "other_municipality_in_region": 0,
        "other_municipality_outside_region": 1,
        "not_employed": 2,
    }
    shares = golden_db.execute(
        "select area_type, area_code, year, sum(value) from marts.fct_indicators "
        "where indicator_id = 'transitions' group by all"
    ).fetchall()
    assert shares and all(total == pytest.approx(1.0) for *_, total in shares)


def test_employment_ending_on_first_of_december_counts_that_day(golden_db):
    # B7's temporary contract ends 2020-12-01: employed that day (temporary: B3 and B7 -> 2/12)
    # and a leaver only in 2021 (see test_turnover_variants_2021).
    assert ratio(golden_db, "temporary_share", "1804", 2020) == (2, 12)
    assert ratio(golden_db, "temporary_share", "1804", 2019) == (1, 12)


def test_internal_mobility(golden_db):
    # Counted in Bodø on both 1.12.2019 and 1.12.2020: the 12 of 2019 minus B4 = 11; B15 moved
    # from skilled (7076) to bachelor (7174).
    assert ratio(golden_db, "internal_mobility", "1804", 2020) == (1, 11)
    assert ratio(golden_db, "internal_mobility", "1804", 2021) == (0, 9)


def test_regions_are_recomputed_from_persons(golden_db):
    # Salten 2019 = Bodø 12 + Fauske 3 + Hamarøy 2 counted; full-time 10 + 2 + 1.
    assert ratio(golden_db, "fulltime_share", "salten", 2019) == (13, 17)
    # Salten turnover 2021 = Bodø 3/12 + Fauske 0/4 (Hamarøy has no 2021 extract)
    assert ratio(golden_db, "turnover", "salten", 2021) == (3, 16)
    # Nordland 2020 = Bodø 12 + Fauske 4 + Hamarøy 2 + Røst 2 + Narvik 1
    assert figure(golden_db, "counted_employees", "nordland", 2020)[0] == 21
    assert golden_db.execute(
        "select municipalities_with_data from marts.fct_indicators where indicator_id = 'turnover' "
        "and area_code = 'salten' and year = 2021 and breakdown = 'total'"
    ).fetchone() == (2,)


# --- stability ------------------------------------------------------------------------------
def test_retention_of_new_hires(golden_db):
    # B7 hired 2019-01-01: employed 2020-01-01 (12 m), not 2021-01-01 (24 m).
    # B8 hired 2020-10-01: employed 2021-10-01. Hires of 2020 cannot be followed 24 months
    # (data end 31.12.2021), nor 2021's 12 months: no figure.
    assert ratio(golden_db, "retention_12m", "1804", 2019) == (1, 1)
    assert ratio(golden_db, "retention_24m", "1804", 2019) == (0, 1)
    assert ratio(golden_db, "retention_12m", "1804", 2020) == (1, 1)
    assert figure(golden_db, "retention_24m", "1804", 2020) is None
    assert figure(golden_db, "retention_12m", "1804", 2021) is None


def test_median_tenure(golden_db):
    # Bodø 2019, first starts of the 12 counted: 1990, 2005, 2010, 2011, 2012, 2014-05-01,
    # 2015-01-01 (B1), 2015-01-01 (B14), 2016, 2017, 2018, 2019 -> median of the 6th and 7th.
    snapshot = date(2019, 12, 1)
    expected = (tenure_years(date(2014, 5, 1), snapshot) + tenure_years(date(2015, 1, 1), snapshot)) / 2
    assert figure(golden_db, "median_tenure_years", "1804", 2019)[2] == pytest.approx(expected)
    # key positions 2019: B2 (2010), B17 (2011), B4 (2014-05-01), B14 (2015) -> 2nd and 3rd
    expected_key = (tenure_years(date(2011, 1, 1), snapshot) + tenure_years(date(2014, 5, 1), snapshot)) / 2
    assert figure(golden_db, "key_median_tenure_years", "1804", 2019)[1:] == (4, pytest.approx(expected_key))


# --- key positions --------------------------------------------------------------------------
def test_key_position_turnover(golden_db):
    # key in Bodø 1.12.2019: B2 (leader), B4 and B14 (7174 nurse), B17 (7051 økonom) -> B4 left
    assert ratio(golden_db, "key_turnover", "1804", 2020) == (1, 4)
    # 1.12.2020: B2, B14, B15 (now 7174), B17 -> nobody left
    assert ratio(golden_db, "key_turnover", "1804", 2021) == (0, 4)


def test_key_position_postings(golden_db):
    # Røst 2020: P1 (9430) filled after 60 days for 120 000. 2021: P2 (7174) filled after 50 days
    # for 40 000; P3 (7174) readvertised; P4 (7076) is not a key position.
    assert ratio(golden_db, "key_cost_per_hire", "1856", 2020) == (120000, 1)
    assert ratio(golden_db, "key_cost_per_hire", "1856", 2021) == (40000, 1)
    assert figure(golden_db, "key_vacancy_days", "1856", 2021)[1:] == (1, 50)
    assert ratio(golden_db, "key_readvertised_share", "1856", 2021) == (1, 2)


# --- recruitment ----------------------------------------------------------------------------
def test_recruitment(golden_db):
    # Røst 2021: postings P2, P3, P4; filled P2 (50 days), P4 (30 days) -> median 40; cost of all
    # postings 40 000 + 10 000 + 5 000 over 2 filled = 27 500; applicants (2 + 0 + 3) / 3;
    # qualified (1 + 0 + 3) / 3; own apprentice P4 -> 1 / 2.
    assert figure(golden_db, "time_to_fill_days", "1856", 2021)[1:] == (2, 40)
    assert ratio(golden_db, "cost_per_hire", "1856", 2021) == (55000, 2)
    assert ratio(golden_db, "applicants_per_posting", "1856", 2021) == (5, 3)
    assert ratio(golden_db, "qualified_per_posting", "1856", 2021) == (4, 3)
    assert ratio(golden_db, "own_apprentice_hire_share", "1856", 2021) == (1, 2)
    # Nordland 2021 pools Bodø's P5 (42 days) with Røst's: median(30, 42, 50) = 42
    assert figure(golden_db, "time_to_fill_days", "nordland", 2021)[1:] == (3, 42)


def test_apprentice_hired_within_12_months(golden_db):
    # B8 and B9 finished 2020-08-14; B8 was hired 2020-10-01 -> 1 of 2. On 1.12.2019 both were
    # apprentices (2 per 1 450 inhabitants); 2021 apprentices cannot be followed 12 months yet.
    assert ratio(golden_db, "apprentice_conversion_12m", "1804", 2020) == (1, 2)
    assert figure(golden_db, "apprentices", "1804", 2019)[0] == 2
    numerator, denominator, value = figure(golden_db, "apprentices_per_1000", "1804", 2019)
    assert (numerator, denominator) == (2, 1450)
    assert value == pytest.approx(2 / 1450 * 1000)


# --- diversity ------------------------------------------------------------------------------
def test_diversity_against_the_population(golden_db):
    # Bodø 2021 (population 1.1.2022, golden/ssb: 1 450 inhabitants, 850 aged 20-66, half women).
    # Employees' ages in 2021: B3 26, B8 21, B13 29 | B1 36, B12 38, B14 43, B15 36 | B2 51, B17 46
    # | B16 61 -> shares .3 .4 .2 .1 0; population 20-66 by band 200 300 200 100 50 of 850.
    # In 850ths: |255-200| + |340-300| + |170-200| + |85-100| + |0-50| = 190 -> index 95/850.
    assert figure(golden_db, "age_dissimilarity", "1804", 2021)[2] == pytest.approx(95 / 850)
    assert figure(golden_db, "gender_dissimilarity", "1804", 2021)[2] == pytest.approx(0.0)
    assert ratio(golden_db, "women_share", "1804", 2021) == (5, 10)
    assert ratio(golden_db, "employees_per_1000", "1804", 2021, scale=1000) == (10, 1450)
    # Salten: only Bodø has population figures, so only Bodø's employees are set against it
    assert ratio(golden_db, "employees_per_1000", "salten", 2021, scale=1000) == (10, 1450)
    assert ratio(
        golden_db, "population_age_distribution", "1804", 2021, breakdown="age_band", value="30_44"
    ) == (300, 850)


def test_retirement_wave_and_women_leaders(golden_db):
    # 2019: B6 (1955) reaches 67 by 2024; B16 (1960) by 2029 -> 1/12 and 2/12
    assert ratio(golden_db, "retirement_wave_5y", "1804", 2019) == (1, 12)
    assert ratio(golden_db, "retirement_wave_10y", "1804", 2019) == (2, 12)
    assert ratio(golden_db, "women_share_leaders", "1804", 2019) == (1, 1)


# --- capacity -------------------------------------------------------------------------------
def test_shared_service_capacity(golden_db):
    # Bodø 2021: payroll B16 (61 years), finance B17, technical B8: each one person -> 3 of 3
    # families vulnerable. Salten pools Fauske's F3 into payroll (2 persons, 1.6 FTE): 2 of 3.
    assert figure(golden_db, "single_person_functions", "1804", 2021) == (3, 3, 3)
    assert figure(golden_db, "single_person_functions", "salten", 2021)[:2] == (2, 3)
    assert figure(golden_db, "function_fte", "salten", 2021, breakdown="function_family", value="payroll")[
        0
    ] == pytest.approx(1.6)
    assert ratio(
        golden_db, "function_age_risk", "salten", 2021, breakdown="function_family", value="payroll"
    ) == (pytest.approx(1.0), pytest.approx(1.6))


def persons(
    con: duckdb.DuckDBPyConnection, indicator: str, area: str, year: int, breakdown: str = "total", value: str = "total"
) -> int | None:
    """fct_indicators.persons of one figure (the figure must exist)."""
    area_type = "region" if area.isalpha() or "_" in area else "municipality"
    row = con.execute(
        "select persons from marts.fct_indicators where indicator_id = ? and area_type = ? and area_code = ? "
        "and year = ? and breakdown = ? and breakdown_value = ?",
        [indicator, area_type, area, year, breakdown, value],
    ).fetchone()
    assert row is not None, f"{indicator} {area} {year} {breakdown}={value} missing"
    return row[0]


def test_persons_behind_each_figure(golden_db):
    # Snapshot figures rest on the counted employees (Bodø 2019: 12; 2021: 10), FTE sums too.
    assert persons(golden_db, "fulltime_share", "1804", 2019) == 12
    assert persons(golden_db, "fte", "1804", 2021) == 10
    assert persons(golden_db, "counted_employees", "1804", 2021) == 10
    # the age distribution's figure rests on the area's employees, not the band's
    assert persons(golden_db, "age_distribution", "1804", 2021, breakdown="age_band", value="30_44") == 10
    assert persons(golden_db, "age_dissimilarity", "1804", 2021) == 10
    assert persons(golden_db, "women_share_leaders", "1804", 2019) == 1  # B2
    assert persons(golden_db, "apprentices", "1804", 2019) == 2  # B8, B9
    assert persons(golden_db, "apprentices_per_1000", "1804", 2019) == 2
    assert persons(golden_db, "apprentice_conversion_12m", "1804", 2020) == 2
    # Functions: Salten's payroll is B16 and F3; Salten in total B16, F3, B17 (finance), B8 (technical)
    assert persons(golden_db, "function_fte", "salten", 2021, breakdown="function_family", value="payroll") == 2
    assert persons(golden_db, "function_age_risk", "salten", 2021, breakdown="function_family", value="payroll") == 2
    assert persons(golden_db, "function_fte", "salten", 2021) == 4
    assert persons(golden_db, "single_person_functions", "salten", 2021) == 4
    assert persons(golden_db, "function_fte", "1804", 2021) == 3
    # Postings count postings: Røst 2021 filled P2 and P4 (time to fill, cost per hire); three
    # postings with an applicant count; two key-position postings (P2, P3)
    assert persons(golden_db, "time_to_fill_days", "1856", 2021) == 2
    assert persons(golden_db, "cost_per_hire", "1856", 2021) == 2
    assert persons(golden_db, "applicants_per_posting", "1856", 2021) == 3
    assert persons(golden_db, "key_readvertised_share", "1856", 2021) == 2
    assert persons(golden_db, "key_cost_per_hire", "1856", 2020) == 1
    # No employees behind SSB's population figures or the backlog
    assert persons(golden_db, "population_age_distribution", "1804", 2021, breakdown="age_band", value="30_44") is None
    assert persons(golden_db, "backlog_overdue_share", "1856", 2020) is None


# --- backlog and goals ----------------------------------------------------------------------
def test_backlog_and_goal_progress(golden_db):
    # Røst byggesak: 2020 (4 + 2) / (10 + 10); 2021 (2 + 1) / (8 + 12) -> -50 % against 2020
    assert ratio(golden_db, "backlog_overdue_share", "1856", 2020) == (6, 20)
    assert ratio(golden_db, "backlog_overdue_share", "1856", 2021) == (3, 20)
    change = golden_db.execute(
        "select distinct change_vs_baseline from marts.fct_backlog where area_code = '1856' and year = 2021"
    ).fetchall()
    assert change == [(pytest.approx(-0.5),)]
    goals = {
        row[0]: row[1:]
        for row in golden_db.execute(
            "select goal_id, baseline_year, baseline_value, latest_value, target_value, is_target_met "
            "from marts.fct_goal_progress"
        ).fetchall()
    }
    # key cost per hire: 120 000 (2020) -> 40 000 (2021); target -50 % = 60 000: met
    assert goals["outer_lofoten_key_cost"] == (2020, 120000, 40000, pytest.approx(60000), True)
    # backlog: 0.30 -> 0.15; target -20 % = 0.24: met
    assert goals["outer_lofoten_backlog"] == (
        2020,
        pytest.approx(0.3),
        pytest.approx(0.15),
        pytest.approx(0.24),
        True,
    )
    # Salten full-time share 13/17 (2019) -> 10/14 (2021): not improved
    assert goals["salten_fulltime"][:4] == (
        2019,
        pytest.approx(13 / 17),
        pytest.approx(10 / 14),
        pytest.approx(13 / 17),
    )
    assert goals["salten_fulltime"][4] is False


# --- municipality codes and coverage --------------------------------------------------------
def test_split_municipality_code(golden_db):
    # Hamarøy (1875) on 1.12.2019 = H1 (80 %, from 1849's extract) + T2 (Tysfjord, who works in
    # Hamarøy after the split): 2 counted, 1 full-time. H1's 2020 row (new key, original start
    # date) is the same employment and is not counted twice.
    assert ratio(golden_db, "fulltime_share", "1875", 2019) == (1, 2)
    assert ratio(golden_db, "turnover", "1875", 2020) == (0, 2)
    mapped = golden_db.execute(
        "select position_code, municipality_code from intermediate.int_hr__employments "
        "where reported_municipality_code = '1850' order by position_code"
    ).fetchall()
    # T1 (6572) works in Narvik after the split, T2 (7004) in Hamarøy, T3 (7076) nowhere: the
    # largest successor (Narvik, 0.6)
    assert mapped == [("6572", "1806"), ("7004", "1875"), ("7076", "1806")]
    # Narvik has no 2019 extract: no 2019 figures; in 2020 T1 continues (not a new hire)
    assert figure(golden_db, "counted_employees", "1806", 2019) is None
    assert figure(golden_db, "counted_employees", "1806", 2020)[0] == 1
    assert figure(golden_db, "fulltime_share_new_hires", "1806", 2020) is None


def test_no_indicator_for_a_year_without_data(golden_db):
    years = golden_db.execute(
        "select distinct year from marts.fct_indicators where area_code = '1856' "
        "and indicator_id in ('counted_employees', 'turnover') order by year"
    ).fetchall()
    # Røst delivered extracts for 2020 and 2021: snapshots 2020-2021, turnover only for 2021
    assert years == [(2020,), (2021,)]
    assert figure(golden_db, "turnover", "1856", 2020) is None
    assert figure(golden_db, "counted_employees", "1875", 2021) is None


def test_absent_from_a_later_extract_means_ended(golden_db):
    # B4's last version (2020 extract) ends 2020-06-30; T2's Tysfjord row (2019, ongoing) is
    # ended by Hamarøy's 2020 extract: 31.12.2020 - 1 year = 31.12.2019.
    rows = golden_db.execute(
        "select reported_municipality_code, position_code, effective_end_date, is_end_imputed "
        "from intermediate.int_hr__employments where reported_municipality_code in ('1850', '1849') "
        "order by position_code"
    ).fetchall()
    assert ("1850", "7004", date(2019, 12, 31), True) in rows
    assert all(end == date(2019, 12, 31) for _, _, end, _ in rows)
