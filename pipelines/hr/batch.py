"""Preparing many HR deliveries as one frame: the files of a run that share a profile, a kind
and their contract columns are validated, pseudonymised and split into valid, quarantine and
archive rows in ONE pass, then split back per file.

Why: a national run is thousands of small files, and preparing one alone costs ~60 small
polars calls and a DuckDB query (~17-40 ms) whatever its size, far more than its rows. Here
each file is first read and checked on its own (`prepare.check`: every rule about a file as a
whole, so a rejected file gets its own reason and never joins a group); then the files of a
group are concatenated with a `FILE` column saying whose row is whose. Every later rule is
per row, or partitioned by `FILE` (duplicates and key conflicts are within one file: the same
key in two files is two extracts, not a conflict), and every per-file fact (extraction date,
period start, municipality, counts, unknown position codes) is taken per file, so each file
gets exactly what it would get alone.

A group whose pass fails for any reason is prepared again one file at a time, so one bad file
costs only itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import polars as pl

from pipelines.errors import DeliveryError
from pipelines.hr import fnr, load
from pipelines.hr.delivery import row_dates
from pipelines.hr.prepare import (
    FILE,
    QUARANTINE_SCHEMA,
    _archive_table,
    _contract_sources,
    _duplicates,
    _flag_key_conflicts,
    _Prepared,
    _pseudonyms,
    _quarantine_rows,
    _Work,
    check,
    read,
    scanned_columns,
    set_dates,
    unknown_position_codes,
)
from pipelines.hr.profiles import Profile
from pipelines.hr.pseudonymise import Pseudonymiser
from pipelines.hr.readers import ROW, RawTable
from pipelines.hr.references import References
from pipelines.hr.validate import FileContext, has_error, typed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Run:
    """What preparing any file of a run needs."""

    pseudonymiser: Pseudonymiser
    pairs: list[tuple[Profile, str]]  # the candidate (profile, kind) pairs
    refs: References
    fallback: str | None = None  # --municipality
    explicit_date: date | None = None  # --extraction-date
    explicit_period: date | None = None  # --period-start
    roots: dict[str, str] = field(default_factory=dict)  # renumbered codes -> their key code


@dataclass
class _Member:
    """A file of a group: where its outcome goes, and the context its rows are validated in."""

    index: int
    work: _Work
    ctx: FileContext


def prepare_file(work: _Work, run: Run) -> _Prepared:
    """One file alone (a group of one); raises DeliveryError with the reason it is rejected."""
    [outcome] = prepare_files([work], run)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def prepare_files(works: list[_Work], run: Run) -> list[_Prepared | Exception]:
    """Each file prepared, or the exception that rejects it (DeliveryError: the file's reason;
    anything else: a defect), in the order given."""
    outcomes: list[_Prepared | Exception | None] = [None] * len(works)
    tables: dict[int, RawTable] = {}
    for index, work in enumerate(works):
        work.started = time.perf_counter()
        try:
            tables[index] = read(work, run.pairs)
        except Exception as error:
            outcomes[index] = error
    # The cells of every file read are scanned for national ids in one pass (each file's own
    # columns, judged per file); then each file's own rules, in the order a file alone meets them.
    started = time.perf_counter()
    try:
        scanned = fnr.leaked_columns_of([(t.frame, scanned_columns(t)) for t in tables.values()])
        leaks: dict[int, list[str]] | None = dict(zip(tables, scanned, strict=True))
    except Exception:  # then each file alone, below, so that a failure is its file's own
        leaks = None
    _share([works[i] for i in tables], "leak_check", started)
    groups: dict[tuple, list[_Member]] = {}
    for index, table in tables.items():
        work = works[index]
        work.started = time.perf_counter()
        try:
            leaked = leaks[index] if leaks is not None else fnr.leaked_columns(table.frame, scanned_columns(table))
            ctx = check(work, leaked, run.refs, run.fallback)
        except Exception as error:
            outcomes[index] = error
            continue
        groups.setdefault(_group_key(work, ctx), []).append(_Member(index, work, ctx))
    for members in groups.values():
        for member, outcome in zip(members, _prepare_group(members, run), strict=True):
            outcomes[member.index] = outcome
    return outcomes  # type: ignore[return-value]


def _group_key(work: _Work, ctx: FileContext) -> tuple:
    """Files whose rows can share one pass: the same profile and kind, and the same contract
    columns under the same names in the same order (error reasons name the file's column, and
    quarantine and archive rows keep its columns in file order)."""
    assert work.table is not None
    return (id(work.profile), work.kind, tuple(sorted(ctx.source_for.items())), tuple(_contract_sources(work.table)))


def _prepare_group(members: list[_Member], run: Run) -> list[_Prepared | Exception]:
    """The group in one pass; should that fail, each file alone (a file alone: its exception)."""
    saved = [_snapshot(m.work) for m in members]
    try:
        return _together(members, run)
    except Exception as error:
        if len(members) == 1:
            return [error]
        log.warning("%d filer kunne ikke forberedes samlet (%s); tas én og én", len(members), type(error).__name__)
        for member, state in zip(members, saved, strict=True):
            vars(member.work).update(state)
        return [outcome for member in members for outcome in _prepare_group([member], run)]


def _snapshot(work: _Work) -> dict:
    """What preparing a group may change of a file (restored before it is prepared alone)."""
    return {k: v.copy() if isinstance(v, list | dict) else v for k, v in vars(work).items()}


def _together(members: list[_Member], run: Run) -> list[_Prepared | Exception]:
    """The group's rows concatenated and prepared in one pass (see the module docstring), each
    file's outcome split back out: prepared, or the DeliveryError of its own dates."""
    started = time.perf_counter()
    works = [m.work for m in members]
    tables = [m.work.table for m in members]
    assert all(t is not None for t in tables)
    kind = members[0].work.kind or ""
    files = pl.Series(
        FILE, np.repeat(np.arange(len(members), dtype=np.int32), [t.frame.height for t in tables])  # type: ignore[union-attr]
    )
    frames = [t.frame for t in tables]  # type: ignore[union-attr]
    whole = (pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]).hstack([files])
    table = replace(tables[0], frame=whole)  # type: ignore[type-var]
    ctx = replace(members[0].ctx, municipality_fallback=_fallbacks([m.ctx for m in members], files))

    rows = typed(whole, ctx).hstack([files])
    outcomes: list[_Prepared | Exception | None] = [None] * len(members)
    dates = row_dates(rows, kind, FILE)
    for j, member in enumerate(members):
        try:
            set_dates(member.work, dates[j], member.ctx.source_for, run.explicit_date, run.explicit_period)
        except DeliveryError as error:
            outcomes[j] = error
    started = _share(works, "validate", started)

    rows = rows.hstack(_pseudonyms(run.pseudonymiser, kind, rows, run.roots, files=len(members)))
    started = _share(works, "pseudonymise", started)
    rows = rows.with_columns(_duplicates(whole.drop(ROW)).alias("__duplicate"))
    rows = _flag_key_conflicts(rows, kind, ctx)
    failing = rows.select(has_error(rows)).to_series() & ~rows["__duplicate"]
    rows = rows.with_columns(failing.alias("__failing"))
    tally = {
        j: (read, duplicate, quarantined)
        for j, read, duplicate, quarantined in rows.group_by(FILE)
        .agg(pl.len(), pl.col("__duplicate").sum(), pl.col("__failing").sum())
        .iter_rows()
    }

    valid = rows.filter(~pl.col("__duplicate") & ~pl.col("__failing"))
    codes = _municipalities(valid)
    if len(codes) < len(members):  # a file with no valid row: its municipality from all its rows
        codes = _municipalities(rows) | codes
    unknown = unknown_position_codes(valid, run.refs)
    in_file = valid.get_column(FILE)
    valid = valid.with_columns(
        pl.Series([m.work.extraction_date for m in members], dtype=pl.Date).gather(in_file).alias("extraction_date"),
        pl.Series([m.work.sha256 for m in members], dtype=pl.String).gather(in_file).alias("delivery_sha256"),
        pl.col(ROW).alias("source_row_number"),
    ).select(*load.STAGED_COLUMNS[kind], FILE)

    valid_of = _split(valid, len(members))
    quarantine_of = _split(_quarantine_rows(table, rows, kind), len(members))
    archive_of = _split(_archive_table(table, rows), len(members))
    no_valid, no_quarantine = valid.clear().drop(FILE), pl.DataFrame(schema=QUARANTINE_SCHEMA)
    for j, member in enumerate(members):
        if outcomes[j] is not None:
            continue
        work = member.work
        _set_municipality(work, codes[j])
        work.unknown_position_codes = unknown.get(j, {})
        read, duplicate, quarantined = tally[j]
        counts = {"read": read, "duplicate": duplicate, "quarantined": quarantined}
        counts["loaded"] = read - duplicate - quarantined
        outcomes[j] = _Prepared(
            valid_of.get(j, no_valid), quarantine_of.get(j, no_quarantine), archive_of[j], counts
        )
    _share(works, "split", started)
    return outcomes  # type: ignore[return-value]


def _fallbacks(contexts: list[FileContext], files: pl.Series) -> str | pl.Series | None:
    """The municipality for blank cells: the group's one value, or each row its file's."""
    values = [c.municipality_fallback for c in contexts]
    if len(set(values)) == 1:
        return values[0]  # type: ignore[return-value]
    return pl.Series(values, dtype=pl.String).gather(files)


def _municipalities(rows: pl.DataFrame) -> dict[int, list[str]]:
    """Each file's distinct municipality codes, sorted."""
    found = rows.group_by(FILE).agg(pl.col("municipality_code").drop_nulls().unique().sort())
    return dict(found.iter_rows())  # type: ignore[arg-type]


def _set_municipality(work: _Work, codes: list[str]) -> None:
    if len(codes) == 1:
        work.municipality_code = codes[0]
    elif len(codes) > 1:
        work.notes.append(f"filen gjelder {len(codes)} kommuner")


def _split(frame: pl.DataFrame, files: int) -> dict[int, pl.DataFrame]:
    """A batch's frame split by `FILE` (rows in order; files without rows left out). A file
    alone is not copied (a national-size file's frames are large)."""
    if files == 1:
        return {0: frame.drop(FILE)} if frame.height else {}
    parts = frame.partition_by(FILE, maintain_order=True, as_dict=True, include_key=False)
    return {key[0]: part for key, part in parts.items()}


def _share(works: list[_Work], stage: str, started: float) -> float:
    """Each file's share of a stage run once for them all (for the timing log); the time now."""
    now = time.perf_counter()
    for work in works:
        work.timings.append((stage, (now - started) / len(works)))
    return now
