"""File-level facts of a delivery that the rows do not carry themselves: the municipality
(when no column gives it) and the extraction date.

Both are decided from the file's own content and name, never from its modification time,
so ingesting the same bytes anywhere gives the same result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from pipelines.errors import DeliveryError
from pipelines.hr.contract import CONTENT_DATE_COLUMNS
from pipelines.hr.references import References

_DATE_PATTERNS = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"), "ymd"),
)
_YEAR_LIKE = range(1990, 2040)


def _dates_in(text: str, compact: bool) -> list[date]:
    found = []
    for pattern, order in _DATE_PATTERNS if compact else _DATE_PATTERNS[:2]:
        for match in pattern.finditer(text):
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                found.append(date(year, month, day))
            except ValueError:
                continue
    return found


def municipality_from_name(file_name: str, refs: References) -> str | None:
    """A 4-digit municipality code in the file name, when exactly one is there.

    Tokens that look like years (1990-2039) are skipped: they collide with Finnmark's
    pre-2020 codes (2002-2030), and a year in a file name is far more common.
    """
    stripped = file_name
    for pattern, _ in _DATE_PATTERNS:
        stripped = pattern.sub(" ", stripped)
    tokens = {t for t in re.findall(r"(?<!\d)\d{4}(?!\d)", stripped) if int(t) not in _YEAR_LIKE}
    codes = sorted(t for t in tokens if t in refs.municipalities)
    if len(codes) > 1:
        raise DeliveryError(
            f"filnavnet inneholder flere kommunenumre ({', '.join(codes)}): angi --municipality"
        )
    return codes[0] if codes else None


@dataclass(frozen=True)
class RowDates:
    """What the dates of a file's typed rows say about the file as a whole (taken for many
    files at once, pipelines/hr/batch.py `file_dates`)."""

    extraction_date: date | None  # the latest value of the extraction-date column
    content: date | datetime | None  # the latest date of the kind's CONTENT_DATE_COLUMNS
    period_starts: list[date]  # the distinct values of the period-start column, sorted


def row_dates(rows: pl.DataFrame, kind: str, by: str) -> dict[int, RowDates]:
    """The RowDates of each file of typed `rows`, by the file column `by` (one pass)."""
    content = [c for c in CONTENT_DATE_COLUMNS[kind] if c in rows.columns]
    none = pl.lit(None, dtype=pl.Date)
    found = rows.group_by(by).agg(
        (pl.col("extraction_date").max() if "extraction_date" in rows.columns else none).alias("extraction_date"),
        (pl.max_horizontal([pl.col(c).max() for c in content]) if content else none).alias("content"),
        (
            pl.col("period_start").drop_nulls().unique().sort()
            if "period_start" in rows.columns
            else none.drop_nulls().implode()
        ).alias("period_starts"),
    )
    return {
        file: RowDates(extraction_date=latest, content=content_latest, period_starts=list(starts or []))
        for file, latest, content_latest, starts in found.iter_rows()
    }


def extraction_date(
    explicit: date | None, rows: RowDates, has_column: bool, preamble: str, file_name: str
) -> tuple[date, str | None]:
    """The extraction date and, when it was not given explicitly, where it came from.

    Order: the caller's value; an extraction-date column (its latest value); a date in a
    title line; a date in the file name; the latest date in the file's own date columns.
    """
    if explicit is not None:
        return explicit, None
    if has_column:
        latest = rows.extraction_date
        if latest is not None:
            return latest, "uttrekksdato fra kolonnen i filen"
    title = _dates_in(preamble, compact=False)
    if title:
        return title[0], "uttrekksdato fra tittellinjen"
    named = _dates_in(file_name, compact=True)
    if named:
        return named[0], "uttrekksdato fra filnavnet"
    latest = rows.content
    if latest is not None:
        if isinstance(latest, datetime):
            latest = latest.date()
        return latest, "uttrekksdato satt til seneste dato i filen (ingen oppgitt)"
    raise DeliveryError("fant ingen uttrekksdato (ikke i kolonne, tittellinje, filnavn eller datokolonner)")


def period_start(
    explicit: date | None, rows: RowDates, source: str | None, extracted: date
) -> tuple[date | None, str | None]:
    """The first day an employments extract covers, when it declares a longer history than the
    12 months up to its extraction date (`--period-start`, or a `period_start` column), and
    where it came from. A file-level fact: a column with several dates, or a column and the
    option that disagree, reject the file (the extract's coverage would be a guess)."""
    found: list[date] = []
    if source is not None:
        found = rows.period_starts
        if len(found) > 1:
            shown = ", ".join(d.isoformat() for d in found[:3])
            raise DeliveryError(f"kolonnen «{source}» har flere ulike periodestarter ({shown}); filen er avvist")
    if explicit is not None and found and found[0] != explicit:
        raise DeliveryError(
            f"--period-start {explicit.isoformat()} stemmer ikke med kolonnen «{source}» "
            f"({found[0].isoformat()}); filen er avvist"
        )
    value, origin = (explicit, "--period-start") if explicit is not None else (
        (found[0], f"kolonnen «{source}»") if found else (None, None)
    )
    if value is not None and value >= extracted:
        raise DeliveryError(
            f"periodestart {value.isoformat()} ({origin}) er ikke før uttrekksdatoen {extracted.isoformat()}"
        )
    return value, origin
