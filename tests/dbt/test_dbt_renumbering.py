"""Issue 12 through the real chain (ingest_paths → dbt build → gate → publish): an employee
keeps one identity across a pure renumbering, and a well-formed position code in no list is
counted and reported, never dropped.

Ulvik was 1233 until KLASS renumbered it 4620 on 1 January 2020 (a pure renumbering in the
bundled KLASS snapshot). Its HR system exports no national ids: it delivers 2019 as 1233 and
2020 as 4620 with the same employee numbers, and one of six employees leaves in June 2020.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from pathlib import Path

import duckdb
import pytest
from dbt_golden_support import GOLDEN_SECRET, chain_home

from pipelines.hr import identity
from pipelines.hr.report import describe
from pipelines.settings import Settings
from pipelines.warehouse.schema import ensure_schema
from tests.chain_support import ChainResult, run_chain

HEADER = [
    "municipality_code", "employee_number", "employment_id", "birth_year", "gender", "position_code",
    "position_title", "fte_percent", "employment_type", "start_date", "end_date", "termination_reason",
    "service_area",
]  # fmt: skip
STAFF = [  # employee number, code, title, fte, start; 7577 is well-formed but in no code list
    ("1", "7174", "Sykepleier", 100, "2010-01-01"),
    ("2", "7076", "Helsefagarbeider", 80, "2012-03-01"),
    ("3", "7517", "Fagarbeider", 100, "2015-06-01"),
    ("4", "7637", "Pedagogisk leder", 100, "2016-08-01"),
    ("5", "7577", "Fysioterapeut", 60, "2018-01-01"),
    ("6", "6572", "Assistent", 50, "2017-01-01"),
]
LEAVER = "6"


def _write(path: Path, code: str, leaver_end: str | None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, position, title, fte, start in STAFF:
            end = leaver_end if number == LEAVER else None
            writer.writerow(
                [code, number, f"U{number}-1", 1970 + int(number), "F", position, title, fte, "permanent", start,
                 end or "", "egen oppsigelse" if end else "", "helse og omsorg"]
            )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def ulvik(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, ChainResult]:
    settings, files = chain_home(tmp_path_factory, "ulvik")
    paths = [
        _write(files / "ulvik_1233_2019-12-31.csv", "1233", None),
        _write(files / "ulvik_4620_2020-12-31.csv", "4620", "2020-06-30"),
    ]
    return settings, run_chain(settings, paths)


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_pure_renumbering_keeps_every_employee(ulvik: tuple[Settings, ChainResult]) -> None:
    settings, chain = ulvik
    assert [d.outcome for d in chain.deliveries] == ["loaded", "loaded"]
    # keyed by the chain's oldest code, so the renumbering changes nothing stored
    keys = _query(
        settings,
        "select municipality_code, employee_key from raw.hr_employments where employment_key is not null "
        "and source_row_number = 1 order by municipality_code",
    )
    expected = hmac.new(GOLDEN_SECRET.encode(), b"1233:1", hashlib.sha256).hexdigest()
    assert keys == [("1233", expected), ("4620", expected)]
    [(numerator, denominator, value)] = _query(
        settings,
        "select numerator, denominator, value from marts.fct_indicators where indicator_id = 'turnover' "
        "and area_type = 'municipality' and area_code = '4620' and year = 2020 and breakdown = 'total'",
    )
    assert (numerator, denominator) == (1, 6)
    assert value == pytest.approx(1 / 6)
    assert chain.gate.passed and chain.release is not None and (chain.release / "manifest.json").exists()


def test_mergers_and_splits_keep_their_own_keys() -> None:
    roots = identity.key_codes()
    assert roots["4620"] == "1233"  # Ulvik, 2020
    assert roots["5512"] == "5412"  # Tjeldsund: renumbered in 2024 ...
    assert "5412" not in roots  # ... after the 2020 merger of 1852 and 1913, which keeps its own keys
    assert "1806" not in roots and "1875" not in roots  # Narvik and Hamarøy (merger and split of 1850)


def test_a_later_renumbering_changes_nothing_stored_and_older_history_never_re_keys() -> None:
    """A warehouse's own KLASS tables add renumberings newer than the bundled snapshot; older
    history from a live fetch (KLASS from 2015) must not lengthen a chain backwards."""
    con = duckdb.connect(":memory:")
    ensure_schema(con)  # the KLASS tables as the warehouse declares them
    con.execute(
        "insert into raw.klass_municipality_changes (old_code, new_code, change_occurred, weight, source) "
        "values ('4620', '9620', date '2028-01-01', 1, 'live'), ('1100', '1233', date '2017-01-01', 1, 'live')"
    )
    con.execute(
        "insert into raw.klass_municipality (code, name, valid_from, source) "
        "values ('9620', 'Ny', date '2028-01-01', 'live'), ('1233', 'Ulvik', date '2017-01-01', 'live')"
    )
    roots = identity.key_codes(con)
    assert roots["9620"] == roots["4620"] == "1233" and "1233" not in roots


def test_an_unknown_code_counts_everywhere_and_is_reported(ulvik: tuple[Settings, ChainResult]) -> None:
    settings, chain = ulvik
    first = chain.deliveries[0]
    assert first.rows_quarantined == 0 and first.unknown_position_codes == {"7577": 1}
    assert "ukjente stillingskoder (lastet som «Ukjent»): 7577 (1 rad)" in describe(first)
    ledger = _query(
        settings,
        "select rows_unknown_code, unknown_position_codes from audit.deliveries order by extraction_date",
    )
    assert ledger == [(1, '{"7577": 1}'), (1, '{"7577": 1}')]
    # the person counts in every total, in position group «Ukjent»
    [(counted,)] = _query(
        settings,
        "select numerator from marts.fct_indicators where indicator_id = 'counted_employees' "
        "and area_type = 'municipality' and area_code = '4620' and year = 2019 and breakdown = 'total'",
    )
    assert counted == 6
    groups = dict(
        _query(
            settings,
            "select position_code, position_group from intermediate.int_employment_snapshots where year = 2019",
        )
    )
    assert groups == {
        "7174": "bachelor", "7076": "skilled", "7517": "skilled", "7637": "bachelor", "7577": "unknown",
        "6572": "unskilled",
    }  # fmt: skip
    # 1 of 6 employees (17 %) is more than 2 %: a warning, not a block
    warning = next(r for r in chain.gate.results if r.check_name == "employments_unknown_position_code_share")
    assert not warning.passed and warning.severity == "warn"
    assert {e["municipality_code"] for e in warning.examples} == {"4620"}
    assert chain.gate.passed
    feedback = (chain.gate.report_path.parent / "kommune_4620.html").read_text(encoding="utf-8")
    assert "Stillingskoder som ikke finnes i kodelisten" in feedback and "7577" in feedback


def test_the_seed_names_a_source_for_every_verified_code() -> None:
    seed = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "ks_position_codes.csv"
    with seed.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    verified = [r for r in rows if r["verified"] == "true"]
    assert len(verified) >= 27 and all(r["source_url"].startswith("https://") for r in verified)
    assert all(r["source"] == "ikke verifisert" and not r["source_url"] for r in rows if r["verified"] != "true")
    codes = {r["position_code"] for r in rows}
    # KS's own codes, not the contradicted ones the seed held before issue 12
    assert {"7637", "7966", "7517", "7076"} <= codes
    assert not {"7211", "7957", "6560", "6545"} & codes
    groups = {r["position_code"]: r["position_group"] for r in rows}
    assert groups["7728"] != "unskilled" and groups["7729"] != "unskilled" and groups["6617"] != "unskilled"
    json.dumps(rows)  # plain text only
