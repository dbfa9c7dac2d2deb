"""The competence-plan basis (issue 17) in a county release of the real demo build: the
"Kompetanseplan – grunnlag" sheets and the report's section per municipality, with the
release's disclosure rule — read from the session's release (tests/release/conftest.py), so
this adds no build and no publish. The hand-worked golden case through a published release is
in tests/dbt/test_dbt_golden_competence.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from pipelines.release.competence import FIGURE_INDICATORS, SECTION_TITLE, SHEET_COLUMNS, SHEET_NAME
from pipelines.release.disclosure import SUPPRESSED_SYMBOL, DisclosureRule
from tests.browser_support import offline_page
from tests.release.conftest import query

pytestmark = pytest.mark.slow

HEADER = {key: header for header, key, _, _ in SHEET_COLUMNS}


@pytest.fixture(scope="module")
def sheet(release_dir: Path) -> list[dict[str, object]]:
    workbook = load_workbook(release_dir / "indicators.xlsx", read_only=True)
    rows = list(workbook[SHEET_NAME].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER.values())
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture(scope="module")
def built(warehouse: Path, release_dir: Path) -> dict[tuple[str, str], dict[str, object]]:
    """The mart's rows the release should show: each municipality's latest year up to the reference year."""
    reference = max(pl.read_parquet(release_dir / "indicators.parquet")["year"].to_list())
    rows = query(
        warehouse,
        "select municipality_code, function_family_name, year, persons, gap_5y from marts.fct_competence_plan p "
        "where year = (select max(year) from marts.fct_competence_plan m "
        "              where m.municipality_code = p.municipality_code and m.year <= ?)",
        [reference],
    )
    return {(code, name): {"year": year, "persons": persons, "gap_5y": gap} for code, name, year, persons, gap in rows}


def test_the_sheet_has_every_demo_municipality_and_family(sheet, built, release_dir: Path):
    assert {(r["Kommunenummer"], r["Funksjon"]) for r in sheet} == set(built)
    codes = {code for code, _ in built}
    assert len(codes) >= 10  # Salten and outer Lofoten
    for row in sheet:
        assert row["År"] == built[(row["Kommunenummer"], row["Funksjon"])]["year"]
        assert row["Personer"] == built[(row["Kommunenummer"], row["Funksjon"])]["persons"]
    # priorities 1..n per municipality, in the sheet's order
    for code in codes:
        assert [r["Prioritet"] for r in sheet if r["Kommunenummer"] == code] == list(
            range(1, 1 + sum(1 for r in sheet if r["Kommunenummer"] == code))
        )
    # one sheet per municipality too, titled with its name
    workbook = load_workbook(release_dir / "indicators.xlsx", read_only=True)
    own = [name for name in workbook.sheetnames if name.startswith("Kompetanseplan") and name != SHEET_NAME]
    assert len(own) == len(codes)
    bodo = list(workbook["Kompetanseplan – Bodø"].iter_rows(values_only=True))
    assert bodo[0][0].startswith(f"{SECTION_TITLE}: Bodø (1804)")
    # no code, nan or None anywhere a reader looks
    texts = {str(v) for r in sheet for v in r.values() if isinstance(v, str)}
    assert not {t for t in texts if re.search(r"\b(None|nan|payroll|accounting|technical_planning)\b", t)}


def test_small_families_show_no_ages_education_or_fte(sheet):
    rule = DisclosureRule()
    small = [r for r in sheet if r["Personer"] < rule.min_persons]
    large = [r for r in sheet if r["Personer"] >= rule.min_persons]
    assert small and large
    personal = ("Årsverk", "Aldersrisiko (andel årsverk 60+)", "Erstatningsbehov 5 år (personer)",
                "Erstatningsbehov 10 år (årsverk)", "Kvalifikasjonsgap")  # fmt: skip
    for row in small:
        assert all(row[h] in (SUPPRESSED_SYMBOL, "..") for h in personal), row
        assert row["Årsverk"] == SUPPRESSED_SYMBOL and "få personer" in row["Prikket"]
        assert "60+" not in row["Begrunnelse"] and "kvalifikasjonsgap" not in row["Begrunnelse"]
    # larger families do publish their projection, rounded as the indicator table rounds persons
    shown = [r for r in large if isinstance(r["Erstatningsbehov 5 år (personer)"], float | int)]
    assert shown
    assert all(r["5 år, lavt anslag"] <= r["Erstatningsbehov 5 år (personer)"] <= r["5 år, høyt anslag"]
               for r in shown if isinstance(r["5 år, lavt anslag"], float | int))  # fmt: skip


def test_the_plan_hides_what_the_indicator_table_hides(sheet, built, release_dir: Path):
    table = pl.read_parquet(release_dir / "indicators.parquet").filter(
        (pl.col("area_type") == "municipality") & (pl.col("breakdown") == "function_family")
    )
    names = dict(table.select("breakdown_value", "breakdown_value_name").unique().iter_rows())
    cells = {
        (r["indicator_id"], r["area_code"], r["year"], names[r["breakdown_value"]]): r
        for r in table.iter_rows(named=True)
    }
    checked = compared = 0
    for row in sheet:
        for key, indicators in FIGURE_INDICATORS.items():
            for indicator in indicators:
                cell = cells.get((indicator, row["Kommunenummer"], row["År"], row["Funksjon"]))
                if cell is not None and cell["suppressed"]:
                    assert row[HEADER[key]] in (SUPPRESSED_SYMBOL, ".."), (row, indicator)
                    checked += 1
                elif cell is not None and key == "gap_5y" and isinstance(row[HEADER[key]], float | int):
                    assert row[HEADER[key]] == pytest.approx(cell["value"]), (row, cell)  # the same figure
                    compared += 1
    assert checked > 0 and compared > 0


def test_the_report_has_a_plan_section_per_municipality(release_dir: Path, sheet):
    html = (release_dir / "report.html").read_text(encoding="utf-8")
    sections = re.findall(r'<div class="plan" id="kommune-(\d{4})-kompetanseplan">(.*?)</div>', html, re.S)
    assert len(sections) >= 10
    for code, body in sections:
        rows = [r for r in sheet if r["Kommunenummer"] == code]
        assert f"{SECTION_TITLE}: {rows[0]['Kommune']} ({rows[0]['År']})" in body
        paragraphs = re.findall(r"<p>(.*?)</p>", body, re.S)
        assert len(paragraphs) == len(rows)
        first = next(r for r in rows if r["Prioritet"] == 1)
        assert paragraphs[0].startswith(f"1. {first['Funksjon']}: ")
        assert not re.search(r"\b(None|nan|payroll|accounting|finance|technical_planning)\b", body)
    assert "Alder, utdanning og årsverk er prikket fordi funksjonen har få personer." in html
    # Beiarn and Værøy deliver no education: said once, at the top of their sections
    silent = dict(sections)
    for code in ("1839", "1857"):
        assert "Kommunen leverer ikke utdanningsnivå" in silent[code], code
        assert "Utdanning er ikke levert." not in silent[code]


@pytest.mark.browser
def test_the_plan_section_reads_in_chromium(release_dir: Path):
    with offline_page() as browser:
        browser.open(release_dir / "report.html")
        plan = browser.page.locator("div.plan").first
        plan.scroll_into_view_if_needed()
        assert plan.is_visible()
        text = plan.inner_text()
        assert text.startswith(SECTION_TITLE) and "Begrunnelse:" in text
        box = plan.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        shot = browser.screenshot("release-report-plan.png", full_page=False)
        plan.screenshot(path=str(shot.with_name("release-report-plan-section.png")))
        assert shot.with_name("release-report-plan-section.png").stat().st_size > 10_000
        browser.assert_clean()


def test_a_surplus_is_drawn_left_of_the_zero_line():
    """Replacement gaps are negative where hires outrun leavers: the bar grows leftwards from a
    zero line, a shortfall rightwards; bars of positive figures keep starting at the axis."""
    from pipelines.release.charts import Bar, bar_chart

    def rects(svg: str) -> list[tuple[float, float]]:
        return [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]

    svg = bar_chart([Bar("Lønn", 4.0, False), Bar("Teknisk og plan", -8.0, False)], "persons", title="Gap")
    (shortfall_x, shortfall_w), (surplus_x, surplus_w) = rects(svg)
    zero = float(re.findall(r'<line x1="([\d.]+)"', svg)[-1])
    assert surplus_x + surplus_w == pytest.approx(zero, abs=0.2) and shortfall_x == pytest.approx(zero, abs=0.2)
    assert surplus_w == pytest.approx(2 * shortfall_w, rel=0.01)
    positive = bar_chart([Bar("A", 2.0, False), Bar("B", 1.0, False)], "count", title="Antall")
    axis = float(re.findall(r'<line x1="([\d.]+)"', positive)[-1])
    assert all(x == pytest.approx(axis, abs=0.2) for x, _ in rects(positive))
