"""Revisions between releases: a municipality re-delivers, the county sees what moved."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.release.diff import diff_releases, resolve_release
from pipelines.release.disclosure import DisclosureRule
from pipelines.release.errors import ReleaseNotFoundError
from pipelines.release.publish import publish
from pipelines.settings import Settings
from tests.release.fixtures import indicator_rows, write_fixture_db

BODO_FULLTIME = ("fulltime_share", "1804", 2024, "total", "total")
MELOY_FTE = ("fte", "1837", 2024, "total", "total")
BODO_TURNOVER_F = ("turnover", "1804", 2024, "gender", "F")


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory, release_home: Settings) -> Path:
    """Bodø re-delivered: one share changed; Meløy's FTE figure is gone; Bodø's turnover for
    women now rests on 2 persons (so it becomes suppressed)."""
    source = {(r["indicator_id"], r["area_code"], r["year"], r["breakdown"], r["breakdown_value"]): r
              for r in indicator_rows()}
    db = write_fixture_db(
        tmp_path_factory.mktemp("revised") / "workforce.duckdb",
        overrides={
            BODO_FULLTIME: {"value": source[BODO_FULLTIME]["value"] + 0.05},
            BODO_TURNOVER_F: {"numerator": 1.0, "denominator": 2.0, "value": 0.5, "persons": 2},
        },
        drop={MELOY_FTE},
    )
    return publish(release_home, db, rule=DisclosureRule())


def test_diff_lists_changed_disappeared_and_newly_suppressed_figures(release_dir: Path, revised: Path):
    changes = {(c.indicator_id, c.area_code, c.year, c.breakdown, c.breakdown_value): c
               for c in diff_releases(release_dir, revised)}
    bodo = changes[BODO_FULLTIME]
    assert bodo.change == "changed" and bodo.old != bodo.new and bodo.area_type == "municipality"
    assert changes[MELOY_FTE].change == "disappeared" and changes[MELOY_FTE].new == ""
    assert changes[BODO_TURNOVER_F].change == "suppressed" and changes[BODO_TURNOVER_F].new == ":"
    # A figure that did not move is not listed.
    assert ("fulltime_share", "1856", 2024, "total", "total") not in changes
    assert diff_releases(release_dir, release_dir) == []
    reverse = {(c.indicator_id, c.area_code, c.year, c.breakdown, c.breakdown_value): c.change
               for c in diff_releases(revised, release_dir)}
    assert reverse[MELOY_FTE] == "appeared" and reverse[BODO_TURNOVER_F] == "unsuppressed"


def test_cli_release_diff_prints_and_writes_csv(release_dir: Path, revised: Path, release_home: Settings,
                                                tmp_path: Path):
    out = tmp_path / "changes.csv"
    env = {**os.environ, "WORKFORCE_HOME": str(release_home.home)}
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "release", "diff", release_dir.name, str(revised),
         "--csv", str(out), "--limit", "5"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "published figures changed" in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"indicator_id", "area_code", "year", "breakdown", "old", "new", "change"} <= set(rows[0])
    assert any(r["indicator_id"] == "fulltime_share" and r["area_code"] == "1804" and r["year"] == "2024"
               and r["breakdown"] == "total" and r["change"] == "changed" for r in rows)


def test_unknown_release_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ReleaseNotFoundError, match="No release nope"):
        resolve_release("nope", tmp_path)
