"""Quality reports people can read: one per run, and one per municipality that delivered.

The run report (`quality/<run_id>/index.html`) says what passed, what failed and shows
examples of failing rows; the municipality feedback (`quality/<run_id>/kommune_<code>.html`)
tells that municipality's HR office what in its export to fix, from the quarantine reasons
and the failed contract checks. Both are built from `audit.check_results` and the ledger, so
a Dagster run (checks in several steps) and the CLI gate render the same way. Text is
Norwegian bokmål; examples are pseudonymised (keys shortened, never a national id).
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.quality.reconciliation import CHECKS
from pipelines.quality.references import MUNICIPALITIES_CSV, table_exists
from pipelines.quality.results import CheckResult, dbt_test_catalog, run_results, scrub_row
from pipelines.quality.suites import SUITES, SuiteError, expectation_name, load_suite
from pipelines.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings

KIND_LABEL = {"sql": "SQL", "gx": "Great Expectations", "dbt": "dbt-test"}
SEVERITY_LABEL = {"block": "blokkerende", "warn": "advarsel"}
OUTCOME_LABEL = {"loaded": "lastet", "rejected": "avvist", "already_loaded": "allerede lastet"}
DELIVERY_KIND_LABEL = {"employments": "arbeidsforhold", "postings": "utlysninger", "backlog": "restanser"}
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;color:#1d2327;
line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{margin-top:2rem;border-bottom:2px solid #dde3e8;padding-bottom:.2rem}
.meta{color:#5b6770}.verdict{padding:.8rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0}
.ok{background:#e6f4ea;color:#0d5223}.stop{background:#fce8e6;color:#8a1c12}.warnbox{background:#fff4e0;color:#6b4500}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #dde3e8;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f6f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.8rem;font-weight:600}
.block{background:#fce8e6;color:#8a1c12}.warn{background:#fff4e0;color:#6b4500}.pass{background:#e6f4ea;color:#0d5223}
details{margin:.2rem 0 1rem}summary{cursor:pointer;color:#34495e}code{font-size:.85rem}
@media print{details{display:block}summary{display:none}}
"""


@dataclass(frozen=True)
class CatalogEntry:
    title: str
    feedback: str | None


def _catalog(directory: Path = EXPECTATIONS_DIR) -> dict[str, CatalogEntry]:
    """Norwegian title and feedback text of every check we know, by check name."""
    entries = {c.name: CatalogEntry(c.title, c.feedback) for c in CHECKS}
    for name, (title, feedback) in dbt_test_catalog(DBT_PROJECT_DIR / "target" / "manifest.json").items():
        entries[name] = CatalogEntry(title, feedback)
    for name in SUITES:
        try:
            suite = load_suite(name, directory)
        except SuiteError:
            continue
        for exp in suite.expectations:
            meta = exp.get("meta") or {}
            entries[expectation_name(name, meta["frame"], exp)] = CatalogEntry(
                str(meta.get("title") or exp.get("type")), meta.get("feedback")
            )
    return entries


# A decimal number with more digits than a person reads ("0.6666666666666666").
LONG_DECIMAL = re.compile(r"(?<![\w.])(-?\d+)\.(\d{4,})(?![\w.])")
MUNICIPALITY_CODE = re.compile(r"^\d{4}$")


def _number(value: float) -> str:
    """A float as people read it: at most three decimals, decimal comma, no trailing zeros."""
    if math.isnan(value) or math.isinf(value):
        return "–"
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").replace(".", ",")


def _human(value: Any) -> str:
    if isinstance(value, float):
        return _number(value)
    text = "" if value is None else str(value)
    return LONG_DECIMAL.sub(lambda m: _number(float(m.group(0))), text)


def _e(value: Any) -> str:
    return html.escape(_human(value))


def is_municipality_code(code: str | None) -> bool:
    """Findings keyed by something else ("nan", "None": rows of a region) are region-level."""
    return bool(code) and bool(MUNICIPALITY_CODE.match(str(code)))


def _successors(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A former municipality code -> today's code, where the whole municipality went into one
    (Hamarøy 1849 -> 1875); split municipalities keep their own code (and page)."""
    if not table_exists(con, "raw.klass_municipality_map"):
        return {}
    try:
        rows = con.execute(
            "select historical_code, any_value(current_code) from raw.klass_municipality_map "
            "group by historical_code having count(distinct current_code) = 1"
        ).fetchall()
    except duckdb.Error:
        return {}
    return {str(old): str(new) for old, new in rows if old != new}


def _page_label(code: str, former: Sequence[str], names: dict[str, str]) -> str:
    """Today's municipality with its history: "Hábmer - Hamarøy (1875, tidligere 1849)"."""
    history = f", tidligere {', '.join(former)}" if former else ""
    name = names.get(code, "")
    return f"{name} ({code}{history})".strip()


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="nb"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    """Write atomically: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _examples_table(examples: Sequence[dict[str, Any]]) -> str:
    rows = [scrub_row(e) for e in examples if isinstance(e, dict)]
    if not rows:
        return ""
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f'<table class="examples"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _title(result: CheckResult, catalog: dict[str, CatalogEntry]) -> str:
    entry = catalog.get(result.check_name)
    return entry.title if entry else (result.title or result.check_name)


def _failure_section(results: Sequence[CheckResult], catalog: dict[str, CatalogEntry], heading: str) -> str:
    if not results:
        return f"<h2>{_e(heading)}</h2><p>Ingen.</p>"
    parts = [f"<h2>{_e(heading)} ({len(results)})</h2>"]
    for r in results:
        parts.append(
            f'<h3 class="check"><span class="badge {r.severity}">'
            f"{_e(SEVERITY_LABEL.get(r.severity, r.severity))}"
            f"</span> {_e(_title(r, catalog))}</h3>"
            "<table><tbody>"
            f"<tr><th>Sjekk</th><td><code>{_e(r.check_name)}</code></td></tr>"
            f"<tr><th>Tabell</th><td><code>{_e(r.asset)}</code></td></tr>"
            f"<tr><th>Type</th><td>{_e(KIND_LABEL.get(r.kind, r.kind))}</td></tr>"
            + (
                f"<tr><th>Gjelder</th><td>{_e(_subject(r))}</td></tr>"
                if r.subject or r.municipality_code
                else ""
            )
            + f"<tr><th>Observert</th><td>{_e(r.observed)}</td></tr>"
            f"<tr><th>Forventet</th><td>{_e(r.expected)}</td></tr>"
            f"<tr><th>Avvik</th><td>{_e(r.unexpected_count)} av {_e(r.evaluated_rows)} rader</td></tr>"
            f"<tr><th>Melding</th><td>{_e(r.message)}</td></tr>"
            "</tbody></table>"
        )
        if r.examples:
            parts.append(
                "<p><strong>Eksempler på rader som feiler:</strong></p>" + _examples_table(r.examples)
            )
    return "\n".join(parts)


def _subject(r: CheckResult) -> str:
    bits = []
    if r.municipality_code:
        bits.append(f"kommune {r.municipality_code}")
    if r.subject:
        bits.append(f"leveranse {r.subject[:12]}" if len(r.subject) == 64 else r.subject)
    return ", ".join(bits)


def _not_applicable_section(results: Sequence[CheckResult], catalog: dict[str, CatalogEntry]) -> str:
    """Checks of figures the data cannot compute yet (turnover from a first extract): recorded
    as not applicable, so a reader sees why they say nothing (issue 12)."""
    rows = "".join(
        f"<tr><td>{_e(_title(r, catalog))}</td><td><code>{_e(r.check_name)}</code></td><td>{_e(r.message)}</td></tr>"
        for r in results
        if r.message.startswith("Ikke aktuelt")
    )
    if not rows:
        return ""
    return (
        "<h2>Ikke aktuelt ennå</h2><p>Tallet kan ikke beregnes av dataene ennå; sjekken er registrert som "
        "ikke aktuell, ikke som feil. Turnover mangler for en kommunes første uttrekk og for året en "
        "sammenslåing eller deling trådte i kraft når HR-systemet ikke leverer fødselsnummer.</p>"
        "<table><thead><tr><th>Sjekk</th><th>Navn</th><th>Hvorfor</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _passed_section(results: Sequence[CheckResult], catalog: dict[str, CatalogEntry]) -> str:
    rows = "".join(
        f"<tr><td>{_e(_title(r, catalog))}</td><td><code>{_e(r.check_name)}</code></td>"
        f"<td><code>{_e(r.asset)}</code>"
        f"</td><td>{_e(KIND_LABEL.get(r.kind, r.kind))}</td><td>{_e(SEVERITY_LABEL.get(r.severity))}</td>"
        f'<td class="num">{_e(r.evaluated_rows)}</td></tr>'
        for r in results
    )
    return (
        f"<h2>Bestått ({len(results)})</h2><details><summary>Vis alle beståtte sjekker</summary>"
        "<table><thead><tr><th>Sjekk</th><th>Navn</th><th>Tabell</th><th>Type</th><th>Alvorlighet</th>"
        f"<th>Rader kontrollert</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _municipality_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    source = "raw.klass_municipality" if table_exists(con, "raw.klass_municipality") else None
    query = (
        f"select code, arg_max(name, valid_from) from {source} group by code"
        if source
        else "select code, arg_max(name, valid_from) "
        f"from read_csv('{MUNICIPALITIES_CSV}', all_varchar = true) "
        "group by code"
    )
    try:
        return {str(code): str(name) for code, name in con.execute(query).fetchall()}
    except duckdb.Error:
        return {}


def _is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    if not table_exists(con, "raw.ssb_population"):
        return False
    try:
        return bool(
            con.execute("select coalesce(bool_or(is_demo), false) from raw.ssb_population").fetchall()[0][0]
        )
    except duckdb.Error:
        return False


def write_reports(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str,
    *,
    references: Iterable[tuple[str, str]] = (),
    directory: Path = EXPECTATIONS_DIR,
) -> tuple[Path, list[Path]]:
    """Render the run report and every municipality's feedback; returns their paths."""
    results = run_results(con, run_id)
    catalog = _catalog(directory)
    names = _municipality_names(con)
    out_dir = settings.quality_dir / run_id
    blocking = [r for r in results if r.blocking_failure]
    warnings = [r for r in results if not r.passed and r.severity != "block"]
    passed = [r for r in results if r.passed]

    feedback = _write_feedback(con, out_dir, run_id, results, catalog, names)
    feedback_paths = [path for path, _ in feedback]

    when = datetime.now(UTC).astimezone().strftime("%d.%m.%Y %H:%M")
    verdict = (
        f'<div class="verdict stop">Porten er stengt: {len(blocking)} blokkerende feil. '
        "Tallene kan ikke publiseres.</div>"
        if blocking
        else '<div class="verdict ok">Porten er åpen: ingen blokkerende feil.</div>'
        if results
        else '<div class="verdict stop">Ingen sjekker ble kjørt: porten er stengt.</div>'
    )
    counts = {}
    for r in results:
        c = counts.setdefault(r.kind, [0, 0, 0])
        c[0 if r.passed else (1 if r.severity == "block" else 2)] += 1
    summary_rows = "".join(
        f'<tr><td>{_e(KIND_LABEL.get(k, k))}</td><td class="num">{v[0]}</td><td class="num">{v[1]}</td>'
        f'<td class="num">{v[2]}</td></tr>'
        for k, v in sorted(counts.items())
    )
    demo = (
        '<div class="verdict warnbox">Befolkningstallene i denne kjøringen er demotall, ikke SSBs tall.</div>'
        if _is_demo(con)
        else ""
    )
    links = "".join(f'<li><a href="{_e(path.name)}">{_e(label)}</a></li>' for path, label in feedback)
    refs = "".join(f"<li>{_e(label)}: {_e(source)}</li>" for label, source in references)
    body = (
        f'<h1>Kvalitetsrapport</h1><p class="meta">Kjøring <code>{_e(run_id)}</code> · {when}</p>'
        f"{verdict}{demo}"
        "<h2>Oppsummering</h2><table><thead><tr><th>Type sjekk</th><th>Bestått</th>"
        "<th>Feilet (blokkerende)</th>"
        f"<th>Advarsler</th></tr></thead><tbody>{summary_rows}</tbody></table>"
        + _failure_section(blocking, catalog, "Feilet – blokkerende")
        + _failure_section(warnings, catalog, "Advarsler")
        + _not_applicable_section(passed, catalog)
        + _passed_section(passed, catalog)
        + _region_section([r for r in results if not r.passed], catalog)
        + "<h2>Tilbakemelding til kommunene</h2>"
        + (f"<ul>{links}</ul>" if links else "<p>Ingen leveranser.</p>")
        + (f"<h2>Referanser</h2><ul>{refs}</ul>" if refs else "")
    )
    index = out_dir / "index.html"
    _write(index, _page(f"Kvalitetsrapport {run_id}", body))
    return index, feedback_paths


def _region_section(failed: Sequence[CheckResult], catalog: dict[str, CatalogEntry]) -> str:
    """Findings on rows of a region (no single municipality to tell): their own section, not
    a municipality page of their own."""
    items = [
        (r, info) for r in failed for code, info in r.by_municipality.items() if not is_municipality_code(code)
    ]
    if not items:
        return ""
    return (
        "<h2>Funn på regionnivå</h2><p>Disse gjelder tall for regioner (summen av flere kommuner), "
        "ikke én kommunes leveranse.</p>" + _fix_list(items, catalog)
    )


def _latest_deliveries(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Per municipality: its newest delivery of each kind, and the newest loaded one if that
    is older (a rejected re-delivery should not hide what is in use)."""
    if not table_exists(con, "audit.deliveries"):
        return {}
    cur = con.execute(
        """
        with ranked as (
         select *, row_number() over (partition by municipality_code, kind order by loaded_at desc) as newest,
                      row_number() over (partition by municipality_code, kind, outcome = 'loaded'
                                         order by loaded_at desc) as newest_of_outcome
            from audit.deliveries where municipality_code is not null
        )
        select municipality_code, kind, file_name, extraction_date, outcome, rows_read, rows_loaded,
               rows_quarantined, rows_duplicate, rows_stale, reason, delivery_sha256,
               coalesce(rows_unknown_code, 0) as rows_unknown_code, unknown_position_codes
        from ranked where newest = 1 or (outcome = 'loaded' and newest_of_outcome = 1)
        order by municipality_code, kind, loaded_at desc
        """
    )
    columns = [d[0] for d in cur.description]
    out: dict[str, list[dict[str, Any]]] = {}
    for row in cur.fetchall():
        item = dict(zip(columns, row, strict=True))
        out.setdefault(str(item["municipality_code"]), []).append(item)
    return out


def _quarantine(
    con: duckdb.DuckDBPyConnection, deliveries: dict[str, list[dict[str, Any]]]
) -> dict[str, list[tuple[Any, ...]]]:
    """Quarantine reasons of the listed deliveries, grouped per municipality (one query)."""
    shas = [d["delivery_sha256"] for own in deliveries.values() for d in own]
    if not shas or not table_exists(con, "audit.quarantine"):
        return {}
    rows = con.execute(
        """
        select d.municipality_code, d.file_name, q.column_name, q.reason, count(*) as n,
               list(q.source_row_number order by q.source_row_number)[1:5] as rows
        from audit.quarantine q join audit.deliveries d using (delivery_sha256)
        where q.delivery_sha256 in (select unnest(?::varchar[]))
        group by all order by d.municipality_code, n desc, d.file_name, q.column_name
        """,
        [shas],
    ).fetchall()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for code, *rest in rows:
        out.setdefault(str(code), []).append(tuple(rest))
    return out


def _write_feedback(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    run_id: str,
    results: Sequence[CheckResult],
    catalog: dict[str, CatalogEntry],
    names: dict[str, str],
) -> list[tuple[Path, str]]:
    """One page per today's municipality (a former one's deliveries on its successor's page),
    with the page's label."""
    deliveries = _latest_deliveries(con)
    quarantined = _quarantine(con, deliveries)
    failures: dict[str, list[tuple[CheckResult, dict[str, Any]]]] = {}
    for r in results:
        if r.passed:
            continue
        for code, info in r.by_municipality.items():
            failures.setdefault(code, []).append((r, info))
        if r.municipality_code and r.municipality_code not in r.by_municipality:
            failures.setdefault(r.municipality_code, []).append(
                (r, {"count": r.unexpected_count, "examples": []})
            )
    successors = _successors(con)
    groups: dict[str, list[str]] = {}
    for code in sorted(set(deliveries) | set(failures)):
        if is_municipality_code(code):
            groups.setdefault(successors.get(code, code), []).append(code)
    paths = []
    for code, members in sorted(groups.items()):
        former = [m for m in members if m != code]
        label = _page_label(code, former, names)
        own = [d for m in members for d in deliveries.get(m, [])]
        quarantine = [q for m in members for q in quarantined.get(m, [])]
        items = [item for m in members for item in failures.get(m, [])]
        must_fix = [(r, i) for r, i in items if r.severity == "block"]
        should_check = [(r, i) for r, i in items if r.severity != "block"]
        parts = [
            f"<h1>Tilbakemelding på leveranser – {_e(label)}</h1>"
            f'<p class="meta">Kvalitetskontroll <code>{_e(run_id)}</code>. '
            "Denne siden er til kommunens HR-kontor: "
            "den sier hva i eksporten som må rettes før tallene kan brukes.</p>"
        ]
        rejected = [d for d in own if d["outcome"] == "rejected"]
        unknown = [d for d in own if d["outcome"] == "loaded" and d["rows_unknown_code"]]
        if must_fix or rejected:
            parts.append('<div class="verdict stop">Leveransen har feil som må rettes.</div>')
        elif should_check or quarantine or unknown:
            parts.append('<div class="verdict warnbox">Leveransen er tatt inn, men noe bør sjekkes.</div>')
        else:
            parts.append('<div class="verdict ok">Ingen feil funnet i de siste leveransene. Takk!</div>')
        if own:
            rows = "".join(
                f"<tr><td>{_e(d['file_name'])}</td><td>{_e(DELIVERY_KIND_LABEL.get(d['kind'], d['kind']))}</td>"
                f"<td>{_e(d['extraction_date'])}</td><td>{_e(OUTCOME_LABEL.get(d['outcome'], d['outcome']))}</td>"
                f'<td class="num">{_e(d["rows_read"])}</td>'
                f'<td class="num">{_e(d["rows_loaded"])}</td><td class="num">{_e(d["rows_quarantined"])}</td>'
                f'<td class="num">{_e(d["rows_duplicate"])}</td><td class="num">{_e(d["rows_unknown_code"])}</td>'
                f'<td>{_e(d["reason"])}</td></tr>'
                for d in own
            )
            parts.append(
                "<h2>Leveranser</h2><table><thead><tr><th>Fil</th><th>Type</th><th>Uttrekksdato</th><th>Utfall</th>"
                "<th>Lest</th><th>Lastet</th><th>Karantene</th><th>Duplikater</th><th>Ukjent stillingskode</th>"
                f"<th>Årsak</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        parts.append("<h2>Dette må rettes i eksporten</h2>")
        if rejected:
            parts.append(
                "<ul>"
                + "".join(
                    f"<li>Filen {_e(d['file_name'])} ble avvist: {_e(d['reason'])}</li>" for d in rejected
                )
                + "</ul>"
            )
        parts.append(_fix_list(must_fix, catalog) if must_fix else ("" if rejected else "<p>Ingenting.</p>"))
        if quarantine:
            rows = "".join(
                f'<tr><td>{_e(f)}</td><td>{_e(c)}</td><td>{_e(reason)}</td><td class="num">{n}</td>'
                f"<td>{_e(', '.join(str(x) for x in (rws or [])))}</td></tr>"
                for f, c, reason, n, rws in quarantine
            )
            parts.append(
                "<h2>Rader som ble satt i karantene</h2><p>Disse radene ble ikke tatt inn. Rett dem i "
                "fagsystemet; de kommer med i neste uttrekk.</p><table><thead><tr><th>Fil</th>"
                "<th>Kolonne</th><th>Årsak</th><th>Antall</th><th>Radnummer (eksempler)</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
        if unknown:
            parts.append(_unknown_codes_section(unknown))
        if should_check:
            parts.append("<h2>Bør sjekkes (advarsler)</h2>" + _fix_list(should_check, catalog))
        path = out_dir / f"kommune_{code}.html"
        _write(path, _page(f"Tilbakemelding {label}", "\n".join(parts)))
        paths.append((path, label))
    return paths


def _unknown_codes_section(deliveries: Sequence[dict[str, Any]]) -> str:
    """Codes of the latest loaded deliveries that are in no code list: loaded and counted
    (position group «Ukjent»), listed so the HR office can check them (issue 12)."""
    rows = "".join(
        f'<tr><td>{_e(d["file_name"])}</td><td>{_e(code)}</td><td class="num">{_e(n)}</td></tr>'
        for d in deliveries
        for code, n in sorted(json.loads(d["unknown_position_codes"] or "{}").items())
    )
    return (
        "<h2>Stillingskoder som ikke finnes i kodelisten</h2><p>Radene er tatt inn og telles med i alle "
        "tall, med stillingsgruppe «Ukjent». Kontroller at koden er riktig i fagsystemet; er den en "
        "gyldig KS-kode, meld den inn så kodelisten kan utvides.</p><table><thead><tr><th>Fil</th>"
        f"<th>Stillingskode</th><th>Rader</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _fix_list(items: Sequence[tuple[CheckResult, dict[str, Any]]], catalog: dict[str, CatalogEntry]) -> str:
    """One entry per piece of advice: the SQL check and the GX expectation that found the same
    problem are one thing to fix for the HR office."""
    grouped: dict[str, list[tuple[CheckResult, dict[str, Any]]]] = {}
    for r, info in items:
        entry = catalog.get(r.check_name)
        advice = (entry.feedback if entry and entry.feedback else None) or _title(r, catalog)
        grouped.setdefault(advice, []).append((r, info))
    parts = []
    for advice, found in grouped.items():
        counts = [i.get("count") for _, i in found if i.get("count") is not None]
        examples = next((i.get("examples") for _, i in found if i.get("examples")), [])
        checks = ", ".join(f"<code>{_e(name)}</code>" for name in dict.fromkeys(r.check_name for r, _ in found))
        parts.append(
            f'<h3>{_e(advice)}</h3><p class="meta">{_e(_title(found[0][0], catalog))} · '
            f"{_e(max(counts) if counts else '?')} tilfeller · sjekk {checks}</p>" + _examples_table(examples)
        )
    return "\n".join(parts)


def results_as_json(results: Sequence[CheckResult]) -> str:
    """A compact machine-readable summary (for CI logs and the release manifest)."""
    return json.dumps(
        [
            {
                "check": r.check_name,
                "asset": r.asset,
                "kind": r.kind,
                "severity": r.severity,
                "passed": r.passed,
                "unexpected": r.unexpected_count,
            }
            for r in results
        ],
        ensure_ascii=False,
    )
