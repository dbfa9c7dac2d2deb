"""The SSB client against a real local HTTP server that behaves like PxWebApi 2 and misbehaves on cue.

Each test asserts what was retried (requests seen by the server, waits asked for), what was
cached, what was logged (audit.ssb_fetches and the log) and the message the user sees.
"""

from __future__ import annotations

import json
import logging
import math

import duckdb
import polars as pl
import pytest

from pipelines.errors import WorkforceError
from pipelines.ssb.cache import ResponseCache
from pipelines.ssb.client import PxWebClient
from pipelines.ssb.errors import SsbQueryError
from pipelines.ssb.load import fetch_catalogue
from pipelines.ssb.query import Query
from pipelines.ssb.ratelimit import RateLimiter, parse_policy
from pipelines.ssb.transport import RetryPolicy, Transport, parse_retry_after

POPULATION_CELLS = 16 * 2 * 106 * 11  # the fake SSB holds the 16 demo municipalities


def run(settings, transport, table="population", mode="live", **kwargs):
    return fetch_catalogue(
        settings, table=table, mode=mode, transport=transport, raise_on_error=False, **kwargs
    )


def audit(settings) -> list[dict]:
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        return con.sql("select * from audit.ssb_fetches order by fetched_at").pl().to_dicts()
    finally:
        con.close()


def raw(settings, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def cached(settings, key="07459-population"):
    return ResponseCache(settings.ssb_cache_dir).entries(key)


def assert_recovered(settings, outcome, *, requests: int, fake) -> None:
    """A fetch that recovered: what the user sees, what was logged and cached, how often SSB was asked."""
    assert len(fake.data_requests()) == requests
    assert (outcome.status, outcome.source, outcome.rows, outcome.error) == (
        "ok",
        "live",
        POPULATION_CELLS,
        None,
    )
    assert outcome.message == "hentet fra SSB"
    [row] = audit(settings)
    assert (row["status"], row["source"], row["rows"]) == ("ok", "live", POPULATION_CELLS)
    [entry] = cached(settings)  # one entry, holding the good body only
    assert len(entry.manifest["parts"]) == 1
    assert json.loads(entry.bodies()[0])["size"] == [16, 2, 106, 1, 11]


def test_live_fetch_loads_caches_and_audits(settings, transport, fake_ssb, caplog, cubes):
    caplog.set_level(logging.INFO, logger="pipelines.ssb")
    [outcome] = run(settings, transport)
    assert (outcome.source, outcome.status, outcome.rows) == ("live", "ok", POPULATION_CELLS)
    assert outcome.message == "hentet fra SSB"
    [data] = fake_ssb.data_requests()
    assert data.method == "GET" and data.cells == POPULATION_CELLS
    assert (
        data.params["valueCodes[Tid]"] == "from(2015)" and data.params["codelist[Region]"] == "agg_KommSummer"
    )
    assert data.params["valueCodes[Alder]"] == "*"  # expressions go out as written
    # the catalogue asks for all 41 Nordland municipalities; this server has 16: the rest are named, left out
    assert "has no Region code(s) K-1806, K-1811" in caplog.text
    [entry] = cached(settings)
    assert (
        entry.manifest["query"]["table_id"] == "07459" and entry.manifest["query_hash"] == outcome.query_hash
    )
    assert json.loads(entry.bodies()[0])["updated"] == "2026-02-20T07:00:00Z"
    assert len(cached(settings, "07459-population-metadata")) == 1
    [row] = audit(settings)
    assert (row["table_id"], row["status"], row["source"], row["rows"]) == (
        "07459",
        "ok",
        "live",
        POPULATION_CELLS,
    )
    assert str(row["table_updated"]) == "2026-02-20 07:00:00"
    bodo = raw(
        settings, "select sum(value) v from raw.ssb_population where municipality_code='1804' and year=2025"
    )
    cube = cubes["07459"]  # Region (K-1804 first) × Kjonn × Alder × ContentsCode × Tid (2025 last)
    sizes = cube["size"]
    values = [v or 0 for v in cube["value"]]
    block = math.prod(sizes[1:])
    bodo_2025 = sum(values[i] for i in range(block) if i % 11 == 10)
    assert bodo["v"][0] == bodo_2025


def test_429_waits_for_retry_after_then_succeeds(settings, transport, fake_ssb, sleeps, caplog):
    fake_ssb.fail_next("status", (429, {"Retry-After": "7"}))
    [outcome] = run(settings, transport)
    assert sleeps == [7.0]  # SSB's Retry-After, not our backoff
    assert "HTTP 429 (Service error: Unavailable); retry 1 of 3 in 7.00 s" in caplog.text
    assert_recovered(settings, outcome, requests=2, fake=fake_ssb)


def test_503_then_success_backs_off_exponentially(settings, transport, fake_ssb, sleeps, caplog):
    fake_ssb.fail_next("status", 503, times=2)
    [outcome] = run(settings, transport)
    assert sleeps == [0.01, 0.02]
    assert caplog.text.count("HTTP 503") == 2
    assert_recovered(settings, outcome, requests=3, fake=fake_ssb)


def test_503_forever_gives_up_with_table_and_status_in_the_message(settings, transport, fake_ssb, sleeps):
    fake_ssb.fail_next("status", 503, times=4)
    [outcome] = run(settings, transport)
    assert len(fake_ssb.data_requests()) == 4 and sleeps == [0.01, 0.02, 0.04]
    assert outcome.message == (
        "SSB-tabell 07459: ga opp etter 4 forsøk: HTTP 503 (Service error: Unavailable)."
    )
    assert (outcome.source, outcome.rows) == (None, 0)
    assert cached(settings) == []
    [row] = audit(settings)
    assert (row["status"], row["source"], row["rows"]) == ("503", None, 0)
    with pytest.raises(
        WorkforceError, match=r"population \(07459\): SSB-tabell 07459: ga opp etter 4 forsøk"
    ):
        fake_ssb.fail_next("status", 503, times=4)
        fetch_catalogue(settings, table="population", mode="live", transport=transport)


def test_timeout_is_retried(settings, transport, fake_ssb, sleeps, caplog):
    fake_ssb.fail_next("sleep", 1.2)  # longer than the 0.5 s read timeout
    [outcome] = run(settings, transport)
    assert sleeps == [0.01]
    assert "SSB-tabell 07459: ikke svar innen 0.5 s (tidsavbrudd); retry 1 of 3" in caplog.text
    assert_recovered(settings, outcome, requests=2, fake=fake_ssb)


def test_truncated_json_is_retried_and_never_cached(settings, transport, fake_ssb, sleeps, caplog):
    fake_ssb.fail_next("truncated")
    [outcome] = run(settings, transport)
    assert sleeps == [0.01]
    assert "JSON-svaret for tabell 07459 er ødelagt eller avkuttet" in caplog.text
    assert_recovered(settings, outcome, requests=2, fake=fake_ssb)


def test_truncated_json_every_time_fails_in_live_mode(settings, transport, fake_ssb):
    fake_ssb.fail_next("truncated", times=4)
    [outcome] = run(settings, transport)
    assert outcome.message.startswith(
        "SSB-tabell 07459: ga opp etter 4 forsøk: JSON-svaret for tabell 07459 er ødelagt"
    )
    assert audit(settings)[0]["status"] == "bad body"
    assert cached(settings) == []


def test_html_page_with_status_200_falls_back_to_cache_in_auto_mode(settings, transport, fake_ssb, sleeps):
    run(settings, transport)  # a good fetch first, into the cache
    fake_ssb.fail_next("html", times=4)
    [outcome] = run(settings, transport, mode="auto")
    assert len(fake_ssb.data_requests()) == 1 + 4
    assert (outcome.status, outcome.source, outcome.rows) == ("fallback", "cache", POPULATION_CELLS)
    assert "SSB sendte en HTML-side med status 200 i stedet for data" in outcome.message
    assert "Brukte det mellomlagrede svaret fra" in outcome.message
    rows = audit(settings)
    assert [(r["status"], r["source"]) for r in rows] == [("ok", "live"), ("fallback", "cache")]
    assert rows[1]["fetched_at"] == rows[0]["fetched_at"]  # the cache entry's fetch time, not now
    assert len(cached(settings)) == 1  # nothing new cached


def test_html_body_labelled_as_json_is_caught_too(settings, transport, fake_ssb, caplog):
    fake_ssb.fail_next("html-as-json")
    [outcome] = run(settings, transport)
    assert "svarte på tabell 07459 med en HTML-side i stedet for JSON-stat2" in caplog.text
    assert_recovered(settings, outcome, requests=2, fake=fake_ssb)


def test_400_with_ssb_error_body_is_not_retried(settings, transport, fake_ssb, sleeps):
    body = {"type": "Parameter error", "title": "Non-existent value", "status": 400}
    fake_ssb.fail_next("problem", (400, body))
    [outcome] = run(settings, transport)
    assert len(fake_ssb.data_requests()) == 1 and sleeps == []
    assert outcome.message == (
        "SSB-tabell 07459: SSB avviste forespørselen (HTTP 400: Parameter error: Non-existent value)."
    )
    assert outcome.error == outcome.message
    [row] = audit(settings)
    assert (row["status"], row["rows"]) == ("400", 0)
    assert cached(settings) == []


def test_400_in_auto_mode_loads_a_fallback_but_reports_the_error(settings, transport, fake_ssb):
    body = {"type": "Parameter error", "title": "Non-existent value", "status": 400}
    fake_ssb.fail_next("problem", (400, body))
    with pytest.raises(WorkforceError, match="Non-existent value"):
        fetch_catalogue(settings, table="population", mode="auto", transport=transport)
    [row] = audit(settings)
    assert (row["status"], row["source"]) == ("fallback", "demo")
    assert "demotall, ikke SSBs tall" in row["message"]


def test_query_over_the_cell_limit_is_split_before_sending(settings, transport, fake_ssb, caplog):
    caplog.set_level(logging.INFO, logger="pipelines.ssb")
    fake_ssb.max_cells = fake_ssb.config_max_cells = 5_000  # announced in /config
    [outcome] = run(settings, transport)
    requests = fake_ssb.data_requests()
    assert len(requests) > 1 and all(r.cells <= 5_000 for r in requests)
    assert sum(r.cells for r in requests) == POPULATION_CELLS
    assert (
        f"{POPULATION_CELLS} cells is over the limit of 5000; fetching in {len(requests)} parts"
        in caplog.text
    )
    assert (
        outcome.rows == POPULATION_CELLS and outcome.message == f"hentet fra SSB i {len(requests)} deler"
    )
    [entry] = cached(settings)
    assert len(entry.manifest["parts"]) == len(requests)
    assert [(r["status"], r["rows"]) for r in audit(settings)] == [("ok", POPULATION_CELLS)]
    dupes = raw(
        settings,
        "select count(*) n from (select region_code, kjonn_code, alder_code, tid_code, count(*) c "
        "from raw.ssb_population group by all having c > 1)",
    )
    assert dupes["n"][0] == 0


def test_response_refused_as_too_many_cells_is_halved(settings, transport, fake_ssb, caplog):
    fake_ssb.max_cells = 20_000  # /config still says 800,000
    fake_ssb.config_max_cells = 800_000
    [outcome] = run(settings, transport)
    cells = [r.cells for r in fake_ssb.data_requests()]
    assert cells[0] == POPULATION_CELLS  # refused: 400 Too many cells selected
    assert all(c <= 20_000 for c in cells[-2:])
    assert "refused a part as too many cells; splitting it in two" in caplog.text
    assert outcome.rows == POPULATION_CELLS and outcome.status == "ok"
    [entry] = cached(settings)
    assert len(entry.manifest["parts"]) == len(cells) - 1  # the refused request left nothing in the cache


def test_long_get_url_goes_out_as_post(settings, transport, fake_ssb, caplog):
    caplog.set_level(logging.INFO, logger="pipelines.ssb")
    with PxWebClient(settings.ssb_base_url, transport=transport, max_url_length=150) as client:
        fetch = client.data(
            Query.build(
                "07459",
                {
                    "Region": ["K-1804"],
                    "Kjonn": ["1", "2"],
                    "Alder": ["*"],
                    "ContentsCode": "Personer1",
                    "Tid": ["from(2015)"],
                },
                {"Region": "agg_KommSummer"},
            )
        )
    [data] = fake_ssb.data_requests()
    assert data.method == "POST" and data.params == {"lang": "no", "outputFormat": "json-stat2"}
    assert "GET URL would be" in caplog.text and "sending the query as POST" in caplog.text
    assert {s["variableCode"] for s in data.body["selection"]} == {
        "Region",
        "Kjonn",
        "Alder",
        "ContentsCode",
        "Tid",
    }
    assert fetch.parts[0].document["size"] == [1, 2, 106, 1, 11]
    # the fake answers a real over-long GET with 404, like SSB
    client = PxWebClient(settings.ssb_base_url, transport=transport, max_url_length=10_000)
    with client, pytest.raises(SsbQueryError, match=r"HTTP 404.*adressen er for lang"):
        client.fetch(
            Query.build(
                "07459",
                {
                    "Region": [f"K-{i:04d}" for i in range(400)],
                    "ContentsCode": "Personer1",
                    "Tid": "2025",
                },
            )
        )


def test_mandatory_variable_missing_from_the_catalogue_is_taken_whole(
    settings, transport, fake_ssb, caplog, cubes
):
    with PxWebClient(settings.ssb_base_url, transport=transport) as client:
        query = Query.build("12451", {"Region": ["1804"], "Tid": ["2025K1"]})
        with pytest.raises(SsbQueryError, match="SSB-tabell 12451 trenger et utvalg på ContentsCode"):
            client.data(query)
        assert fake_ssb.data_requests() == []  # refused before any data request
        fetch = client.data(query, fill_mandatory=True)
    assert "requires ContentsCode, which the catalogue does not select; taking all its values" in caplog.text
    assert fake_ssb.data_requests()[0].params["valueCodes[ContentsCode]"] == "*"
    quarters = cubes["12451"]["dimension"]["Tid"]["category"]["index"]
    assert fetch.parts[0].document["value"] == [cubes["12451"]["value"][quarters["2025K1"]]]  # Bodø, 2025K1


def test_unknown_variable_is_named_before_any_data_request(settings, transport, fake_ssb):
    client = PxWebClient(settings.ssb_base_url, transport=transport)
    with client, pytest.raises(SsbQueryError, match="SSB-tabell 07459 har ingen variabel 'Kjønn'"):
        client.data(Query.build("07459", {"Kjønn": ["1"], "ContentsCode": "Personer1", "Tid": "2025"}))
    assert fake_ssb.data_requests() == []


def test_pacing_follows_the_announced_rate_limit(settings, fake_ssb, sleeps):
    fake_ssb.rate_policy, fake_ssb.limit = "3;w=60s", 3
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0], sleep=lambda s: (sleeps(s), now.__setitem__(0, now[0] + s)))
    transport = Transport(
        retry=RetryPolicy(backoff=0.01), sleep=sleeps, clock=lambda: now[0], limiter=limiter
    )
    with PxWebClient(settings.ssb_base_url, transport=transport, max_cells=800_000) as client:
        query = Query.build(
            "12451", {"Region": ["1804"], "Kjonn": "0", "ContentsCode": "Sykefraversprosent", "Tid": "2025K1"}
        )
        for _ in range(3):
            client.fetch(query)
            now[0] += 1.0
        assert sleeps == [] and limiter.remaining == 0  # three calls: what 3 per 60 s allows
        client.fetch(query)
    assert (limiter.limit, limiter.window) == (3, 60.0)
    assert sleeps == [57.0]  # the fourth call waited until the first had left the window
    assert len(fake_ssb.data_requests()) == 4


def test_rate_limit_and_retry_after_parsing():
    assert parse_policy("40;w=60s") == (40, 60.0)
    assert parse_policy("30;w=1m") == (30, 60.0)
    assert parse_policy("nonsense") is None
    assert parse_retry_after("12") == 12.0
    from datetime import UTC, datetime

    assert (
        parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now=datetime(2026, 10, 21, 7, 27, 30, tzinfo=UTC))
        == 30.0
    )


def test_every_catalogue_code_is_checked_against_the_metadata_before_a_fetch(settings, transport, fake_ssb):
    """Issue 12, point 7: the real catalogue resolves against the recorded metadata; a code the
    table lacks fails in one line naming table, variable and code, before any data request."""
    from pipelines.ssb.catalogue import CATALOGUE_PATH, load_catalogue, parse_catalogue
    from pipelines.ssb.query import resolve

    with PxWebClient(settings.ssb_base_url, transport=transport) as client:
        for spec in load_catalogue().tables.values():
            query = spec.query()
            meta, _ = client.metadata(query.table_id, query.codelists)
            assert resolve(query, meta).cells > 0, spec.name
        text = CATALOGUE_PATH.read_text(encoding="utf-8")
        text = text.replace('KOKfunksjon0000 = ["*"]', 'KOKfunksjon0000 = ["FG2", "FGK99"]')
        broken = parse_catalogue(text).tables["kostra_fte"]
        with pytest.raises(SsbQueryError) as refused:
            client.data(broken.query())
    assert str(refused.value) == (
        "SSB-tabell 11918: variabelen KOKfunksjon0000 har ingen kode 'FGK99', som katalogen bruker; "
        "rett pipelines/ssb/catalogue.toml."
    )
    assert fake_ssb.data_requests() == []
