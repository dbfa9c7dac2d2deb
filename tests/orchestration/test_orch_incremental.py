"""Incremental delivery runs: a delivery rebuilds only the years it made stale, and the
result is what a full rebuild of the same inputs gives.

On a copy of the demo warehouse (fully built by `rebuild_indicators`):
1. a municipality's next yearly employments extract, then a corrected postings file of an
   earlier year (2023), each through `ingest_deliveries` (in process, as the sensor starts it);
   the loads record their years in `audit.pending_years`, the dbt step builds the range
   (or everything, when the rule says every year changed) and clears them;
2. a copy of that home is rebuilt in full (`rebuild_indicators`): every intermediate and
   mart table must be equal (numbers to 6 decimals);
3. the decision rule falls back to a full build after an SSB refresh, without a recorded
   full build, and after a change of the dbt project.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from pipelines.settings import Settings
from tests.orchestration.conftest import DemoWarehouse, compare_builds, make_home

MUNICIPALITY = "1856"  # Røst: its 2024 extract arrives
CORRECTED = "1856"  # then its 2023 postings are corrected


def run(job: str, files: list[str] | None = None):
    from pipelines.defs.orchestration.runner import run_in_process

    output = io.StringIO()
    config = {"ops": {"hr_inbox": {"config": {"files": files}}}} if files else None
    outcome = run_in_process(Console(file=output, width=150), job=job, run_config=config)
    assert outcome.success, output.getvalue()[-3000:]
    return outcome


def _query(settings: Settings, sql: str) -> list[tuple]:
    """Rows from the build database, read-only (the run that wrote them has ended)."""
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def pending(settings: Settings) -> list[tuple]:
    return _query(settings, "select kind, municipality_code, from_year from audit.pending_years")


def builds(settings: Settings) -> list[tuple]:
    return _query(settings, "select mode, from_year, complete from audit.dbt_builds order by finished_at")


def corrected_postings(source: Path, target: Path) -> None:
    """The same postings file with one filled posting's fill date moved a week later."""
    text = source.read_bytes().decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        cells = line.split(";")
        if len(cells) > 8 and cells[0].strip() == CORRECTED and "." in cells[9] and cells[9].strip():
            day, month, year = cells[9].strip().split(".")
            cells[9] = f"{int(day) % 20 + 1:02d}.{month}.{year}"
            lines[i] = ";".join(cells)
            break
    else:
        raise AssertionError(f"no filled posting in {source.name}")
    target.write_bytes(("\ufeff" + "".join(lines)).encode("utf-8"))


def compare_with_full_rebuild(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    full_home = tmp_path / "full"
    shutil.copytree(settings.home, full_home, symlinks=True)
    full = make_home(full_home, monkeypatch)
    run("rebuild_indicators")
    return compare_builds(full.build_db_path, settings.build_db_path)


@pytest.mark.slow
def test_delivery_runs_rebuild_their_years_and_match_a_full_rebuild(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pipelines.hr.ingest import ingest_paths

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    assert builds(settings) == [("full", None, True)]  # the base's rebuild_indicators
    assert pending(settings) == []

    # 1. the next yearly extract, through the delivery run
    extract = demo_warehouse.later(MUNICIPALITY, "arbeidsforhold")
    shutil.copyfile(extract, settings.inbox_dir / extract.name)
    run("ingest_deliveries", [extract.name])
    assert pending(settings) == []  # cleared by the successful build
    mode, from_year, complete = builds(settings)[-1]
    assert not complete  # a delivery run builds what is downstream of the HR sources
    assert mode == "full" or 2019 < from_year <= 2024

    # 2. a corrected postings file of an earlier year: recorded at load, then a range build
    [postings] = sorted(demo_warehouse.deliveries.glob(f"{CORRECTED}_utlysninger_2023-*.csv"))
    corrected = settings.inbox_dir / postings.name
    corrected_postings(postings, corrected)
    probe = tmp_path / "probe"  # the load alone, on a copy: what it records
    shutil.copytree(settings.home, probe, symlinks=True)
    probe_settings = make_home(probe, monkeypatch)
    [result] = ingest_paths([probe_settings.inbox_dir / postings.name], probe_settings)
    assert result.outcome == "loaded"
    [(kind, code, year)] = pending(probe_settings)
    assert (kind, code) == ("postings", CORRECTED) and 2022 <= year <= 2023
    settings = make_home(tmp_path / "home", monkeypatch)

    run("ingest_deliveries", [postings.name])
    assert pending(settings) == []
    assert builds(settings)[-1][:2] == ("range", year)

    # 3. the same inputs, rebuilt in full
    assert compare_with_full_rebuild(settings, tmp_path, monkeypatch) == {}


def test_the_rule_falls_back_to_a_full_build(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pipelines.ssb.load import fetch_catalogue
    from pipelines.warehouse import pending as rule

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    con = duckdb.connect(str(settings.build_db_path))
    try:
        con.execute(
            "insert into audit.pending_years values ('abc', 'backlog', '1856', 2023, 'test', current_timestamp)"
        )
        plan = rule.plan(con)
        assert (plan.mode, plan.from_year, plan.pending) == ("range", 2023, ("abc",))
        con.execute("update audit.pending_years set from_year = 2000")
        assert rule.plan(con).mode == "full"  # every year
        con.execute("update audit.pending_years set from_year = 2023")
        monkeypatch.setattr(rule, "project_fingerprint", lambda: "another project")
        assert rule.plan(con).reason.startswith("the dbt project")
        monkeypatch.undo()
        make_home(settings.home, monkeypatch)
        saved = con.execute("select * from audit.dbt_builds").fetchall()
        con.execute("delete from audit.dbt_builds")
        assert rule.plan(con).mode == "full"  # no full build recorded
        con.executemany("insert into audit.dbt_builds values (?, ?, ?, ?, ?, ?, ?, ?, ?)", saved)
        assert rule.plan(con).mode == "range"
    finally:
        con.close()
    fetch_catalogue(settings, mode="snapshot")  # an SSB refresh
    con = duckdb.connect(str(settings.build_db_path))
    try:
        plan = rule.plan(con)
        assert plan.mode == "full" and "SSB" in plan.reason
    finally:
        con.close()
