"""KLASS 131: historical codes land on today's, with weights where a municipality was split."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.settings import Settings
from pipelines.ssb import klass, snapshot
from pipelines.ssb.load import _with_map, fetch_catalogue
from tools.build_ssb_snapshot import REFERENCE_CSV, reference_csv

from .test_ssb_client import audit


@pytest.fixture(scope="module")
def offline() -> dict[str, pl.DataFrame]:
    return _with_map(*snapshot.klass_frames())


def _targets(mapping: pl.DataFrame, code: str) -> dict[str, float]:
    rows = mapping.filter(pl.col("historical_code") == code)
    return dict(zip(rows["current_code"], rows["weight"], strict=True))


def test_pre_2020_nordland_codes_map_to_todays(offline):
    mapping = offline["klass_municipality_map"]
    assert _targets(mapping, "1849") == {"1875": 1.0}  # Hamarøy
    assert _targets(mapping, "1805") == {"1806": 1.0}  # Narvik
    assert _targets(mapping, "1854") == {"1806": 1.0}  # Ballangen
    assert _targets(mapping, "1850") == {"1806": 0.47, "1875": 0.53}  # Tysfjord, split
    assert _targets(mapping, "1852") == {"5512": 1.0}  # Tjeldsund: 1852 → 5412 (2020) → 5512 (2024)
    assert mapping.filter(pl.col("historical_code") == "1852")["path"][0] == "1852 > 5412 > 5512"
    for code in ("1804", "1856", "1875", "1806"):  # today's codes map to themselves
        assert _targets(mapping, code) == {code: 1.0}
    # every historical code's weights sum to one: nothing is lost or counted twice
    sums = mapping.group_by("historical_code").agg(pl.col("weight").sum())
    assert sums.filter((pl.col("weight") - 1).abs() > 1e-9).height == 0
    assert _targets(mapping, "5012") == pytest.approx({"5055": 1 / 3, "5056": 1 / 3, "5059": 1 / 3})


def test_pre_2020_figures_sum_onto_todays_municipalities(tmp_path):
    settings = Settings(home=tmp_path / "home", ssb_mode="snapshot")
    fetch_catalogue(settings, table="klass")
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        con.execute("create temp table employees_2019 (municipality_code varchar, n double)")
        con.execute(
            "insert into employees_2019 values ('1805', 1500), ('1854', 200), ('1850', 100), "
            "('1849', 150), ('1804', 4000)"
        )
        got = dict(
            con.execute(
                "select m.current_code, sum(e.n * m.weight) from employees_2019 e "
                "join raw.klass_municipality_map m on m.historical_code = e.municipality_code group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert got == pytest.approx({"1806": 1500 + 200 + 47, "1875": 150 + 53, "1804": 4000})
    assert sum(got.values()) == pytest.approx(5950)


def test_municipality_validity_periods(offline):
    municipalities = offline["klass_municipality"]
    rows = {(r["code"], r["name"]): r for r in municipalities.iter_rows(named=True)}
    assert rows[("1849", "Hábmer - Hamarøy")]["valid_to"] == date(2019, 12, 31)
    assert rows[("1875", "Hábmer - Hamarøy")]["valid_from"] == date(2020, 1, 1)
    assert rows[("1875", "Hábmer - Hamarøy")]["valid_to"] is None
    # a renaming closes one span and opens the next under the same code
    assert rows[("1826", "Hattfjelldal")]["valid_to"] == date(2019, 12, 31)
    assert rows[("1826", "Aarborte - Hattfjelldal")]["valid_from"] == date(2020, 1, 1)
    assert rows[("5412", "Dielddanuorri - Tjeldsund")]["valid_to"] == date(2023, 12, 31)
    assert rows[("5512", "Dielddanuorri - Tjeldsund")]["source"] == "derived"
    assert municipalities.filter(pl.col("valid_to").is_null()).height == 357


def test_reference_file_is_generated_from_the_bundled_klass_and_knows_todays_codes():
    assert REFERENCE_CSV.read_text(encoding="utf-8") == reference_csv(snapshot.klass_frames()[0])
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        rows = {r["code"]: r for r in csv.DictReader(handle)}
    for code, name in {
        "5501": "Tromsø",
        "3301": "Drammen",
        "4601": "Bergen",
        "0301": "Oslo",
        "1804": "Bodø",
        "1875": "Hábmer - Hamarøy",
        "5610": "Kárášjohka - Karasjok",
    }.items():
        assert rows[code]["name"] == name and rows[code]["valid_to"] == ""
    assert rows["3001"]["valid_to"] == "2023-12-31"  # Halden renumbered 3101 in 2024
    assert rows["1849"]["valid_to"] == "2019-12-31"
    assert rows["5437"]["name"] == "Kárášjohka - Karasjok"  # the export's "?" repaired
    assert sum(1 for r in rows.values() if r["valid_to"] == "") == 357


def _klass_code(row: dict, valid_from: str, valid_to: str | None, notes: str) -> dict:
    """One entry of KLASS's `codes` JSON for a municipality row of an export."""
    return {
        "code": row["code"],
        "parentCode": None,
        "level": "1",
        "name": row["name"],
        "shortName": "",
        "presentationName": "",
        "validFrom": valid_from,
        "validTo": valid_to,
        "notes": notes,
    }


def _klass_json() -> tuple[dict, dict]:
    """KLASS's documented JSON shapes (codes, codeChanges), filled from the real 2019/2020 exports."""
    k2019 = klass.read_klass_csv(snapshot.KLASS_DIR / "klass131_2019_v1102.csv")
    k2020 = klass.read_klass_csv(snapshot.KLASS_DIR / "klass131_2020_v1160.csv")
    names_2020 = set(k2020["code"])
    codes = [
        _klass_code(row, "2019-01-01", "2020-01-01", "")
        for row in k2019.iter_rows(named=True)
        if row["code"] not in names_2020
    ]
    codes += [_klass_code(row, "2020-01-01", None, row["notes"] or "") for row in k2020.iter_rows(named=True)]
    changes = klass.read_change_table(
        snapshot.KLASS_DIR / "kommuneendringer_2019_2020.csv", change_occurred=date(2020, 1, 1)
    )
    code_changes = [
        {
            "oldCode": r["old_code"],
            "oldName": r["old_name"],
            "oldShortName": None,
            "newCode": r["new_code"],
            "newName": r["new_name"],
            "newShortName": None,
            "changeOccurred": "2020-01-01",
        }
        for r in changes.iter_rows(named=True)
    ]
    code_changes.append(
        {"oldCode": None, "newCode": "1875", "newName": "Hábmer - Hamarøy", "changeOccurred": "2020-01-01"}
    )  # a created code maps nothing
    return {"codes": codes}, {"codeChanges": code_changes}


def test_live_klass_json_is_loaded_with_split_weights(settings, transport, fake_ssb):
    fake_ssb.klass["codes"], fake_ssb.klass["changes"] = _klass_json()
    [outcome] = fetch_catalogue(settings, table="klass", mode="live", transport=transport)
    assert (outcome.status, outcome.source) == ("ok", "live")
    requests = [s for s in fake_ssb.seen if "/classifications/131/" in s.path]
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == ["codes", "changes"]
    assert all(r.headers.get("Accept") == "application/json" for r in requests)
    assert requests[0].params["from"] == "2015-01-01"
    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        assert con.execute("select valid_to from raw.klass_municipality where code='1850'").fetchone() == (
            date(2019, 12, 31),
        )  # KLASS's exclusive validTo made inclusive
        tysfjord = con.execute(
            "select new_code, weight, weight_basis from raw.klass_municipality_changes "
            "where old_code='1850' order by new_code"
        ).fetchall()
        assert [(c, w) for c, w, _ in tysfjord] == [("1806", 0.47), ("1875", 0.53)]
        assert tysfjord[0][2].startswith("proxy: share of Tysfjord's immigrant population")
        assert con.execute(
            "select count(*) from raw.klass_municipality_changes where old_code is null"
        ).fetchone() == (0,)
        assert con.execute(
            "select current_code from raw.klass_municipality_map where historical_code='1849'"
        ).fetchall() == [("1875",)]
    finally:
        con.close()
    assert audit(settings)[0]["source"] == "live"
