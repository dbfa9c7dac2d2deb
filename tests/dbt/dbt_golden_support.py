"""Golden inputs of the dbt tests: the hand-written files in golden/ and how they are loaded.

Kept out of conftest.py so the Dagster test can build its own copy of the raw tables.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

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
# The SSB helper's loader creates these; until it is merged the tests create them with the
# columns of its contract and fill them from small hand-written CSVs in golden/ssb/.
SSB_DDL = """
create table if not exists raw.ssb_population (
    municipality_code varchar, year integer, kjonn_code varchar, alder_code varchar,
    contentscode_code varchar, value double, status varchar, is_demo boolean);
create table if not exists raw.ssb_kostra_fte (
    municipality_code varchar, year integer, kokfunksjon0000_code varchar, value double);
create table if not exists raw.klass_municipality (
    code varchar, name varchar, valid_from date, valid_to date);
create table if not exists raw.klass_municipality_changes (
    old_code varchar, old_name varchar, new_code varchar, new_name varchar,
    change_occurred date, weight double);
"""


def load_ssb_fixtures(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SSB_DDL)
    for table in ("ssb_population", "klass_municipality", "klass_municipality_changes"):
        con.execute(
            f"insert into raw.{table} by name select * from read_csv(?, header = true, all_varchar = false)",
            [str(SSB_DIR / f"{table}.csv")],
        )


# --- HR raw tables ---------------------------------------------------------------------------
# TEMPORARY until feat/hr is merged: a minimal loader with the raw tables' columns and
# sha256 of the ids as keys. Switch to pipelines.hr.ingest.ingest_paths(...) when it lands.
def _key(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def _blank_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def load_golden_hr_temporary(con: duckdb.DuckDBPyConnection) -> None:  # TEMPORARY until feat/hr is merged
    for delivery in golden_deliveries():
        raw = delivery.path.read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
        for number, row in enumerate(rows, start=1):
            muni = row["municipality_code"]
            if delivery.kind == "employments":
                values = {
                    "municipality_code": muni,
                    "employment_key": _key(muni, row["employment_id"]),
                    "employee_key": _key(muni, row["employee_number"]),
                    "person_key": _key(row["national_id"]) if row["national_id"] else None,
                    "birth_year": int(row["birth_year"]),
                    "gender": row["gender"],
                    "position_code": row["position_code"],
                    "position_title": _blank_none(row["position_title"]),
                    "fte_percent": float(row["fte_percent"]),
                    "employment_type": row["employment_type"],
                    "start_date": row["start_date"],
                    "end_date": _blank_none(row["end_date"]),
                    "termination_reason": _blank_none(row["termination_reason"]),
                    "unit": _blank_none(row["unit"]),
                    "service_area": _blank_none(row["service_area"]),
                    "kostra_function": _blank_none(row["kostra_function"]),
                    "manager_level": int(row["manager_level"]) if row["manager_level"] else None,
                    "education_level": _blank_none(row["education_level"]),
                }
                table, key_columns = "raw.hr_employments", ("municipality_code", "employment_key")
            elif delivery.kind == "postings":
                values = {
                    "municipality_code": muni,
                    "posting_id": row["posting_id"],
                    "position_code": row["position_code"],
                    "position_title": _blank_none(row["position_title"]),
                    "manager_level": int(row["manager_level"]) if row["manager_level"] else None,
                    "fte_percent": float(row["fte_percent"]),
                    "employment_type": _blank_none(row["employment_type"]),
                    "published_date": row["published_date"],
                    "closing_date": _blank_none(row["closing_date"]),
                    "filled_date": _blank_none(row["filled_date"]),
                    "status": row["status"],
                    "applicants": int(row["applicants"]),
                    "qualified_applicants": int(row["qualified_applicants"]),
                    "hired_employee_key": _key(muni, row["hired_employee_number"])
                    if row["hired_employee_number"]
                    else None,
                    "hire_source": _blank_none(row["hire_source"]),
                    "cost_nok": float(row["cost_nok"]),
                }
                table, key_columns = "raw.hr_postings", ("municipality_code", "posting_id")
            else:
                values = {
                    "municipality_code": muni,
                    "service": row["service"],
                    "month": row["month"],
                    "open_cases": int(row["open_cases"]),
                    "overdue_cases": int(row["overdue_cases"]),
                }
                table, key_columns = "raw.hr_backlog", ("municipality_code", "service", "month")
            values |= {
                "extraction_date": delivery.extraction_date,
                "delivery_sha256": sha,
                "source_row_number": number,
            }
            where = " and ".join(f"{column} = ?" for column in key_columns)
            con.execute(
                f"delete from {table} where {where} and extraction_date <= ?",
                [values[column] for column in key_columns] + [delivery.extraction_date],
            )
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            con.execute(
                f"insert into {table} ({columns}) select {marks} "
                f"where not exists (select 1 from {table} where {where})",
                [*values.values(), *[values[column] for column in key_columns]],
            )
        con.execute(
            "insert into audit.deliveries (delivery_sha256, file_name, kind, municipality_code, "
            "extraction_date, profile, rows_read, rows_loaded, outcome, loaded_at) "
            "values (?, ?, ?, ?, ?, 'canonical', ?, ?, 'loaded', ?)",
            [
                sha,
                delivery.file_name,
                delivery.kind,
                delivery.municipality,
                delivery.extraction_date,
                len(rows),
                len(rows),
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )


def build_golden_raw(db_path: Path) -> None:
    """A build database holding the golden raw tables (HR, SSB, KLASS) and nothing else."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        ensure_schema(con)
        load_ssb_fixtures(con)
        load_golden_hr_temporary(con)
    finally:
        con.close()
