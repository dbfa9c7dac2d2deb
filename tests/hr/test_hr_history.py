"""Issue 12, point 4: one history delivery gives the same indicators as the yearly extracts
it replaces. The demo generator cuts Værøy's yearly extracts; the history file holds the same
employments (each in its newest version, as the superseding load keeps them) and declares
its period with `period_start`. Each goes through the real ingestion into its own warehouse,
both get the bundled SSB snapshot and a real dbt build, and every mart must match."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hr_support import SECRET

from pipelines.demo import extract as demo_extract
from pipelines.demo.backlog import build_backlog
from pipelines.demo.generate import _write_kind, build_workforce, hr_system_codes
from pipelines.demo.recruitment import build_postings
from pipelines.hr.ingest import ingest_paths
from pipelines.indicators.build import run_dbt
from pipelines.settings import Settings
from pipelines.ssb.load import fetch_catalogue
from tests.orchestration.conftest import canonical_rows

CODE = "1857"  # Værøy: no merger, a delivery every year
YEARS = range(2019, 2023)
FIRST_PERIOD_START = dt.date(2018, 12, 16)  # the first yearly extract covers 16.12.2018-15.12.2019


def _build(home: Path, files: list[Path], **options) -> Path:
    settings = Settings(home=home, secret_env=SECRET, ssb_mode="snapshot")
    results = ingest_paths(files, settings, **options)
    assert [r.outcome for r in results] == ["loaded"] * len(files)
    assert all(r.rows_quarantined == 0 for r in results)
    fetch_catalogue(settings, mode="snapshot")
    run_dbt(["build", "--select", "+marts"], settings.build_db_path, target_path=home / "dbt_target", threads=1)
    return settings.build_db_path


def test_one_history_file_gives_the_indicators_of_the_yearly_extracts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # no sprinkled mistakes: a row quarantined in one year's extract would make the two differ
    for name in demo_extract.SPRINKLES:
        monkeypatch.setitem(demo_extract.SPRINKLES, name, 0.0)
    workforce = build_workforce(f"{YEARS[0]}-{YEARS[-1]}", 1.0, 42, CODE)
    extractor = demo_extract.Extractor(workforce, build_postings(workforce, 42), build_backlog(workforce, 42), 42)
    systems = hr_system_codes(workforce.geography)
    yearly_dir, history_dir = tmp_path / "yearly", tmp_path / "history"
    yearly_dir.mkdir()
    history_dir.mkdir()
    frames = []
    for year in YEARS:
        frame = extractor.employments(year)
        frames.append(frame)
        _write_kind(yearly_dir, "employments", frame, extractor.extraction_date(year), systems)
    history = pl.concat(frames).unique("employment_id", keep="last", maintain_order=True)
    history = history.sort("code", pl.col("employee_number").cast(pl.Int64), "employment_id")
    _write_kind(history_dir, "employments", history, extractor.extraction_date(YEARS[-1]), systems)
    yearly_files = sorted(yearly_dir.iterdir())
    assert len(yearly_files) == len(YEARS) and history.height > max(f.height for f in frames)

    yearly_db = _build(tmp_path / "home_yearly", yearly_files)
    history_db = _build(tmp_path / "home_history", sorted(history_dir.iterdir()), period_start=FIRST_PERIOD_START)

    con = duckdb.connect()
    con.execute(f"attach '{yearly_db}' as yearly (read_only)")
    con.execute(f"attach '{history_db}' as history (read_only)")
    years = con.execute(
        "select list(distinct year order by year) from history.marts.fct_indicators where area_code = ?", [CODE]
    ).fetchone()[0]
    assert years == list(YEARS)  # every 1 December of the history got a snapshot
    # every mart (only int_hr__extracts and int_hr__employments' extraction dates differ by design)
    marts = con.execute(
        "select table_name from duckdb_tables() where database_name = 'yearly' and schema_name = 'marts'"
    ).fetchall()
    assert len(marts) > 10
    for (table,) in marts:
        a = f"select {canonical_rows(con, 'yearly', 'marts', table)} from yearly.marts.{table}"
        b = f"select {canonical_rows(con, 'history', 'marts', table)} from history.marts.{table}"
        missing = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        extra = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
        assert (missing, extra) == (0, 0), table
    assert con.execute("select count(*) from yearly.marts.fct_turnover where area_code = ?", [CODE]).fetchone()[0]
