"""`workforce inspect`: try a delivery before loading it, writing nothing anywhere.

Onboarding a municipality with a new HR system means finding out how its files are read:
which encoding, delimiter and title lines, which profile, which column means what, where
the municipality and the extraction date come from, and what would load, go to quarantine
or be reported. This runs the ingestion's own in-memory stage (`batch.prepare_file`: reader,
privacy scan, conflict checks, validation, pseudonymisation, split) — not a second
implementation — and stops before anything touches the warehouse, the ledger, the landing
archive or a temp file. Pseudonyms are made with a throwaway key, because only the counts
matter here (rows that share a key are found the same way under any key).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from rich.console import Console

from pipelines.errors import DeliveryError, WorkforceError
from pipelines.hr import fnr, landing
from pipelines.hr.batch import Run, prepare_file
from pipelines.hr.contract import KIND_LABELS
from pipelines.hr.ingest import _municipality_option, expand
from pipelines.hr.prepare import _Work
from pipelines.hr.profiles import candidates
from pipelines.hr.pseudonymise import Pseudonymiser
from pipelines.hr.readers import EXTRA_PREFIX, ROW
from pipelines.hr.references import load_references

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 med BOM",
    "windows-1252": "Windows-1252",
    "iso-8859-1": "ISO-8859-1",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "xlsx": "xlsx-arbeidsbok",
}
DELIMITER_LABELS = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabulator", "|": "loddrett strek (|)"}


@dataclass
class Inspection:
    """What ingesting one file would do (nothing of it is stored)."""

    file_name: str
    rejected: bool
    reason: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    title_lines: list[str] = field(default_factory=list)
    profile: str | None = None
    mapping: list[tuple[str, str]] = field(default_factory=list)  # source -> canonical
    unmapped: list[str] = field(default_factory=list)
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # label, value, where it came from
    counts: dict[str, int] = field(default_factory=dict)
    quarantine: list[tuple[str, int]] = field(default_factory=list)  # reason, rows
    unknown_codes: list[tuple[str, int]] = field(default_factory=list)  # position code, rows
    notes: list[str] = field(default_factory=list)


def inspect_paths(
    paths: Sequence[Path],
    *,
    kind: str | None = None,
    profile: str | None = None,
    municipality: str | None = None,
    period_start: date | None = None,
) -> list[Inspection]:
    """One inspection per file (folders expand as for ingest), in order."""
    pairs = candidates(kind, profile)
    refs = load_references()
    fallback = _municipality_option(municipality, refs)
    found = []
    with Pseudonymiser(secrets.token_bytes(32)) as pseudonymiser:
        run = Run(pseudonymiser, pairs, refs, fallback, explicit_period=period_start)
        for path in expand(paths):
            name = landing.safe_name(path.name)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise WorkforceError(f"Kan ikke lese {name}: {error.strerror}.") from None
            work = _Work(name=name, data=data, sha256=hashlib.sha256(data).hexdigest())
            try:
                prepared = prepare_file(work, run)
            except DeliveryError as error:
                found.append(_describe(work, None, refs.position_codes, fnr.redact(str(error))))
                continue
            found.append(_describe(work, prepared, refs.position_codes, None))
    return found


def _describe(work: _Work, prepared, known_codes: frozenset[str], reason: str | None) -> Inspection:
    result = Inspection(file_name=work.name, rejected=reason is not None, reason=reason, notes=list(work.notes))
    table = work.table
    if table is not None:
        result.encoding = table.encoding
        result.delimiter = table.delimiter
        result.sheet = table.sheet
        result.title_lines = [fnr.redact(line.strip()) for line in table.preamble.splitlines() if line.strip()]
        result.profile = f"{table.match.profile.name}/{KIND_LABELS.get(table.match.kind, table.match.kind)}"
        mapped = {source: canonical for canonical, source in table.source_for.items()}
        result.mapping = [(c, mapped[c]) for c in table.columns if c in mapped]
        for canonical, others in table.alternate_sources.items():
            result.mapping += [(other, f"{canonical} (også, ikke lest)") for other in others]
        taken = {source for source, _ in result.mapping}
        result.unmapped = [
            c for c in table.frame.columns if c != ROW and c not in taken and not c.startswith(EXTRA_PREFIX)
        ]
    sources = work.sources
    if work.municipality_code or "municipality_code" in sources:
        result.facts.append(("Kommune", work.municipality_code or "flere/ukjent", sources.get("municipality_code", "")))
    if work.extraction_date:
        result.facts.append(("Uttrekksdato", f"{work.extraction_date:%d.%m.%Y}", sources.get("extraction_date", "")))
    if work.period_start:
        result.facts.append(("Historikk fra", f"{work.period_start:%d.%m.%Y}", sources.get("period_start", "")))
    if prepared is not None:
        result.counts = dict(prepared.counts)
        quarantine = prepared.quarantine
        if quarantine.height:
            by_reason = (
                quarantine.group_by("reason")
                .agg(pl.col("source_row_number").n_unique().alias("rows"))
                .sort(["rows", "reason"], descending=[True, False])
            )
            result.quarantine = [(r, int(n)) for r, n in by_reason.iter_rows()]
        # the same count ingestion records in the ledger (prepare.unknown_position_codes)
        result.unknown_codes = sorted(work.unknown_position_codes.items())
    return result


def _lines(found: Inspection) -> list[str]:
    lines = [f"== {found.file_name} =="]
    if found.encoding:
        read = f"Tegnsett: {ENCODING_LABELS.get(found.encoding, found.encoding)}"
        if found.delimiter:
            read += f"; skilletegn: {DELIMITER_LABELS.get(found.delimiter, found.delimiter)}"
        if found.sheet:
            read += f"; ark: «{found.sheet}»"
        lines.append(read)
        if found.title_lines:
            lines.append(f"Tittellinjer over overskriften: {len(found.title_lines)}")
            lines += [f"  «{line}»" for line in found.title_lines]
        else:
            lines.append("Tittellinjer over overskriften: ingen")
    if found.profile:
        lines.append(f"Profil: {found.profile}")
        lines.append("Kolonner (kilde → kanonisk):")
        lines += [f"  {source} → {canonical}" for source, canonical in found.mapping]
        lines.append("Kolonner som ikke brukes: " + (", ".join(found.unmapped) if found.unmapped else "ingen"))
    for label, value, origin in found.facts:
        lines.append(f"{label}: {value}" + (f" ({origin})" if origin else ""))
    if found.counts:
        c = found.counts
        lines.append(
            f"Rader: {c.get('read', 0)} lest; {c.get('loaded', 0)} ville lastes, "
            f"{c.get('quarantined', 0)} i karantene, {c.get('duplicate', 0)} duplikater"
        )
        if found.quarantine:
            lines.append("Karantene etter årsak:")
            lines += [f"  {reason}: {rows} rader" for reason, rows in found.quarantine]
        if found.unknown_codes:
            shown = ", ".join(f"{code} ({rows} rader)" for code, rows in found.unknown_codes)
            lines.append(f"Rapporteres: ukjente stillingskoder {shown}")
        else:
            lines.append("Rapporteres: ingen ukjente stillingskoder")
    lines += [f"Merknad: {note}" for note in found.notes]
    if found.rejected:
        lines.append(f"Resultat: filen ville blitt AVVIST – {found.reason}")
    else:
        lines.append("Resultat: filen ville blitt lest inn")
    return lines


def print_inspections(found: Sequence[Inspection], console: Console) -> None:
    """Each file's report, then one summary line. Every line passes the id redaction once more."""
    for index, inspection in enumerate(found):
        if index:
            console.print()
        for line in _lines(inspection):
            console.print(fnr.redact(line), markup=False, highlight=False, soft_wrap=True)
    rejected = sum(1 for i in found if i.rejected)
    console.print(
        f"\n{len(found)} filer prøvd: {len(found) - rejected} ville blitt lest inn, {rejected} avvist. "
        "Ingenting er lagret.",
        markup=False,
        highlight=False,
    )
