"""Fødselsnummer (Norwegian national id) rules, vectorised over polars columns.

Validation follows Skatteetaten: two mod-11 control digits; D-numbers (day + 40),
H-numbers and NAV's synthetic numbers (month + 40) and Skatteetaten's synthetic numbers
(month + 80). From 1 January 2032 the first control sum may leave a remainder of 0, 1, 2
or 3; such numbers carry neither century nor gender, so birth year and gender are derived
only from numbers that satisfy the old rule (remainder 0). The scalar helpers at the bottom
serve the privacy scan of small texts (title lines, file names, rejected files).
"""

from __future__ import annotations

import re

import polars as pl

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
NEW_RULE_REMAINDERS = (0, 1, 2, 3)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def normalise(expr: pl.Expr) -> pl.Expr:
    """Digits only (spaces, hyphens and dots removed); a 10-digit value gets back the leading
    zero Excel dropped when it stored the number as a number."""
    digits = expr.str.replace_all(r"[\s\u00a0.\-]", "")
    digits = digits.str.replace(r"^(\d{10})\.0+$", "$1")
    return pl.when(digits.str.len_chars() == 10).then("0" + digits).otherwise(digits)


def _digits(expr: pl.Expr) -> list[pl.Expr]:
    return [expr.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(11)]


def _remainders(d: list[pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    r1 = (sum(w * d[i] for i, w in enumerate(W1)) + d[9]) % 11
    r2 = (sum(w * d[i] for i, w in enumerate(W2)) + d[10]) % 11
    return r1, r2


def _date_ok(d: list[pl.Expr]) -> pl.Expr:
    day = d[0] * 10 + d[1]
    month = d[2] * 10 + d[3]
    day = pl.when(day > 40).then(day - 40).otherwise(day)  # D-number
    month = (
        pl.when(month > 80).then(month - 80).when(month > 40).then(month - 40).otherwise(month)
    )  # synthetic (+80), H-number / NAV synthetic (+40)
    max_day = pl.when(month == 2).then(29).when(month.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= max_day)


def checksums_ok(expr: pl.Expr) -> pl.Expr:
    """Both control digits pass under the old or the new (2032) rule; `expr` is normalised."""
    d = _digits(expr)
    r1, r2 = _remainders(d)
    return (expr.str.contains(r"^\d{11}$") & (r2 == 0) & r1.is_in(NEW_RULE_REMAINDERS)).fill_null(False)


def analyse(expr: pl.Expr) -> dict[str, pl.Expr]:
    """Expressions over a normalised id column: `valid`, `old_rule`, `birth_year`, `gender`."""
    d = _digits(expr)
    r1, r2 = _remainders(d)
    well_formed = expr.str.contains(r"^\d{11}$").fill_null(False)
    valid = (well_formed & (r2 == 0) & r1.is_in(NEW_RULE_REMAINDERS) & _date_ok(d)).fill_null(False)
    old_rule = valid & (r1 == 0)
    yy = d[4] * 10 + d[5]
    individual = d[6] * 100 + d[7] * 10 + d[8]
    century = (
        pl.when(individual < 500).then(1900)
        .when((individual < 750) & (yy >= 54)).then(1800)
        .when(yy < 40).then(2000)
        .when(individual >= 900).then(1900)
        .otherwise(None)
    )
    birth_year = pl.when(old_rule).then(century + yy).otherwise(None).cast(pl.Int64)
    gender = pl.when(old_rule).then(pl.when(d[8] % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F")))
    return {"valid": valid, "old_rule": old_rule, "birth_year": birth_year, "gender": gender}


# --- leak detection in other columns ---------------------------------------------------
# A quick filter first, so clean columns cost one regex pass.
CANDIDATE_PATTERN = r"\d{6}[ \-]?\d{4}"


def leaked_columns(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Columns holding an 11-digit token that passes the mod-11 check (either rule), or a
    10-digit token that does so once its dropped leading zero is restored and whose date
    part is a date. `123456 78901` counts as 11 digits."""
    found = []
    for name in columns:
        column = pl.col(name)
        hits = frame.lazy().select(column).filter(column.str.contains(CANDIDATE_PATTERN))
        tokens = (
            hits.select(
                column.str.replace_all(r"\b(\d{6})[ \-](\d{5})\b", "${1}${2}")
                .str.extract_all(r"\d+")
                .alias("token")
            )
            .explode("token")
            .filter(pl.col("token").str.len_chars().is_in([10, 11]))
            .select(
                pl.when(pl.col("token").str.len_chars() == 11)
                .then(checksums_ok(pl.col("token")))
                .otherwise(analyse("0" + pl.col("token"))["valid"])
                .any()
            )
            .collect()
            .item()
        )
        if tokens:
            found.append(name)
    return found


# --- scalar helpers for short texts ------------------------------------------------------
_TOKEN = re.compile(r"(?<!\d)(\d{6}[ \-]?\d{5}|\d{10})(?!\d)")


def _scalar_checks(number: str) -> tuple[int, int]:
    d = [int(c) for c in number]
    r1 = (sum(w * d[i] for i, w in enumerate(W1)) + d[9]) % 11
    r2 = (sum(w * d[i] for i, w in enumerate(W2)) + d[10]) % 11
    return r1, r2


def _scalar_date_ok(number: str) -> bool:
    day, month = int(number[0:2]), int(number[2:4])
    day = day - 40 if day > 40 else day
    month = month - 80 if month > 80 else month - 40 if month > 40 else month
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def token_is_id(token: str) -> bool:
    """The scalar twin of the leak rule above, for one token of digits (and one separator)."""
    digits = re.sub(r"[ \-]", "", token)
    if len(digits) == 11:
        r1, r2 = _scalar_checks(digits)
        return r2 == 0 and r1 in NEW_RULE_REMAINDERS
    if len(digits) == 10:
        padded = "0" + digits
        r1, r2 = _scalar_checks(padded)
        return r2 == 0 and r1 in NEW_RULE_REMAINDERS and _scalar_date_ok(padded)
    return False


REDACTED = "[fødselsnummer fjernet]"


def contains_id(text: str) -> bool:
    return any(token_is_id(m.group(0)) for m in _TOKEN.finditer(text))


def redact(text: str, replacement: str = REDACTED) -> str:
    """`text` with every token that could be a national id replaced."""
    return _TOKEN.sub(lambda m: replacement if token_is_id(m.group(0)) else m.group(0), text)
