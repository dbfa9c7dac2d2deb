"""Modes: `auto` completes from the cache when SSB is unreachable; `snapshot` never opens a socket."""

from __future__ import annotations

import socket

import duckdb
import pytest
import requests

from pipelines.settings import Settings
from pipelines.ssb.load import fetch_catalogue

from .test_ssb_client import POPULATION_CELLS, audit, cached, raw

CATALOGUE_TABLES = [
    "population",
    "kostra_fte",
    "employment_by_workplace",
    "immigrant_share",
    "education_level",
    "sick_leave",
]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when we return: nothing listens there


def _offline(settings: Settings) -> Settings:
    dead = f"http://127.0.0.1:{_closed_port()}/api/"
    return Settings(
        home=settings.home,
        ssb_mode="auto",
        ssb_base_url=dead + "pxwebapi/v2/",
        klass_base_url=dead + "klass/v1/",
    )


def test_auto_completes_from_cache_when_ssb_is_unreachable(settings, transport, fake_ssb, sleeps):
    fetch_catalogue(settings, table="population", mode="live", transport=transport)
    live_rows = raw(settings, "select * from raw.ssb_population order by all")
    offline = _offline(settings)
    [outcome] = fetch_catalogue(offline, table="population", transport=transport)  # mode from settings: auto
    assert (outcome.status, outcome.source, outcome.rows) == ("fallback", "cache", POPULATION_CELLS)
    assert outcome.message.startswith(
        "SSB-tabell 07459: ga opp etter 1 forsøk: fikk ikke kontakt med 127.0.0.1:"
    )
    assert "(tilkoblingen ble avvist)" in outcome.message and "Brukte det mellomlagrede svaret fra" in outcome.message
    assert outcome.error is None  # unreachable is not the catalogue's fault: no error raised
    rows = audit(settings)
    assert [(r["status"], r["source"]) for r in rows] == [("ok", "live"), ("fallback", "cache")]
    assert "Brukte det mellomlagrede svaret" in rows[1]["message"]
    after = raw(settings, "select * from raw.ssb_population order by all")
    assert after.drop("source").equals(live_rows.drop("source"))
    assert set(after["source"]) == {"cache"}
    assert len(cached(settings)) == 1  # the fallback wrote nothing new
    assert sleeps == []  # a refused connection is not worth the backoff


def test_auto_without_cache_falls_back_to_the_bundled_snapshot_and_says_demo(settings, transport):
    offline = _offline(settings)
    outcomes = fetch_catalogue(offline, transport=transport)
    by_name = {o.name: o for o in outcomes}
    assert by_name["klass"].source == "snapshot" and by_name["klass"].status == "fallback"
    for name in CATALOGUE_TABLES:
        assert (by_name[name].status, by_name[name].source) == ("fallback", "demo")
        message = by_name[name].message
        assert "øyeblikksbildet i pakken, siden ingenting var mellomlagret (demotall, ikke SSBs tall)" in message
    assert {r["source"] for r in audit(settings)} == {"demo", "snapshot"}
    flags = raw(settings, "select bool_and(is_demo) d, count(*) n from raw.ssb_population")
    assert flags["d"][0] is True and flags["n"][0] == POPULATION_CELLS


def test_snapshot_mode_opens_no_socket(tmp_path, socket_guard, capsys):
    from rich.console import Console

    settings = Settings(
        home=tmp_path / "home",
        ssb_mode="snapshot",
        ssb_base_url="http://ssb.invalid/",
        klass_base_url="http://klass.invalid/",
    )
    outcomes = fetch_catalogue(settings, console=Console(width=200))
    assert socket_guard == []  # not one connection attempted
    assert [o.name for o in outcomes] == ["klass", *CATALOGUE_TABLES]
    assert all(o.status == "ok" for o in outcomes)
    assert {o.source for o in outcomes} == {"snapshot", "demo"}
    out = capsys.readouterr().out
    assert out.count("øyeblikksbildet i pakken (demotall, ikke SSBs tall)") == 6
    assert "Merk: tabeller merket demo har demotall, ikke SSBs tall" in out
    # and the guard is real: any connection attempt would have failed and been recorded
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/", timeout=1)
    assert socket_guard != []


def test_snapshot_tables_follow_the_raw_contract(tmp_path):
    settings = Settings(home=tmp_path / "home", ssb_mode="snapshot")
    fetch_catalogue(settings)
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        for name in CATALOGUE_TABLES:
            columns = dict(
                con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema='raw' and table_name=?",
                    [f"ssb_{name}"],
                ).fetchall()
            )
            assert {
                "value": "DOUBLE",
                "status": "VARCHAR",
                "municipality_code": "VARCHAR",
                "year": "INTEGER",
                "table_id": "VARCHAR",
                "table_updated": "TIMESTAMP",
                "fetched_at": "TIMESTAMP",
                "source": "VARCHAR",
                "is_demo": "BOOLEAN",
                "tid_code": "VARCHAR",
                "contentscode_code": "VARCHAR",
                "contentscode_label": "VARCHAR",
            }.items() <= columns.items()
            bad = con.execute(
                f"select count(*) from raw.ssb_{name} where municipality_code is not null "
                "and not regexp_full_match(municipality_code, '[0-9]{4}')"
            ).fetchone()[0]
            assert bad == 0
            assert (
                con.execute(
                    f"select bool_and(is_demo) and bool_and(source = 'demo') from raw.ssb_{name}"
                ).fetchone()[0]
                is True
            )
        # K-prefix stripped; county 18 is not a municipality; quarters keep tid_code
        assert con.execute(
            "select distinct municipality_code from raw.ssb_population where region_code='K-1856'"
        ).fetchall() == [("1856",)]
        assert con.execute(
            "select distinct municipality_code from raw.ssb_sick_leave where region_code='18'"
        ).fetchall() == [(None,)]
        assert con.execute(
            "select year from raw.ssb_sick_leave where tid_code='2024K4' limit 1"
        ).fetchone() == (2024,)
        # status symbols kept, values null, never 0
        assert con.execute(
            "select count(*), count(value) from raw.ssb_sick_leave where status=':'"
        ).fetchone() == (16, 0)
        assert (
            con.execute(
                "select count(*) from raw.ssb_kostra_fte where status='.' and value is null"
            ).fetchone()[0]
            > 0
        )
        notes = con.execute(
            "select count(*) from raw.ssb_notes where mandatory and note like 'Demotall%'"
        ).fetchone()[0]
        assert notes == 6
    finally:
        con.close()
