"""The HR export contract in code: file kinds, their canonical columns and which are required.

`docs/design/hr-export-contract.md` is the prose; this module is the one place the
pipeline reads it from, so profiles, validation and the raw tables cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("employments", "postings", "backlog")

KIND_LABELS = {"employments": "arbeidsforhold", "postings": "utlysninger", "backlog": "restanser"}


@dataclass(frozen=True)
class Column:
    """One canonical column: its value type and whether a file must carry it."""

    name: str
    type: str  # text | code4 | code3 | int | decimal | date | month | gender | employment_type | ...
    required: bool = False


EMPLOYMENTS = (
    Column("municipality_code", "municipality", required=True),
    Column("employee_number", "text", required=True),
    Column("national_id", "national_id"),
    Column("employment_id", "text"),
    Column("birth_year", "int"),  # required unless national_id is given
    Column("gender", "gender"),  # required unless national_id is given
    Column("position_code", "position_code", required=True),
    Column("position_title", "text"),
    Column("fte_percent", "percent", required=True),
    Column("employment_type", "employment_type", required=True),
    Column("start_date", "date", required=True),
    Column("end_date", "date"),
    Column("termination_reason", "text"),
    Column("unit", "text"),
    Column("service_area", "text"),
    Column("kostra_function", "kostra_function"),
    Column("manager_level", "manager_level"),
    Column("education_level", "text"),
    Column("extraction_date", "date"),
    # A history in one delivery: the extract lists every employment active from this date on
    # (one value for the whole file; the ledger keeps it, see delivery.period_start).
    Column("period_start", "date"),
)

POSTINGS = (
    Column("municipality_code", "municipality", required=True),
    Column("posting_id", "text", required=True),
    Column("position_code", "position_code", required=True),
    Column("position_title", "text"),
    Column("manager_level", "manager_level"),
    Column("fte_percent", "percent"),
    Column("employment_type", "employment_type"),
    Column("published_date", "date", required=True),
    Column("closing_date", "date"),
    Column("filled_date", "date"),
    Column("status", "status", required=True),
    Column("applicants", "count"),
    Column("qualified_applicants", "count"),
    Column("hired_employee_number", "text"),
    Column("hire_source", "hire_source"),
    Column("cost_nok", "amount"),
    Column("extraction_date", "date"),
)

BACKLOG = (
    Column("municipality_code", "municipality", required=True),
    Column("service", "text", required=True),
    Column("month", "month", required=True),
    Column("open_cases", "count", required=True),
    Column("overdue_cases", "count", required=True),
    Column("extraction_date", "date"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "employments": EMPLOYMENTS,
    "postings": POSTINGS,
    "backlog": BACKLOG,
}

# Canonical values of the coded columns; a profile maps its own words onto these.
CODED_VALUES: dict[str, tuple[str, ...]] = {
    "gender": ("F", "M"),
    "employment_type": ("permanent", "temporary", "substitute", "apprentice"),
    "status": ("filled", "withdrawn", "open", "readvertised"),
    "hire_source": ("internal", "external", "own_apprentice", "other_municipality"),
}

# The columns that identify a raw row; a later extract supersedes rows with the same key.
RAW_TABLES = {"employments": "raw.hr_employments", "postings": "raw.hr_postings", "backlog": "raw.hr_backlog"}
RAW_KEYS = {
    "employments": ("municipality_code", "employment_key"),
    "postings": ("municipality_code", "posting_id"),
    "backlog": ("municipality_code", "service", "month"),
}

# Date columns whose latest value stands in for the extraction date when nothing else gives one.
CONTENT_DATE_COLUMNS = {
    "employments": ("start_date", "end_date"),
    "postings": ("published_date", "closing_date", "filled_date"),
    "backlog": ("month",),
}


def column(kind: str, name: str) -> Column:
    for col in COLUMNS[kind]:
        if col.name == name:
            return col
    raise KeyError(f"{kind}.{name}")
