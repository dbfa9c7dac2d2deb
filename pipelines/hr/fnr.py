"""Fødselsnummer (Norwegian national id) rules, vectorised over polars columns.

Validation follows Skatteetaten: two mod-11 control digits; D-numbers (day + 40),
H-numbers and NAV's synthetic numbers (month + 40) and Skatteetaten's synthetic numbers
(month + 80). From 1 January 2032 the first control sum may leave a remainder of 0, 1, 2
or 3; such numbers carry neither century nor gender, so birth year and gender are derived
only from numbers that satisfy the old rule (remainder 0). The leak scan at the bottom finds
ids in any spelling in other columns, headers, title lines, file names and messages.
"""

from __future__ import annotations

import re

import polars as pl

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
NEW_RULE_REMAINDERS = (0, 1, 2, 3)


def normalise(expr: pl.Expr) -> pl.Expr:
    """Digits only (ASCII, separators people type removed: see SEPARATOR); a 10-digit value
    gets back the leading zero Excel dropped when it stored the number as a number."""
    text = ascii_digits(expr)
    digits = text.str.replace(r"^(\d{10,11})\.0+$", "$1").str.replace_all(SEPARATOR, "")
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
    well_formed = expr.str.contains(r"^[0-9]{11}$").fill_null(False)
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
# People type ids with separators (`150385 10190`, `15.03.85 10190`, `150 385 101 90`,
# `150385/10190`, a tab, a no-break or thin space, an invisible zero-width space) and in
# other scripts' digits (full-width `１５０３８５…`). A *chain* is digit groups joined by
# short runs of such separators; a candidate is any run of consecutive groups of a chain
# that holds exactly 11 digits, or one group of 10 digits (the leading zero Excel dropped).
# A candidate is an id when both control digits pass (old or 2032 rule) and its first six
# digits are a date (D-, H- and synthetic numbers included): a random 11-digit number passes
# about 1 time in 140. Norwegian account numbers share the second control digit's weights,
# so a column of them is flagged anyway: docs/design/hr-export-contract.md says so.
SEPARATOR = r"[\s\p{Cf}._/\\\p{Pd}\x{FF0E}\x{FF0F}\x{FF3C}\x{FF3F}\x{00B7}]"
_MAX_SEPARATOR_RUN = 5
# Ten digits with short separator runs between them: the quick filter (clean columns cost
# one regex pass). `\d` is Unicode here, so full-width and other scripts' digits pass too.
CANDIDATE_PATTERN = rf"\d(?:{SEPARATOR}{{0,{_MAX_SEPARATOR_RUN}}}\d){{9}}"
# The same filter for one ASCII string in Python, wider than it (any ASCII character but a
# letter or a digit counts as a separator): when this finds nothing, neither can the scan, so
# a file name, a title line or a header without ten digits close together skips polars.
_ASCII_CANDIDATE = re.compile(rf"[0-9](?:[^0-9A-Za-z]{{0,{_MAX_SEPARATOR_RUN}}}[0-9]){{9}}", re.ASCII)


def _surely_clean(text: str) -> bool:
    r"""`text` holds no ten digits close enough to be an id (cheap, conservative): it is ASCII
    without such digits, or it has fewer than ten decimal digits of any script at all (the
    scan's `\d` is Unicode category Nd, which is what `str.isdecimal` tests; a header such as
    `Fødselsnummer` has none)."""
    if text.isascii():
        return _ASCII_CANDIDATE.search(text) is None
    return sum(ch.isdecimal() for ch in text) < 10
_CHAIN = rf"[0-9]+(?:{SEPARATOR}{{1,{_MAX_SEPARATOR_RUN}}}[0-9]+)*"
_NON_ASCII = r"[^\x00-\x7f]"


def _other_digits() -> tuple[list[str], list[str]]:
    """Decimal digits of every script but ASCII, and the ASCII digit each stands for
    (NFKC maps full-width digits, not e.g. Arabic-Indic or Devanagari ones)."""
    import sys
    import unicodedata

    found = [chr(c) for c in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Nd"]
    return found, [str(unicodedata.digit(c)) for c in found]


_DIGITS: tuple[list[str], list[str]] | None = None


def ascii_digits(expr: pl.Expr) -> pl.Expr:
    """NFKC-normalised text with every Unicode decimal digit written as an ASCII digit."""
    global _DIGITS
    if _DIGITS is None:
        _DIGITS = _other_digits()
    normal = expr.str.normalize("NFKC").str.replace_many(*_DIGITS)
    return pl.when(expr.str.contains(_NON_ASCII)).then(normal).otherwise(expr)


def _ascii_series(series: pl.Series) -> pl.Series:
    """`ascii_digits` of a column, run only when some value is not ASCII (the digit table
    is a 650-pattern automaton: built per call, so skipped when it cannot matter)."""
    if not series.str.contains(_NON_ASCII).fill_null(False).any():
        return series
    return series.to_frame("v").select(ascii_digits(pl.col("v"))).to_series().alias(series.name)


def _candidates(values: pl.LazyFrame) -> pl.LazyFrame:
    """`values` (columns `cell`, `v`: ASCII digits) -> (`cell`, `chain`, `token`) for every 11-digit run
    of consecutive groups of a chain, and every lone 10-digit group (then `token` holds 10)."""
    chains = (
        values.select("cell", pl.col("v").str.extract_all(_CHAIN).alias("chain"))
        .explode("chain")
        .drop_nulls("chain")
        .with_row_index("chain_id")
        .with_columns(pl.col("chain").str.replace_all(r"[^0-9]", "").alias("digits"))
        .filter(pl.col("digits").str.len_bytes() >= 10)
        .with_columns(
            pl.col("chain")
            .str.replace_all(rf"{SEPARATOR}+", " ")
            .str.split(" ")
            .list.eval(pl.element().str.len_bytes().cast(pl.Int64))
            .alias("lengths")
        )
        .with_columns(pl.col("lengths").list.eval(pl.element().cum_sum()).alias("ends"))
    )
    groups = chains.select("cell", "chain", "chain_id", "digits", "lengths", "ends").explode("lengths", "ends")
    groups = groups.with_columns((pl.col("ends") - pl.col("lengths")).alias("start"))
    ends = groups.select("chain_id", pl.col("ends").alias("stop"))
    eleven = groups.with_columns((pl.col("start") + 11).alias("stop")).join(ends, on=["chain_id", "stop"], how="semi")
    ten = groups.filter(pl.col("lengths") == 10)
    # `150385.10190` typed into a spreadsheet cell is stored as the number 150385.1019: the
    # trailing zeros of the "decimals" are gone (and the control digit is implied anyway).
    decimal = chains.filter(pl.col("chain").str.contains(r"^[0-9]{6}\.[0-9]{3,4}$"))
    return pl.concat(
        [
            eleven.select("cell", "chain", pl.col("digits").str.slice(pl.col("start"), 11).alias("token")),
            ten.select("cell", "chain", pl.col("digits").str.slice(pl.col("start"), 10).alias("token")),
            decimal.select("cell", "chain", (pl.col("digits") + "00").str.slice(0, 11).alias("token")),
        ]
    )


def _hits(values: pl.LazyFrame) -> pl.DataFrame:
    """(`cell`, `chain`) of every chain holding an id-like candidate. The control digits are
    checked step by step (`analyse_series`) and only when there is a candidate at all: the
    one-expression form costs more to plan than a small column costs to scan."""
    found = _candidates(values).collect()
    if found.height == 0:
        return found.select("cell", "chain")
    token = pl.col("token")
    padded = found.select(pl.when(token.str.len_bytes() == 10).then("0" + token).otherwise(token)).to_series()
    valid = analyse_series(padded).get_column("valid")
    return found.filter(valid).select("cell", "chain").unique()


# How much of each value the scan reads. Nothing longer than 500 characters of a value is ever
# stored (limits.MAX_VALUE_CHARS), so an id past this point cannot reach disk; the bound keeps
# a hostile 50 MB cell of digits from costing minutes.
SCAN_CHARS = 10_000
# Files of at most this many rows are scanned in one pass (longest value and the quick filter
# together); larger ones first find the columns with values long enough to hold an id.
ONE_PASS_ROWS = 20_000


def hit_mask(series: pl.Series) -> pl.Series:
    """True for each value of `series` that holds something that could be a national id (in
    its first SCAN_CHARS characters). Only values that pass the quick filter are analysed,
    each distinct value once."""
    series = series.cast(pl.String)
    if (series.str.len_bytes().max() or 0) > SCAN_CHARS:
        series = series.str.slice(0, SCAN_CHARS)
    flagged = series.str.contains(CANDIDATE_PATTERN).fill_null(False)
    if not flagged.any():
        return flagged
    distinct = series.filter(flagged).unique()
    found = _hits(_ascii_series(distinct).to_frame("v").lazy().with_row_index("cell"))
    if found.height == 0:
        return pl.Series(series.name, [False] * series.len(), dtype=pl.Boolean)
    bad = distinct.gather(found.get_column("cell").unique().cast(pl.Int64))
    return series.is_in(bad.implode()).fill_null(False)


def leaked_columns(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Columns of `frame` (among `columns`) with a value that could be a national id.

    Cheap filters first (longest value, then one regex per column, all columns in parallel),
    so a clean national-size file costs a fraction of a second."""
    columns = [c for c in columns if frame.schema[c] == pl.String]
    if not columns or frame.height == 0:
        return []
    if frame.height <= ONE_PASS_ROWS:  # both filters in one pass: a pass costs more than a small file's regexes
        found = frame.select(  # names no header has (a NUL in a header never gets this far)
            *(pl.col(c).str.len_chars().max().alias(f"\0len{i}") for i, c in enumerate(columns)),
            *(pl.col(c).str.contains(CANDIDATE_PATTERN).any().alias(f"\0id{i}") for i, c in enumerate(columns)),
        ).row(0)
        longest = dict(zip(columns, found[: len(columns)], strict=True))
        flagged = dict(zip(columns, found[len(columns) :], strict=True))
        long_enough = [c for c in columns if (longest[c] or 0) >= 10]
    else:
        longest = frame.select(pl.col(c).str.len_chars().max().alias(c) for c in columns).row(0, named=True)
        long_enough = [c for c in columns if (longest[c] or 0) >= 10]
        if not long_enough:
            return []
        flagged = frame.select(
            pl.col(c).str.contains(CANDIDATE_PATTERN).any().alias(c) for c in long_enough
        ).row(0, named=True)
    return [c for c in long_enough if flagged[c] and bool(hit_mask(frame.get_column(c)).any())]


def leaked_columns_of(frames: list[tuple[pl.DataFrame, list[str]]]) -> list[list[str]]:
    """`leaked_columns` of each `(frame, columns)`: the frames of at most ONE_PASS_ROWS rows
    scanned together in one pass (a pass per small file costs more than its regexes). Each
    frame's columns go in by position, beside the frame's index, so the scan is as narrow as
    the widest frame and every value is judged within its own frame and column."""
    found: list[list[str]] = [[] for _ in frames]
    small: list[tuple[int, pl.DataFrame, list[str]]] = []
    for i, (frame, columns) in enumerate(frames):
        if frame.height > ONE_PASS_ROWS:
            found[i] = leaked_columns(frame, columns)
            continue
        columns = [c for c in columns if frame.schema[c] == pl.String]
        if columns and frame.height:
            small.append((i, frame, columns))
    if not small:
        return found
    parts = [
        pl.DataFrame(
            [pl.Series("\0frame", [j], dtype=pl.Int32).new_from_index(0, frame.height)]
            + [frame.get_column(c).alias(f"\0{k}") for k, c in enumerate(columns)]
        )
        for j, (_, frame, columns) in enumerate(small)
    ]
    width = max(len(columns) for _, _, columns in small)
    scan = (
        pl.concat(parts, how="diagonal")
        .group_by("\0frame")
        .agg(
            *(pl.col(f"\0{k}").str.len_chars().max().alias(f"len{k}") for k in range(width)),
            *(pl.col(f"\0{k}").str.contains(CANDIDATE_PATTERN).any().alias(f"id{k}") for k in range(width)),
        )
    )
    for j, *values in scan.iter_rows():
        i, frame, columns = small[j]
        longest, flagged = values[:width], values[width:]
        found[i] = [
            c
            for k, c in enumerate(columns)
            if (longest[k] or 0) >= 10 and flagged[k] and bool(hit_mask(frame.get_column(c)).any())
        ]
    return found


def leaked_names(names: list[str]) -> list[int]:
    """Positions (0-based) of names (column headers) that could hold a national id."""
    if not names or all(_surely_clean(name) for name in names):
        return []
    return hit_mask(pl.Series("names", names, dtype=pl.String)).arg_true().to_list()


REDACTED = "[fødselsnummer fjernet]"


def token_is_id(token: str) -> bool:
    """One token of digits (with separators) is id-like: the scan below on one value."""
    return contains_id(token)


def contains_id(text: str) -> bool:
    """`text` (a title line, a file name, a message) holds something that could be an id."""
    return bool(text) and not _surely_clean(text) and bool(hit_mask(pl.Series([text], dtype=pl.String)).any())


def redact_series(series: pl.Series, replacement: str = REDACTED) -> pl.Series:
    """`series` with every chain of digits that could hold an id replaced (the rest of the
    text kept). Values are NFKC-normalised where they held a hit."""
    mask = hit_mask(series)
    if not mask.any():
        return series
    index = mask.arg_true()
    picked = series.gather(index).str.slice(0, SCAN_CHARS)  # what the mask looked at (stored: less)
    normal = _ascii_series(picked)
    chains = _hits(normal.to_frame("v").lazy().with_row_index("cell"))
    by_cell: dict[int, list[str]] = {}
    for cell, chain in chains.iter_rows():
        by_cell.setdefault(cell, []).append(chain)
    out = []
    for cell, text in enumerate(normal.to_list()):
        for chain in sorted(by_cell.get(cell, []), key=len, reverse=True):
            text = text.replace(chain, replacement)
        out.append(text)
    return series.clone().scatter(index, pl.Series(out, dtype=pl.String))


def redact(text: str, replacement: str = REDACTED) -> str:
    """`text` with every chain of digits that could hold an id replaced."""
    if not text or _surely_clean(text):
        return text
    return redact_series(pl.Series([text], dtype=pl.String), replacement).item()
