"""The quality report as people read it, rendered by the real gate (`workforce check`) on the
session's demo warehouse: region-level findings in a section of their own (no `kommune_nan`
page), a municipality that merged shown once under today's code with its history, and numbers
rounded for people."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pipelines.quality.report import _human, is_municipality_code
from pipelines.settings import REPO_ROOT
from tests.orchestration.conftest import DemoWarehouse
from tests.orchestration.orch_support import workforce_command

LONG_FLOAT = re.compile(r"\d\.\d{5,}")


def test_numbers_are_rounded_for_people():
    assert _human(0.6666666666666666) == "0,667"
    assert _human("observert 0.7692307692307693 av 1") == "observert 0,769 av 1"
    assert _human(0.5) == "0,5" and _human(3.0) == "3"
    assert _human("versjon 1.13 og 2019-12-15") == "versjon 1.13 og 2019-12-15"  # not a long decimal
    assert not is_municipality_code("nan") and not is_municipality_code("None") and is_municipality_code("1875")


@pytest.fixture(scope="module")
def report(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = demo_warehouse.copy_to(tmp_path_factory.mktemp("daily_quality") / "home", monkeypatch)
        import os

        out = subprocess.run(workforce_command("check"), cwd=REPO_ROOT, env=dict(os.environ), capture_output=True,
                             text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    [run_dir] = [p for p in settings.quality_dir.iterdir() if p.name.startswith("gate-")]
    return run_dir


def test_no_municipality_page_for_region_level_findings(report: Path):
    names = sorted(p.name for p in report.glob("*.html"))
    assert "index.html" in names and len(names) > 5
    assert all(re.fullmatch(r"kommune_\d{4}\.html|index\.html", name) for name in names), names
    for path in report.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "(nan)" not in text and "(None)" not in text, path.name


def test_a_merged_municipality_is_shown_once_under_todays_code_with_its_history(report: Path):
    assert not (report / "kommune_1849.html").exists()
    page = (report / "kommune_1875.html").read_text(encoding="utf-8")
    assert "(1875, tidligere 1849)" in page
    assert "1849_arbeidsforhold" in page  # the former code's deliveries are on today's page
    index = (report / "index.html").read_text(encoding="utf-8")
    assert index.count('href="kommune_1875.html"') == 1 and "kommune_1849" not in index


def test_no_raw_floats_and_no_english_delivery_words(report: Path):
    for path in report.glob("*.html"):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
        assert not LONG_FLOAT.search(text), (path.name, LONG_FLOAT.search(text).group(0))
    page = re.sub(r"<[^>]+>", " ", (report / "kommune_1875.html").read_text(encoding="utf-8"))
    assert " lastet " in page and " loaded " not in page and " employments " not in page
