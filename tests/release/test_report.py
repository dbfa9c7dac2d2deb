"""report.html: self-contained, offline, in bokmål, with charts, and honest about demo figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.release.disclosure import DisclosureRule, suppress
from pipelines.release.gate import evaluate
from pipelines.release.inputs import load_inputs
from pipelines.release.report import DEMO_BANNER, SSB_CREDIT, build_context, render_report
from pipelines.release.table import published_goals, published_table
from tests.browser_support import offline_page
from tests.release.fixtures import MUNICIPALITIES, REGIONS, write_fixture_db


@pytest.fixture(scope="module")
def html(release_dir: Path) -> str:
    return (release_dir / "report.html").read_text(encoding="utf-8")


def test_report_fetches_nothing_and_runs_no_code(html: str):
    assert "<script" not in html.lower()
    assert "<link" not in html.lower() and "@import" not in html and "url(" not in html
    assert not re.search(r"\bsrc\s*=", html)
    # the only URL is SVG's XML namespace, which browsers never fetch
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}


def test_report_is_in_bokmal_with_sections_sources_and_demo_banner(html: str):
    assert '<html lang="nb">' in html
    for heading in ("Hovedtall 2024", "Framdrift mot målene", "Kvalitet", "Metode og definisjoner", "Kilder"):
        assert heading in html
    for region in ("Salten", "Ytre Lofoten", "Lofoten", "Nordland"):
        assert f"<h2>{region}</h2>" in html
    for _, name, _ in MUNICIPALITIES:
        assert f"<h2>{name}</h2>" in html
    assert SSB_CREDIT in html and "07459" in html and "11918" in html
    assert DEMO_BANNER in html
    assert "prikket" in html and "Heltidsandel" in html


def test_no_demo_banner_when_every_ssb_table_in_use_is_real(tmp_path: Path):
    """An older demo load of 07459 is history: the latest load that brought data counts."""
    inputs = load_inputs(write_fixture_db(tmp_path / "real.duckdb", demo=False))
    assert [(f["table_id"], f["source"]) for f in inputs.ssb_fetches] == [("07459", "live"), ("11918", "cache")]
    assert inputs.uses_demo_figures is False
    suppressed, summary = suppress(inputs.indicators, DisclosureRule(), inputs.region_members)
    table = published_table(suppressed, inputs)
    html = render_report(build_context(
        table=table, goals=published_goals(inputs, table, 2024), inputs=inputs,
        gate=evaluate(inputs.check_results), suppression=summary, reference_year=2024, input_hash="0" * 64,
    ))
    assert DEMO_BANNER not in html and SSB_CREDIT in html


@pytest.mark.browser
def test_report_renders_offline_in_chromium_with_charts(release_dir: Path):
    with offline_page() as browser:
        browser.open(release_dir / "report.html")
        page = browser.page
        charts = page.locator("svg.chart")
        n_charts = charts.count()
        # every region and municipality has its own charts, plus the goals
        assert n_charts >= (len(REGIONS) + len(MUNICIPALITIES)) * 3
        assert page.locator("svg.chart-line").count() > 0
        assert page.locator("svg.chart-bar").count() > 0
        assert page.locator("svg.chart-goal").count() >= 1
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 80
        assert page.locator(".demo-banner").is_visible()
        assert page.locator(".demo-banner strong").inner_text() == DEMO_BANNER
        # suppressed points are marked, not drawn as zero
        assert page.locator("#kommune-1856 .suppressed-mark, #kommune-1856 td.suppressed, "
                            "#kommune-1856 .chips li.suppressed").count() > 0
        shot = browser.screenshot("release-report.png")
        page.emulate_media(media="print")
        pdf = Path(shot).with_name("release-report.pdf")
        page.pdf(path=str(pdf), format="A4", print_background=True)
        browser.assert_clean()
    assert shot.stat().st_size > 50_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
