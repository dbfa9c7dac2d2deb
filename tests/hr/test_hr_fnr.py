"""Fødselsnummer rules: control digits under the old and the 2032 rule, D- and H-numbers,
synthetic test numbers, and what may be derived from which number. Synthetic numbers only."""

from __future__ import annotations

import polars as pl
import pytest
from hr_support import make_fnr

from pipelines.hr import fnr


def _facts(values: list[str]) -> list[dict]:
    frame = pl.DataFrame({"raw": values}).with_columns(fnr.normalise(pl.col("raw")).alias("id"))
    vectorised = fnr.analyse_series(frame.get_column("id")).to_dicts()
    expression = frame.select(**fnr.analyse(pl.col("id"))).to_dicts()
    assert vectorised == expression  # the two implementations agree
    return vectorised


def _first_valid(**kwargs) -> str:
    for individual in range(kwargs.pop("start", 100), 1000):
        number = make_fnr(individual=individual, **kwargs)
        if number:
            return number
    raise AssertionError("no valid number")


def test_old_rule_number_gives_birth_year_and_gender():
    woman = _first_valid(day=15, month=3 + 80, year=1984, start=100)  # individnummer 100-499: 1900s
    facts = _facts([woman])[0]
    assert facts["valid"] and facts["old_rule"]
    assert facts["birth_year"] == 1984
    assert facts["gender"] == ("M" if int(woman[8]) % 2 else "F")


def test_century_follows_the_individual_number():
    born_2005 = _first_valid(day=1, month=1 + 80, year=2005, start=500)
    born_1950 = _first_valid(day=1, month=1 + 80, year=1950, start=900)
    assert [f["birth_year"] for f in _facts([born_2005, born_1950])] == [2005, 1950]


@pytest.mark.parametrize(
    ("day", "month", "kind"),
    [
        (55, 6, "D-number (day + 40)"),
        (12, 46, "H-number / NAV synthetic (month + 40)"),
        (12, 86, "Skatteetaten synthetic (month + 80)"),
        (71, 92, "D-number and synthetic"),
    ],
)
def test_d_h_and_synthetic_numbers_are_valid(day: int, month: int, kind: str):
    number = _first_valid(day=day, month=month, year=1977)
    assert _facts([number])[0]["valid"], kind


@pytest.mark.parametrize("remainder", [1, 2, 3])
def test_post_2032_numbers_are_valid_but_give_neither_birth_year_nor_gender(remainder: int):
    number = None
    for individual in range(999, 0, -1):
        number = make_fnr(2, 1 + 80, 2032, individual, first_remainder=remainder)
        if number:
            break
    assert number is not None
    facts = _facts([number])[0]
    assert facts["valid"] and not facts["old_rule"]
    assert facts["birth_year"] is None and facts["gender"] is None
    assert fnr.token_is_id(number)


def test_invalid_numbers():
    good = _first_valid(day=10, month=10 + 80, year=1970)
    wrong_k2 = good[:10] + str((int(good[10]) + 1) % 10)
    bad_date = make_fnr(32, 1, 1970, 123) or make_fnr(32, 1, 1970, 124)  # day 32 does not exist
    assert bad_date is not None
    month_13 = _first_valid(day=10, month=13, year=1970)
    facts = _facts([wrong_k2, bad_date, month_13, "1234567890a", "123", ""])
    assert [f["valid"] for f in facts] == [False] * 6


def test_first_control_remainder_four_is_invalid_under_both_rules():
    number = None
    for individual in range(100, 1000):
        number = make_fnr(10, 90, 1970, individual, first_remainder=4)
        if number:
            break
    assert number is not None and not _facts([number])[0]["valid"]


def test_a_number_that_lost_its_leading_zero_in_excel_is_restored():
    number = _first_valid(day=5, month=5 + 80, year=1988)
    assert number.startswith("0")
    facts = _facts(
        [number[1:], number[1:] + ".0", f"{number[:6]} {number[6:]}", f"{number[:6]}-{number[6:]}"]
    )
    assert all(f["valid"] for f in facts)
    assert fnr.token_is_id(number[1:])


def test_leak_scan_finds_ids_in_text_and_ignores_other_numbers():
    number = _first_valid(day=20, month=2 + 80, year=1966)
    frame = pl.DataFrame(
        {
            "note": ["ring meg", f"fnr {number[:6]} {number[6:]} oppgitt", None],
            "account": ["12345678901", "98765432109", "1234.56.78903"],  # fail the checks
            "clean": ["1804", "2023", "x"],
        }
    )
    found = fnr.leaked_columns(frame, frame.columns)
    assert found == ["note"] or ("note" in found and all(c in ("note", "account") for c in found))
    assert "clean" not in found
    assert fnr.contains_id(f"x{number}y") and not fnr.contains_id(f"1{number}")
    assert fnr.redact(f"id: {number}.") == f"id: {fnr.REDACTED}."


@pytest.mark.parametrize(
    "text",
    [
        "+47 912 34 567",
        "0047 91234567",
        "912 34 567 / 40 00 12 34",
        "2023-12-15 00:00:00",
        "01.08.2015 - 31.12.2023",
        "1 234 567,50",
        "987 654 321",  # an organisation number
        "1234.56.78903",  # an account number whose first digits are no date
        "12345678901234",  # too long to be one id
    ],
)
def test_the_leak_scan_leaves_common_numbers_alone(text: str):
    assert not fnr.contains_id(text)
    assert fnr.redact(text) == text


def test_the_leak_scan_needs_both_control_digits_and_a_date():
    number = _first_valid(day=20, month=2 + 80, year=1966)
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    no_date = next(n for i in range(500) if (n := make_fnr(35, 5, 1980, i)))  # day 35: both digits pass
    assert fnr.contains_id(f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}")
    assert not fnr.contains_id(broken) and not fnr.contains_id(no_date)
