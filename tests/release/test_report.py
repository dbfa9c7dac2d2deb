"""report.html: self-contained, offline, in bokmål, written for a county officer, honest about
demo figures — read from a release of a real demo build, and in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.quality.gate import evaluate
from pipelines.release.disclosure import DisclosureRule, suppress
from pipelines.release.inputs import load_inputs
from pipelines.release.report import DEMO_BANNER, SSB_CREDIT, build_context, render_report, trend_sentence
from pipelines.release.table import published_goals, published_table
from tests.browser_support import offline_page
from tests.release.conftest import query, warehouse_copy

GOAL_STATUSES = ("Nådd", "På sporet", "Ikke på sporet", "Kan ikke vurderes")
INTERNAL = re.compile(r"\.md\b|§|domain-research|indicators\.md|dbt/seeds|\.csv\b")


@pytest.fixture(scope="module")
def html(release_dir: Path) -> str:
    return (release_dir / "report.html").read_text(encoding="utf-8")


def test_report_fetches_nothing_and_runs_no_code(html: str):
    assert "<script" not in html.lower()
    assert "<link" not in html.lower() and "@import" not in html and "url(" not in html
    assert not re.search(r"\bsrc\s*=", html)
    assert not re.search(r"href\s*=\s*\"https?:", html)  # public sources are cited as text, not fetched


def test_report_is_in_bokmal_grouped_by_family_with_names(html: str, warehouse: Path):
    assert '<html lang="nb">' in html
    for heading in ("Slik leser du tallene", "Hovedtall", "Framdrift mot målene", "Kvalitet",
                    "Metode og definisjoner", "Kilder"):
        assert heading in html
    for region in ("Salten", "Ytre Lofoten", "Lofoten", "Nordland"):
        assert f"<h2>{region}</h2>" in html
    names = dict(query(warehouse, "select municipality_code, municipality_name from marts.dim_municipality"))
    delivered = {r[0] for r in query(warehouse, "select distinct area_code from marts.fct_indicators "
                                                "where area_type = 'municipality'")}
    for code in delivered:
        assert f"<h2>{names[code]}</h2>" in html
    for family in ("Heltid", "Turnover og mobilitet", "Nøkkelstillinger", "Rekruttering", "Mangfold og alder"):
        assert f"<h3>{family}</h3>" in html
    assert "<h4>Heltidsandel</h4>" in html and "<h4>fulltime_share" not in html
    assert re.search(r"\d+ av 41 kommuner i Nordland har levert tall for \d{4}", html)
    assert SSB_CREDIT in html and "07459" in html and DEMO_BANNER in html


def test_no_demo_banner_when_every_ssb_table_in_use_is_real(warehouse: Path, tmp_path: Path):
    db = warehouse_copy(warehouse, tmp_path / "real.duckdb", "update audit.ssb_fetches set source = 'live' "
                        "where source is not null")
    inputs = load_inputs(db)
    assert inputs.uses_demo_figures is False
    suppressed, summary = suppress(inputs.indicators, DisclosureRule(), inputs.region_members)
    table = published_table(suppressed, inputs)
    year = int(table["year"].max())
    html = render_report(build_context(
        table=table, goals=published_goals(inputs, table, year), inputs=inputs,
        gate=evaluate(inputs.check_results), suppression=summary, reference_year=year, input_hash="0" * 64,
    ))
    assert DEMO_BANNER not in html and SSB_CREDIT in html


def _cells(*pairs: tuple[float, float]) -> dict[int, dict]:
    return {
        2023 + i: {"value": num / den, "denominator": den, "persons": None, "suppressed": False}
        for i, (num, den) in enumerate(pairs)
    }


def test_a_change_is_judged_only_when_larger_than_two_persons_make():
    # One more leaver among 16 (6,3 points): not called a decline.
    one = trend_sentence("Turnover", "share", _cells((3, 16), (4, 16)), up_is_good=False)
    assert "forverring" not in one and "ikke mer enn 2 personer" in one
    # Four more leavers among 16 (25 points): a decline.
    four = trend_sentence("Turnover", "share", _cells((3, 16), (7, 16)), up_is_good=False)
    assert four.endswith("– en forverring.") and "25,0 prosentpoeng" in four
    # 40 more full-time employees among 2 000 (2 points, more than 2 persons' 0,1): an improvement.
    big = trend_sentence("Heltidsandel", "share", _cells((1000, 2000), (1040, 2000)), up_is_good=True)
    assert big.endswith("– en forbedring.")
    # A median can move any amount with a few persons: only the direction is told.
    median = trend_sentence("Dager til besatt", "days", {2023: {"value": 30.0, "suppressed": False},
                                                         2024: {"value": 60.0, "suppressed": False}}, False)
    assert "forverring" not in median and "opp 30" in median


@pytest.mark.browser
def test_report_reads_right_in_chromium_names_statuses_and_no_internal_words(release_dir: Path):
    with offline_page() as browser:
        browser.open(release_dir / "report.html")
        page = browser.page
        text = page.locator("body").inner_text()
        for word in ("None", "nan", "NaN", "undefined"):  # ("null" is Norwegian for zero)
            assert not re.search(rf"\b{word}\b", text), word
        assert not INTERNAL.search(text), INTERNAL.search(text)
        for name in ("Heltidsandel", "Turnover i nøkkelstillinger", "Kostnad per rekruttering, nøkkelstillinger"):
            assert name in text
        # Codes appear only as the "ID i datafilene" cross-reference of the definitions.
        outside = text.replace(page.locator("#metode").inner_text(), "")
        assert not re.search(r"\b(fulltime_share|key_turnover|outer_lofoten|62_plus|per_1000|marts)\b", outside)
        assert "Halvere kostnaden per rekruttering til nøkkelstillinger" in text
        assert re.search(r"Bygger på \d[\d\u00a0 ]* personer\.", text)  # persons beside the figures
        assert re.search(r"Bygger på \d[\d\u00a0 ]* utlysninger\.", text)  # recruitment figures rest on postings
        assert not re.search(r"(opp|ned) 0,0 prosentpoeng", text)  # a change too small to show is no change
        kilder = page.locator("#kilder").inner_text()  # SSB's titles and numbers, not the warehouse's names
        assert "07459: Befolkning" in kilder and "KLASS 131" in kilder
        assert not re.search(r"\((population|klass|education_level)\)|\bsnapshot\b|\bukjent\b", kilder)
        goals = page.locator("#maal figure.goal")
        assert goals.count() == len(query_goals(release_dir))
        statuses = [goals.nth(i).locator(".status").inner_text().strip() for i in range(goals.count())]
        assert set(statuses) <= set(GOAL_STATUSES) and set(statuses) - {"Kan ikke vurderes"}
        for i in range(goals.count()):
            card = goals.nth(i).inner_text()
            assert "Kilde:" in card and "→" in card and ("innen" in card or "uten målår" in card)
        assert page.locator("svg.chart-line").count() > 0 and page.locator("svg.chart-bar").count() > 0
        box = page.locator("svg.chart").first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 80
        assert page.locator(".demo-banner").is_visible()
        assert page.locator(".demo-banner strong").inner_text() == DEMO_BANNER
        assert page.locator("#les").is_visible() and "2 personer" in page.locator("#les").inner_text()
        # suppressed figures are marked, not drawn as zero
        assert page.locator(".suppressed-mark, td.suppressed, .chips li.suppressed").count() > 0
        shot = browser.screenshot("release-report.png")
        goals_shot = page.locator("#maal")
        goals_shot.screenshot(path=str(shot.with_name("release-report-goals.png")))
        page.emulate_media(media="print")
        pdf = Path(shot).with_name("release-report.pdf")
        page.pdf(path=str(pdf), format="A4", print_background=True)
        browser.assert_clean()
    assert shot.stat().st_size > 50_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000


def query_goals(release_dir: Path) -> list[dict]:
    import json

    return json.loads((release_dir / "indicators.json").read_text(encoding="utf-8"))["goals"]
