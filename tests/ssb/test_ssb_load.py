"""Loading: atomic replacement, the CLI command, and network isolation of the rest of the package."""

from __future__ import annotations

import ast
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import WorkforceError
from pipelines.settings import REPO_ROOT, Settings
from pipelines.ssb.catalogue import load_catalogue, parse_catalogue
from pipelines.ssb.load import FetchOutcome, fetch_catalogue, from_snapshot, write_table
from pipelines.warehouse.connection import connect

NETWORK_MODULES = {
    "requests",
    "urllib",
    "urllib3",
    "http",
    "socket",
    "httpx",
    "aiohttp",
    "ssl",
    "ftplib",
    "smtplib",
}


def test_only_pipelines_ssb_touches_the_network():
    offenders = []
    package = REPO_ROOT / "pipelines"
    for path in sorted(package.rglob("*.py")):
        if (package / "ssb") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "__import__",
                "import_module",
            ):
                names = [
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
            offenders += [
                f"{path.relative_to(REPO_ROOT)}:{node.lineno} {n}"
                for n in names
                if n.split(".")[0] in NETWORK_MODULES
            ]
    assert offenders == []
    # and the plain grep the brief asks for, over the same files
    text_hits = [
        str(p.relative_to(REPO_ROOT))
        for p in package.rglob("*.py")
        if (package / "ssb") not in p.parents
        and any(
            t in p.read_text(encoding="utf-8")
            for t in (
                "import requests",
                "import urllib",
                "from urllib",
                "http.client",
                "import socket",
                "from socket",
            )
        )
    ]
    assert text_hits == []


def test_a_failed_load_leaves_the_previous_table_whole(tmp_path):
    settings = Settings(home=tmp_path / "home", ssb_mode="snapshot")
    fetch_catalogue(settings, table="population")
    spec = load_catalogue().tables["population"]
    loaded = from_snapshot(spec)
    half = type(loaded)(loaded.frame.head(10), loaded.notes, "live", loaded.updated, loaded.fetched_at)
    broken = FetchOutcome(
        name=spec.name,
        table_id=spec.table_id,
        raw_table=spec.raw_table,
        source="live",
        status=None,
        rows=10,
        updated=None,
        fetched_at=datetime.now(UTC),
        duration_ms=0,
        message="audit insert fails: status is not null",
    )  # type: ignore[arg-type]
    with connect(settings.build_db_path) as con, pytest.raises(duckdb.ConstraintException):
        write_table(con, spec, half, broken)
    with connect(settings.build_db_path) as con:
        assert con.execute("select count(*), min(source) from raw.ssb_population").fetchone() == (
            37312,
            "demo",
        )
        assert con.execute("select count(*) from audit.ssb_fetches").fetchone() == (1,)  # the good load only
        assert con.execute("select count(*) from raw.ssb_notes where table_name='population'").fetchone() == (
            1,
        )


def test_reloading_replaces_rows_instead_of_adding(tmp_path):
    settings = Settings(home=tmp_path / "home", ssb_mode="snapshot")
    for _ in range(2):
        fetch_catalogue(settings, table="sick_leave")
    with connect(settings.build_db_path) as con:
        assert con.execute("select count(*) from raw.ssb_sick_leave").fetchone() == (748,)
        assert con.execute(
            "select count(*) from audit.ssb_fetches where table_name='sick_leave'"
        ).fetchone() == (2,)


def test_catalogue_covers_each_need_and_checks_itself():
    catalogue = load_catalogue()
    assert {s.name: s.table_id for s in catalogue.tables.values()} == {
        "population": "07459",
        "kostra_fte": "11918",
        "employment_by_workplace": "13470",
        "immigrant_share": "09817",
        "education_level": "09429",
        "sick_leave": "12451",
    }
    population = catalogue.tables["population"].query()
    region = population.selections[0]
    assert region.code == "Region" and region.codelist == "agg_KommSummer" and len(region.values) == 41
    assert region.values[0] == "K-1804"
    kostra = catalogue.tables["kostra_fte"].query()
    assert "1849" in kostra.selections[0].values  # KOSTRA has no merged series: history by old codes
    assert all(s.verified for s in catalogue.tables.values())
    with pytest.raises(WorkforceError, match=r"tables\.x\.table_id må være fem sifre"):
        parse_catalogue(
            '[tables.x]\ntable_id = "7459"\ntitle="t"\npurpose="p"\ncadence="yearly"\nvalues={}\n'
        )
    with pytest.raises(WorkforceError, match="Katalogen har ingen tabell 'nope'"):
        catalogue.select("nope")


def _cli(home: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run `workforce ssb fetch ...` in-process through the real entry point (exit code included)."""
    from pipelines import cli

    monkeypatch.setenv("WORKFORCE_HOME", str(home))
    monkeypatch.setattr(sys, "argv", ["workforce", "ssb", "fetch", *args])
    monkeypatch.setattr(cli, "console", cli.Console(width=200))
    monkeypatch.setattr(cli, "err_console", cli.Console(stderr=True, width=200))
    with pytest.raises(SystemExit) as done:
        cli.main()
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


def test_cli_fetch_one_table_from_the_snapshot(tmp_path, monkeypatch, capsys):
    code, out, _ = _cli(tmp_path / "home", monkeypatch, capsys, "--table", "12451", "--mode", "snapshot")
    assert code == 0
    assert "sick_leave" in out and "748 rader" in out
    assert "demotall, ikke SSBs tall" in out
    # what a user reads is Norwegian (issue 18): none of the former English words
    assert not re.search(r"\b(rows|updated|bundled|fetched|figures|Note)\b", out), out
    code, _, err = _cli(tmp_path / "home", monkeypatch, capsys, "--mode", "offline")
    assert code == 2
    assert err.strip() == "feil: SSB-modus 'offline' finnes ikke; bruk en av live, snapshot, auto."
