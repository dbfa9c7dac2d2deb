"""Golden tests of the competence marts (issue 17): hand-written extracts in golden/, every
figure worked out by hand below, read from the one real `dbt build` of the session
(`golden_db`, the same warehouse as test_dbt_golden.py).

The cast (no national ids: a person is the employee number; snapshots 1 December):

Alstahaug 1820 (Nordland), yearly extracts 2015-2018, payroll (7050 Lønnsmedarbeider, 100 %
unless stated), education delivered only in 2018 and not for the payroll staff:
  A 601 born 1953, since 2000, retires 2017-03-31 ('pensjon')
  B 602 born 1960, since 2005          C 603 born 1980, since 2010, leaves 2018-05-31
  D 604 born 1985, since 2012, leaves 2016-06-30
  E 605 born 1990, hired 2016-08-01, leaves 2018-10-31
  F 606 born 1955, hired 2017-04-01    G 607 born 1995, hired 2017-09-01, 50 %
  H 608 born 1988, hired 2018-06-01
  from 2018-01-01, outside the families, with their delivered education:
  N1-N4 7174 nurse (Høgskole group): høgskole, Videregående, (empty), master+
  S1, S2 7076 helsefagarbeider (Fagarbeider group): grunnskole, fagbrev
  U1 6572 assistant (Ufaglært, no requirement): grunnskole
  postings 2018: Q1 7050 filled after 75 days (4 applicants, 1 qualified); Q2 7050
  re-advertised (1, 0); Q3 6572 filled after 20 days (10, 8)
Herøy 1818 (Nordland), extract 2018 only, no education delivered:
  R1 7050 payroll 80 % born 1956; R2 7004 engineer (technical) 100 % born 1990
SSB 09429 for 1820 in 2018 (both sexes, persons): 01 300, 02a 400, 11 50, 03a 150, 04a 50,
09a 50 (plus a per-cent row and single-sex rows that must be left out).
"""

from __future__ import annotations

import duckdb
import pytest
from dbt_golden_support import GOLDEN_SECRET, figure, ratio

pytestmark = pytest.mark.slow


def row(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, object]:
    cursor = con.execute(sql, params)
    result = cursor.fetchall()
    assert len(result) == 1, (sql, params, result)
    return dict(zip([d[0] for d in cursor.description], result[0], strict=True))


def need(con: duckdb.DuckDBPyConnection, area: str, year: int, family: str, horizon: int) -> dict[str, object]:
    return row(
        con,
        "select * from marts.fct_replacement_need where area_code = ? and year = ? "
        "and function_family = ? and horizon_years = ?",
        [area, year, family, horizon],
    )


# --- replacement need -------------------------------------------------------------------------
def test_replacement_need_alstahaug_payroll_2018_by_hand(golden_db):
    """The projection case, by hand. Base year Y = 2018; payroll on 1.12.2018: B (58), F (63),
    G (23, 50 %), H (30): S = 4 persons, 3.5 FTE.

    Retirements (reach 67 by the end of Y + h, i.e. age + h >= 67): R_5 = 1 (F, 1 FTE);
    R_10 = 2 (F and B, 2 FTE).

    Turnover excluding retirement, turnover years 2016-2018 (staff on 1.12 the year before):
      2016: A B C D, D left (30, resigned)              -> 1/4 = 0.25
      2017: A B C E, A left but was 63 at t-1 (retiree) -> 0/4 = 0
      2018: B C E F G, C and E left (37, 27)            -> 2/5 = 0.4
      q = (0.25 + 0 + 0.4) / 3 = 13/60; band q_min = 0, q_max = 0.4
    Hires: 2016 E (1 FTE); 2017 F, G (1.5 FTE); 2018 H (1 FTE):
      H = 4/3 (min 1, max 2); FTE 3.5/3 (min 1, max 1.5)

    h = 5:  L_5 = (4 - 1) * (1 - (47/60)^5) = 3 * (1 - 229345007/777600000) = 2.1151813...
            I_5 = 5 * 4/3 = 6.6667;  G_5 = 1 + 2.1151813 - 6.6666667 = -3.5514854
            low  = 1 + 3 * (1 - 1^5) - 5 * 2 = -9
            high = 1 + 3 * (1 - 0.6^5) - 5 * 1 = 1 + 2.76672 - 5 = -1.23328
            FTE: 1 + (3.5 - 1) * (1 - (47/60)^5) - 5 * 3.5/3 = -3.0706822
    h = 10: L_10 = (4 - 2) * (1 - (47/60)^10) = 1.8260213; I_10 = 13.3333
            G_10 = 2 + 1.8260213 - 13.3333333 = -9.5073120
            high = 2 + 2 * (1 - 0.6^10) - 10 = -6.0120932
    """
    five = need(golden_db, "1820", 2018, "payroll", 5)
    assert (five["stock_persons"], five["stock_fte"], five["retirements"], five["retirements_fte"]) == (4, 3.5, 1, 1.0)
    assert five["turnover_excl_retirement"] == pytest.approx(13 / 60)
    assert (five["turnover_excl_retirement_min"], five["turnover_excl_retirement_max"]) == (0, pytest.approx(0.4))
    assert (five["turnover_years"], five["hire_years"]) == (3, 3)
    assert (five["hires_mean"], five["hires_min"], five["hires_max"]) == (pytest.approx(4 / 3), 1, 2)
    assert (five["hires_fte_min"], five["hires_fte_max"]) == (1, 1.5)
    # 2018 is Alstahaug's latest year with data: the Y
    assert five["is_latest_year"] and not need(golden_db, "1820", 2017, "payroll", 5)["is_latest_year"]
    assert five["other_leavers"] == pytest.approx(3 * (1 - 229345007 / 777600000))
    assert five["inflow"] == pytest.approx(20 / 3)
    assert five["gap"] == pytest.approx(-3.5514853665, abs=1e-9)
    assert five["gap_low"] == pytest.approx(-9)
    assert five["gap_high"] == pytest.approx(-1.23328)
    assert five["gap_fte"] == pytest.approx(-3.0706822499, abs=1e-9)
    ten = need(golden_db, "1820", 2018, "payroll", 10)
    assert ten["retirements"] == 2
    assert ten["gap"] == pytest.approx(-9.5073120292, abs=1e-9)
    assert ten["gap_high"] == pytest.approx(2 + 2 * (1 - 0.6**10) - 10)


def test_first_turnover_year_uses_what_exists(golden_db):
    # Y = 2016: one turnover year (2016: q = 1/4), hires of 2015 (0) and 2016 (1): H = 1/2.
    # S = A B C E = 4; R_5: A (63) -> 1. G_5 = 1 + 3 * (1 - 0.75^5) - 5 * 0.5
    first = need(golden_db, "1820", 2016, "payroll", 5)
    assert (first["turnover_years"], first["hire_years"]) == (1, 2)
    assert first["gap"] == pytest.approx(1 + 3 * (1 - 0.75**5) - 2.5)
    # 2015 hired nobody: a year with data and no hires counts, as 0, in H and its band (H 0 .. 1)
    assert (first["hires_min"], first["hires_max"]) == (0, 1)
    assert first["gap_high"] == pytest.approx(1 + 3 * (1 - 0.75**5) - 5 * 0)
    assert first["gap_low"] == pytest.approx(1 + 3 * (1 - 0.75**5) - 5 * 1)
    # No turnover year at all (Herøy's only extract): no projection, nothing imputed
    assert golden_db.execute(
        "select count(*) from marts.fct_replacement_need where area_code = '1818'"
    ).fetchone() == (0,)


def test_region_projects_its_pooled_flows(golden_db):
    # Nordland 2018 = Alstahaug + Herøy (the members with data in 2018): S = 5, R_5 = 2 (F, R1
    # aged 62); q from Alstahaug's history alone (Herøy has none: q is a rate) = 13/60; H only
    # from the years both have data (hires are a count: Herøy's unknown 2016 and 2017 must not
    # count as no hires), i.e. 2018: 1 (H) + 0 (Herøy hired nobody) = 1.
    # G_5 = 2 + 3 * (1 - (47/60)^5) - 5 * 1
    region = need(golden_db, "nordland", 2018, "payroll", 5)
    assert (region["stock_persons"], region["retirements"]) == (5, 2)
    assert (region["turnover_years"], region["hire_years"], region["hires_mean"]) == (3, 1, 1)
    assert region["turnover_excl_retirement"] == pytest.approx(13 / 60)
    assert region["gap"] == pytest.approx(2 + 3 * (1 - (47 / 60) ** 5) - 5)
    assert region["gap_low"] == pytest.approx(2 + 3 * (1 - 1**5) - 5)
    assert region["gap_high"] == pytest.approx(2 + 3 * (1 - 0.6**5) - 5)
    # ... and Alstahaug alone keeps its three hire years
    assert need(golden_db, "1820", 2018, "payroll", 5)["hire_years"] == 3
    # Nordland 2019 has members with data (Bodø, Fauske ...) but none with a turnover year in
    # 2017-2019: Alstahaug's history does not leak into the region's 2019 projection.
    assert golden_db.execute(
        "select count(*) from marts.fct_replacement_need where area_code = 'nordland' and year = 2019"
    ).fetchone() == (0,)


def test_replacement_gap_in_fct_indicators(golden_db):
    assert figure(golden_db, "replacement_gap_5y", "1820", 2018, "function_family", "payroll") == (
        None,
        4,
        pytest.approx(-3.5514853665, abs=1e-9),
    )
    assert figure(golden_db, "replacement_gap_10y_high", "1820", 2018, "function_family", "payroll")[2] == (
        pytest.approx(-6.0120932352, abs=1e-9)
    )


# --- education and qualification gap ---------------------------------------------------------
def test_qualification_gap_alstahaug_2018(golden_db):
    # Requiring a level with a known level: N1 N2 N4 (Høgskole) and S1 S2 (Fagarbeider) = 5;
    # below: N2 (videregående < høgskole), S1 (grunnskole < fagbrev) = 2. N3 and the payroll
    # staff delivered nothing: not in the denominator (never imputed).
    assert ratio(golden_db, "qualification_gap", "1820", 2018) == (2, 5)
    assert ratio(golden_db, "qualification_gap", "1820", 2018, breakdown="position_group", value="bachelor") == (1, 3)
    assert ratio(golden_db, "qualification_gap", "1820", 2018, breakdown="service_area", value="helse og omsorg") == (
        2,
        5,
    )
    gap = row(
        golden_db,
        "select * from marts.fct_qualification_gap where area_code = '1820' and year = 2018 and breakdown = 'total'",
        [],
    )
    assert gap["employees_requiring_unknown"] >= 1  # N3 (and the payroll staff if 7050 requires)
    assert gap["education_status"] == "levert"


def test_education_not_delivered_says_so(golden_db):
    # Herøy delivers no education: 0 of 2 with a level, no gap published, status 'ikke levert'
    assert ratio(golden_db, "education_reported_share", "1818", 2018) == (0, 2)
    assert figure(golden_db, "qualification_gap", "1818", 2018) is None
    profile = golden_db.execute(
        "select education_level, employees, employee_share, education_status from marts.fct_education_profile "
        "where area_code = '1818' and year = 2018 and breakdown = 'total' and employees > 0"
    ).fetchall()
    assert profile == [("ikke_levert", 2, None, "ikke levert")]
    # Nordland 2018 pools both: the gap is Alstahaug's, the status 'delvis levert'
    assert ratio(golden_db, "qualification_gap", "nordland", 2018) == (2, 5)
    assert ratio(golden_db, "education_reported_share", "nordland", 2018) == (6, 13)
    status = row(
        golden_db,
        "select education_status, municipalities_not_delivering from marts.fct_qualification_gap "
        "where area_code = 'nordland' and year = 2018 and breakdown = 'total'",
        [],
    )
    assert status == {"education_status": "delvis levert", "municipalities_not_delivering": 1}


def test_education_profile_beside_the_population(golden_db):
    # Alstahaug 2018: 11 counted; known levels N1 N2 N4 S1 S2 U1 = 6: grunnskole 2 (S1, U1),
    # videregående 2 (N2, S2 'fagbrev'), høgskole 1, master 1; unknown 5 (N3, B F G H).
    profile = {
        level: (employees, share)
        for level, employees, share in golden_db.execute(
            "select education_level, employees, employee_share from marts.fct_education_profile "
            "where area_code = '1820' and year = 2018 and breakdown = 'total'"
        ).fetchall()
    }
    assert profile["grunnskole"] == (2, pytest.approx(2 / 6))
    assert profile["videregaende"] == (2, pytest.approx(2 / 6))
    assert profile["hoyskole"] == (1, pytest.approx(1 / 6))
    assert profile["master"] == (1, pytest.approx(1 / 6))
    assert profile["ukjent"] == (5, None)
    assert profile["ikke_levert"] == (0, None)
    assert ratio(golden_db, "higher_education_share", "1820", 2018) == (2, 6)
    # SSB 09429: (150 + 50) of 1 000 persons 16+ (09a in the total); per-cent and one-sex rows out
    assert ratio(golden_db, "population_higher_education_share", "1820", 2018) == (200, 1000)
    population = row(
        golden_db,
        "select population_persons, population_share, population_year from marts.fct_education_profile "
        "where area_code = '1820' and year = 2018 and breakdown = 'total' and education_level = 'hoyskole'",
        [],
    )
    assert population == {"population_persons": 150, "population_share": pytest.approx(0.15), "population_year": 2018}


# --- recruitment, competence plan, host-municipality candidates ------------------------------
def test_recruitment_difficulty_per_function_family(golden_db):
    # Alstahaug 2018 payroll: Q1 (filled, 75 days) and Q2 (re-advertised)
    assert figure(golden_db, "time_to_fill_days", "1820", 2018, "function_family", "payroll")[1:] == (1, 75)
    assert ratio(golden_db, "qualified_per_posting", "1820", 2018, breakdown="function_family", value="payroll") == (
        1,
        2,
    )
    assert ratio(golden_db, "readvertised_share", "1820", 2018, breakdown="function_family", value="payroll") == (1, 2)
    assert ratio(golden_db, "readvertised_share", "1820", 2018) == (1, 3)
    # the assistant's posting has no family row
    assert figure(golden_db, "readvertised_share", "1820", 2018, "function_family", "none") is None


def test_competence_plan_orders_by_risk_with_reasons(golden_db):
    plan = golden_db.execute(
        "select municipality_code, function_family, persons, fte, priority_score, priority_rank, priority_reason "
        "from marts.fct_competence_plan where year = 2018 order by municipality_code, priority_rank"
    ).fetchall()
    assert plan == [
        # Herøy: R1 alone, 0.8 FTE, 62 (all FTE 60+) -> 3 + 2 + 2; R2 alone -> 3
        ("1818", "payroll", 1, pytest.approx(0.8), 7, 1, "én person, under ett årsverk, 60+"),
        ("1818", "technical_planning", 1, pytest.approx(1.0), 3, 2, "én person"),
        # Alstahaug: qualified per posting 1/2 < 2, re-advertised 1/2 >= 0.25 -> 1 + 1
        ("1820", "payroll", 4, pytest.approx(3.5), 2, 1, "få kvalifiserte søkere, ofte utlyst på nytt"),
    ]
    assert golden_db.execute(
        "select is_latest_year from marts.fct_competence_plan where municipality_code = '1820' and year = 2017"
    ).fetchall() == [(False,)]


def test_host_municipality_candidates(golden_db):
    rows = golden_db.execute(
        "select function_family, municipality_code, role, vulnerability_reason, vulnerable_members, "
        "capacity_members, host_candidates, has_host_candidate, region_priority_rank "
        "from marts.fct_shared_service_candidates where region_code = 'nordland' and year = 2018 "
        "order by region_priority_rank, municipality_code"
    ).fetchall()
    assert rows == [
        ("payroll", "1818", "sårbar", "én person, under ett årsverk", 1, 1, "Alstahaug", True, 1),
        ("payroll", "1820", "kapasitet", None, 1, 1, "Alstahaug", True, 1),
        ("technical_planning", "1818", "sårbar", "én person", 1, 0, None, False, 2),
    ]
    # together Nordland's members staff payroll with 4 + 1 persons, 3.5 + 0.8 FTE
    assert golden_db.execute(
        "select distinct region_persons, region_fte from marts.fct_shared_service_candidates "
        "where region_code = 'nordland' and year = 2018 and function_family = 'payroll'"
    ).fetchall() == [(5, pytest.approx(4.3))]


# --- release part (pipelines/release/competence.py), on the golden warehouse ------------------
def test_release_plan_hides_ages_and_education_of_small_families(golden_db):
    from pipelines.release.competence import SHEET_NAME, plan_rows, plan_sections, plan_sheet
    from pipelines.release.disclosure import DisclosureRule

    rows = plan_rows(golden_db, DisclosureRule(), year=2018)
    published = [
        (r.values["municipality_code"], r.values["priority"], r.values["reason"], r.is_suppressed) for r in rows
    ]
    # every 2018 family has fewer than 5 persons: only staffing and postings are shown, and
    # Herøy's payroll ranks on "én person, under ett årsverk" (3 + 2), not on its hidden 60+
    assert published == [
        ("1818", 1, "én person, under ett årsverk", True),
        ("1818", 2, "én person", True),
        ("1820", 1, "få kvalifiserte søkere, ofte utlyst på nytt", True),
    ]
    assert all(r.values["gap_5y"] is None and r.values["age_risk_share"] is None for r in rows)
    assert all(r.values["fte"] is None and "fte" in r.hidden for r in rows)
    # with a threshold of one person everything is shown
    open_rows = plan_rows(golden_db, DisclosureRule(min_persons=1), year=2018)
    assert open_rows[0].values["reason"] == "én person, under ett årsverk, 60+"
    assert open_rows[2].values["gap_5y"] == pytest.approx(-3.5514853665, abs=1e-9)
    # under KS's measure the threshold counts FTE: payroll's 4 persons hold 3.5 FTE
    by_fte = plan_rows(golden_db, DisclosureRule(min_persons=3.6, measure="fte"), year=2018)
    by_persons = plan_rows(golden_db, DisclosureRule(min_persons=3.6), year=2018)
    assert by_fte[2].is_suppressed and not by_persons[2].is_suppressed
    # ... unless the published indicator table hides the cell: then the plan hides it too,
    # and ranks on the structural part
    hidden = {("replacement_gap_5y", "1820", 2018, "payroll")}
    table_hidden = plan_rows(golden_db, DisclosureRule(min_persons=1), year=2018, hidden=hidden)
    assert table_hidden[2].values["gap_5y"] is None and table_hidden[2].hidden == {"gap_5y", "gap_fte_5y"}
    assert table_hidden[2].values["gap_10y"] == pytest.approx(-9.5073120292, abs=1e-9)
    sheet = plan_sheet(golden_db, DisclosureRule(), year=2018)
    assert SHEET_NAME == "Kompetanseplan – grunnlag" and len(SHEET_NAME) <= 31
    assert sheet.height == 3 and sheet["Funksjon"].to_list() == ["Lønn", "Teknisk og plan", "Lønn"]
    assert sheet["Erstatningsbehov 5 år (personer)"].null_count() == 3
    sections = plan_sections(open_rows)
    assert sections[1]["paragraphs"][0].startswith("1. Lønn: 4 personer, 3,5 årsverk.")
    assert (
        "Erstatningsbehov: Om 5 år: overskudd på 3,6 personer (overskudd på 3,1 årsverk); anslaget spenner fra "
        "overskudd på 9,0 personer til overskudd på 1,2 personer. Om 10 år: overskudd på 9,5 personer"
        in sections[1]["paragraphs"][0]
    )


def test_release_plan_names_a_missing_column():
    from pipelines.release.competence import plan_rows
    from pipelines.release.disclosure import DisclosureRule
    from pipelines.release.errors import ReleaseError

    con = duckdb.connect()
    con.execute("create schema marts; create table marts.fct_competence_plan (municipality_code varchar)")
    with pytest.raises(ReleaseError, match="mangler kolonnene municipality_name"):
        plan_rows(con, DisclosureRule())
    con.execute("drop table marts.fct_competence_plan")
    with pytest.raises(ReleaseError, match=r"mangler tabellen marts\.fct_competence_plan"):
        plan_rows(con, DisclosureRule())


# --- the golden projection through the whole chain: ingestion → dbt → gate → release ---------
@pytest.fixture(scope="module")
def golden_release(tmp_path_factory: pytest.TempPathFactory):
    """A county release of the golden competence cast alone (Alstahaug 1820, Herøy 1818): their
    files through the real ingestion, the bundled SSB snapshot (the golden build's SSB
    fixtures are partial and would rightly fail the gate), one real `dbt build`, the real
    quality gate, then `publish`. The rule lets one person through so the hand-worked
    figures are published."""
    from datetime import UTC, datetime

    from dbt_golden_support import golden_deliveries

    from pipelines.hr.ingest import ingest_paths
    from pipelines.indicators.build import run_dbt
    from pipelines.quality.check_run import run_all_checks
    from pipelines.release.disclosure import DisclosureRule
    from pipelines.release.make import make_release
    from pipelines.settings import Settings
    from pipelines.ssb.load import fetch_catalogue

    home = tmp_path_factory.mktemp("golden_release_home")
    settings = Settings(home=home, secret_env=GOLDEN_SECRET, ssb_mode="snapshot")
    settings.ensure_dirs()
    for delivery in golden_deliveries():
        if delivery.municipality in ("1820", "1818"):
            (result,) = ingest_paths(
                [delivery.path], settings, kind=delivery.kind, municipality=delivery.municipality,
                extraction_date=delivery.extraction_date,
            )  # fmt: skip
            assert result.outcome == "loaded", result
    fetch_catalogue(settings, mode="snapshot")
    run_dbt(["build"], settings.build_db_path, target_path=home / "dbt_target", threads=2)
    gate = run_all_checks(settings, write_report=False)
    blocking = [r.check_name for r in gate.results if not r.passed and r.severity == "block"]
    assert not blocking, blocking
    rule = DisclosureRule(min_persons=1, min_count=1)
    return make_release(settings, settings.build_db_path, rule=rule, now=datetime(2025, 1, 2, tzinfo=UTC))


def test_golden_projection_is_in_the_published_release(golden_release):
    """Alstahaug's payroll 2018 (worked by hand above) as the municipality reads it: in the
    "Kompetanseplan – grunnlag" sheet, its own sheet, the indicator files and the report."""
    import polars as pl
    from openpyxl import load_workbook

    workbook = load_workbook(golden_release / "indicators.xlsx", read_only=True)
    sheet = workbook["Kompetanseplan – grunnlag"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    found = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == "1820" and r[4] == "Lønn"]
    assert len(found) == 1, rows
    payroll = found[0]
    # the hand-worked values above, as published: one decimal, as the indicator table keeps persons
    g5 = 1 + 3 * (1 - (47 / 60) ** 5) - 20 / 3
    g10 = 2 + 2 * (1 - (47 / 60) ** 10) - 40 / 3
    fte5 = 1 + 2.5 * (1 - (47 / 60) ** 5) - 5 * 3.5 / 3
    assert (round(g5, 1), round(g10, 1), round(fte5, 1)) == (-3.6, -9.5, -3.1)
    assert (payroll["Kommune"], payroll["År"], payroll["Personer"], payroll["Årsverk"]) == ("Alstahaug", 2018, 4, 3.5)
    assert payroll["Erstatningsbehov 5 år (personer)"] == round(g5, 1)
    assert (payroll["5 år, lavt anslag"], payroll["5 år, høyt anslag"]) == (-9, round(1 + 3 * (1 - 0.6**5) - 5, 1))
    assert payroll["Erstatningsbehov 5 år (årsverk)"] == round(fte5, 1)
    assert payroll["Erstatningsbehov 10 år (personer)"] == round(g10, 1)
    assert payroll["10 år, høyt anslag"] == round(2 + 2 * (1 - 0.6**10) - 10, 1)
    # F (63) holds 1 of 3.5 FTE: the indicator table hides that share (too few on one side), so
    # the plan does too, and ranks and reasons on staffing and postings only
    assert (payroll["Aldersrisiko (andel årsverk 60+)"], payroll["Kvalifikasjonsgap"]) == (":", "..")
    assert payroll["Prikket"] == "noen tall prikket som i indikatortabellen"
    assert payroll["Begrunnelse"] == "få kvalifiserte søkere, ofte utlyst på nytt"
    own = [r for r in workbook["Kompetanseplan – Alstahaug"].iter_rows(values_only=True) if r[0] is not None]
    assert own[0][0] == "Grunnlag for kompetanseplan: Alstahaug (1820), 2018"
    assert [r[5] for r in own[3:] if r[1] == "Lønn"] == [round(g5, 1)]
    table = pl.read_parquet(golden_release / "indicators.parquet").filter(
        (pl.col("area_code") == "1820") & (pl.col("year") == 2018) & (pl.col("breakdown_value") == "payroll")
    )
    published = dict(table.select("indicator_id", "value").iter_rows())
    assert published["replacement_gap_5y"] == round(g5, 1)
    assert published["replacement_gap_10y"] == round(g10, 1)
    assert published["replacement_gap_5y_low"] == -9
    report = (golden_release / "report.html").read_text(encoding="utf-8")
    assert "Grunnlag for kompetanseplan: Alstahaug (2018)" in report
    assert "Lønn: 4 personer, 3,5 årsverk." in report
    assert "Om 5 år: overskudd på 3,6 personer (overskudd på 3,1 årsverk)" in report
    assert "Prikket av personvernhensyn, som i tabellene: aldersrisiko." in report
