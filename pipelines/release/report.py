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

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.release import charts
from pipelines.release.charts import PALETTE, Bar, Point, Series
from pipelines.release.disclosure import SuppressionSummary
from pipelines.release.gate import GateSummary
from pipelines.release.inputs import NORDLAND_REGION, REGION_NAMES_NB, ReleaseInputs
from pipelines.release.labels import FAMILY_NB, UNIT_NB, family_nb, format_date, format_number, format_value, value_nb

TEMPLATES = Path(__file__).resolve().parent / "templates"
SSB_CREDIT = "Kilde: Statistisk sentralbyrå (SSB), CC BY 4.0"
DEMO_BANNER = "Demotall – ikke SSBs tall"


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    intro: str
    indicators: tuple[str, ...]
    bars: tuple[tuple[str, str], ...] = ()  # (indicator, breakdown) drawn as bars for the latest year


TOPICS = (
    Topic(
        "heltid",
        "Heltid",
        "Hvor mange som jobber fulle stillinger, og hvor store stillingene er.",
        ("fulltime_share", "avg_position_size", "fulltime_share_new_hires", "short_parttime_share", "fte"),
    ),
    Topic(
        "turnover",
        "Turnover og stabilitet",
        "Hvor mange som slutter, og hvor lenge nyansatte blir.",
        (
            "turnover",
            "sector_turnover",
            "turnover_excl_retirement",
            "regional_retention",
            "retention_12m",
            "retention_24m",
            "median_tenure_years",
            "temporary_share",
        ),
    ),
    Topic(
        "nokkel",
        "Nøkkelstillinger",
        "Ledere og fagfolk det er vanskelig å erstatte.",
        ("key_turnover", "key_vacancy_days", "key_cost_per_hire", "key_readvertised_share", "key_median_tenure_years"),
    ),
    Topic(
        "rekruttering",
        "Rekruttering – tid og kostnad",
        "Hvor lang tid og hvor mye det koster å besette en stilling.",
        ("time_to_fill_days", "cost_per_hire", "applicants_per_posting", "qualified_per_posting"),
    ),
    Topic(
        "larlinger",
        "Lærlinger",
        "Om kommunene ansetter lærlingene de selv har utdannet.",
        ("apprentice_conversion_12m", "own_apprentice_hire_share"),
    ),
    Topic(
        "alder",
        "Alder og pensjonsbølge",
        "Aldersprofilen og hvor mange som når pensjonsalder de neste årene.",
        (
            "retirement_wave_5y",
            "retirement_wave_10y",
            "age_dissimilarity",
            "gender_dissimilarity",
            "women_share",
            "employees_per_1000",
        ),
        bars=(("age_distribution", "age_band"), ("retirement_wave_5y", "service_area")),
    ),
    Topic(
        "fellesfunksjoner",
        "Sårbarhet i fellesfunksjoner",
        "Funksjoner som HR, lønn og regnskap: én oppsigelse kan stoppe tjenesten der én person bærer den.",
        ("single_person_functions", "function_age_risk"),
        bars=(("function_fte", "function_family"),),
    ),
)
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
    "fulltime_share",
    "turnover",
    "key_turnover",
    "time_to_fill_days",
    "key_cost_per_hire",
    "apprentice_conversion_12m",
)
# Where up is good (for the words in summaries); indicators not listed get neutral words.
UP_IS_GOOD = {
    "fulltime_share": True,
    "avg_position_size": True,
    "fulltime_share_new_hires": True,
    "short_parttime_share": False,
    "turnover": False,
    "sector_turnover": False,
    "turnover_excl_retirement": False,
    "key_turnover": False,
    "retention_12m": True,
    "retention_24m": True,
    "time_to_fill_days": False,
    "key_vacancy_days": False,
    "cost_per_hire": False,
    "key_cost_per_hire": False,
    "apprentice_conversion_12m": True,
    "own_apprentice_hire_share": True,
    "single_person_functions": False,
}


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


class _Cells:
    """Fast lookups into the published table."""

    def __init__(self, table: pl.DataFrame) -> None:
        self.series: dict[tuple[str, str, str, str], dict[int, dict[str, Any]]] = {}
        self.units: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for row in table.select(
            "indicator_id",
            "indicator_name",
            "area_code",
            "year",
            "breakdown",
            "breakdown_value",
            "value",
            "unit",
            "suppressed",
        ).iter_rows(named=True):
            key = (row["indicator_id"], row["area_code"], row["breakdown"], row["breakdown_value"] or "")
            self.series.setdefault(key, {})[row["year"]] = row
            self.units[row["indicator_id"]] = row["unit"]
            self.names[row["indicator_id"]] = row["indicator_name"]
        self.by_breakdown: dict[tuple[str, str, str], list[dict[int, dict[str, Any]]]] = {}
        for (indicator, area, breakdown, _), cells in self.series.items():
            self.by_breakdown.setdefault((indicator, area, breakdown), []).append(cells)

    def total(self, indicator: str, area: str) -> dict[int, dict[str, Any]]:
        return (
            self.series.get((indicator, area, "total", "total"))
            or self.series.get((indicator, area, "total", ""))
            or {}
        )

    def breakdown(self, indicator: str, area: str, breakdown: str, year: int) -> list[dict[str, Any]]:
        return [cells[year] for cells in self.by_breakdown.get((indicator, area, breakdown), []) if year in cells]


def _points(cells: dict[int, dict[str, Any]]) -> list[Point]:
    return [Point(year, row["value"], bool(row["suppressed"])) for year, row in sorted(cells.items())]


def trend_sentence(name: str, unit: str, cells: dict[int, dict[str, Any]], up_is_good: bool | None) -> str:
    """One plain sentence about the latest figure and the change since the year before."""
    if not cells:
        return "Ingen tall."
    years = sorted(cells)
    latest_year = years[-1]
    latest = cells[latest_year]
    if latest["value"] is None:
        if latest["suppressed"]:
            return f"Tallet for {latest_year} er prikket fordi det bygger på for få personer."
        return f"Tall for {latest_year} mangler."
    text = f"{name} var {format_value(latest['value'], unit)} i {latest_year}"
    previous = cells.get(latest_year - 1)
    if previous is None or previous["value"] is None:
        return text + "."
    diff = latest["value"] - previous["value"]
    if unit == "share":
        amount = f"{format_number(abs(diff) * 100, 1)} prosentpoeng"
        small = abs(diff) < 0.005
    else:
        amount = format_value(abs(diff), unit)
        small = abs(diff) < 1e-9 or (previous["value"] and abs(diff / previous["value"]) < 0.01)
    if small:
        return text + f", omtrent som året før ({format_value(previous['value'], unit)})."
    direction = "opp" if diff > 0 else "ned"
    judgement = ""
    if up_is_good is not None:
        judgement = " – en forbedring" if (diff > 0) == up_is_good else " – en forverring"
    return text + f", {direction} {amount} fra {latest_year - 1}{judgement}."


def _home_region(code: str, members: dict[str, tuple[str, ...]]) -> str | None:
    """The smallest region a municipality belongs to (Ytre Lofoten before Lofoten before Nordland)."""
    regions = sorted((len(m), r) for r, m in members.items() if code in m)
    return regions[0][1] if regions else None


def _area_charts(
    cells: _Cells,
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
        if comparison and comparison_name and unit != "count":  # sizes of different areas do not compare
            other = cells.total(indicator, comparison)
            if other:
                series.append(Series(comparison_name, _points(other), PALETTE[6], False))
        svg = charts.line_chart(series, unit, title=f"{name} – {area_name}", width=width)
        out.append(Chart(name, Markup(svg), trend_sentence(name, unit, own, UP_IS_GOOD.get(indicator)), indicator))
    return out


def _bar_charts(cells: _Cells, area: str, area_name: str, topic: Topic, year: int) -> list[Chart]:
    out = []
    for indicator, breakdown in topic.bars:
        rows = cells.breakdown(indicator, area, breakdown, year)
        if not rows:
            continue
        unit = cells.units[indicator]
        name = cells.names[indicator]
        rows.sort(key=lambda r: _bar_order(breakdown, r))
        bars = [Bar(value_nb(r["breakdown_value"]), r["value"], bool(r["suppressed"])) for r in rows]
        svg = charts.bar_chart(bars, unit, title=f"{name} {year} – {area_name}", color=PALETTE[4])
        hidden = sum(1 for b in bars if b.suppressed)
        text = f"Fordelt på {len(bars)} grupper i {year}."
        if hidden:
            text += f" {hidden} av dem er prikket."
        out.append(Chart(f"{name}, {year}", Markup(svg), text, indicator))
    return out


def _bar_order(breakdown: str, row: dict[str, Any]) -> tuple:
    """Age bands in age order; other breakdowns largest first, suppressed last."""
    label = row["breakdown_value"] or ""
    if breakdown == "age_band":
        digits = "".join(ch if ch.isdigit() else " " for ch in label).split()
        start = -1 if label.startswith("<") else int(digits[0]) if digits else 999
        return (start, label)
    value = row["value"]
    return (value is None, -(value or 0), label)


def _key_figures(cells: _Cells, area: str, indicators: Sequence[str], year: int) -> list[dict[str, str]]:
    figures = []
    for indicator in indicators:
        series = cells.total(indicator, area)
        if year not in series:
            continue
        row = series[year]
        figures.append(
            {
                "name": cells.names[indicator],
                "value": format_value(row["value"], row["unit"], symbol=":" if row["suppressed"] else ".."),
                "suppressed": "ja" if row["suppressed"] else "",
            }
        )
    return figures


def build_context(
    *,
    table: pl.DataFrame,
    goals: list[dict[str, Any]],
    inputs: ReleaseInputs,
    gate: GateSummary,
    suppression: SuppressionSummary,
    reference_year: int,
    input_hash: str,
) -> dict[str, Any]:
    """Everything the template shows, computed here so the template stays declarative."""
    charts.reset_ids()
    cells = _Cells(table)
    present_regions = [
        r
        for r in ("salten", "outer_lofoten", "lofoten", NORDLAND_REGION)
        if r in set(table.filter(pl.col("area_type") == "region")["area_code"].to_list())
    ]
    present_regions += sorted(
        set(table.filter(pl.col("area_type") == "region")["area_code"].to_list()) - set(present_regions)
    )
    municipalities = sorted(set(table.filter(pl.col("area_type") == "municipality")["area_code"].to_list()))
    # The report is the county's: with regions present, it shows their municipalities (all of
    # Nordland's); municipalities elsewhere stay in the data files but get no section here.
    in_regions = {m for r in present_regions for m in inputs.region_members.get(r, ())}
    if in_regions:
        municipalities = [m for m in municipalities if m in in_regions]
    years = sorted(set(table["year"].to_list()))

    regions = []
    for region in present_regions:
        name = REGION_NAMES_NB.get(region, region)
        comparison = NORDLAND_REGION if region != NORDLAND_REGION and NORDLAND_REGION in present_regions else None
        section = AreaSection(
            f"region-{region}", name, "region", subtitle=_members_text(inputs, region, municipalities)
        )
        for topic in TOPICS:
            topic_charts = _area_charts(
                cells, region, name, topic.indicators, comparison, REGION_NAMES_NB.get(comparison or "", None)
            )
            topic_charts += _bar_charts(cells, region, name, topic, reference_year)
            if topic_charts:
                section.topics.append(
                    {"slug": topic.slug, "title": topic.title, "intro": topic.intro, "charts": topic_charts}
                )
        regions.append(section)

    municipality_sections = []
    for code in municipalities:
        name = inputs.area_name("municipality", code)
        home = _home_region(code, inputs.region_members)
        home_name = REGION_NAMES_NB.get(home or "", None)
        section = AreaSection(
            f"kommune-{code}",
            name,
            "municipality",
            subtitle=f"Kommunenummer {code}" + (f" · {home_name}" if home_name else ""),
        )
        section.charts = _area_charts(cells, code, name, MUNICIPALITY_HEADLINES, home, home_name, width=300)
        for topic in TOPICS:
            if topic.slug == "alder":
                section.charts += _bar_charts(cells, code, name, topic, reference_year)[:1]
        section.key_figures = _key_figures(cells, code, MUNICIPALITY_HEADLINES, reference_year)
        municipality_sections.append(section)

    summary_rows = []
    summary_columns = [c for c in SUMMARY_COLUMNS if c in cells.units]
    for area_type, codes in (("region", present_regions), ("municipality", municipalities)):
        for code in codes:
            values = []
            for indicator in summary_columns:
                row = cells.total(indicator, code).get(reference_year)
                if row is None:
                    values.append({"text": ".", "suppressed": False})
                else:
                    values.append(
                        {
                            "text": format_value(row["value"], row["unit"], symbol=":" if row["suppressed"] else ".."),
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
        unit = goal["unit"] or "share"
        svg = charts.goal_chart(
            title=f"{goal['indicator_name']} – {goal['area_name']}",
            unit=unit,
            baseline_year=goal["baseline_year"],
            baseline=goal["baseline_value"],
            latest_year=goal["latest_year"],
            latest=goal["latest_value"],
            target_year=goal["target_year"],
            target=goal["target_value"],
        )
        goal_items.append({**goal, "svg": Markup(svg), "text": _goal_text(goal, unit)})

    definitions = [
        {
            "id": i,
            "name": (m.get("name_nb") or i),
            "definition": m.get("definition_nb") or "",
            "unit": UNIT_NB.get(m.get("unit") or "", m.get("unit") or ""),
            "family": family_nb(m.get("family")),
            "source": m.get("source") or "",
        }
        for i, m in sorted(
            inputs.indicator_meta.items(),
            key=lambda item: (_family_rank(item[1].get("family")), str(item[1].get("name_nb") or item[0])),
        )
        if i in cells.units
    ]
    definitions += [
        {"id": i, "name": i, "definition": "", "unit": UNIT_NB.get(u, u), "family": "", "source": ""}
        for i, u in sorted(cells.units.items())
        if i not in inputs.indicator_meta
    ]

    deliveries_by_municipality: dict[str, dict[str, Any]] = {}
    for delivery in inputs.deliveries:
        if str(delivery.get("outcome") or "loaded") != "loaded":
            continue
        code = str(delivery.get("municipality_code") or "")
        entry = deliveries_by_municipality.setdefault(
            code, {"name": inputs.area_name("municipality", code), "code": code, "count": 0, "latest": ""}
        )
        entry["count"] += 1
        entry["latest"] = max(entry["latest"], str(delivery.get("extraction_date") or ""))

    return {
        "title": "Bemanning og rekruttering i kommunene",
        "subtitle": ", ".join(REGION_NAMES_NB.get(r, r) for r in present_regions if r != NORDLAND_REGION) or "Nordland",
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
        "published_cells": suppression.cells - suppression.suppressed,
        "definitions": definitions,
        "ssb_credit": SSB_CREDIT,
        "ssb_tables": inputs.ssb_fetches,
        "deliveries": sorted(deliveries_by_municipality.values(), key=lambda d: d["code"]),
        "n_municipalities": len(municipalities),
    }


def _family_rank(family: str | None) -> int:
    order = list(FAMILY_NB)
    return order.index(family) if family in order else len(order)


def _members_text(inputs: ReleaseInputs, region: str, present: list[str]) -> str:
    members = [m for m in inputs.region_members.get(region, ()) if m in present]
    if not members:
        return ""
    names = [inputs.area_name("municipality", m) for m in members]
    return f"{len(names)} kommuner: " + ", ".join(names)


def _goal_text(goal: dict[str, Any], unit: str) -> str:
    if goal["latest_value"] is None or goal["baseline_value"] is None:
        return "Tallene bak målet er prikket eller mangler, så framdriften vises ikke."
    text = (
        f"Fra {format_value(goal['baseline_value'], unit)} i {goal['baseline_year']} til "
        f"{format_value(goal['latest_value'], unit)} i {goal['latest_year']}; målet er "
        f"{format_value(goal['target_value'], unit)} innen {goal['target_year']}."
    )
    if goal["on_track"] is True:
        text += " Utviklingen er i rute."
    elif goal["on_track"] is False:
        text += " Utviklingen er ikke i rute."
    return text


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
