"""The competence-plan basis of a county release (issue 17): "Kompetanseplan – grunnlag" sheets
and a report section per municipality, from `marts.fct_competence_plan`.

Kept apart from the rest of the release and plugged in where the workbook and the report are
built (publish.py): `load_plan(...)` reads the mart once (read-only) and applies disclosure,
`write_plan_sheets(...)` adds the sheets, `plan_sections(...)` gives the report's text.

Disclosure, the release's own `DisclosureRule` twice over:
* a family with fewer persons (or FTE, under KS's rule) than the rule's threshold shows only
  what is about staffing and postings: its FTE, age risk, replacement gaps and qualification
  gap are hidden (`:`), and its reason and order use the mart's structural part only, so
  nothing hidden can be read back from the order;
* a figure the published indicator table hides (primary or secondary suppression of the same
  municipality, year and function family in function_fte, function_age_risk,
  replacement_gap_* or qualification_gap) is hidden here too, with the same consequence for
  the reason and the order — the plan never shows what the other files hide.
Headcount and "one person / under one FTE" are published: they are the plan's point (the
issue asks for them) and describe the organisation, not a person's age or education.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.release.disclosure import SUPPRESSED_SYMBOL, DisclosureRule
from pipelines.release.errors import ReleaseError
from pipelines.release.labels import VALUE_DECIMALS, format_number, format_value

if TYPE_CHECKING:
    import duckdb
    import polars as pl

SHEET_NAME = "Kompetanseplan – grunnlag"
MUNICIPALITY_SHEET_PREFIX = "Kompetanseplan – "
SECTION_TITLE = "Grunnlag for kompetanseplan"
MART = "fct_competence_plan"
MISSING_SYMBOL = ".."

# The columns read from the mart; a missing one stops the release with its name.
PLAN_COLUMNS = (
    "municipality_code", "municipality_name", "year", "is_latest_year", "function_family",
    "function_family_name", "persons", "fte", "age_risk_share", "gap_5y", "gap_5y_low",
    "gap_5y_high", "gap_fte_5y", "gap_10y", "gap_10y_low", "gap_10y_high", "gap_fte_10y",
    "median_days_to_fill_3y", "qualified_per_posting_3y", "readvertised_share_3y",
    "qualification_gap", "education_status", "structural_score", "personal_score",
    "priority_reason", "structural_reason",
)  # fmt: skip
# Hidden for a small family: about its persons' ages, education and part-time (FTE).
PERSONAL_COLUMNS = ("fte", "age_risk_share", "gap_5y", "gap_5y_low", "gap_5y_high", "gap_fte_5y", "gap_10y",
                    "gap_10y_low", "gap_10y_high", "gap_fte_10y", "qualification_gap")  # fmt: skip
# The published indicator (function_family breakdown) each plan figure is; a figure the
# indicator table hides is hidden in the plan. The FTE gaps follow the persons' gaps.
FIGURE_INDICATORS = {
    "fte": ("function_fte",),
    "age_risk_share": ("function_age_risk",),
    "gap_5y": ("replacement_gap_5y",),
    "gap_5y_low": ("replacement_gap_5y_low",),
    "gap_5y_high": ("replacement_gap_5y_high",),
    "gap_fte_5y": ("replacement_gap_5y", "replacement_gap_5y_low", "replacement_gap_5y_high"),
    "gap_10y": ("replacement_gap_10y",),
    "gap_10y_low": ("replacement_gap_10y_low",),
    "gap_10y_high": ("replacement_gap_10y_high",),
    "gap_fte_10y": ("replacement_gap_10y", "replacement_gap_10y_low", "replacement_gap_10y_high"),
    "qualification_gap": ("qualification_gap",),
}
SUPPRESSED_TEXT = "alder, utdanning og årsverk prikket (få personer)"
TABLE_SUPPRESSED_TEXT = "noen tall prikket som i indikatortabellen"

# Sheet columns: (header, key, format kind, width). Kinds: text, int, fte, share, gap, days, ratio.
SHEET_COLUMNS = (
    ("Kommunenummer", "municipality_code", "text", 10),
    ("Kommune", "municipality_name", "text", 16),
    ("År", "year", "int", 7),
    ("Prioritet", "priority", "int", 9),
    ("Funksjon", "function_family_name", "text", 18),
    ("Personer", "persons", "int", 9),
    ("Årsverk", "fte", "fte", 9),
    ("Aldersrisiko (andel årsverk 60+)", "age_risk_share", "share", 12),
    ("Erstatningsbehov 5 år (personer)", "gap_5y", "gap", 13),
    ("5 år, lavt anslag", "gap_5y_low", "gap", 10),
    ("5 år, høyt anslag", "gap_5y_high", "gap", 10),
    ("Erstatningsbehov 5 år (årsverk)", "gap_fte_5y", "gap", 13),
    ("Erstatningsbehov 10 år (personer)", "gap_10y", "gap", 13),
    ("10 år, lavt anslag", "gap_10y_low", "gap", 10),
    ("10 år, høyt anslag", "gap_10y_high", "gap", 10),
    ("Erstatningsbehov 10 år (årsverk)", "gap_fte_10y", "gap", 13),
    ("Dager til besatt (median, tre år)", "median_days_to_fill_3y", "days", 12),
    ("Kvalifiserte søkere per utlysning (tre år)", "qualified_per_posting_3y", "ratio", 13),
    ("Andel utlyst på nytt (tre år)", "readvertised_share_3y", "share", 11),
    ("Kvalifikasjonsgap", "qualification_gap", "share", 13),
    ("Utdanning levert", "education_status", "text", 16),
    ("Begrunnelse", "reason", "text", 44),
    ("Prikket", "suppressed", "text", 30),
)
NUMBER_FORMATS = {"int": "0", "fte": "#,##0.0", "share": "0.0%", "gap": "0.0", "days": "#,##0", "ratio": "0.0"}
# Decimals kept, as the indicator table keeps them for the same unit (labels.VALUE_DECIMALS).
ROUNDING_UNITS = {
    "int": "count", "fte": "fte", "share": "share", "gap": "persons", "days": "days", "ratio": "applicants",
}
SHEET_TYPES = {"text": "String", "int": "Int64"}
# A municipality's own sheet leaves out what its title says.
OWN_SHEET_COLUMNS = tuple(c for c in SHEET_COLUMNS if c[1] not in ("municipality_code", "municipality_name", "year"))
METHOD_NB = (
    "Erstatningsbehov = de som når 67 år + andre som slutter (snitt av tre års turnover uten pensjonering) "
    "− nyansatte (snitt av tre års nyansettelser); positivt tall = mangel, negativt = overskudd. Lavt og høyt "
    "anslag bruker det beste og det verste av de tre årene."
)
READING_NB = (
    f"Én rad per funksjon som kommunen bemanner, i prioritert rekkefølge. {METHOD_NB} "
    "':' = prikket av personvernhensyn, '..' = tall mangler."
)
REPORT_READING_NB = (
    "Funksjonene kommunen bemanner, i prioritert rekkefølge, med begrunnelse – til bruk i kommunens "
    f"kompetanseplan. {METHOD_NB} For funksjoner med få personer er alder, utdanning og årsverk prikket."
)


@dataclass(frozen=True)
class PlanRow:
    """One function family of one municipality as the release publishes it."""

    values: dict[str, Any]
    score: int
    is_suppressed: bool
    hidden: frozenset[str] = frozenset()


def _check_columns(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [MART],
        ).fetchall()
    }
    if not present:
        raise ReleaseError(
            f"Varehuset mangler tabellen marts.{MART} (kompetanseplanen); bygg modellene (`make demo` eller "
            "`workforce run --job rebuild_indicators`) før utgivelsen."
        )
    missing = [column for column in PLAN_COLUMNS if column not in present]
    if missing:
        raise ReleaseError(f"marts.{MART} mangler kolonnene {', '.join(missing)}: bygg indikatorene på nytt.")


def _is_small(persons: float, fte: float, rule: DisclosureRule) -> bool:
    size = fte if rule.measure == "fte" else persons
    return size < rule.min_persons


def hidden_cells(table: pl.DataFrame) -> set[tuple[str, str, int, str]]:
    """(indicator, municipality, year, family) of every function-family figure the published
    indicator table hides: the plan hides the same figures."""
    import polars as pl

    wanted = sorted({i for ids in FIGURE_INDICATORS.values() for i in ids})
    hidden = table.filter(
        pl.col("suppressed")
        & (pl.col("area_type") == "municipality")
        & (pl.col("breakdown") == "function_family")
        & pl.col("indicator_id").is_in(wanted)
    ).select("indicator_id", "area_code", "year", "breakdown_value")
    return {(i, a, int(y), f) for i, a, y, f in hidden.iter_rows()}


def plan_rows(
    con: duckdb.DuckDBPyConnection,
    rule: DisclosureRule,
    year: int | None = None,
    *,
    up_to: int | None = None,
    hidden: set[tuple[str, str, int, str]] | None = None,
) -> list[PlanRow]:
    """The published rows, ordered by municipality and priority: each municipality's latest
    year (`is_latest_year`), or exactly `year`, or its latest year up to `up_to` (a release's
    reference year). `hidden` holds the cells the published indicator table hides."""
    _check_columns(con)
    if year is not None:
        where, params = "year = ?", [year]
    elif up_to is not None:
        where = f"year = (select max(year) from marts.{MART} as m where m.municipality_code = p.municipality_code and m.year <= ?)"  # noqa: E501
        params = [up_to]
    else:
        where, params = "is_latest_year", []
    cursor = con.execute(
        f"select {', '.join(PLAN_COLUMNS)} from marts.{MART} as p where {where} "
        "order by municipality_code, function_family",
        params,
    )
    names = [d[0] for d in cursor.description]
    hidden = hidden or set()
    rows: list[PlanRow] = []
    for record in cursor.fetchall():
        values = dict(zip(names, record, strict=True))
        small = _is_small(values["persons"], values["fte"], rule)
        key = (values["municipality_code"], int(values["year"]), values["function_family"])
        by_table = {
            column
            for column, indicators in FIGURE_INDICATORS.items()
            if any((indicator, *key) in hidden for indicator in indicators)
        }
        gone = set(PERSONAL_COLUMNS) if small else by_table
        gone = {column for column in gone if values[column] is not None}
        for column in gone:
            values[column] = None
        if small or gone:
            structural = values["structural_reason"]
            values["reason"] = structural if structural != "ingen særskilt risiko" else (
                "ingen særskilt risiko i bemanning og utlysninger"
            )
            score = int(values["structural_score"])
        else:
            values["reason"] = values["priority_reason"]
            score = int(values["structural_score"]) + int(values["personal_score"])
        values["suppressed"] = SUPPRESSED_TEXT if small else (TABLE_SUPPRESSED_TEXT if gone else "")
        rows.append(PlanRow(values, score, small or bool(gone), frozenset(gone)))
    rows.sort(key=lambda r: (r.values["municipality_code"], -r.score, r.values["function_family"]))
    previous, rank = None, 0
    for row in rows:
        rank = rank + 1 if row.values["municipality_code"] == previous else 1
        previous = row.values["municipality_code"]
        row.values["priority"] = rank
    return rows


def load_plan(
    db_path: Path, rule: DisclosureRule, reference_year: int, table: pl.DataFrame
) -> list[PlanRow]:
    """The plan rows of a release: each municipality's latest year up to the reference year,
    with the rule and the published table's suppression applied (one read-only session)."""
    from pipelines.warehouse.connection import connect

    with connect(db_path, read_only=True) as con:
        return plan_rows(con, rule, up_to=reference_year, hidden=hidden_cells(table))


def plan_sheet(con: duckdb.DuckDBPyConnection, rule: DisclosureRule, year: int | None = None) -> pl.DataFrame:
    """The "Kompetanseplan – grunnlag" rows as a frame (one row per municipality and function
    family, Norwegian headers; a hidden figure is empty and "Prikket" says why)."""
    import polars as pl

    rows = plan_rows(con, rule, year)
    return pl.DataFrame(
        {header: [row.values[key] for row in rows] for header, key, _, _ in SHEET_COLUMNS},
        schema={header: getattr(pl, SHEET_TYPES.get(kind, "Float64")) for header, key, kind, _ in SHEET_COLUMNS},
    )


def _sheet_title(name: str) -> str:
    """'Kompetanseplan – Bodø'; shorter prefixes when a two-language name would not fit Excel's
    31 characters ('Kompetanseplan Hábmer - Hamarøy', 'Plan – Aarborte - Hattfjelldal');
    the workbook cuts what still does not fit."""
    for prefix in (MUNICIPALITY_SHEET_PREFIX, "Kompetanseplan ", "Plan – "):
        if len(prefix + name) <= 31:
            return prefix + name
    return "Plan – " + name


def write_plan_sheets(
    workbook: Any,
    rows: Sequence[PlanRow],
    add_sheet: Callable[[str], Any],
    *,
    neutralise: Callable[[str], str],
) -> None:
    """The overview sheet (every municipality, filterable by Kommune) and one sheet per
    municipality with a title, the reading rule and its families in priority order."""
    if not rows:
        return
    header = workbook.add_format({"bold": True, "bg_color": "#DCE6F0", "bottom": 1, "text_wrap": True, "valign": "top"})
    title = workbook.add_format({"bold": True, "font_size": 13})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    symbol = workbook.add_format({"align": "right", "font_color": "#7A1F1F"})
    formats = {kind: workbook.add_format({"num_format": fmt, "valign": "top"}) for kind, fmt in NUMBER_FORMATS.items()}

    def table(sheet: Any, first: int, columns: Sequence[tuple[str, str, str, int]], body: Sequence[PlanRow]) -> None:
        for col, (text, _, kind, width) in enumerate(columns):
            sheet.write_string(first, col, text, header)
            sheet.set_column(col, col, width, wrap if kind == "text" and width > 20 else None)
        for r, row in enumerate(body, start=first + 1):
            for col, (_, key, kind, _) in enumerate(columns):
                value = row.values[key]
                if key in row.hidden:
                    sheet.write_string(r, col, SUPPRESSED_SYMBOL, symbol)
                elif value is None:
                    if kind != "text":
                        sheet.write_string(r, col, MISSING_SYMBOL, symbol)
                elif kind == "text":
                    sheet.write_string(r, col, neutralise(str(value)), wrap)
                else:
                    sheet.write_number(r, col, round(value, VALUE_DECIMALS[ROUNDING_UNITS[kind]]), formats[kind])
        sheet.freeze_panes(first + 1, 0)
        sheet.autofilter(first, 0, first + len(body), len(columns) - 1)

    overview = add_sheet(SHEET_NAME)
    table(overview, 0, SHEET_COLUMNS, rows)
    by_municipality: dict[str, list[PlanRow]] = {}
    for row in rows:
        by_municipality.setdefault(row.values["municipality_code"], []).append(row)
    for own in by_municipality.values():
        first = own[0].values
        sheet = add_sheet(_sheet_title(first["municipality_name"]))
        heading = f"{SECTION_TITLE}: {first['municipality_name']} ({first['municipality_code']}), {first['year']}"
        sheet.write_string(0, 0, heading, title)
        sheet.merge_range(1, 0, 1, 10, READING_NB, wrap)
        sheet.set_row(1, 48)
        table(sheet, 3, OWN_SHEET_COLUMNS, own)


def _gap_words(value: float, unit: str) -> str:
    """'mangel på 1,2 personer', 'overskudd på 0,4 årsverk', 'ingen mangel' (rounds to 0,0)."""
    if abs(value) < 0.05:
        return "ingen mangel"
    return f"{'mangel' if value > 0 else 'overskudd'} på {format_number(abs(value), 1)} {unit}"


def _gap_text(values: dict[str, Any], years: int) -> str:
    value = values[f"gap_{years}y"]
    if value is None:
        return ""
    text = f" Om {years} år: {_gap_words(value, 'personer')}"
    fte = values[f"gap_fte_{years}y"]
    if fte is not None:
        text += f" ({_gap_words(fte, 'årsverk')})"
    low, high = values[f"gap_{years}y_low"], values[f"gap_{years}y_high"]
    if low is not None and high is not None:
        text += f"; anslaget spenner fra {_gap_words(low, 'personer')} til {_gap_words(high, 'personer')}"
    return text + "."


# What a reader is told is hidden, by plan column (the gaps' band and FTE go with the gap).
HIDDEN_WORDS = {"fte": "årsverk", "age_risk_share": "aldersrisiko", "gap_5y": "erstatningsbehov om 5 år",
                "gap_10y": "erstatningsbehov om 10 år", "qualification_gap": "kvalifikasjonsgap"}  # fmt: skip


def plan_sections(rows: Sequence[PlanRow]) -> list[dict[str, Any]]:
    """The report's section per municipality: a title and one paragraph per function family,
    in priority order, in words a municipality can paste into its competence plan."""
    sections: dict[str, dict[str, Any]] = {}
    # a municipality that delivers no education at all is told so once, not in every paragraph
    statuses: dict[str, set[str]] = {}
    for row in rows:
        statuses.setdefault(row.values["municipality_code"], set()).add(row.values["education_status"])
    silent = {
        code: "ikke levert" in found and not found & {"levert", "delvis levert"} for code, found in statuses.items()
    }
    for row in rows:
        v = row.values
        section = sections.setdefault(
            v["municipality_code"],
            {"code": v["municipality_code"], "title": f"{SECTION_TITLE}: {v['municipality_name']} ({v['year']})",
             "year": v["year"], "paragraphs": [], "note": ""},
        )  # fmt: skip
        persons = "én person" if v["persons"] == 1 else f"{v['persons']} personer"
        fte = "" if v["fte"] is None else f", {format_number(v['fte'], 1)} årsverk"
        text = f"{v['priority']}. {v['function_family_name']}: {persons}{fte}. Begrunnelse: {v['reason']}."
        if v["gap_5y"] is not None or v["gap_10y"] is not None:
            text += " Erstatningsbehov:" + _gap_text(v, 5) + _gap_text(v, 10)
        if v["qualification_gap"] is not None:
            text += f" Kvalifikasjonsgap: {format_value(v['qualification_gap'], 'share')}."
        elif v["education_status"] == "ikke levert" and not silent.get(v["municipality_code"]):
            text += " Utdanning er ikke levert."
        if row.hidden and v["suppressed"] == SUPPRESSED_TEXT:
            text += " Alder, utdanning og årsverk er prikket fordi funksjonen har få personer."
        elif row.hidden:
            words = [word for column, word in HIDDEN_WORDS.items() if column in row.hidden]
            text += f" Prikket av personvernhensyn, som i tabellene: {', '.join(words) or 'noen tall'}."
        section["paragraphs"].append(text)
    for code, section in sections.items():
        if silent[code]:
            section["note"] = "Kommunen leverer ikke utdanningsnivå i HR-uttrekket, så kvalifikasjonsgap mangler."
    return list(sections.values())
