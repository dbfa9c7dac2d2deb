"""Headless Chromium for tests, with the network cut off — shared by every area's HTML tests.

Reports must open with no network, so the page is driven with every request that is not
a local file (or inline data) aborted and counted. Playwright's Python package drives the
system's Debian `chromium` (`make browser` installs it); we never run `playwright install`.

    from tests.browser_support import offline_page

    def test_my_report(tmp_path):
        with offline_page() as browser:
            browser.open(tmp_path / "report.html")
            browser.assert_clean()
            browser.screenshot("my-report.png")
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = (Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> Path:
    """The system Chromium; fails the test with the fix when it is missing."""
    for candidate in CHROMIUM_CANDIDATES:
        if candidate.is_file():
            return candidate
    found = shutil.which("chromium")
    if found:
        return Path(found)
    pytest.fail("Chromium is not installed: run `make browser` (apt-get install -y chromium).")


@dataclass
class OfflinePage:
    """A Playwright page plus what it tried to do: blocked requests, failures, console errors."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def open_url(self, url: str) -> None:
        """A page served locally (allowed through `offline_page(allow=...)`).

        Waits for the DOM only: an app that polls its server (Dagster's UI) never goes
        network-idle on a loaded machine; callers wait for the elements they need."""
        self.page.goto(url, wait_until="domcontentloaded", timeout=120_000)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"the page tried to reach the network: {self.blocked[:5]}"
        assert self.failed == [], f"requests failed: {self.failed[:5]}"
        assert self.console_errors == [], f"console errors: {self.console_errors[:5]}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors[:5]}"

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a screenshot under test-artifacts/ (git-ignored) and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def offline_page(viewport: tuple[int, int] = (1280, 900), allow: tuple[str, ...] = ()) -> Iterator[OfflinePage]:
    """A fresh headless Chromium page whose non-local requests are aborted and recorded.

    `allow` lists URL prefixes that may load too (a local server, e.g. "http://127.0.0.1:3000/")."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            record = OfflinePage(page)

            def route(route: Any) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:", "about:", "blob:", *allow)):
                    route.continue_()
                else:
                    record.blocked.append(url)
                    route.abort()

            context.route("**/*", route)
            page.on(
                "requestfailed",
                lambda request: None if request.url in record.blocked else record.failed.append(request.url),
            )
            page.on("console", lambda message: record.console_errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: record.page_errors.append(str(error)))
            yield record
        finally:
            browser.close()
