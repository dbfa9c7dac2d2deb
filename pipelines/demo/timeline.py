"""Dates as day numbers: the simulation works on int32 days since 1970-01-01 in numpy arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1).toordinal()
DAYS_PER_YEAR = 365.25
OPEN = np.int32(2**31 - 1)  # an employment with no end date


def day(year: int, month: int, dom: int) -> int:
    return dt.date(year, month, dom).toordinal() - EPOCH


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def extraction_day(year: int) -> int:
    """Every extract is taken on 15 December of its year."""
    return day(year, 12, 15)


def snapshot_day(year: int) -> int:
    """KS and PAI count persons employed on 1 December."""
    return day(year, 12, 1)


def parse_years(text: str) -> tuple[int, int]:
    """'2015-2025' or '2023' → (first, last)."""
    from pipelines.demo.geography import DemoArgumentError

    parts = text.replace("–", "-").split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1])) if len(parts) in (1, 2) else (0, -1)
    except ValueError:
        first, last = 0, -1
    if not (2000 <= first <= last <= 2035):
        raise DemoArgumentError(f"--years {text!r}: oppgi et intervall som 2015-2025 (år 2000–2035).")
    return first, last
