"""`workforce explore`: one self-contained HTML file to look at any indicator without code.

The page holds the published warehouse's `marts.fct_indicators` (every figure with numerator
and denominator, unsuppressed) with the names of indicators and areas, and the Vega, Vega-Lite
and vega-embed scripts bundled by `vl-convert-python` — no CDN, no server: it opens from a
file share or an e-mail attachment on a machine without network. The analyst picks an
indicator, areas, a breakdown and years; the page draws a Vega-Lite line chart, shows the
table behind it and downloads the selection as CSV.

The figures are exact, so the page is for internal use; it says so at the top.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.errors import WorkforceError

TEMPLATE = Path(__file__).with_name("explore.html")
INDICATOR_COLUMNS = (
    "indicator_id", "area_type", "area_code", "year", "breakdown", "breakdown_value",
    "numerator", "denominator", "value", "unit", "basis", "municipalities_with_data",
)  # fmt: skip
# `basis` is empty for figures that are not about persons; dim_label has no code for that.
NO_BASIS_LABEL = "ikke et persontall"


def require_columns(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> None:
    """Fail loudly when the warehouse lacks a column this page reads (a renamed mart column
    must not turn into an empty chart)."""
    schema, name = table.split(".")
    found = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    if not found:
        raise WorkforceError(f"Analysebasen mangler tabellen {table}; kjør `workforce run` først.")
    missing = [c for c in columns if c not in found]
    if missing:
        raise WorkforceError(f"Tabellen {table} i analysebasen mangler kolonnene {', '.join(missing)}.")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def explorer_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the page needs, compact: the figures column by column, strings as indices into
    dictionaries (67,000 figures of the demo are about 2 MB of JSON instead of 9)."""
    require_columns(con, "marts.fct_indicators", INDICATOR_COLUMNS)
    require_columns(con, "marts.dim_indicator", ("indicator_id", "indicator_name", "definition", "unit", "topic"))
    require_columns(con, "marts.dim_municipality", ("municipality_code", "municipality_name"))
    require_columns(con, "marts.dim_region", ("region_code", "region_name", "member_count"))
    figures = con.execute(
        f"select {', '.join(INDICATOR_COLUMNS)} from marts.fct_indicators "
        "order by indicator_id, area_type, area_code, breakdown, breakdown_value, year"
    ).fetchall()
    columns: dict[str, list[Any]] = {name: [] for name in INDICATOR_COLUMNS}
    dictionaries: dict[str, dict[str, int]] = {}
    coded = ("indicator_id", "area_type", "area_code", "breakdown", "breakdown_value", "unit", "basis")
    for row in figures:
        for name, value in zip(INDICATOR_COLUMNS, row, strict=True):
            if name in coded:
                lookup = dictionaries.setdefault(name, {})
                value = lookup.setdefault("" if value is None else str(value), len(lookup))
            columns[name].append(value)
    indicators = _rows(
        con,
        "select indicator_id, indicator_name, definition, unit, topic from marts.dim_indicator order by topic, "
        "indicator_name",
    )
    areas = _rows(
        con,
        "select 'region' as area_type, region_code as area_code, region_name as area_name, member_count "
        "from marts.dim_region union all "
        "select 'municipality', municipality_code, municipality_name, null from marts.dim_municipality "
        "order by area_type desc, area_name",
    )
    labels = _labels(con)
    return {
        "basis_labels": {**labels.get("basis", {}), "": NO_BASIS_LABEL},
        "columns": columns,
        "dictionaries": {name: list(lookup) for name, lookup in dictionaries.items()},
        "indicators": indicators,
        "areas": areas,
        "breakdown_labels": labels.get("breakdown", {}),
        "value_labels": labels,
    }


def _labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every code's Norwegian label by kind (a breakdown's values under the breakdown's name),
    from marts.dim_label: the labels are declared once, in dbt's seeds, not again here."""
    require_columns(con, "marts.dim_label", ("kind", "code", "label_nb", "sort_order"))
    labels: dict[str, dict[str, str]] = {}
    for kind, code, label in con.execute(
        "select kind, code, label_nb from marts.dim_label order by kind, sort_order nulls last, code"
    ).fetchall():
        labels.setdefault(kind, {})[code] = label
    return labels


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script (globals `vega`, `vegaLite`, `vegaEmbed`)."""
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def write_explorer(published_db: Path, out: Path) -> Path:
    """Write the explorer page for the published warehouse to `out` (atomically)."""
    from pipelines.warehouse.publish import open_published

    con = open_published(published_db)
    try:
        data = explorer_data(con)
    finally:
        con.close()
    data["source"] = str(published_db)
    data["written"] = datetime.now(UTC).astimezone().strftime("%d.%m.%Y %H:%M")
    page = (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("/*VEGA_BUNDLE*/", vega_bundle())
        .replace("/*EXPLORER_DATA*/null", _script_json(data))
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
