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
    digits = expr.str.replace(r"^(\d{10,11})\.0+$", "$1").str.replace_all(r"[\s\u00a0.\-]", "")
    return pl.when(digits.str.len_chars() == 10).then("0" + digits).otherwise(digits)


def _facts(number: pl.Expr, well_formed: pl.Expr) -> dict[str, pl.Expr]:
    """Validity, rule, birth year and gender from an Int64 holding the 11 digits."""
    d = [(number // 10 ** (10 - i)) % 10 for i in range(11)]
    r1 = (sum(w * d[i] for i, w in enumerate(W1)) + d[9]) % 11
    r2 = (sum(w * d[i] for i, w in enumerate(W2)) + d[10]) % 11
    checks = well_formed & (r2 == 0) & r1.is_in(NEW_RULE_REMAINDERS)
    day = d[0] * 10 + d[1]
    month = d[2] * 10 + d[3]
    day = pl.when(day > 40).then(day - 40).otherwise(day)  # D-number
    # synthetic (+80); H-number and NAV's synthetic numbers (+40)
    month = pl.when(month > 80).then(month - 80).when(month > 40).then(month - 40).otherwise(month)
    max_day = pl.when(month == 2).then(29).when(month.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    date_ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= max_day)
    valid = (checks & date_ok).fill_null(False)
    old_rule = valid & (r1 == 0)
    yy = d[4] * 10 + d[5]
    individual = d[6] * 100 + d[7] * 10 + d[8]
    century = (
        pl.when(individual < 500)
        .then(1900)
        .when((individual < 750) & (yy >= 54))
        .then(1800)
        .when(yy < 40)
        .then(2000)
        .when(individual >= 900)
        .then(1900)
        .otherwise(None)
    )
    return {
        "checks": checks.fill_null(False),
        "valid": valid,
        "old_rule": old_rule,
        "birth_year": pl.when(old_rule).then(century + yy).otherwise(None).cast(pl.Int64),
        "gender": pl.when(old_rule).then(pl.when(d[8] % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))),
    }


def _as_number(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    well_formed = expr.str.contains(r"^\d{11}$").fill_null(False)
    return pl.when(well_formed).then(expr.cast(pl.Int64, strict=False)), well_formed


def checksums_ok(expr: pl.Expr) -> pl.Expr:
    """Both control digits pass under the old or the new (2032) rule; `expr` is normalised."""
    return _facts(*_as_number(expr))["checks"]


def analyse(expr: pl.Expr) -> dict[str, pl.Expr]:
    """Expressions over a normalised id column: `valid`, `old_rule`, `birth_year`, `gender`."""
    facts = _facts(*_as_number(expr))
    return {k: facts[k] for k in ("valid", "old_rule", "birth_year", "gender")}


def analyse_series(normalised: pl.Series) -> pl.DataFrame:
    """`analyse` for a whole column: `valid`, `old_rule`, `birth_year`, `gender`.

    The same rules as `_facts`, materialised step by step (digits, then sums, then facts),
    because polars would otherwise recompute every digit for every output column."""
    number, well_formed = _as_number(pl.col("id"))
    frame = normalised.to_frame("id").select(number.alias("n"), well_formed.alias("ok"))
    frame = frame.select(
        "ok", *(((pl.col("n") // 10 ** (10 - i)) % 10).cast(pl.Int32).alias(f"d{i}") for i in range(11))
    )
    d = [pl.col(f"d{i}") for i in range(11)]
    frame = frame.select(
        "ok",
        ((sum(w * d[i] for i, w in enumerate(W1)) + d[9]) % 11).alias("r1"),
        ((sum(w * d[i] for i, w in enumerate(W2)) + d[10]) % 11).alias("r2"),
        (d[0] * 10 + d[1]).alias("day"),
        (d[2] * 10 + d[3]).alias("month"),
        (d[4] * 10 + d[5]).alias("yy"),
        (d[6] * 100 + d[7] * 10 + d[8]).alias("ind"),
        (d[8] % 2 == 1).alias("odd"),
    )
    day, month, yy, ind = pl.col("day"), pl.col("month"), pl.col("yy"), pl.col("ind")
    day = pl.when(day > 40).then(day - 40).otherwise(day)
    month = pl.when(month > 80).then(month - 80).when(month > 40).then(month - 40).otherwise(month)
    frame = frame.with_columns(day.alias("day"), month.alias("month"))
    month, day = pl.col("month"), pl.col("day")
    max_day = pl.when(month == 2).then(29).when(month.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    valid = (
        pl.col("ok")
        & (pl.col("r2") == 0)
        & pl.col("r1").is_in(NEW_RULE_REMAINDERS)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= max_day)
    ).fill_null(False)
    frame = frame.with_columns(valid.alias("valid"))
    frame = frame.with_columns((pl.col("valid") & (pl.col("r1") == 0)).alias("old_rule"))
    century = (
        pl.when(ind < 500)
        .then(1900)
        .when((ind < 750) & (yy >= 54))
        .then(1800)
        .when(yy < 40)
        .then(2000)
        .when(ind >= 900)
        .then(1900)
        .otherwise(None)
    )
    old = pl.col("old_rule")
    return frame.select(
        "valid",
        "old_rule",
        pl.when(old).then(century + yy).otherwise(None).cast(pl.Int64).alias("birth_year"),
        pl.when(old).then(pl.when(pl.col("odd")).then(pl.lit("M")).otherwise(pl.lit("F"))).alias("gender"),
    )


# --- leak detection in other columns ---------------------------------------------------
# A quick filter first, so clean columns cost one regex pass.
CANDIDATE_PATTERN = r"\d{6}[ \-]?\d{4}"


def leaked_columns(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Columns holding an 11-digit token that passes the mod-11 check (either rule), or a
    10-digit token that does so once its dropped leading zero is restored and whose date
    part is a date. `123456 78901` counts as 11 digits.

    Cheap filters first (longest value, then one regex per column, all columns in parallel),
    so a clean national-size file costs a fraction of a second."""
    columns = [c for c in columns if frame.schema[c] == pl.String]
    if not columns or frame.height == 0:
        return []
    longest = frame.select(pl.col(c).str.len_bytes().max().alias(c) for c in columns).row(0, named=True)
    long_enough = [c for c in columns if (longest[c] or 0) >= 10]
    if not long_enough:
        return []
    flagged = frame.select(pl.col(c).str.contains(CANDIDATE_PATTERN).any().alias(c) for c in long_enough).row(
        0, named=True
    )
    found = []
    for name in (c for c in long_enough if flagged[c]):
        token = pl.col("token")
        hit = (
            frame.lazy()
            .select(pl.col(name))
            .filter(pl.col(name).str.contains(CANDIDATE_PATTERN))
            .select(
                pl.col(name)
                .str.replace_all(r"\b(\d{6})[ \-](\d{5})\b", "${1}${2}")
                .str.extract_all(r"\d+")
                .alias("token")
            )
            .explode("token")
            .filter(token.str.len_chars().is_in([10, 11]))
            .select(
                pl.when(token.str.len_chars() == 11)
                .then(checksums_ok(token))
                .otherwise(analyse("0" + token)["valid"])
                .any()
            )
            .collect()
            .item()
        )
        if hit:
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
