"""Issue 16 through the real chain (ingest_paths → dbt build → gate → publish): turnover across
a municipal merger is *not applicable* when the merged municipality's HR system exports no
national ids, and kept when it does.

Nærøysund (5060) is Vikna (5050) and Nærøy (5051) merged on 1 January 2020. Without national ids
an employee is keyed by the delivered code's employee number, and a merger keeps its codes'
keys apart (pipelines/hr/identity.py: two systems' numbers would collide), so nobody counted in
Vikna or Nærøy on 1 December 2019 can be found in Nærøysund a year later: turnover would be
100 %. The figure is left out instead; 2021 (both snapshots under 5060) has it.

Tjeldsund (5512) is Tjeldsund (1852) and Skånland (1913) merged into 5412 in 2020 (renumbered
5512 in 2024); its HR system exports national ids, so the persons are followed and one leaver of
six is 1/6.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_golden_support import chain_home

from pipelines.hr import identity
from pipelines.settings import Settings
from tests.chain_support import ChainResult, run_chain
from tests.hr.hr_support import synthetic_ids

HEADER = [
    "municipality_code", "employee_number", "employment_id", "national_id", "birth_year", "gender",
    "position_code", "position_title", "fte_percent", "employment_type", "start_date", "end_date",
    "termination_reason", "service_area",
]  # fmt: skip
POSITIONS = [("7174", "Sykepleier"), ("7076", "Helsefagarbeider"), ("7517", "Fagarbeider")]


def _write(path: Path, code: str, staff: list[tuple[str, str | None]], leaver: str | None = None) -> Path:
    """One extract: (employee number, national id or None) per employee; `leaver` ends in June."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index, (number, national_id) in enumerate(staff):
            position, title = POSITIONS[index % len(POSITIONS)]
            end = f"{path.stem[-10:-6]}-06-30" if number == leaver else ""
            writer.writerow(
                [code, number, f"{code}-{number}", national_id or "", 1970 + index, "F", position, title, 100,
                 "permanent", "2015-01-01", end, "egen oppsigelse" if end else "", "helse og omsorg"]
            )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def mergers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, ChainResult]:
    settings, files = chain_home(tmp_path_factory, "mergers")
    # Nærøysund: no national ids; the new system numbers all eight employees 1-8
    vikna = [(str(n), None) for n in range(1, 5)]
    naeroy = [(str(n), None) for n in range(1, 5)]  # the same numbers as Vikna's: another system
    naeroysund = [(str(n), None) for n in range(1, 9)]
    # Tjeldsund: national ids, new employee numbers in the merged system
    ids = synthetic_ids(6, seed=16)
    tjeldsund = [(f"T{n}", ids[n]) for n in range(3)]
    skanland = [(f"S{n}", ids[n]) for n in range(3, 6)]
    merged = [(str(100 + n), ids[n]) for n in range(6)]
    paths = [
        _write(files / "vikna_5050_2019-12-31.csv", "5050", vikna),
        _write(files / "naeroy_5051_2019-12-31.csv", "5051", naeroy),
        _write(files / "naeroysund_5060_2020-12-31.csv", "5060", naeroysund),
        _write(files / "naeroysund_5060_2021-12-31.csv", "5060", naeroysund, leaver="8"),
        _write(files / "tjeldsund_1852_2019-12-31.csv", "1852", tjeldsund),
        _write(files / "skanland_1913_2019-12-31.csv", "1913", skanland),
        _write(files / "tjeldsund_5412_2020-12-31.csv", "5412", merged, leaver="105"),
    ]
    return settings, run_chain(settings, paths)


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _turnover(settings: Settings, code: str) -> dict[int, tuple[float, float]]:
    rows = _query(
        settings,
        "select year, numerator, denominator from marts.fct_indicators where indicator_id = 'turnover' "
        f"and area_type = 'municipality' and area_code = '{code}' and breakdown = 'total'",
    )
    return {year: (numerator, denominator) for year, numerator, denominator in rows}


def test_a_merger_without_national_ids_has_no_turnover_the_year_it_took_effect(
    mergers: tuple[Settings, ChainResult],
) -> None:
    settings, chain = mergers
    assert [d.outcome for d in chain.deliveries] == ["loaded"] * 7
    coverage = _query(
        settings,
        "select year, has_previous_snapshot, can_follow_persons from intermediate.int_data_coverage "
        "where municipality_code = '5060' order by year",
    )
    assert coverage == [(2019, False, False), (2020, True, False), (2021, True, True)]
    # absent the merger year (not 8/8), present the year after: 1 leaver of 8
    assert _turnover(settings, "5060") == {2021: (1, 8)}
    families = _query(
        settings,
        "select year, count(*) filter (where previous_persons is not null) from intermediate.int_function_flows "
        "where municipality_code = '5060' group by year order by year",
    )
    assert [year for year, with_pairs in families if with_pairs] == [2021]
    wide = _query(
        settings, "select distinct year from marts.fct_turnover where area_type = 'municipality' and area_code = '5060'"
    )
    assert wide == [(2021,)]
    # no "pair" coverage claimed for the merger year
    pairs = _query(
        settings,
        "select year from intermediate.int_area_coverage where area_type = 'municipality' and area_code = '5060' "
        "and coverage_rule = 'pair' order by year",
    )
    assert pairs == [(2021,)]


def test_a_merger_with_national_ids_keeps_its_turnover(mergers: tuple[Settings, ChainResult]) -> None:
    settings, chain = mergers
    assert _query(
        settings,
        "select can_follow_persons from intermediate.int_data_coverage where municipality_code = '5512' "
        "and year = 2020",
    ) == [(True,)]
    assert _turnover(settings, "5512") == {2020: (1, 6)}
    assert chain.gate.passed and chain.release is not None


def test_the_code_map_lists_mergers_and_splits_not_renumberings(mergers: tuple[Settings, ChainResult]) -> None:
    settings, _ = mergers
    rows = dict(
        _query(
            settings,
            "select source_code || '>' || municipality_code, restructured_on "
            "from intermediate.int_municipality_code_map "
            "where source_code in ('5050', '0104', '3002', '1233', '1850', '1804')",
        )
    )
    assert rows["5050>5060"] == [date(2020, 1, 1)]  # a merger
    assert rows["0104>3103"] == [date(2020, 1, 1)]  # a merger, then a pure renumbering
    assert rows["3002>3103"] == []  # a pure renumbering
    assert rows["1233>4620"] == []  # Ulvik
    assert rows["1850>1875"] == rows["1850>1806"] == [date(2020, 1, 1)]  # a split


def test_restructurings_are_exactly_the_steps_identity_does_not_key_continuously(
    mergers: tuple[Settings, ChainResult],
) -> None:
    """The SQL classification (int_municipality_code_map.restructured_on) and the keying rule
    (pipelines/hr/identity.py) must agree on every KLASS step the warehouse holds, or a pure
    renumbering would lose its turnover (or a merger keep a wrong one)."""
    settings, _ = mergers
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        changes = con.sql(f"select {', '.join(identity.CHANGE_COLUMNS)} from raw.klass_municipality_changes").pl()
        codes = con.sql(f"select {', '.join(identity.CODE_COLUMNS)} from raw.klass_municipality").pl()
        steps = con.execute(
            "select distinct changes.old_code, changes.change_occurred, "
            "bool_and(list_contains(code_map.restructured_on, changes.change_occurred)) "
            "from raw.klass_municipality_changes as changes "
            "inner join intermediate.int_municipality_code_map as code_map on code_map.source_code = changes.old_code "
            "where changes.new_code is not null and changes.old_code <> changes.new_code group by all"
        ).fetchall()
    pure = {(old, day) for old, _, day in identity.pure_renumberings(changes, codes)}
    assert len(steps) > 300 and pure
    assert {(old, day) for old, day, restructured in steps if not restructured} == pure
