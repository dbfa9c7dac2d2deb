"""Revisions between releases: a municipality re-delivers, the county sees what moved."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.release.diff import diff_releases, resolve_release
from pipelines.release.disclosure import DisclosureRule
from pipelines.release.errors import ReleaseNotFoundError
from pipelines.release.make import make_release
from pipelines.settings import Settings
from tests.release.conftest import query, warehouse_copy


def _published(release_dir: Path, indicator: str, breakdown: str, value: str) -> tuple:
    """The key of a published municipality figure of the latest head-count year (largest first)."""
    table = pl.read_parquet(release_dir / "indicators.parquet")
    year = table.filter(pl.col("indicator_id") == "fulltime_share")["year"].max()
    row = (
        table.filter(
            (pl.col("indicator_id") == indicator) & (pl.col("area_type") == "municipality")
            & (pl.col("year") == year) & (pl.col("breakdown") == breakdown)
            & (pl.col("breakdown_value") == value) & ~pl.col("suppressed")
        )
        .sort("denominator", "numerator", descending=True, nulls_last=True)
        .row(0, named=True)
    )
    return (indicator, row["area_code"], year, breakdown, value)


@pytest.fixture(scope="module")
def keys(release_dir: Path) -> dict[str, tuple]:
    return {
        "bodo_fulltime": _published(release_dir, "turnover", "total", "total"),
        "meloy_fte": _published(release_dir, "counted_employees", "total", "total"),
        "bodo_turnover_f": _published(release_dir, "turnover", "gender", "F"),
    }


def _where(key: tuple) -> str:
    indicator, area, year, breakdown, value = key
    return (f"indicator_id = '{indicator}' and area_code = '{area}' and year = {year} "
            f"and breakdown = '{breakdown}' and breakdown_value = '{value}'")


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory, release_home: Settings, warehouse: Path, keys) -> Path:
    """A municipality re-delivered: one share changed; a head count is gone; a turnover for
    women now rests on 2 persons (so it becomes suppressed)."""
    columns = {r[0] for r in query(warehouse, "select column_name from information_schema.columns "
                                              "where table_schema = 'marts' and table_name = 'fct_indicators'")}
    persons = ", persons = 2" if "persons" in columns else ""
    db = warehouse_copy(
        warehouse,
        tmp_path_factory.mktemp("revised") / "workforce.duckdb",
        f"update marts.fct_indicators set value = value + 0.05 where {_where(keys['bodo_fulltime'])}",
        f"delete from marts.fct_indicators where {_where(keys['meloy_fte'])}",
        f"update marts.fct_indicators set numerator = 1, denominator = 2, value = 0.5{persons} "
        f"where {_where(keys['bodo_turnover_f'])}",
    )
    return make_release(release_home, db, rule=DisclosureRule())


def test_diff_lists_changed_disappeared_and_newly_suppressed_figures(release_dir: Path, revised: Path, keys):
    BODO_FULLTIME, MELOY_FTE, BODO_TURNOVER_F = keys["bodo_fulltime"], keys["meloy_fte"], keys["bodo_turnover_f"]
    changes = {(c.indicator_id, c.area_code, c.year, c.breakdown, c.breakdown_value): c
               for c in diff_releases(release_dir, revised)}
    bodo = changes[BODO_FULLTIME]
    assert bodo.change == "changed" and bodo.old != bodo.new and bodo.area_type == "municipality"
    assert changes[MELOY_FTE].change == "disappeared" and changes[MELOY_FTE].new == ""
    assert changes[BODO_TURNOVER_F].change == "suppressed" and changes[BODO_TURNOVER_F].new == ":"
    # A figure that did not move is not listed.
    assert (BODO_FULLTIME[0], BODO_FULLTIME[1], BODO_FULLTIME[2] - 1, "total", "total") not in changes
    assert diff_releases(release_dir, release_dir) == []
    reverse = {(c.indicator_id, c.area_code, c.year, c.breakdown, c.breakdown_value): c.change
               for c in diff_releases(revised, release_dir)}
    assert reverse[MELOY_FTE] == "appeared" and reverse[BODO_TURNOVER_F] == "unsuppressed"


def test_cli_release_diff_prints_and_writes_csv(release_dir: Path, revised: Path, release_home: Settings,
                                                tmp_path: Path, keys):
    out = tmp_path / "changes.csv"
    env = {**os.environ, "WORKFORCE_HOME": str(release_home.home)}
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "release", "diff", release_dir.name, str(revised),
         "--csv", str(out), "--limit", "5"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "publiserte tall er endret" in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"indicator_id", "area_code", "year", "breakdown", "old", "new", "change"} <= set(rows[0])
    assert any(r["indicator_id"] == "turnover" and r["area_code"] == keys["bodo_fulltime"][1]
               and r["year"] == str(keys["bodo_fulltime"][2])
               and r["breakdown"] == "total" and r["change"] == "changed" for r in rows)


def test_unknown_release_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ReleaseNotFoundError, match="Fant ingen utgivelse nope"):
        resolve_release("nope", tmp_path)
