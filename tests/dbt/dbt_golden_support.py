"""Golden inputs of the dbt tests: the hand-written files in golden/ and how they are loaded.

Kept out of conftest.py so the Dagster test can build its own copy of the raw tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import Settings
from pipelines.ssb.catalogue import load_catalogue
from pipelines.warehouse.schema import ensure_schema

GOLDEN_DIR = Path(__file__).parent / "golden"
SSB_DIR = GOLDEN_DIR / "ssb"
GOLDEN_SECRET = "golden-test-secret-0123456789"


@dataclass(frozen=True)
class Delivery:
    """One golden file and how it is delivered (kind, municipality, extraction date)."""

    file_name: str
    kind: str
    municipality: str
    extraction_date: date

    @property
    def path(self) -> Path:
        return GOLDEN_DIR / self.file_name


def golden_deliveries() -> list[Delivery]:
    """Every golden file, in extraction order: employments_<code>_<year>.csv is the yearly
    extract taken on 31 December of <year>; postings and backlog are extracted 31.12.2021."""
    deliveries = []
    for path in sorted(GOLDEN_DIR.glob("*.csv")):
        kind, municipality, year = path.stem.split("_")
        deliveries.append(Delivery(path.name, kind, municipality, date(int(year), 12, 31)))
    return sorted(deliveries, key=lambda d: (d.extraction_date, d.file_name))


# --- SSB and KLASS raw tables --------------------------------------------------------------
# The catalogue declares the SSB tables (pipelines/ssb/catalogue.py, raw_ddl); the tests fill
# them from small hand-written CSVs in golden/ssb/.
SSB_TABLES = ("population", "education_level", "kostra_fte")


def load_ssb_fixtures(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_catalogue().raw_ddl(SSB_TABLES))
    # The KLASS tables have the SSB loader's DDL (ensure_schema), which records each row's source.
    for table, extra in (
        ("ssb_population", ""),
        ("ssb_education_level", ""),
        ("ssb_kostra_fte", ""),
        ("klass_municipality", ", 'golden' as source"),
        ("klass_municipality_changes", ", 'golden' as source"),
    ):
        con.execute(
            f"insert into raw.{table} by name select *{extra} from read_csv(?, header = true, all_varchar = false)",
            [str(SSB_DIR / f"{table}.csv")],
        )


# --- HR raw tables ---------------------------------------------------------------------------
def ingest_golden_hr(home: Path, *, newest_first: bool = False) -> None:
    """Take every golden file in through the real ingestion, in extraction order (or, to show
    that order does not matter, newest first), as a municipality's delivery would be: profile
    detection, validation, pseudonyms, ledger."""
    from pipelines.hr.ingest import ingest_paths
    from pipelines.settings import Settings

    settings = Settings(home=home, secret_env=GOLDEN_SECRET)
    deliveries = golden_deliveries()
    for delivery in reversed(deliveries) if newest_first else deliveries:
        kind = {"employments": "employments", "postings": "postings", "backlog": "backlog"}[delivery.kind]
        (result,) = ingest_paths(
            [delivery.path],
            settings,
            kind=kind,
            municipality=delivery.municipality,
            extraction_date=delivery.extraction_date,
        )
        assert result.outcome == "loaded" and result.rows_quarantined == 0, (delivery.file_name, result)


def build_golden_raw(db_path: Path, *, newest_first: bool = False) -> None:
    """A build database holding the golden raw tables (HR, SSB, KLASS) and nothing else."""
    if db_path.name != "workforce.duckdb" or db_path.parent.name != "build":
        raise ValueError(f"the golden build database must be <home>/build/workforce.duckdb, not {db_path}")
    ingest_golden_hr(db_path.parent.parent, newest_first=newest_first)
    con = duckdb.connect(str(db_path))
    try:
        ensure_schema(con)
        load_ssb_fixtures(con)
    finally:
        con.close()


# --- reading figures ---------------------------------------------------------------------------
def figure(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    area: str,
    year: int,
    breakdown: str = "total",
    value: str = "total",
) -> tuple[float | None, float | None, float] | None:
    area_type = "region" if area.isalpha() or "_" in area else "municipality"
    row = con.execute(
        "select numerator, denominator, value from marts.fct_indicators "
        "where indicator_id = ? and area_type = ? and area_code = ? and year = ? "
        "and breakdown = ? and breakdown_value = ?",
        [indicator, area_type, area, year, breakdown, value],
    ).fetchone()
    return row


def ratio(
    con: duckdb.DuckDBPyConnection, indicator: str, area: str, year: int, scale: float = 1, **kw: str
) -> tuple[float, float]:
    """(numerator, denominator) of a ratio figure, after checking its value is their ratio."""
    row = figure(con, indicator, area, year, **kw)
    assert row is not None, f"{indicator} {area} {year} {kw} missing"
    numerator, denominator, value = row
    assert value == pytest.approx(numerator / denominator * scale)
    return numerator, denominator


def chain_home(factory: pytest.TempPathFactory, name: str) -> tuple[Settings, Path]:
    """A fresh home for a small chain test keyed with the golden secret, and a folder for the
    delivery files the test writes (shared by the renumbering and merger tests)."""
    home = factory.mktemp(name)
    files = home / "files"
    files.mkdir()
    return Settings(home=home / "home", secret_env=GOLDEN_SECRET), files
