"""The competence-plan basis of a county release (issue 17): a "Kompetanseplan – grunnlag"
sheet and a report section per municipality, from `marts.fct_competence_plan`.

Kept apart from the rest of the release so it can be wired into the workbook and the report
where they are built: `plan_sheet(con, year, rule)` gives the sheet's rows as a polars frame,
`plan_sections(...)` the report's text, one section per municipality that it could paste into
its own plan. Disclosure: a family with fewer persons (or FTE, under KS's rule) than the rule's
threshold shows only what is not about its persons' ages or education (staffing, postings):
its age risk, replacement gap and qualification gap are left empty ("Prikket" says so) and
its reasons and order use the mart's structural part only, so nothing hidden can be read
back from the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipelines.release.disclosure import DisclosureRule
from pipelines.release.errors import ReleaseError
from pipelines.release.labels import format_number, format_value

if TYPE_CHECKING:
    import duckdb
    import polars as pl

SHEET_NAME = "Kompetanseplan – grunnlag"
SECTION_TITLE = "Grunnlag for kompetanseplan"
MART = "fct_competence_plan"

# The columns read from the mart; a missing one stops the release with its name.
PLAN_COLUMNS = (
    "municipality_code", "municipality_name", "year", "is_latest_year", "function_family",
    "function_family_name", "persons", "fte", "age_risk_share", "gap_5y", "gap_5y_low",
    "gap_5y_high", "gap_10y", "gap_10y_low", "gap_10y_high", "median_days_to_fill_3y",
    "qualified_per_posting_3y", "readvertised_share_3y", "qualification_gap", "education_status",
    "structural_score", "personal_score", "priority_reason", "structural_reason",
)  # fmt: skip
PERSONAL_COLUMNS = ("age_risk_share", "gap_5y", "gap_5y_low", "gap_5y_high", "gap_10y", "gap_10y_low",
                    "gap_10y_high", "qualification_gap")  # fmt: skip

# Sheet columns: (header, key); the types of the non-numeric ones below.
SHEET_COLUMNS = (
    ("Kommunenummer", "municipality_code"),
    ("Kommune", "municipality_name"),
    ("År", "year"),
    ("Prioritet", "priority"),
    ("Funksjon", "function_family_name"),
    ("Personer", "persons"),
    ("Årsverk", "fte"),
    ("Aldersrisiko (andel årsverk 60+)", "age_risk_share"),
    ("Erstatningsbehov 5 år", "gap_5y"),
    ("5 år, lavt", "gap_5y_low"),
    ("5 år, høyt", "gap_5y_high"),
    ("Erstatningsbehov 10 år", "gap_10y"),
    ("10 år, lavt", "gap_10y_low"),
    ("10 år, høyt", "gap_10y_high"),
    ("Dager til besatt (tre år)", "median_days_to_fill_3y"),
    ("Kvalifiserte søkere per utlysning (tre år)", "qualified_per_posting_3y"),
    ("Andel utlyst på nytt (tre år)", "readvertised_share_3y"),
    ("Kvalifikasjonsgap", "qualification_gap"),
    ("Utdanning levert", "education_status"),
    ("Begrunnelse", "reason"),
    ("Prikket", "suppressed"),
)


SHEET_TYPES = {
    "municipality_code": "String", "municipality_name": "String", "year": "Int64", "priority": "Int64",
    "function_family_name": "String", "persons": "Int64", "education_status": "String", "reason": "String",
    "suppressed": "String",
}  # fmt: skip


@dataclass(frozen=True)
class PlanRow:
    """One function family of one municipality as the release publishes it."""

    values: dict[str, Any]
    score: int
    is_suppressed: bool


def _check_columns(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [MART],
        ).fetchall()
    }
    missing = [column for column in PLAN_COLUMNS if column not in present]
    if missing:
        raise ReleaseError(f"marts.{MART} mangler kolonnene {', '.join(missing)}: bygg indikatorene på nytt.")


def _is_small(persons: float, fte: float, rule: DisclosureRule) -> bool:
    size = fte if rule.measure == "fte" else persons
    return size < rule.min_persons


def plan_rows(
    con: duckdb.DuckDBPyConnection, rule: DisclosureRule, year: int | None = None
) -> list[PlanRow]:
    """The published rows: each municipality's latest year (or `year`), ordered by priority."""
    _check_columns(con)
    where = "year = ?" if year is not None else "is_latest_year"
    cursor = con.execute(
        f"select {', '.join(PLAN_COLUMNS)} from marts.{MART} where {where} "
        "order by municipality_code, function_family",
        [year] if year is not None else [],
    )
    names = [d[0] for d in cursor.description]
    rows: list[PlanRow] = []
    for record in cursor.fetchall():
        values = dict(zip(names, record, strict=True))
        small = _is_small(values["persons"], values["fte"], rule)
        if small:
            for column in PERSONAL_COLUMNS:
                values[column] = None
            values["reason"] = values["structural_reason"]
            score = int(values["structural_score"])
        else:
            values["reason"] = values["priority_reason"]
            score = int(values["structural_score"]) + int(values["personal_score"])
        values["suppressed"] = "alder og utdanning prikket (få personer)" if small else ""
        rows.append(PlanRow(values, score, small))
    rows.sort(key=lambda r: (r.values["municipality_code"], -r.score, r.values["function_family"]))
    previous, rank = None, 0
    for row in rows:
        rank = rank + 1 if row.values["municipality_code"] == previous else 1
        previous = row.values["municipality_code"]
        row.values["priority"] = rank
    return rows


def plan_sheet(con: duckdb.DuckDBPyConnection, rule: DisclosureRule, year: int | None = None) -> pl.DataFrame:
    """The "Kompetanseplan – grunnlag" sheet: one row per municipality and function family
    with Norwegian headers; a hidden figure is empty and the row's "Prikket" says why."""
    import polars as pl

    rows = plan_rows(con, rule, year)
    return pl.DataFrame(
        {header: [row.values[key] for row in rows] for header, key in SHEET_COLUMNS},
        schema={header: getattr(pl, SHEET_TYPES.get(key, "Float64")) for header, key in SHEET_COLUMNS},
    )


def _gap_text(value: float | None, low: float | None, high: float | None, years: int) -> str:
    if value is None:
        return ""
    band = ""
    if low is not None and high is not None:
        band = f" (mellom {format_number(low, 1)} og {format_number(high, 1)})"
    word = "mangel" if value > 0 else "overskudd"
    return f" Om {years} år: {word} på {format_number(abs(value), 1)} personer{band}."


def plan_sections(rows: Sequence[PlanRow]) -> list[dict[str, Any]]:
    """The report's section per municipality: a title and one paragraph per function family,
    in priority order, in words a municipality can paste into its competence plan."""
    sections: dict[str, dict[str, Any]] = {}
    for row in rows:
        v = row.values
        section = sections.setdefault(
            v["municipality_code"],
            {"code": v["municipality_code"], "title": f"{SECTION_TITLE}: {v['municipality_name']} ({v['year']})",
             "paragraphs": []},
        )  # fmt: skip
        persons = "én person" if v["persons"] == 1 else f"{v['persons']} personer"
        text = (
            f"{v['priority']}. {v['function_family_name']}: {persons}, "
            f"{format_number(v['fte'], 1)} årsverk. Begrunnelse: {v['reason']}."
        )
        text += _gap_text(v["gap_5y"], v["gap_5y_low"], v["gap_5y_high"], 5)
        if v["qualification_gap"] is not None:
            text += f" Kvalifikasjonsgap: {format_value(v['qualification_gap'], 'share')}."
        elif v["education_status"] == "ikke levert":
            text += " Utdanning er ikke levert."
        if row.is_suppressed:
            text += " Alder og utdanning er prikket fordi funksjonen har få personer."
        section["paragraphs"].append(text)
    return list(sections.values())
