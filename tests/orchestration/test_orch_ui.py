"""`workforce ui` serves the Dagster UI on 127.0.0.1; the asset graph shows every group.

Headless Chromium (Debian's, driven by Playwright) opens the global asset lineage, waits
for the group boxes, checks the automation page lists the sensors and schedules, and saves
screenshots under test-artifacts/. Nothing but the local server may be reached.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.settings import DAGSTER_YAML
from tests.browser_support import offline_page
from tests.orchestration.conftest import home_env
from tests.orchestration.orch_support import UiServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GROUPS = ("hr", "ssb", "dbt", "quality", "release")


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    root = tmp_path_factory.mktemp("ui_home")
    (root / "dagster").mkdir()
    (root / "dagster" / "dagster.yaml").write_bytes(DAGSTER_YAML.read_bytes())
    server = UiServer({**os.environ, **home_env(root)}, root / "ui.log")
    try:
        server.wait_until_loaded()
        yield server
    finally:
        server.stop()


@pytest.mark.timeout(400)
def test_the_asset_graph_shows_every_group(ui: UiServer):
    with offline_page(viewport=(1600, 1000), allow=(ui.url + "/",)) as browser:
        browser.open_url(f"{ui.url}/asset-groups")
        page = browser.page
        sidebar = page.locator("body")
        for group in GROUPS:
            page.get_by_text(group, exact=True).first.wait_for(timeout=120_000)
        page.get_by_text("Materialize all").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let the layout settle before the screenshot
        shot = browser.screenshot("dagster-asset-graph.png", full_page=False)
        texts = sidebar.inner_text()
        assert all(f"\n{group}\n" in f"\n{texts}\n" for group in GROUPS), texts[:500]
        assert "Join the Dagster community" not in texts  # nux is off in dagster.yaml

        browser.open_url(f"{ui.url}/automation")
        for name in ("inbox", "stale_runs", "rebuild_after_ssb_refresh", "nightly_rebuild", "ssb_monthly"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
        browser.screenshot("dagster-automation.png", full_page=False)
        assert browser.blocked == [], browser.blocked[:5]
        assert browser.page_errors == [], browser.page_errors[:5]
    assert Path(shot).stat().st_size > 10_000
