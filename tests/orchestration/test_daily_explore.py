"""`workforce explore` and `workforce export` on the session's demo warehouse, through the real
CLI; the explorer page driven in headless Chromium with the network cut off."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import REPO_ROOT
from tests.browser_support import offline_page
from tests.orchestration.conftest import DemoWarehouse
from tests.orchestration.orch_support import workforce_command


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKFORCE_HOME": str(home)}
    env.pop("WORKFORCE_SECRET", None)
    return subprocess.run(workforce_command(*args), cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def explorer(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("daily_explore") / "utforsker.html"
    done = cli(demo_warehouse.root, "explore", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout.replace("\n", "")
    return out


def test_the_page_is_self_contained(explorer: Path):
    page = explorer.read_text(encoding="utf-8")
    assert "<script src" not in page and "cdn." not in page.lower() and "@import" not in page
    assert "window.vegaEmbed" in page  # the bundled library, not a link to one
    assert "Kun til intern bruk" in page and "ikke avsløringskontrollert" in page


@pytest.mark.browser
def test_an_analyst_selects_and_sees_the_chart_the_table_and_a_csv(explorer: Path, demo_warehouse: DemoWarehouse):
    published = demo_warehouse.root / "workforce.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        expected = con.execute(
            "select area_code, year, breakdown_value, numerator, denominator, value from marts.fct_indicators "
            "where indicator_id = 'turnover' and breakdown = 'gender' and area_code in ('1856', 'salten') "
            "and year between 2021 and 2023 order by all"
        ).fetchall()
    assert len(expected) >= 8  # two areas, two genders, two or three years: a selection worth checking

    with offline_page(viewport=(1400, 1000)) as browser:
        page = browser.page
        browser.open(explorer)
        page.wait_for_selector("#chart svg", timeout=60_000)
        page.select_option("#indicator", "turnover")
        page.eval_on_selector_all("#areas input", "boxes => boxes.forEach(b => { b.checked = false; })")
        page.check("#areas input[value='1856']")
        page.check("#areas input[value='salten']")
        page.select_option("#breakdown", "gender")
        page.select_option("#from", "2021")
        page.select_option("#to", "2023")
        page.wait_for_function(
            f"document.querySelectorAll('#table tbody tr').length === {len(expected)}", timeout=60_000
        )
        page.wait_for_timeout(500)  # the last render's chart
        lines = page.locator("#chart svg .mark-line.role-mark path")
        assert lines.count() == 4  # one line per area and gender
        assert page.locator("#chart svg .mark-symbol.role-mark path").count() == len(expected)
        shown = page.eval_on_selector_all(
            "#table tbody tr",
            "rows => rows.map(r => [r.dataset.area, Number(r.dataset.year), r.dataset.breakdownValue, "
            "Number(r.dataset.numerator), Number(r.dataset.denominator), Number(r.dataset.value)])",
        )
        shown = sorted(tuple(row) for row in shown)
        assert [row[:3] for row in shown] == [row[:3] for row in expected]
        for got, want in zip(shown, expected, strict=True):
            assert got[3:] == pytest.approx(want[3:])
        assert page.locator("#internal").is_visible()

        with page.expect_download() as download:
            page.click("#download")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert len(rows) == len(expected)
        assert {r["omraadekode"] for r in rows} == {"1856", "salten"}
        by_key = {(r["omraadekode"], int(r["aar"]), r["nedbrytningsverdi"]): r for r in rows}
        for area, year, value, numerator, denominator, _ in expected:
            row = by_key[(area, year, value)]
            assert float(row["teller"].replace(",", ".")) == pytest.approx(numerator)
            assert float(row["nevner"].replace(",", ".")) == pytest.approx(denominator)
        shot = browser.screenshot("explore-turnover-gender.png", full_page=False)
        browser.assert_clean()
    assert shot.stat().st_size > 20_000


def test_export_writes_every_mart_as_parquet_and_xlsx(demo_warehouse: DemoWarehouse, tmp_path: Path):
    out = tmp_path / "eksport"
    done = cli(demo_warehouse.root, "export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    published = demo_warehouse.root / "workforce.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        marts = dict(
            con.execute(
                "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        )
        counts = {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in marts}
        for name, count in counts.items():
            assert con.execute(f"select count(*) from '{out / (name + '.parquet')}'").fetchone()[0] == count
    from openpyxl import load_workbook

    book = load_workbook(out / "marts.xlsx", read_only=True)
    assert set(book.sheetnames) == {"om", *counts}
    assert "ikke avsløringskontrollert" in book["om"]["A2"].value
    assert book["fct_indicators"].max_row == counts["fct_indicators"] + 1
    missing = cli(tmp_path / "tom", "export")
    assert missing.returncode == 2 and missing.stderr.startswith("feil:")
