"""Make a county release: gate, suppress, export, report, manifest — all or nothing.

A release is refused, with every reason listed, when the quality gate has a blocking
failure or has never run. Otherwise it is written into a hidden temporary folder beside
the releases and renamed into place in one step, so the releases folder only ever holds
complete releases: a refused or failed release leaves nothing behind.

The release id is `<UTC time>-<first 8 hex of the input hash>`, e.g.
`2025-11-23T101500Z-3fa9c2d1`: sortable by time, and two releases of the same inputs
share the suffix. `year` is the reference year: the release holds every year up to it
(trends need history); by default the latest year in the data.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipelines.processes import process_gone
from pipelines.quality.gate import GateSummary, evaluate
from pipelines.release import exporters
from pipelines.release.competence import load_plan, plan_sections
from pipelines.release.disclosure import DisclosureRule, suppress
from pipelines.release.errors import ReleaseError, ReleaseRefusedError
from pipelines.release.inputs import ReleaseInputs, load_inputs
from pipelines.release.labels import format_count, format_date
from pipelines.release.manifest import write_manifest
from pipelines.release.report import READING_RULES_NB, SSB_CREDIT, write_report
from pipelines.release.table import published_goals, published_table
from pipelines.settings import Settings

DATA_FILES = ("indicators.csv", "indicators_comma.csv", "indicators.parquet", "indicators.json", "indicators.xlsx")


def _metadata(
    inputs: ReleaseInputs,
    reference_year: int,
    years: list[int],
    input_hash: str,
    rule: DisclosureRule,
    counts: dict[str, int],
) -> dict:
    """Fixed facts about the release (no timestamps: they would break byte-identical files)."""
    return {
        "title": "Bemanningsindikatorer for kommunene i Nordland",
        "reference_year": reference_year,
        "years": years,
        "input_hash": input_hash,
        "credit": SSB_CREDIT,
        "ssb_tables": inputs.ssb_sources,
        "demo_figures": inputs.uses_demo_figures,
        "suppression_rule": rule.as_dict(),
        "suppression_rule_nb": rule.describe_nb(),
        "suppressed_cells": counts,
        "symbols": {":": "prikket av personvernhensyn", "..": "tall mangler"},
    }


def _metadata_rows(metadata: dict) -> list[tuple[str, str]]:
    tables = (
        ", ".join(
            f"{t['table_id']} ({'oppdatert ' + format_date(t['updated']) if t['updated'] else 'dato ikke oppgitt'}"
            f"{', DEMOTALL' if t['source'] == 'demo' else ''})"
            for t in metadata["ssb_tables"]
        )
        or "ingen"
    )
    counts = metadata["suppressed_cells"]
    rows = [
        ("Tittel", metadata["title"]),
        ("Referanseår", str(metadata["reference_year"])),
        ("År med tall", f"{metadata['years'][0]}–{metadata['years'][-1]}" if metadata["years"] else ""),
        ("Kilde", f"{SSB_CREDIT}. HR-tall fra kommunenes egne uttrekk."),
        ("SSB-tabeller", tables),
        ("Prikking", metadata["suppression_rule_nb"]),
        (
            "Prikkede tall",
            f"{format_count(counts['primary'])} primært, {format_count(counts['secondary'])} sekundært, "
            f"av {format_count(counts['cells'])} tall",
        ),
        (
            "Tegnforklaring",
            ": = prikket av personvernhensyn; .. = tall mangler. «Personer / utlysninger»: hvor mange personer "
            "tallet bygger på; for rekrutteringstallene (utlysninger) hvor mange utlysninger.",
        ),
        ("Slik leser du tallene", READING_RULES_NB),
        ("Datagrunnlag (sha256)", metadata["input_hash"]),
    ]
    if metadata["demo_figures"]:
        rows.insert(0, ("ADVARSEL", "Demotall – ikke SSBs tall. Tall som bygger på SSB-tabeller må ikke brukes."))
    return rows


def _created_date(inputs: ReleaseInputs, reference_year: int) -> datetime:
    """The workbook's creation date, taken from the inputs so it is the same every time."""
    dates = [str(d.get("extraction_date")) for d in inputs.deliveries if d.get("extraction_date")]
    if dates:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(max(dates)[:10])
            return datetime(day.year, day.month, day.day)
    return datetime(reference_year + 1, 1, 1)


def _release_id(created_at: datetime, input_hash: str, parent: Path) -> str:
    base = f"{created_at.strftime('%Y-%m-%dT%H%M%SZ')}-{input_hash[:8]}"
    candidate, n = base, 2
    while (parent / candidate).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


STAGING_PREFIX = ".tmp-"


def remove_abandoned_staging(parent: Path) -> list[Path]:
    """Staging folders of releases whose process was killed (`.tmp-<release id>-<pid>`, the pid
    gone): a killed release leaves its half-written folder; the next one removes it."""
    removed = []
    for path in parent.glob(f"{STAGING_PREFIX}*"):
        if path.is_dir() and process_gone(path.name.rsplit("-", 1)[-1]):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def release_gate(inputs: ReleaseInputs) -> GateSummary:
    """The gate's verdict; raises `ReleaseRefusedError` with every reason when publication is forbidden."""
    gate = evaluate(inputs.check_results)
    reasons = gate.refusal_reasons()
    if reasons:
        raise ReleaseRefusedError(reasons)
    return gate


def definitions_of(inputs: ReleaseInputs) -> list[dict]:
    """The catalogue as published: one entry per indicator, in the catalogue's words."""
    return [
        {
            "indicator_id": indicator,
            "indicator_name": meta["indicator_name"],
            "family": meta["topic"],
            "family_name": inputs.labels.family(meta["topic"]),
            "definition": meta["definition"],
            "unit": meta["unit"],
            "unit_name": inputs.labels.unit(meta["unit"]),
            "source": meta["source"],
        }
        for indicator, meta in sorted(
            inputs.indicator_meta.items(),
            key=lambda item: (inputs.labels.family_rank(item[1]["topic"]), str(item[1]["indicator_name"])),
        )
    ]


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a release is made.

    A release builds millions of small tuples, dicts and strings (rows, equations, sheet cells)
    and makes no reference cycles worth collecting; the collector's full passes over that heap
    cost ~0.6 CPU-s of a demo release (docs/scaling.md). Reference counting still frees
    everything as usual; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_release(
    settings: Settings,
    db_path: Path,
    year: int | None = None,
    out: Path | None = None,
    *,
    rule: DisclosureRule | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build a release from the warehouse at `db_path`; returns its folder.

    `out` is the folder that receives releases (default `WORKFORCE_HOME/releases`).
    `progress` receives one Norwegian line per step (the CLI prints them).
    """
    with _without_cycle_collection():
        return _make_release(settings, db_path, year, out, rule=rule, now=now, progress=progress)


def _make_release(
    settings: Settings,
    db_path: Path,
    year: int | None,
    out: Path | None,
    *,
    rule: DisclosureRule | None,
    now: datetime | None,
    progress: Callable[[str], None] | None,
) -> Path:
    say = progress or (lambda _line: None)
    started = time.monotonic()
    rule = rule or DisclosureRule.from_env()
    inputs = load_inputs(db_path)
    say(f"Leste {format_count(inputs.indicators.height)} tall fra {db_path}.")
    gate = release_gate(inputs)
    say(f"Kvalitetsporten er åpen: {gate.passed} av {gate.total} kontroller bestått, "
        f"{len(gate.failed_warn)} advarsler.")
    if inputs.uses_demo_figures:
        say("ADVARSEL: minst én SSB-tabell er demotall, ikke SSBs tall. Utgivelsen er merket med det.")

    all_years = sorted(inputs.indicators["year"].unique().to_list())
    if not all_years:
        raise ReleaseError("marts.fct_indicators er tom; det er ingenting å utgi.")
    reference_year = all_years[-1] if year is None else int(year)
    if reference_year not in all_years:
        raise ReleaseError(
            f"Det finnes ingen tall for {reference_year}; tallene dekker {all_years[0]}–{all_years[-1]}."
        )
    inputs.indicators = inputs.indicators.filter(pl.col("year") <= reference_year)
    years = [y for y in all_years if y <= reference_year]
    input_hash = inputs.fingerprint({"rule": rule.as_dict(), "reference_year": reference_year})

    suppressed, summary = suppress(inputs.indicators, rule, inputs.region_members)
    # From here on the figures are `suppressed` (then `table`): the raw ones are not kept
    # beside them (a national release holds 1.5 million figures).
    inputs.indicators = inputs.indicators.clear()
    say(
        f"Prikking: {format_count(summary.primary)} tall primært og {format_count(summary.secondary)} sekundært, "
        f"av {format_count(summary.cells)}."
    )
    table = published_table(suppressed, inputs)
    del suppressed
    goals = published_goals(inputs, table, reference_year)
    counts = {"cells": summary.cells, "primary": summary.primary, "secondary": summary.secondary}
    metadata = _metadata(inputs, reference_year, years, input_hash, rule, counts)
    definitions = definitions_of(inputs)
    plan = load_plan(db_path, rule, reference_year, table)

    parent = (out or settings.releases_dir).expanduser().resolve()
    created_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(parent)
    created_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    release_id = _release_id(created_at, input_hash, parent)
    staging = parent / f"{STAGING_PREFIX}{release_id}-{os.getpid()}"
    # What both the report and the manifest state about this release.
    facts = {
        "inputs": inputs,
        "gate": gate,
        "suppression": summary,
        "reference_year": reference_year,
        "input_hash": input_hash,
    }
    try:
        staging.mkdir()
        exporters.write_csvs(table, semicolon=staging / "indicators.csv", comma=staging / "indicators_comma.csv")
        exporters.write_parquet(table, staging / "indicators.parquet")
        exporters.write_json(
            table, staging / "indicators.json", metadata=metadata, definitions=definitions, goals=goals
        )
        exporters.write_xlsx(
            table,
            staging / "indicators.xlsx",
            plan=plan,
            metadata_rows=_metadata_rows(metadata),
            definitions=definitions,
            goals=goals,
            created=_created_date(inputs, reference_year),
            labels=inputs.labels,
        )
        write_report(staging / "report.html", table=table, goals=goals, plan=plan_sections(plan), **facts)
        write_manifest(staging, release_id=release_id, created_at=created_at, years=years, **facts)
        target = parent / release_id
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_parent:
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    for path in sorted(target.iterdir()):
        say(f"Skrev {path.name} ({_size(path.stat().st_size)}).")
    say(f"Utgivelsen {release_id} er ferdig på {time.monotonic() - started:.1f} s: {target}")
    return target


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1000))} kB"
