"""Rebuilding a range of years: what the user asks for, and what dbt is told.

The dbt side is `dbt/macros/year_slices.sql`: given `from_year`/`to_year` vars, the models whose
grain includes the year replace only those years' rows, and everything else is rebuilt whole.
This module turns "2019-2021" into those vars and refuses a range rebuild on a warehouse that
never had a full one (the year-grained tables would then hold the range alone).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelines.errors import WorkforceError

FIRST_YEAR = 2000
LAST_YEAR = 2100
_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


def parse_years(text: str) -> tuple[int, int]:
    """'2021' or '2019-2021' -> (first, last), both included."""
    match = _RANGE.match(text)
    if not match:
        raise WorkforceError(f"--years {text!r}: oppgi et år (2021) eller et intervall (2019-2021).")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return check_range(first, last)


def check_range(first: int, last: int) -> tuple[int, int]:
    if first > last:
        raise WorkforceError(f"Intervallet {first}-{last} går baklengs; skriv det tidligste året først.")
    if first < FIRST_YEAR or last > LAST_YEAR:
        raise WorkforceError(f"Intervallet {first}-{last} ligger utenfor {FIRST_YEAR}-{LAST_YEAR}.")
    return first, last


def dbt_vars(first: int, last: int) -> str:
    """The `--vars` argument dbt gets for the range."""
    return json.dumps({"from_year": first, "to_year": last}, separators=(",", ":"))


def require_full_build(build_db: Path) -> None:
    """A range rebuild keeps the other years as they are, so they must exist."""
    import duckdb

    if build_db.is_file():
        con = duckdb.connect(str(build_db), read_only=True)
        try:
            found = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'marts' and table_name = 'fct_indicators'"
            ).fetchone()[0]
        finally:
            con.close()
        if found:
            return
    raise WorkforceError(
        f"{build_db} har ennå ikke et fullt bygg av indikatorene; bygg alt én gang "
        "(`workforce run --job rebuild_indicators`) før du bygger et intervall av år på nytt."
    )
