"""`report.html`: the release for people who are not analysts.

Built only from the published (suppressed) table, so the report cannot show a figure the
files hide. One self-contained page in bokmål — inline CSS, inline SVG charts, no
scripts, no fonts or images to fetch — readable on a laptop and printable. It opens with
the headline figures per region, then a section per region and per municipality with
trends and one-line summaries, goal progress (baseline → latest → target), the quality
gate, the method with every definition, and the sources with SSB's CC BY 4.0 credit. When
any SSB table came from the demo snapshot, a banner says so at the top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.quality.gate import GateSummary
from pipelines.release import charts
from pipelines.release.charts import PALETTE, Bar, Point, Series
from pipelines.release.competence import REPORT_READING_NB as PLAN_READING_NB
from pipelines.release.disclosure import SuppressionSummary
from pipelines.release.inputs import NORDLAND_REGION, ReleaseInputs
from pipelines.release.labels import (
    FAMILY_INTRO_NB,
    format_count,
    format_date,
    format_number,
    format_value,
)
from pipelines.release.table import CHANGE_PERSONS, change_threshold, goal_target_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
SSB_CREDIT = "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0"
DEMO_BANNER = "Demotall – ikke SSBs tall"
READING_RULES_NB = (
    "Et tall er prikket (:) når det bygger på så få personer at noen kan kjennes igjen. "
    "En endring fra året før kalles en forbedring eller en forverring bare når den er større enn det "
    f"{CHANGE_PERSONS} personer kan utgjøre: for en andel er det {CHANGE_PERSONS} delt på antall personer "
    f"det minste av de to årene bygger på (i en gruppe på 16 er {CHANGE_PERSONS} personer 12,5 prosentpoeng), "
    f"for et antall personer eller årsverk {CHANGE_PERSONS}. Medianer, kostnader og indekser kan noen få personer "
    "flytte mye; der sier vi bare om tallet gikk opp eller ned. Regionene er regnet ut fra personene i "
    "kommunene som har levert, ikke som gjennomsnitt av kommunenes prosenter."
)

# Indicators shown as bars of one breakdown in the latest year (they have no total, or the
# split is the point); every other indicator is a trend of its total.
BARS: dict[str, str] = {
    "age_distribution": "age_band",
    "population_age_distribution": "age_band",
    "transitions": "transition",
    "function_fte": "function_family",
    "backlog_overdue_share": "service",
    "replacement_gap_5y": "function_family",
    "replacement_gap_10y": "function_family",
}
MUNICIPALITY_HEADLINES = (
    "fulltime_share",
    "turnover",
    "key_turnover",
    "retention_12m",
    "time_to_fill_days",
    "key_cost_per_hire",
    "apprentice_conversion_12m",
    "retirement_wave_5y",
    "single_person_functions",
)
SUMMARY_COLUMNS = (
    "counted_employees",
    "fulltime_share",
    "turnover",
    "key_turnover",
    "time_to_fill_days",
    "key_cost_per_hire",
    "apprentice_conversion_12m",
)


@dataclass
class Chart:
    title: str
    svg: Markup
    text: str
    indicator_id: str = ""


@dataclass
class AreaSection:
    anchor: str
    title: str
    kind: str
    subtitle: str = ""
    topics: list[dict[str, Any]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    key_figures: list[dict[str, str]] = field(default_factory=list)
    plan: dict[str, Any] | None = None


class _Cells:
    """Fast lookups into the published table."""

    def __init__(
        self, table: pl.DataFrame, postings: frozenset[str] = frozenset(), bars: Mapping[str, str] | None = None
    ) -> None:
        """`postings`: indicators whose `persons` count postings (the catalogue's coverage rule).

        With `bars` (indicator → breakdown) only totals and those breakdowns are held: the report
        shows nothing else, and a row dict per figure of the whole table was most of its cost."""
        self.series: dict[tuple[str, str, str, str], dict[int, dict[str, Any]]] = {}
        self.units: dict[str, str] = {}
        self.names: dict[str, str] = {}
        names = table.select("indicator_id", "unit", "indicator_name").unique("indicator_id", keep="last")
        for indicator, unit, name in names.iter_rows():
            self.units[indicator] = unit
            self.names[indicator] = name
        if bars is not None:
            shown = pl.col("breakdown") == "total"
            for indicator, breakdown in bars.items():
                shown = shown | ((pl.col("indicator_id") == indicator) & (pl.col("breakdown") == breakdown))
            table = table.filter(shown)
        for row in table.select(
            "indicator_id",
            "indicator_name",
            "area_code",
            "year",
            "breakdown",
            "breakdown_value",
            "breakdown_value_name",
            "value",
            "unit",
            "denominator",
            "persons",
            "basis",
            "municipalities_with_data",
            "municipalities_in_area",
            "suppressed",
            "suppression_reason",
            "suppression_text",
        ).iter_rows(named=True):
            key = (row["indicator_id"], row["area_code"], row["breakdown"], row["breakdown_value"])
            row["counts_postings"] = row["indicator_id"] in postings
            self.series.setdefault(key, {})[row["year"]] = row
        self.by_breakdown: dict[tuple[str, str, str], list[dict[int, dict[str, Any]]]] = {}
        for (indicator, area, breakdown, _), cells in self.series.items():
            self.by_breakdown.setdefault((indicator, area, breakdown), []).append(cells)

    def total(self, indicator: str, area: str) -> dict[int, dict[str, Any]]:
        return self.series.get((indicator, area, "total", "total")) or {}

    def breakdown(self, indicator: str, area: str, breakdown: str, year: int) -> list[dict[str, Any]]:
        return [cells[year] for cells in self.by_breakdown.get((indicator, area, breakdown), []) if year in cells]


def _points(cells: dict[int, dict[str, Any]]) -> list[Point]:
    return [Point(year, row["value"], bool(row["suppressed"])) for year, row in sorted(cells.items())]


def persons_text(row: dict[str, Any]) -> str:
    """'Bygger på 1 234 personer.' (empty when the figure is hidden or its persons are unknown)."""
    persons = row.get("persons")
    if row.get("suppressed") or persons is None:
        return ""
    if row.get("counts_postings"):  # recruitment figures rest on postings, not on persons
        return f"Bygger på {format_count(persons)} {'utlysning' if persons == 1 else 'utlysninger'}."
    return f"Bygger på {format_count(persons)} {'person' if persons == 1 else 'personer'}."


def coverage_text(row: dict[str, Any], area_name: str) -> str:
    """'Tall fra 14 av 41 kommuner i Nordland.' for a region figure that lacks some municipalities."""
    with_data, in_area = row.get("municipalities_with_data"), row.get("municipalities_in_area")
    if with_data is None or in_area is None or in_area <= 1 or with_data >= in_area:
        return ""
    return f"Tall fra {format_count(with_data)} av {format_count(in_area)} kommuner i {area_name}."


def trend_sentence(name: str, unit: str, cells: dict[int, dict[str, Any]], up_is_good: bool | None) -> str:
    """One plain sentence about the latest figure and the change since the year before."""
    if not cells:
        return "Ingen tall."
    years = sorted(cells)
    latest_year = years[-1]
    latest = cells[latest_year]
    if latest["value"] is None:
        if latest["suppressed"]:
            if latest.get("suppression_text"):  # disclosure's own words: primary or secondary, and why
                return f"Tallet for {latest_year} er prikket. {latest['suppression_text']}"
            if latest.get("suppression_reason") == "secondary":
                return (
                    f"Tallet for {latest_year} er prikket så et annet prikket tall ikke kan regnes ut fra det "
                    "(sekundærprikking)."
                )
            return f"Tallet for {latest_year} er prikket fordi det bygger på for få personer."
        return f"Tall for {latest_year} mangler."
    text = f"{name} var {format_value(latest['value'], unit)} i {latest_year}"
    previous = cells.get(latest_year - 1)
    if previous is None or previous["value"] is None:
        return text + "."
    diff = latest["value"] - previous["value"]
    if unit == "share":
        amount = f"{format_number(abs(diff) * 100, 1)} prosentpoeng"
    elif unit == "percent":
        amount = f"{format_number(abs(diff), 1)} prosentpoeng"
    else:
        amount = format_value(abs(diff), unit)
    if abs(diff) < 1e-9:
        return text + ", det samme som året før."
    if not any(digit in amount for digit in "123456789"):  # "ned 0,0 prosentpoeng" says nothing
        return text + f", omtrent det samme som i {latest_year - 1}."
    direction = "opp" if diff > 0 else "ned"
    threshold = change_threshold(unit, previous, latest)
    judgement = ""
    if threshold is not None and abs(diff) <= threshold + 1e-12:
        judgement = f" – ikke mer enn {CHANGE_PERSONS} personer kan utgjøre, så vi kaller det ingen endring"
    elif up_is_good is not None and threshold is not None:
        judgement = " – en forbedring" if (diff > 0) == up_is_good else " – en forverring"
    return text + f", {direction} {amount} fra {latest_year - 1}{judgement}."


def _home_region(code: str, members: dict[str, tuple[str, ...]]) -> str | None:
    """The smallest region a municipality belongs to (Ytre Lofoten before Lofoten before Nordland)."""
    regions = sorted((len(m), r) for r, m in members.items() if code in m)
    return regions[0][1] if regions else None


def _up_is_good(inputs: ReleaseInputs, indicator: str) -> bool | None:
    value = inputs.indicator_meta[indicator]["higher_is_better"]
    return None if value is None else bool(value)


def _chart_text(sentence: str, row: dict[str, Any] | None, area_name: str) -> str:
    if row is None:
        return sentence
    extra = " ".join(t for t in (persons_text(row), coverage_text(row, area_name)) if t)
    return f"{sentence} {extra}".strip()


def _area_charts(
    cells: _Cells,
    inputs: ReleaseInputs,
    area: str,
    area_name: str,
    indicators: Sequence[str],
    comparison: str | None,
    comparison_name: str | None,
    *,
    width: float = 360,
) -> list[Chart]:
    out = []
    for indicator in indicators:
        own = cells.total(indicator, area)
        if not own:
            continue
        unit = cells.units[indicator]
        name = cells.names[indicator]
        series = [Series(area_name, _points(own), PALETTE[0], True)]
        if comparison and comparison_name and unit not in ("count", "fte", "persons"):  # sizes do not compare
            other = cells.total(indicator, comparison)
            if other:
                series.append(Series(comparison_name, _points(other), PALETTE[6], False))
        svg = charts.line_chart(series, unit, title=f"{name} – {area_name}", width=width)
        sentence = trend_sentence(name, unit, own, _up_is_good(inputs, indicator))
        text = _chart_text(sentence, own[max(own)], area_name)
        out.append(Chart(name, Markup(svg), text, indicator))
    return out


def _bar_chart(cells: _Cells, area: str, area_name: str, indicator: str, breakdown: str, year: int) -> Chart | None:
    # The latest year this breakdown has figures (the reference year may hold only some indicators).
    years = [y for series in cells.by_breakdown.get((indicator, area, breakdown), []) for y in series if y <= year]
    if not years:
        return None
    year = max(years)
    rows = cells.breakdown(indicator, area, breakdown, year)
    unit = cells.units[indicator]
    name = cells.names[indicator]
    rows.sort(key=lambda r: _bar_order(breakdown, r))
    bars = [Bar(r["breakdown_value_name"], r["value"], bool(r["suppressed"])) for r in rows]
    svg = charts.bar_chart(bars, unit, title=f"{name} {year} – {area_name}", color=PALETTE[4])
    hidden = sum(1 for b in bars if b.suppressed)
    text = f"Fordelt på {len(bars)} grupper i {year}."
    if unit == "persons":  # a replacement gap: the sign is the point
        text += " Positivt tall er mangel på personer, negativt er overskudd."
    if hidden:
        text += f" {hidden} av dem er prikket."
    total = cells.total(indicator, area).get(year)
    shown = [r for r in rows if r["persons"] is not None and not r["suppressed"]]
    if total is not None and persons_text(total):
        text += " " + persons_text(total)
    elif shown and len(shown) == len(rows) and len({r["persons"] for r in shown}) == 1:  # shares of one group
        text += " " + persons_text(shown[0])
    return Chart(f"{name}, {year}", Markup(svg), text, indicator)


def _bar_order(breakdown: str, row: dict[str, Any]) -> tuple:
    """Age bands in age order; other breakdowns largest first, suppressed last."""
    label = row["breakdown_value"] or ""
    if breakdown == "age_band":
        digits = "".join(ch if ch.isdigit() else " " for ch in label).split()
        start = -1 if label.startswith(("<", "under")) else int(digits[0]) if digits else 999
        return (start, label)
    value = row["value"]
    return (value is None, -(value or 0), label)


def _key_figures(cells: _Cells, area: str, indicators: Sequence[str], year: int) -> list[dict[str, str]]:
    figures = []
    for indicator in indicators:
        row = _latest_cell(cells.total(indicator, area), year)
        if row is None:
            continue
        figures.append(
            {
                "name": cells.names[indicator],
                "year": str(row["year"]),
                "value": format_value(row["value"], row["unit"], symbol=":" if row["suppressed"] else ".."),
                "persons": _persons_short(row),
                "suppressed": "ja" if row["suppressed"] else "",
            }
        )
    return figures


def _latest_cell(series: dict[int, dict[str, Any]], year: int) -> dict[str, Any] | None:
    """The figure of `year`, else of the latest year before it (some indicators lag a year)."""
    years = [y for y in series if y <= year]
    return series[max(years)] if years else None


def _persons_short(row: dict[str, Any]) -> str:
    persons = row.get("persons")
    if row.get("suppressed") or persons is None:
        return ""
    return f"{format_count(persons)} {'utlysn.' if row.get('counts_postings') else 'pers.'}"


def _families(inputs: ReleaseInputs, present: set[str]) -> list[tuple[str, list[str]]]:
    """(family, its indicators) in the report's order; indicators by name within a family."""
    by_family: dict[str, list[str]] = {}
    for indicator, meta in inputs.indicator_meta.items():
        if indicator in present:
            by_family.setdefault(str(meta["topic"]), []).append(indicator)
    return [
        (family, sorted(indicators, key=lambda i: str(inputs.indicator_meta[i]["indicator_name"])))
        for family, indicators in sorted(by_family.items(), key=lambda f: inputs.labels.family_rank(f[0]))
    ]


def build_context(
    *,
    table: pl.DataFrame,
    goals: list[dict[str, Any]],
    inputs: ReleaseInputs,
    gate: GateSummary,
    suppression: SuppressionSummary,
    reference_year: int,
    input_hash: str,
    plan: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Everything the template shows, computed here so the template stays declarative."""
    charts.reset_ids()
    postings = frozenset(i for i, m in inputs.indicator_meta.items() if m["coverage_rule"] == "postings")
    cells = _Cells(table, postings, BARS)
    region_codes = set(table.filter(pl.col("area_type") == "region")["area_code"].unique().to_list())
    present_regions = [code for code in inputs.regions if code in region_codes]
    municipalities = sorted(set(table.filter(pl.col("area_type") == "municipality")["area_code"].unique().to_list()))
    # The report is the county's: with regions present, it shows their municipalities;
    # municipalities elsewhere stay in the data files but get no section here.
    members = inputs.region_members
    in_regions = {m for r in present_regions for m in members.get(r, ())}
    if in_regions:
        municipalities = [m for m in municipalities if m in in_regions]
    years = sorted(set(table["year"].to_list()))
    delivered = set(
        table.filter((pl.col("area_type") == "municipality") & (pl.col("year") == reference_year))["area_code"]
        .unique()
        .to_list()
    )
    families = _families(inputs, set(cells.units))

    regions = []
    for region in present_regions:
        name = inputs.area_name("region", region)
        comparison = NORDLAND_REGION if region != NORDLAND_REGION and NORDLAND_REGION in present_regions else None
        section = AreaSection(
            f"region-{region}", name, "region", subtitle=_members_text(inputs, region, delivered, reference_year)
        )
        for family, indicators in families:
            trend = [i for i in indicators if i not in BARS]
            topic_charts = _area_charts(
                cells, inputs, region, name, trend, comparison, inputs.area_name("region", comparison or "")
                if comparison else None
            )
            for indicator in indicators:
                if indicator in BARS:
                    chart = _bar_chart(cells, region, name, indicator, BARS[indicator], reference_year)
                    if chart:
                        topic_charts.append(chart)
            if topic_charts:
                section.topics.append(
                    {
                        "slug": family,
                        "title": inputs.labels.family(family),
                        "intro": FAMILY_INTRO_NB.get(family, ""),
                        "charts": topic_charts,
                    }
                )
        regions.append(section)

    plans = {str(p["code"]): p for p in plan}  # competence.plan_sections: disclosure applied there
    municipality_sections = []
    for code in municipalities:
        name = inputs.area_name("municipality", code)
        home = _home_region(code, members)
        home_name = inputs.area_name("region", home) if home else None
        section = AreaSection(
            f"kommune-{code}",
            name,
            "municipality",
            subtitle=f"Kommunenummer {code}" + (f" · {home_name}" if home_name else ""),
        )
        section.charts = _area_charts(cells, inputs, code, name, MUNICIPALITY_HEADLINES, home, home_name, width=300)
        age = _bar_chart(cells, code, name, "age_distribution", "age_band", reference_year)
        if age:
            section.charts.append(age)
        section.key_figures = _key_figures(cells, code, MUNICIPALITY_HEADLINES, reference_year)
        section.plan = plans.get(code)
        municipality_sections.append(section)

    summary_rows = []
    summary_columns = [c for c in SUMMARY_COLUMNS if c in cells.units]
    for area_type, codes in (("region", present_regions), ("municipality", municipalities)):
        for code in codes:
            values = []
            for indicator in summary_columns:
                row = _latest_cell(cells.total(indicator, code), reference_year)
                if row is None:
                    values.append({"text": "..", "persons": "", "suppressed": False})
                else:
                    shown = format_value(row["value"], row["unit"], symbol=":" if row["suppressed"] else "..")
                    values.append(
                        {
                            "text": shown + ("" if row["year"] == reference_year else f" ({row['year']})"),
                            "persons": _persons_short(row),
                            "suppressed": bool(row["suppressed"]),
                        }
                    )
            summary_rows.append(
                {
                    "name": inputs.area_name(area_type, code),
                    "kind": area_type,
                    "anchor": f"{'region' if area_type == 'region' else 'kommune'}-{code}",
                    "values": values,
                }
            )

    goal_items = []
    for goal in goals:
        unit = goal["unit"]
        svg = charts.goal_chart(
            title=f"{goal['goal_text']} – {goal['area_name']}",
            unit=unit,
            baseline_year=goal["baseline_year"],
            baseline=goal["baseline_value"],
            latest_year=goal["latest_year"],
            latest=goal["latest_value"],
            target_year=goal["target_year"],
            target=None if goal["direction_only"] else goal["target_value"],
        ) if goal["target_year"] is not None else ""
        goal_items.append({**goal, "svg": Markup(svg), "progress": _goal_progress(goal, unit)})

    definitions = [
        {
            "id": i,
            "name": m["indicator_name"],
            "definition": m["definition"],
            "unit": inputs.labels.unit(m["unit"]),
            "family": inputs.labels.family(m["topic"]),
            "source": m["source"],
        }
        for family, indicators in families
        for i in indicators
        for m in (inputs.indicator_meta[i],)
    ]
    bases = sorted({b for b in table["basis"].unique().to_list() if b})

    deliveries_by_municipality: dict[str, dict[str, Any]] = {}
    for delivery in inputs.deliveries:
        if str(delivery["outcome"]) != "loaded":
            continue
        code = str(delivery["municipality_code"] or "")
        # a delivery under a code that no longer exists (Hamarøy's 1849 before 2020) has no name in the marts
        name = inputs.municipality_names.get(code, "Tidligere kommunenummer")
        entry = deliveries_by_municipality.setdefault(code, {"name": name, "code": code, "count": 0, "latest": ""})
        entry["count"] += 1
        entry["latest"] = max(entry["latest"], str(delivery["extraction_date"] or ""))

    coverage = []
    for region in present_regions:
        region_members = inputs.regions[region].members
        coverage.append(
            f"{format_count(len(delivered & set(region_members)))} av {format_count(len(region_members))} kommuner "
            f"i {inputs.area_name('region', region)} har levert tall for {reference_year}."
        )

    return {
        "title": "Bemanning og rekruttering i kommunene",
        "subtitle": ", ".join(inputs.area_name("region", r) for r in present_regions if r != NORDLAND_REGION)
        or "Nordland",
        "reference_year": reference_year,
        "first_year": years[0] if years else reference_year,
        "input_hash": input_hash[:12],
        "demo": inputs.uses_demo_figures,
        "demo_banner": DEMO_BANNER,
        "summary_columns": [cells.names[c] for c in summary_columns],
        "summary_rows": summary_rows,
        "regions": regions,
        "municipalities": municipality_sections,
        "goals": goal_items,
        "gate": gate,
        "gate_warnings": gate.failed_warn,
        "suppression": suppression,
        "suppression_text": suppression.rule.describe_nb(),
        "counts": {
            "published": format_count(suppression.cells - suppression.suppressed),
            "suppressed": format_count(suppression.suppressed),
            "primary": format_count(suppression.primary),
            "secondary": format_count(suppression.secondary),
            "cells": format_count(suppression.cells),
        },
        "reading_rules": READING_RULES_NB,
        "plan_reading": PLAN_READING_NB,
        "change_persons": CHANGE_PERSONS,
        "coverage": coverage,
        "bases": {b: inputs.labels.basis(b) for b in bases},
        "definitions": definitions,
        "ssb_credit": SSB_CREDIT,
        "ssb_tables": _ssb_tables(inputs),
        "deliveries": sorted(deliveries_by_municipality.values(), key=lambda d: d["code"]),
        "n_municipalities": len(municipalities),
    }


# Where the warehouse's copy of an SSB table came from (audit.ssb_fetches.source), for the reader.
SSB_SOURCE_NB = {
    "live": "hentet fra SSB",
    "cache": "hentet fra SSB (lagret kopi)",
    "snapshot": "kopi som følger med programmet",
    "demo": "demotall",
}
KLASS_NUMBER, KLASS_TITLE = "KLASS 131", "Standard for kommuneinndeling"


def _ssb_tables(inputs: ReleaseInputs) -> list[dict[str, Any]]:
    """SSB's tables by number and SSB's own Norwegian title (pipelines/ssb/catalogue.toml), not
    the warehouse's short names, with where the copy came from in words."""
    from pipelines.ssb.catalogue import load_catalogue
    from pipelines.ssb.load import KLASS_TABLE_ID

    titles = {spec.table_id: spec.title for spec in load_catalogue().tables.values()}
    titles[KLASS_TABLE_ID] = KLASS_TITLE
    return [
        {
            **fetch,
            "number": KLASS_NUMBER if fetch["table_id"] == KLASS_TABLE_ID else str(fetch["table_id"]),
            "title": titles.get(str(fetch["table_id"]), ""),
            "source_nb": SSB_SOURCE_NB.get(str(fetch["source"]), str(fetch["source"])),
        }
        for fetch in inputs.ssb_fetches
    ]


def _members_text(inputs: ReleaseInputs, region: str, delivered: set[str], year: int) -> str:
    members = inputs.regions[region].members
    have = [m for m in members if m in delivered]
    name = inputs.area_name("region", region)
    text = f"{format_count(len(have))} av {format_count(len(members))} kommuner i {name} har levert tall for {year}"
    if have and len(have) <= 12:
        text += ": " + ", ".join(inputs.area_name("municipality", m) for m in have)
    return text + "."


def _goal_progress(goal: dict[str, Any], unit: str) -> str:
    """'Utgangspunkt 58,2 % (2019) → siste 61,0 % (2025) → mål 70,0 % innen 2030.'"""
    def shown(key: str) -> str:
        return format_value(goal[f"{key}_value"], unit, symbol=goal[f"{key}_symbol"] or "..")

    baseline = f"{shown('baseline')} ({goal['baseline_year']})" if goal["baseline_year"] is not None else ".."
    latest = f"{shown('latest')} ({goal['latest_year']})" if goal["latest_year"] is not None else ".."
    target = goal_target_text(goal, shown("target"))
    return f"Utgangspunkt {baseline} → siste {latest} → mål: {target}."


def render_report(context: dict[str, Any]) -> str:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["nb_date"] = format_date
    return environment.get_template("report.html").render(**context)


def write_report(path: Path, **kwargs: Any) -> Path:
    path.write_text(render_report(build_context(**kwargs)), encoding="utf-8")
    return path
