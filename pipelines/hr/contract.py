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

# --- the raw tables ---------------------------------------------------------------------------
# The one declaration of `raw.hr_*`: the DDL (warehouse/schema.py), the load's column order
# (hr/load.py), the dbt sources and the GX column lists are generated from it or checked
# against it (tests/hr/test_hr_contract_tables.py).


@dataclass(frozen=True)
class RawColumn:
    """One column of a raw table: its DuckDB type, whether it may be null, and what it holds."""

    name: str
    sql_type: str
    not_null: bool = False
    comment: str = ""


_BOOKKEEPING = (
    RawColumn("extraction_date", "date", True, "extraction date of the delivery this row version came from"),
    RawColumn("delivery_sha256", "varchar", True, "the delivery (sha256 of its bytes; audit.deliveries)"),
    RawColumn("source_row_number", "bigint", True, "1-based data row in the delivered file"),
    RawColumn("loaded_at", "timestamp", True, "when the delivery was loaded (ties between equal extracts)"),
)

RAW_SCHEMA: dict[str, tuple[RawColumn, ...]] = {
    "employments": (
        RawColumn("municipality_code", "varchar", True),
        RawColumn("employment_key", "varchar", True, "HMAC of municipality + employment id"),
        RawColumn("employee_key", "varchar", True, 'HMAC of municipality + ":" + employee number'),
        RawColumn("person_key", "varchar", False, "HMAC of the national id, when the file had one"),
        RawColumn("birth_year", "integer", True),
        RawColumn("gender", "varchar", True, "F | M"),
        RawColumn("position_code", "varchar", True),
        RawColumn("position_title", "varchar"),
        RawColumn("fte_percent", "double", True, "0-100"),
        RawColumn("employment_type", "varchar", True, "permanent | temporary | substitute | apprentice"),
        RawColumn("start_date", "date", True),
        RawColumn("end_date", "date"),
        RawColumn("termination_reason", "varchar"),
        RawColumn("unit", "varchar"),
        RawColumn("service_area", "varchar"),
        RawColumn("kostra_function", "varchar"),
        RawColumn("manager_level", "integer", False, "1-4, from the file or the position code"),
        RawColumn("education_level", "varchar"),
        *_BOOKKEEPING,
    ),
    "postings": (
        RawColumn("municipality_code", "varchar", True),
        RawColumn("posting_id", "varchar", True),
        RawColumn("position_code", "varchar", True),
        RawColumn("position_title", "varchar"),
        RawColumn("manager_level", "integer"),
        RawColumn("fte_percent", "double"),
        RawColumn("employment_type", "varchar"),
        RawColumn("published_date", "date", True),
        RawColumn("closing_date", "date"),
        RawColumn("filled_date", "date"),
        RawColumn("status", "varchar", True, "filled | withdrawn | open | readvertised"),
        RawColumn("applicants", "integer"),
        RawColumn("qualified_applicants", "integer"),
        RawColumn("hired_employee_key", "varchar", False, "HMAC like employee_key"),
        RawColumn("hire_source", "varchar", False, "internal | external | own_apprentice | other_municipality"),
        RawColumn("cost_nok", "double"),
        *_BOOKKEEPING,
    ),
    "backlog": (
        RawColumn("municipality_code", "varchar", True),
        RawColumn("service", "varchar", True),
        RawColumn("month", "date", True, "first day of the month"),
        RawColumn("open_cases", "integer", True),
        RawColumn("overdue_cases", "integer", True),
        *_BOOKKEEPING,
    ),
}

RAW_TABLES = {"employments": "raw.hr_employments", "postings": "raw.hr_postings", "backlog": "raw.hr_backlog"}
# The columns that identify an employment, posting or month: a later extract supersedes the
# versions with the same key (in dbt staging, a window over the append-only versions).
RAW_KEYS = {
    "employments": ("municipality_code", "employment_key"),
    "postings": ("municipality_code", "posting_id"),
    "backlog": ("municipality_code", "service", "month"),
}
# Which version of a key is current: the newest extract, and of equal extracts the later load.
RAW_VERSION_ORDER = ("extraction_date", "loaded_at")


def raw_columns(kind: str) -> tuple[str, ...]:
    """The raw table's column names in table order (the load writes exactly these)."""
    return tuple(c.name for c in RAW_SCHEMA[kind])


def raw_table_ddl(kind: str) -> str:
    """`create table if not exists` of one raw table: append-only, no key index (issue 16)."""
    width = max(len(c.name) for c in RAW_SCHEMA[kind]) + 2
    lines = []
    for index, col in enumerate(RAW_SCHEMA[kind]):
        line = f"    {col.name.ljust(width)}{col.sql_type}{' not null' if col.not_null else ''}"
        line += "," if index < len(RAW_SCHEMA[kind]) - 1 else ""
        lines.append(line + (f"  -- {col.comment}" if col.comment else ""))
    return f"create table if not exists {RAW_TABLES[kind]} (\n" + "\n".join(lines) + "\n);\n"


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
