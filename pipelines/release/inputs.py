"""Everything a release is made from, read once from the warehouse into memory.

The release never writes to the database and reads it in one short read-only session,
so it does not hold the build file's lock while it renders workbooks and charts. Tables
owned by other areas (marts, audit) are read by column name and tolerated when optional
parts are missing; the one table a release cannot do without, `marts.fct_indicators`,
gives a clear error when it is absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.release.errors import ReleaseError
from pipelines.warehouse.connection import connect

INDICATOR_COLUMNS = (
    "indicator_id",
    "area_type",
    "area_code",
    "year",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "persons",
    "unit",
    "basis",
)
REQUIRED_INDICATOR_COLUMNS = frozenset(INDICATOR_COLUMNS) - {"basis"}

INDICATOR_SCHEMA: dict[str, Any] = {
    "indicator_id": pl.String,
    "area_type": pl.String,
    "area_code": pl.String,
    "year": pl.Int64,
    "breakdown": pl.String,
    "breakdown_value": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "persons": pl.Int64,
    "unit": pl.String,
    "basis": pl.String,
}

# Region membership as the projects define it (docs/design/ssb.md). The dbt seed behind
# `marts.dim_municipality` is the source of truth; these are unioned with it, because for
# disclosure control a constraint too many only costs a cell, a constraint too few leaks one.
OUTER_LOFOTEN = ("1856", "1857", "1859", "1874")
BUILTIN_REGIONS: dict[str, tuple[str, ...]] = {
    "salten": ("1804", "1837", "1838", "1839", "1840", "1841", "1845", "1848", "1875", "1836"),
    "outer_lofoten": OUTER_LOFOTEN,
    "lofoten": (*OUTER_LOFOTEN, "1860", "1865"),
}
NORDLAND_REGION = "nordland"
NORDLAND_COUNTY_PREFIX = "18"

REGION_NAMES_NB = {
    "salten": "Salten",
    "outer_lofoten": "Ytre Lofoten",
    "lofoten": "Lofoten",
    "nordland": "Nordland",
}

REFERENCE_MUNICIPALITIES = Path(__file__).resolve().parent.parent / "reference" / "municipalities.csv"


@dataclass
class ReleaseInputs:
    """The release's raw material: the long indicator table and its context."""

    indicators: pl.DataFrame
    indicator_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipality_names: dict[str, str] = field(default_factory=dict)
    region_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    goals: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    ssb_fetches: list[dict[str, Any]] = field(default_factory=list)
    check_results: list[dict[str, Any]] = field(default_factory=list)

    def area_name(self, area_type: str, area_code: str) -> str:
        if area_type == "region":
            return REGION_NAMES_NB.get(area_code, area_code.replace("_", " ").title())
        return self.municipality_names.get(area_code, area_code)

    @property
    def uses_demo_figures(self) -> bool:
        """True when any SSB table in use came from the demo snapshot (not SSB's real figures)."""
        return any(str(fetch.get("source") or "").lower() == "demo" for fetch in self.ssb_fetches)

    def fingerprint(self, extra: dict[str, Any] | None = None) -> str:
        """sha256 over a canonical serialisation of every input: equal inputs, equal hash."""
        digest = hashlib.sha256()
        frame = self.indicators.sort(list(self.indicators.columns))
        digest.update(frame.write_csv().encode())
        payload = {
            "indicator_meta": self.indicator_meta,
            "municipality_names": self.municipality_names,
            "region_members": self.region_members,
            "goals": self.goals,
            "deliveries": self.deliveries,
            "ssb_fetches": self.ssb_fetches,
            "check_results": self.check_results,
            "extra": extra or {},
        }
        digest.update(json.dumps(payload, sort_keys=True, default=_json_default).encode())
        return digest.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _existing_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [row[0] for row in rows]


def _records(con: duckdb.DuckDBPyConnection, schema: str, table: str, wanted: tuple[str, ...]) -> list[dict]:
    """Rows of `schema.table` with those of `wanted` columns it has ([] when the table is absent)."""
    present = _existing_columns(con, schema, table)
    columns = [column for column in wanted if column in present]
    if not columns:
        return []
    quoted = ", ".join(f'"{column}"' for column in columns)
    result = con.execute(f'select {quoted} from "{schema}"."{table}"')
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _reference_names() -> dict[str, str]:
    """Today's municipality names from the bundled KLASS extract (a fallback for dim_municipality)."""
    names: dict[str, str] = {}
    if REFERENCE_MUNICIPALITIES.is_file():
        with REFERENCE_MUNICIPALITIES.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if not row.get("valid_to"):
                    names[row["code"]] = row["name"]
    return names


def _discover_regions(rows: list[dict[str, Any]], columns: list[str]) -> dict[str, set[str]]:
    """Region membership from dim_municipality, whatever shape the seed gave it.

    Accepts a region-code column (`region_code`, `region`, `regions`, a list or a
    comma-separated string) and boolean flags named after a region (`in_salten`,
    `is_outer_lofoten`, `salten`).
    """
    members: dict[str, set[str]] = {}
    known = set(BUILTIN_REGIONS) | {NORDLAND_REGION}
    for row in rows:
        code = str(row.get("municipality_code") or "")
        if not code:
            continue
        for column in columns:
            value = row.get(column)
            name = column.lower()
            if name in {"region_code", "region", "regions", "region_codes"} and value is not None:
                values = value if isinstance(value, list | tuple) else str(value).split(",")
                for region in values:
                    region = str(region).strip().lower()
                    if region:
                        members.setdefault(region, set()).add(code)
            elif isinstance(value, bool) and value:
                region = name.removeprefix("in_").removeprefix("is_")
                if region in known:
                    members.setdefault(region, set()).add(code)
    return members


def load_inputs(db_path: Path) -> ReleaseInputs:
    """Read every input of a release from `db_path` (read-only)."""
    if not db_path.is_file():
        raise ReleaseError(f"There is no warehouse database at {db_path}; run the pipeline first.")
    with connect(db_path, read_only=True) as con:
        present = _existing_columns(con, "marts", "fct_indicators")
        if not present:
            raise ReleaseError(
                f"{db_path} has no marts.fct_indicators; run the dbt models (`make demo`) before publishing."
            )
        missing = sorted(REQUIRED_INDICATOR_COLUMNS - set(present))
        if missing:
            raise ReleaseError(f"marts.fct_indicators lacks the columns {', '.join(missing)}.")
        select = ", ".join(
            f'cast("{column}" as varchar) as "{column}"'
            if column in present and INDICATOR_SCHEMA[column] == pl.String
            else (f'"{column}"' if column in present else f'null as "{column}"')
            for column in INDICATOR_COLUMNS
        )
        indicators = con.sql(f"select {select} from marts.fct_indicators").pl()
        indicators = indicators.cast(INDICATOR_SCHEMA)  # type: ignore[arg-type]

        meta_rows = _records(
            con, "marts", "dim_indicator", ("indicator_id", "name_nb", "definition_nb", "unit", "family", "source")
        )
        dim_columns = _existing_columns(con, "marts", "dim_municipality")
        dim_rows = _records(con, "marts", "dim_municipality", tuple(dim_columns))
        goals = _records(
            con,
            "marts",
            "fct_goal_progress",
            (
                "goal_id",
                "indicator_id",
                "area_code",
                "baseline_year",
                "baseline_value",
                "latest_year",
                "latest_value",
                "target_value",
                "target_year",
                "on_track",
            ),
        )
        deliveries = _records(
            con,
            "audit",
            "deliveries",
            ("delivery_sha256", "file_name", "kind", "municipality_code", "extraction_date", "outcome"),
        )
        fetches = _records(
            con, "audit", "ssb_fetches", ("table_id", "table_name", "table_updated", "source", "fetched_at")
        )
        checks = _records(
            con,
            "audit",
            "check_results",
            (
                "run_id",
                "check_name",
                "asset_key",
                "severity",
                "passed",
                "observed",
                "expected",
                "evaluated_rows",
                "unexpected_count",
                "checked_at",
            ),
        )

    names = _reference_names()
    for row in dim_rows:
        code = str(row.get("municipality_code") or "")
        if code and row.get("name"):
            names[code] = str(row["name"])

    members: dict[str, set[str]] = {region: set(codes) for region, codes in BUILTIN_REGIONS.items()}
    for region, codes in _discover_regions(dim_rows, dim_columns).items():
        members.setdefault(region, set()).update(codes)
    municipalities = set(indicators.filter(pl.col("area_type") == "municipality")["area_code"].unique().to_list())
    members.setdefault(NORDLAND_REGION, set()).update(
        code for code in municipalities if code.startswith(NORDLAND_COUNTY_PREFIX)
    )

    # audit.ssb_fetches logs every attempt; what the warehouse holds is, per table, the latest
    # fetch that loaded data (source set). Sorted, so the same facts serialise the same way.
    latest_fetch: dict[str, dict[str, Any]] = {}
    for fetch in sorted(fetches, key=lambda f: (_text(f.get("fetched_at")) or "", _text(f.get("table_updated")) or "")):
        if fetch.get("source"):
            latest_fetch[str(fetch.get("table_id"))] = fetch
    return ReleaseInputs(
        indicators=indicators,
        indicator_meta={
            str(row["indicator_id"]): {key: row.get(key) for key in row if key != "indicator_id"}
            for row in sorted(meta_rows, key=lambda r: str(r["indicator_id"]))
        },
        municipality_names=dict(sorted(names.items())),
        region_members={region: tuple(sorted(codes)) for region, codes in sorted(members.items())},
        goals=sorted(goals, key=lambda g: (str(g.get("goal_id")), str(g.get("area_code")))),
        deliveries=sorted(
            ({**row, "extraction_date": _text(row.get("extraction_date"))} for row in deliveries),
            key=lambda r: (str(r.get("municipality_code")), str(r.get("extraction_date")), str(r["delivery_sha256"])),
        ),
        ssb_fetches=[
            {
                "table_id": table_id,
                "table_name": fetch.get("table_name"),
                "table_updated": _text(fetch.get("table_updated")),
                "source": str(fetch.get("source")),
            }
            for table_id, fetch in sorted(latest_fetch.items())
        ],
        check_results=sorted(
            ({**row, "checked_at": _text(row.get("checked_at"))} for row in checks),
            key=lambda r: (str(r.get("checked_at")), str(r.get("check_name")), str(r.get("asset_key"))),
        ),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
