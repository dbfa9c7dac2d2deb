"""Everything a release is made from, read once from the warehouse into memory.

The release never writes to the database and reads it in one short read-only session,
so it does not hold the build file's lock while it renders workbooks and charts.

One contract between the marts and the release: every table is read by the columns named
in `READS` below, and a missing table or column is a `ReleaseError` naming the table and
the column. Nothing is filtered silently — a renamed mart column fails the release (and its
tests) instead of turning names into ids and goal statuses into "unknown".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.release.errors import ReleaseError
from pipelines.release.labels import Labels
from pipelines.warehouse.connection import connect

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
    "municipalities_with_data": pl.Int64,
}
INDICATOR_COLUMNS = tuple(INDICATOR_SCHEMA)

# Every column the release reads, by table. `load_inputs` reads exactly these.
READS: dict[tuple[str, str], tuple[str, ...]] = {
    ("marts", "fct_indicators"): INDICATOR_COLUMNS,
    ("marts", "dim_indicator"): (
        "indicator_id",
        "indicator_name",
        "definition",
        "unit",
        "topic",
        "coverage_rule",
        "higher_is_better",
        "source",
    ),
    ("marts", "dim_label"): ("kind", "code", "label_nb", "sort_order"),
    ("marts", "dim_municipality"): ("municipality_code", "municipality_name"),
    ("marts", "dim_region"): ("region_code", "region_name", "region_level", "member_count", "member_codes"),
    ("marts", "fct_goal_progress"): (
        "goal_id",
        "area_type",
        "area_code",
        "indicator_id",
        "direction",
        "goal_text",
        "source",
        "baseline_year",
        "baseline_value",
        "latest_year",
        "latest_value",
        "target_relative_change",
        "target_value",
        "target_year",
        "is_target_met",
        "trend_reaches_target",
    ),
    ("audit", "deliveries"): (
        "delivery_sha256",
        "file_name",
        "kind",
        "municipality_code",
        "extraction_date",
        "outcome",
    ),
    ("audit", "ssb_fetches"): ("table_id", "table_name", "table_updated", "source", "fetched_at"),
    ("audit", "check_results"): (
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
        "message",
    ),
}
NORDLAND_REGION = "nordland"
FINGERPRINT_SLICE = 200_000  # rows of the indicator table hashed at a time


@dataclass(frozen=True)
class Region:
    """A region as `marts.dim_region` defines it (dbt/seeds/regions.csv and region_members.csv)."""

    code: str
    name: str
    level: int
    members: tuple[str, ...]


@dataclass
class ReleaseInputs:
    """The release's raw material: the long indicator table and its context."""

    indicators: pl.DataFrame
    labels: Labels
    indicator_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipality_names: dict[str, str] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    goals: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    ssb_fetches: list[dict[str, Any]] = field(default_factory=list)
    check_results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def region_members(self) -> dict[str, tuple[str, ...]]:
        return {code: region.members for code, region in self.regions.items()}

    def area_name(self, area_type: str, area_code: str) -> str:
        if area_type == "region":
            region = self.regions.get(area_code)
            return region.name if region else area_code
        return self.municipality_names.get(area_code, area_code)

    @property
    def ssb_sources(self) -> list[dict[str, Any]]:
        """The SSB tables the release's figures come from, as the manifest and metadata name them."""
        return [
            {"table_id": f["table_id"], "updated": f["table_updated"], "source": f["source"]} for f in self.ssb_fetches
        ]

    @property
    def uses_demo_figures(self) -> bool:
        """True when any SSB table in use came from the demo snapshot (not SSB's real figures)."""
        return any(str(fetch.get("source") or "").lower() == "demo" for fetch in self.ssb_fetches)

    def fingerprint(self, extra: dict[str, Any] | None = None) -> str:
        """sha256 over a canonical serialisation of every input: equal inputs, equal hash."""
        digest = hashlib.sha256()
        frame = self.indicators.sort(list(self.indicators.columns))
        # The CSV text of the sorted table, hashed a slice at a time (the same bytes as one
        # `write_csv()`, without the whole text of a national table in memory twice).
        for offset in range(0, max(frame.height, 1), FINGERPRINT_SLICE):
            digest.update(frame.slice(offset, FINGERPRINT_SLICE).write_csv(include_header=not offset).encode())
        payload = {
            "indicator_meta": self.indicator_meta,
            "labels": sorted(self.labels.names.items()),
            "municipality_names": self.municipality_names,
            "regions": {code: [r.name, r.level, list(r.members)] for code, r in self.regions.items()},
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


def check_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str, wanted: tuple[str, ...]) -> None:
    """Raise a `ReleaseError` naming the table and every missing column, or the missing table."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    if not rows:
        raise ReleaseError(
            f"Varehuset mangler tabellen {schema}.{table}; bygg modellene (`make demo` eller "
            "`workforce run --job rebuild_indicators`) før utgivelsen."
        )
    present = {row[0] for row in rows}
    missing = [column for column in wanted if column not in present]
    if missing:
        raise ReleaseError(
            f"{schema}.{table} mangler kolonne{'ne' if len(missing) > 1 else 'n'} {', '.join(missing)}, "
            "som utgivelsen leser (pipelines/release/inputs.py READS)."
        )


def read_records(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[dict[str, Any]]:
    """Every row of `schema.table` with exactly the columns `READS` names for it."""
    columns = READS[(schema, table)]
    check_columns(con, schema, table, columns)
    quoted = ", ".join(f'"{column}"' for column in columns)
    result = con.execute(f'select {quoted} from "{schema}"."{table}"')
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _read_indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    columns = READS[("marts", "fct_indicators")]
    check_columns(con, "marts", "fct_indicators", columns)
    select = [
        f'cast("{column}" as varchar) as "{column}"' if INDICATOR_SCHEMA[column] == pl.String else f'"{column}"'
        for column in columns
    ]
    frame = con.sql(f"select {', '.join(select)} from marts.fct_indicators").pl()
    return frame.select(INDICATOR_COLUMNS).cast(INDICATOR_SCHEMA)  # type: ignore[arg-type]


def load_inputs(db_path: Path) -> ReleaseInputs:
    """Read every input of a release from `db_path` (read-only)."""
    if not db_path.is_file():
        raise ReleaseError(
            f"Fant ingen varehusdatabase i {db_path}; kjør pipelinen (`make demo` eller `workforce run`) først."
        )
    with connect(db_path, read_only=True) as con:
        indicators = _read_indicators(con)
        meta_rows = read_records(con, "marts", "dim_indicator")
        label_rows = read_records(con, "marts", "dim_label")
        municipality_rows = read_records(con, "marts", "dim_municipality")
        region_rows = read_records(con, "marts", "dim_region")
        goals = read_records(con, "marts", "fct_goal_progress")
        deliveries = read_records(con, "audit", "deliveries")
        fetches = read_records(con, "audit", "ssb_fetches")
        checks = read_records(con, "audit", "check_results")

    names = {str(row["municipality_code"]): str(row["municipality_name"]) for row in municipality_rows}
    regions = {
        str(row["region_code"]): Region(
            code=str(row["region_code"]),
            name=str(row["region_name"]),
            level=int(row["region_level"]),
            members=tuple(sorted(str(row["member_codes"]).split())),
        )
        for row in region_rows
    }

    # audit.ssb_fetches logs every attempt; what the warehouse holds is, per table, the latest
    # fetch that loaded data (source set). Sorted, so the same facts serialise the same way.
    latest_fetch: dict[str, dict[str, Any]] = {}
    for fetch in sorted(fetches, key=lambda f: (_text(f["fetched_at"]) or "", _text(f["table_updated"]) or "")):
        if fetch["source"]:
            latest_fetch[str(fetch["table_id"])] = fetch
    return ReleaseInputs(
        indicators=indicators,
        labels=Labels.from_rows(label_rows),
        indicator_meta={
            str(row["indicator_id"]): {key: row[key] for key in row if key != "indicator_id"}
            for row in sorted(meta_rows, key=lambda r: str(r["indicator_id"]))
        },
        municipality_names=dict(sorted(names.items())),
        regions=dict(sorted(regions.items(), key=lambda item: (item[1].level, item[0]))),
        goals=sorted(goals, key=lambda g: str(g["goal_id"])),
        deliveries=sorted(
            ({**row, "extraction_date": _text(row["extraction_date"])} for row in deliveries),
            key=lambda r: (str(r["municipality_code"]), str(r["extraction_date"]), str(r["delivery_sha256"])),
        ),
        ssb_fetches=[
            {
                "table_id": table_id,
                "table_name": fetch["table_name"],
                "table_updated": _text(fetch["table_updated"]),
                "source": str(fetch["source"]),
            }
            for table_id, fetch in sorted(latest_fetch.items())
        ],
        check_results=sorted(
            ({**row, "checked_at": _text(row["checked_at"])} for row in checks),
            key=lambda r: (str(r["checked_at"]), str(r["check_name"]), str(r["asset_key"])),
        ),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
