"""Polars expressions that turn exported text into typed values, vectorised.

Each parser returns the typed value or null; a caller compares with "was there any text?"
to tell a bad value from an empty one. No Python runs per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from pipelines.hr.names import FOLD_PAIRS

_SPACES = r"[\s\u00a0\u202f\u2007']"
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 date system, with its leap-year bug)
TWO_DIGIT_YEAR_PIVOT = 50  # dd.mm.yy: 00-49 -> 2000-2049, 50-99 -> 1950-1999


WHITESPACE = " \t\r\n\u00a0\u202f"


def strip(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars(WHITESPACE)


def clean(expr: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty strings as null (for small inputs; `validate.typed` does the
    same in two passes so no value is stripped twice)."""
    stripped = strip(expr)
    return pl.when(stripped == "").then(None).otherwise(stripped)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """The `names.fold` of each value: lower case, ASCII letters, no spaces or punctuation."""
    lowered = expr.str.to_lowercase()
    folded = lowered.str.replace_many([a for a, _ in FOLD_PAIRS], [b for _, b in FOLD_PAIRS])
    return folded.str.replace_all(r"[^a-z0-9]", "")


def number(expr: pl.Expr) -> pl.Expr:
    """A decimal number written the Norwegian or the English way.

    `62,5`, `1 234,50` (space or no-break space), `1.234,50`, `100.00`, `1,234.50`, `62,5 %`,
    `kr 12 500`. A lone comma is a decimal comma; a lone dot is a decimal dot unless it
    separates several groups of three digits.
    """
    s = clean(expr).str.replace_all(r"(?i)^(kr|nok)\.?|(kr|nok|%)$", "").str.replace_all(_SPACES, "")
    s = (
        pl.when(s.str.contains(r"^[-+]?\d{1,3}(\.\d{3})+,\d*$"))
        .then(s.str.replace_all(r"\.", "").str.replace(",", ".", literal=True))
        .when(s.str.contains(r"^[-+]?\d{1,3}(,\d{3})+\.\d*$"))
        .then(s.str.replace_all(",", "", literal=True))
        .when(s.str.contains(r"^[-+]?\d*,\d*$"))
        .then(s.str.replace(",", ".", literal=True))
        .when(s.str.contains(r"^[-+]?\d{1,3}(\.\d{3}){2,}$"))
        .then(s.str.replace_all(r"\.", ""))
        .otherwise(s)
    )
    return s.cast(pl.Float64, strict=False)


def integer(expr: pl.Expr) -> pl.Expr:
    """A whole number (`1 234`, `12,0`); null when the value has a fraction."""
    return whole(number(expr))


def whole(value: pl.Expr) -> pl.Expr:
    """A parsed `number` as an integer; null when it has a fraction. Polars evaluates an
    expression once per use, so `value` is best a column already parsed (validation parses
    in two steps: `integer` would run `number`'s regular expressions three times)."""
    return pl.when(value == value.floor()).then(value).otherwise(None).cast(pl.Int64, strict=False)


def date_value(expr: pl.Expr, formats: Iterable[str], open_end: Iterable[date] = ()) -> pl.Expr:
    """A date in any of the profile's `formats`; `open_end` sentinels (31.12.9999) become null.

    ISO values may carry a time (`2023-12-15 00:00:00`, what xlsx cells turn into); day-first
    values may use `.`, `/` or `-`; two-digit years pivot at 50; Excel serials are 5 digits.
    """
    s = clean(expr)
    formats = set(formats)
    parsed: list[pl.Expr] = []
    if "yyyy-mm-dd" in formats:
        iso = s.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", 1)
        parsed.append(iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    day_first = s.str.replace_all(r"[/-]", ".")
    if "dd.mm.yyyy" in formats:
        full = pl.when(day_first.str.contains(r"^\d{1,2}\.\d{1,2}\.\d{4}$")).then(day_first)
        parsed.append(full.str.strptime(pl.Date, "%d.%m.%Y", strict=False))
    if "dd.mm.yy" in formats:
        short = (
            pl.when(day_first.str.contains(r"^\d{1,2}\.\d{1,2}\.[0-4]\d$"))
            .then(day_first.str.replace(r"\.(\d\d)$", ".20$1"))
            .when(day_first.str.contains(r"^\d{1,2}\.\d{1,2}\.[5-9]\d$"))
            .then(day_first.str.replace(r"\.(\d\d)$", ".19$1"))
        )
        parsed.append(short.str.strptime(pl.Date, "%d.%m.%Y", strict=False))
    if "yyyymmdd" in formats:
        compact = pl.when(s.str.contains(r"^(1[89]\d\d|2\d\d\d|9999)\d{4}$")).then(s)
        parsed.append(compact.str.strptime(pl.Date, "%Y%m%d", strict=False))
    if "excel" in formats:
        serial = s.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int32, strict=False)
        parsed.append(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
    value = pl.coalesce(parsed) if parsed else pl.lit(None, dtype=pl.Date)
    sentinels = list(open_end)
    if sentinels:
        value = pl.when(value.is_in(sentinels)).then(None).otherwise(value)
    return value.cast(pl.Date)


def month_value(expr: pl.Expr, formats: Iterable[str]) -> pl.Expr:
    """The first day of a month given as `2023-05`, `05.2023`, `5/2023` or any full date."""
    s = clean(expr)
    ym = s.str.extract(r"^(\d{4})[-./](\d{1,2})$", 1) + "-" + s.str.extract(r"^(\d{4})[-./](\d{1,2})$", 2)
    my = s.str.extract(r"^(\d{1,2})[-./](\d{4})$", 2) + "-" + s.str.extract(r"^(\d{1,2})[-./](\d{4})$", 1)
    short = pl.coalesce(ym, my) + "-01"
    value = pl.coalesce(short.str.strptime(pl.Date, "%Y-%m-%d", strict=False), date_value(s, formats))
    return value.dt.month_start()


def coded(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """A coded value through the profile's map (keys already folded); unknown words -> null."""
    keys = list(mapping)
    return fold_expr(clean(expr)).replace_strict(
        keys, [mapping[k] for k in keys], default=None, return_dtype=pl.String
    )


def has_text(expr: pl.Expr) -> pl.Expr:
    return clean(expr).is_not_null()
