"""Incremental delivery runs: a delivery rebuilds only the slice (municipalities x years) it
made stale, and the result is what a full rebuild of the same inputs gives.

On a copy of the demo warehouse (fully built by `rebuild_indicators`), each delivery through
`ingest_deliveries` (in process, as the sensor starts it); the loads record their years in
`audit.pending_years`, the dbt step builds the slice of the touched municipalities (widened by
shared persons) and their regions, and clears them:
1. the next yearly employments extracts of Værøy, then of Røst (some persons work in both, so
   Værøy's rows change with Røst's extract): the plan names Røst, the municipalities it shares
   persons with and their regions, not the others; the tables equal a full rebuild's;
2. the same extract redelivered with changes (a position size, an employment left out), an
   earlier extract redelivered with changes after it (out of order), and a corrected postings
   file of an earlier year (2023); then a copy of that home is rebuilt in full
   (`rebuild_indicators`): every intermediate and mart table must be equal (`compare_builds`);
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
NEIGHBOUR = "1857"  # Værøy: its 2024 extract arrives first; some persons work in both
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
    """(kind, municipality, earliest stale year) of the loads since the last build (noted at
    load, worked out set-based as the plan does)."""
    from pipelines.warehouse.pending import stale_years

    con = duckdb.connect(str(settings.build_db_path))
    try:
        found: dict[tuple, int] = {}
        for kind, code, year, _ in stale_years(con):
            found[(kind, code)] = min(year, found.get((kind, code), year))
        return [(kind, code, year) for (kind, code), year in sorted(found.items())]
    finally:
        con.close()


def builds(settings: Settings) -> list[tuple]:
    return _query(settings, "select mode, from_year, complete from audit.dbt_builds order by finished_at")


def last_slice(settings: Settings) -> list[str] | None:
    """The municipalities the last build rebuilt (None: every one)."""
    return _query(settings, "select municipalities from audit.dbt_builds order by finished_at desc limit 1")[0][0]


def changed_extract(source: Path, target: Path, newer: Path | None = None) -> None:
    """The same employments extract with one employment's position size halved and the last
    employment left out (it ended, as far as this extract tells). With `newer` (a later extract
    of the municipality, already loaded), the halved employment is one the newer extract does not
    list, so the change is current (a row the newer extract lists is superseded by it)."""

    def parsed(path: Path) -> tuple[list[str], int, list[int]]:
        lines = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
        header = next(i for i, line in enumerate(lines) if "Stillingsprosent" in line)
        return lines, header, [i for i in range(header + 1, len(lines)) if lines[i].strip()]

    lines, header, rows = parsed(source)
    names = lines[header].rstrip("\r\n").split(";")
    column, key = names.index("Stillingsprosent"), names.index("Arbeidsforholdsnr")
    listed: set[str] = set()
    if newer is not None:
        later, later_header, later_rows = parsed(newer)
        later_key = later[later_header].rstrip("\r\n").split(";").index("Arbeidsforholdsnr")
        listed = {later[i].split(";")[later_key] for i in later_rows}
    [chosen, *_] = [i for i in rows if lines[i].split(";")[key] not in listed and lines[i].split(";")[column]]
    cells = lines[chosen].split(";")
    cells[column] = str(round(float(cells[column].replace(",", ".")) / 2))
    lines[chosen] = ";".join(cells)
    del lines[rows[-1] if rows[-1] != chosen else rows[-2]]
    target.write_bytes("".join(lines).encode("utf-8"))


def with_second_job(source: Path, target: Path, other: Path) -> None:
    """Røst's extract with one more employment (20 %, from 1 March of the extract's year) for a
    person of `other` (Værøy's extract of the same year, tab-separated with English headers):
    a person linked by national id in both, whose position size in Værøy is the sum of both."""
    theirs = other.read_text(encoding="utf-8-sig").splitlines()
    names = theirs[0].split("\t")
    person = dict(zip(names, next(line.split("\t") for line in theirs[1:] if line.split("\t")[2].strip()), strict=True))
    lines = source.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    year = source.name.split("_")[-1][:4]
    gender = {"F": "K"}.get(person["gender"], person["gender"])
    extra = f"{MUNICIPALITY};19999;{person['national_id']};19999-1;{person['birth_year']};{gender};6014;Renholder;20;"
    extra += f"Fast;01.03.{year};;;Renhold;teknisk;261;;\r\n"
    target.write_bytes(("".join(lines).rstrip("\r\n") + "\r\n" + extra).encode("utf-8"))


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


def compare_with_dbt_run(settings: Settings, where: Path) -> dict:
    """The same inputs rebuilt by a plain `dbt run` of every model (no checks, no Dagster: the
    tables `compare_builds` reads are the same as a full rebuild's), on a copy of the database."""
    from pipelines.indicators.build import run_dbt

    where.mkdir(parents=True)
    full_db = where / "workforce.duckdb"
    shutil.copyfile(settings.build_db_path, full_db)
    run_dbt(["run"], full_db, target_path=where / "target")
    return compare_builds(full_db, settings.build_db_path)


def compare_with_full_rebuild(settings: Settings, where: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    full_home = where / "full"
    shutil.copytree(settings.home, full_home, symlinks=True)
    full = make_home(full_home, monkeypatch)
    run("rebuild_indicators")
    return compare_builds(full.build_db_path, settings.build_db_path)


@pytest.mark.slow
def test_delivery_runs_rebuild_their_slice_and_match_a_full_rebuild(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pipelines.hr.ingest import ingest_paths

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    assert builds(settings) == [("full", None, True)]  # the base's rebuild_indicators
    assert pending(settings) == []

    # 1. the next yearly extracts of Værøy, then of Røst, each through the delivery run: a
    # slice of the municipality, those it shares persons with, and their regions
    for code in (NEIGHBOUR, MUNICIPALITY):
        extract = demo_warehouse.later(code, "arbeidsforhold")
        if code == MUNICIPALITY:  # with a second job of one of Værøy's persons
            with_second_job(
                extract, settings.inbox_dir / extract.name, demo_warehouse.later(NEIGHBOUR, "arbeidsforhold")
            )
        else:
            shutil.copyfile(extract, settings.inbox_dir / extract.name)
        run("ingest_deliveries", [extract.name])
        assert pending(settings) == []  # cleared by the successful build
        mode, from_year, complete = builds(settings)[-1]
        assert not complete  # a delivery run builds what is downstream of the HR sources
        assert mode == "slice" and from_year <= 2024
    sliced = last_slice(settings)
    every = {r[0] for r in _query(settings, "select distinct municipality_code from intermediate.int_person_snapshots")}
    shared = {  # the municipalities where a person of Røst's works (by national id)
        r[0]
        for r in _query(
            settings,
            "select distinct b.municipality_code from intermediate.int_hr__employments a "
            "join intermediate.int_hr__employments b using (person_number) "
            f"where a.municipality_code = '{MUNICIPALITY}' and a.has_person_key",
        )
    }
    assert NEIGHBOUR in shared  # Værøy's 2024 rows of those persons change with Røst's extract
    assert set(sliced) == shared | {MUNICIPALITY}  # widened by shared persons only
    assert every - set(sliced), "the other municipalities are not rebuilt"
    assert compare_with_dbt_run(settings, tmp_path / "first") == {}

    # 2a. the same extract redelivered with changes; 2b. the year before, changed, after it
    # (out of order: an employment the newer extract no longer lists)
    for year in (2024, 2023):
        [source] = sorted(demo_warehouse.deliveries.glob(f"{MUNICIPALITY}_arbeidsforhold_{year}-*.csv"))
        changed_extract(source, settings.inbox_dir / source.name, newer=extract if year < 2024 else None)
        run("ingest_deliveries", [source.name])
        assert pending(settings) == []
        assert builds(settings)[-1][0] == "slice" and MUNICIPALITY in last_slice(settings)

    # 2c. a corrected postings file of an earlier year: recorded at load, then a slice build
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
    assert builds(settings)[-1][:2] == ("slice", year)

    # 3. the same inputs, rebuilt in full
    assert compare_with_full_rebuild(settings, tmp_path / "last", monkeypatch) == {}


def test_the_rule_falls_back_to_a_full_build(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pipelines.ssb.load import fetch_catalogue
    from pipelines.warehouse import pending as rule

    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    con = duckdb.connect(str(settings.build_db_path))
    try:
        con.execute(  # a row as an earlier version recorded it at load time: still honoured
            "insert into audit.pending_years values ('abc', 'backlog', '1856', 2023, 'test', current_timestamp)"
        )
        plan = rule.plan(con)
        assert (plan.mode, plan.from_year, plan.pending) == ("slice", 2023, ("abc",))
        assert MUNICIPALITY in plan.municipalities and "outer_lofoten" in plan.regions
        assert "1804" not in plan.municipalities  # Bodø shares no backlog case with Røst
        con.execute("update audit.pending_years set municipality_code = null")  # a file of many
        assert (rule.plan(con).mode, rule.plan(con).from_year) == ("range", 2023)
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
        con.executemany("insert into audit.dbt_builds values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", saved)
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
