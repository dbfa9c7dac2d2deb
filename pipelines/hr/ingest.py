"""Ingestion of municipal HR deliveries: one file in, one ledger row out, always.

For each file: hash it; recognise a re-delivery; read and map it through a profile; refuse
files that leak national ids outside the id column; type and validate every row; turn
identifiers into keyed pseudonyms; archive what was read (contract columns, ids replaced); and in one transaction
append the valid rows to the raw tables, the failing ones into quarantine, and the counts
into the ledger. A bad file (unreadable, a symbolic link out of its folder, a zip bomb) is
rejected with a one-line reason and the batch goes on; nothing raises past here except the
user's own mistakes in calling it (unknown options, missing paths, no secret).

Preparing a file (up to the pseudonyms) is pipelines/hr/prepare.py; running that ahead of the
store, in worker processes or a thread, is pipelines/hr/parallel.py; this module stores.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import polars as pl

from pipelines.errors import DeliveryError, WorkforceError
from pipelines.hr import fnr, identity, landing, ledger, limits, load
from pipelines.hr.key_fingerprint import check_secret
from pipelines.hr.parallel import Preparers
from pipelines.hr.prepare import _contract_sources, _prepare, _Prepared, _Work
from pipelines.hr.profiles import Profile, candidates
from pipelines.hr.pseudonymise import Pseudonymiser
from pipelines.hr.references import References, load_references
from pipelines.settings import Settings
from pipelines.warehouse import pending
from pipelines.warehouse.connection import connect
from pipelines.warehouse.transaction import transaction

log = logging.getLogger(__name__)
timing_log = logging.getLogger("pipelines.hr.timing")  # stage durations, for the benchmark

# The write-ahead log may grow to this during a run (see ingest_paths); a national run's
# raw rows take ~1-2 GB in the log, so this is a handful of checkpoints instead of hundreds.
RUN_CHECKPOINT_THRESHOLD = "1GB"


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one delivered file (mirrors its `audit.deliveries` row)."""

    file_name: str
    sha256: str
    kind: str | None
    municipality_code: str | None
    extraction_date: date | None
    profile: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_duplicate: int
    rows_stale: int
    outcome: str  # loaded | rejected | already_loaded
    reason: str | None
    archive_path: str | None
    # loaded rows per well-formed position code that is in no code list (loaded as `unknown`)
    unknown_position_codes: dict[str, int] = field(default_factory=dict)
    period_start: date | None = None  # set when the extract declares a history (see delivery.period_start)

    @property
    def rows_unknown_code(self) -> int:
        return sum(self.unknown_position_codes.values())


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    kind: str | None = None,
    profile: str | None = None,
    municipality: str | None = None,
    extraction_date: date | None = None,
    period_start: date | None = None,
    workers: int | None = None,
) -> list[DeliveryResult]:
    """Ingest files (folders expand to their files, sorted); one result per file, in order.

    Files are read, hashed and prepared (parsed, validated, pseudonymised; no database) in
    worker processes, one per core (`workers`; default: every core the process may use),
    a few files ahead of this thread, which stores each in the build database: only the
    ledger commit is serialised. Everything that reads or writes the database happens here,
    in file order, so the outcome is the same as one file after the other. Below
    MIN_FILES_FOR_PROCESSES files (pipelines/hr/parallel.py; unless `workers` says otherwise), or with `workers` 1, one
    thread prepares the next file while this one stores, as starting processes would cost
    more than it saves."""
    options = _Options(
        kind=kind,
        profile=profile,
        fallback=_municipality_option(municipality, load_references()),
        explicit_date=extraction_date,
        explicit_period=period_start,
    )
    candidates(kind, profile)  # unknown names are the user's mistake: say so before any file is read
    files = expand(paths)
    secret = settings.secret()
    results = []
    with (
        connect(settings.build_db_path) as con,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="hr-archive") as archiver,
    ):
        check_secret(con, secret)  # one warehouse, one secret: refused before any file is read
        # a hint for the workers: skip preparing re-deliveries (the ledger has the last word)
        options.loaded = frozenset(ledger.loaded_hashes(con))
        options.roots = identity.key_codes(con)  # renumbered codes share their chain's oldest code's keys
        # DuckDB checkpoints whenever the write-ahead log passes 16 MB; over a national run of
        # small files that is hundreds of checkpoints of a growing database. One checkpoint at
        # the end instead; every commit is still durable in the log.
        con.execute(f"set checkpoint_threshold = '{RUN_CHECKPOINT_THRESHOLD}'")
        try:
            with Preparers(partial(_Stager, secret, options), len(files), workers) as preparers:
                for staged in preparers.staged(files):
                    if staged.work is not None:
                        for stage, seconds in staged.work.timings:
                            timing_log.debug("%s %.3f", stage, seconds)
                    result = _store_file(staged, con, settings, archiver)
                    log.info(
                        "%s: %s (lest %d, lastet %d, karantene %d, duplikater %d, ukjent stillingskode %d)",
                        result.file_name,
                        result.outcome,
                        result.rows_read,
                        result.rows_loaded,
                        result.rows_quarantined,
                        result.rows_duplicate,
                        result.rows_unknown_code,
                    )
                    results.append(result)
        finally:
            con.execute("reset checkpoint_threshold")
        con.execute("checkpoint")
    return results


# --- preparing files (pipelines/hr/parallel.py runs them in worker processes, or a thread) ---
@dataclass
class _Options:
    """What preparing any file of a run needs; picklable, so a worker process gets it once."""

    kind: str | None
    profile: str | None
    fallback: str | None
    explicit_date: date | None
    explicit_period: date | None
    loaded: frozenset[str] = frozenset()
    roots: dict[str, str] = field(default_factory=dict)


class _Stager:
    """Prepares files with its own pseudonymiser (a private in-memory DuckDB): one in this
    process, one in each worker process."""

    def __init__(self, secret: bytes, options: _Options) -> None:
        self.options = options
        self.pairs = candidates(options.kind, options.profile)
        self.refs = load_references()
        self.pseudonymiser = Pseudonymiser(secret)

    def __call__(self, path: Path) -> _Staged:
        o = self.options
        staged = _stage(
            path,
            self.pseudonymiser,
            self.pairs,
            self.refs,
            o.fallback,
            o.explicit_date,
            o.loaded,
            o.roots,
            explicit_period=o.explicit_period,
        )
        return _detach(staged)

    def close(self) -> None:
        self.pseudonymiser.close()


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders become their visible files, sorted (Excel's `~$` lock files
    skipped). Symbolic links are listed too, broken ones included: each gets its ledger row."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if (p.is_file() or (p.is_symlink() and not p.is_dir())) and not p.name.startswith((".", "~$"))
            )
        elif path.is_file() or path.is_symlink():
            files.append(path)
        else:
            raise WorkforceError(f"Finner ikke {fnr.redact(str(path))}.")
    return files


def period_start_option(text: str | None) -> date | None:
    """`--period-start` as a date (yyyy-mm-dd or dd.mm.yyyy); a typo is the user's mistake."""
    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise WorkforceError(f"--period-start {text!r} er ikke en dato (bruk åååå-mm-dd, f.eks. 2015-01-01).")


def _municipality_option(code: str | None, refs: References) -> str | None:
    if code is None:
        return None
    code = code.strip().zfill(4)
    if code not in refs.municipalities:
        raise WorkforceError(f"--municipality {code} er ikke et kjent kommunenummer.")
    return code


# --- one file --------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class _Staged:
    """One file after the in-memory stage: prepared, or the reason it cannot be."""

    work: _Work | None = None
    prepared: _Prepared | None = None
    skipped: bool = False  # content already loaded: not prepared (the ledger has the last word)
    reject_reason: str | None = None
    # a rejected file's redacted archive copy, made where it was read (see _detach), and why not
    reject_archive: pl.DataFrame | None = None
    reject_archive_note: str | None = None


def _detach(staged: _Staged) -> _Staged:
    """What the store needs of a staged file, and nothing more: the delivered bytes and the
    parsed table (national ids included) stay where the file was read; a rejected file's
    redacted archive copy is made there instead."""
    work = staged.work
    if work is None:
        return staged
    if staged.reject_reason is not None:
        staged.reject_archive, staged.reject_archive_note = _rejected_archive_frame(work)
    work.data = b""
    work.table = None
    return staged


def _stage(
    path: Path,
    pseudonymiser: Pseudonymiser,
    pairs: list[tuple[Profile, str]],
    refs: References,
    fallback: str | None,
    explicit_date: date | None,
    loaded: Collection[str],
    roots: dict[str, str],
    explicit_period: date | None = None,
) -> _Staged:
    """Read, hash and prepare one file; touches no database (runs on the worker thread)."""
    name = landing.safe_name(path.name)
    refused = limits.refuse_link(path)
    if refused is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            refused = f"filen kan ikke leses ({error.strerror or type(error).__name__})"
    if refused is not None:  # a ledger row all the same, keyed by what was refused
        marker = hashlib.sha256(f"ikke lest:{name}:{refused}".encode()).hexdigest()
        return _Staged(work=_Work(name=name, data=b"", sha256=marker), reject_reason=refused)
    work = _Work(name=name, data=data, sha256=hashlib.sha256(data).hexdigest())
    if work.sha256 in loaded:
        return _Staged(work=work, skipped=True)
    try:
        prepared = _prepare(
            work, pseudonymiser, pairs, refs, fallback, explicit_date, roots, explicit_period=explicit_period
        )
        return _Staged(work=work, prepared=prepared)
    except DeliveryError as error:
        return _Staged(work=work, reject_reason=fnr.redact(str(error)))
    except Exception as error:  # a defect, not the user's file: still one line, never values
        log.error("uventet feil under innlesing av %s: %s", name, type(error).__name__)
        reason = f"uventet feil under innlesing ({type(error).__name__}); meld fra til drift"
        return _Staged(work=work, reject_reason=reason)


def _store_file(staged: _Staged, con, settings: Settings, archiver: ThreadPoolExecutor) -> DeliveryResult:
    """The database half of one file: recognise a re-delivery, else record and store it."""
    work = staged.work
    assert work is not None
    work.started = time.perf_counter()  # the store's own time, not the wait for it
    at = _now()

    past = ledger.lookup(con, work.sha256)
    if past is not None and past.outcome == "loaded":
        reason = f"samme innhold som {past.file_name}, lest inn {past.loaded_at:%d.%m.%Y %H:%M}"
        ledger.record_attempt(
            con, sha256=work.sha256, file_name=work.name, outcome="already_loaded", reason=reason, at=at
        )
        work.kind, work.municipality_code, work.extraction_date = (
            past.kind,
            past.municipality_code,
            past.extraction_date,
        )
        result = _result(work, {}, "already_loaded", reason, None)
        return replace(result, profile=past.profile)
    replaces_rejected = past is not None  # an earlier delivery of these bytes was rejected
    if staged.skipped:  # loaded when the run began, yet not in the ledger now: cannot happen
        raise WorkforceError(f"{work.name}: leveransen forsvant fra loggen under innlesingen; kjør på nytt.")
    if staged.reject_reason is not None:
        archive, note = _archive_rejected(settings, work, staged.reject_archive, staged.reject_archive_note)
        return _reject(con, settings, work, staged.reject_reason, at, replaces_rejected, archive, note)
    prepared = staged.prepared
    assert prepared is not None

    # The archive is written while DuckDB stores the rows (both release the GIL); the
    # transaction commits only once the archive is safely on disk.
    archiving = archiver.submit(landing.archive_table, settings, work.sha256, work.name, prepared.archive_table)
    counts = dict(prepared.counts)
    reason = "; ".join(work.notes) or None
    con.execute("begin transaction")
    try:
        pending.record_load(  # the years this load makes stale, before its rows are added
            con,
            sha256=work.sha256,
            kind=work.kind or "",
            municipality_code=work.municipality_code,
            extraction_date=work.extraction_date,
            rows=prepared.valid,
            period_start=work.period_start,
        )
        counts["stale"] = load.append(
            con,
            work.kind or "",
            prepared.valid,
            municipality_code=work.municipality_code,
            extraction_date=work.extraction_date,
            loaded_at=at,
        )
        ledger.record_quarantine(con, work.sha256, prepared.quarantine)
        try:
            archive_path = archiving.result()
        except OSError as error:
            con.execute("rollback")
            log.error("arkivering av %s feilet: %s", work.name, type(error).__name__)
            reason = f"filen kunne ikke arkiveres ({error.strerror or type(error).__name__}); ingenting er lastet"
            return _reject(con, settings, work, reason, at, replaces_rejected)
        _record(con, work, counts, "loaded", reason, archive_path, at, replaces_rejected)
        con.execute("commit")
        work.lap("store")
        timing_log.debug("store %.3f", work.timings[-1][1])
    except Exception as error:
        con.execute("rollback")
        archiving.exception()  # never leave the archive write running past this file
        raise WorkforceError(
            f"{work.name} kunne ikke lagres ({type(error).__name__}); ingenting fra filen er lagret."
        ) from None
    return _result(work, counts, "loaded", reason, archive_path)


def _record(
    con,
    work: _Work,
    counts: dict[str, int],
    outcome: str,
    reason: str | None,
    archive: str | None,
    at,
    replaces_rejected: bool = True,
) -> None:
    ledger.record_delivery(
        con,
        **work.facts(),
        counts=counts,
        outcome=outcome,
        reason=reason,
        archive_path=archive,
        at=at,
        replaces_rejected=replaces_rejected,
        unknown_position_codes=work.unknown_position_codes if outcome == "loaded" else None,
    )
    ledger.record_attempt(con, sha256=work.sha256, file_name=work.name, outcome=outcome, reason=reason, at=at)


def _result(
    work: _Work, counts: dict[str, int], outcome: str, reason: str | None, archive: str | None
) -> DeliveryResult:
    return DeliveryResult(
        **work.facts(),
        rows_read=counts.get("read", 0),
        rows_loaded=counts.get("loaded", 0),
        rows_quarantined=counts.get("quarantined", 0),
        rows_duplicate=counts.get("duplicate", 0),
        rows_stale=counts.get("stale", 0),
        outcome=outcome,
        reason=reason,
        archive_path=archive,
        unknown_position_codes=dict(work.unknown_position_codes) if outcome == "loaded" else {},
    )


def _reject(
    con,
    settings: Settings,
    work: _Work,
    reason: str,
    at: datetime,
    replaces_rejected: bool = True,
    archive: str | None = None,
    note: str | None = None,
) -> DeliveryResult:
    """Record a rejected delivery (all counts 0: no row was taken in), with its archive copy."""
    if note:
        reason = f"{reason} ({note})"
    with transaction(con):
        _record(con, work, {}, "rejected", reason, archive, at, replaces_rejected)
    return _result(work, {}, "rejected", reason, archive)


def _rejected_archive_frame(work: _Work) -> tuple[pl.DataFrame | None, str | None]:
    """A rejected file's archive copy: its contract columns as read, every id-like token
    removed. A file that could not be read as a table is not archived (its sender still has
    it, and nothing unread can be shown to be free of ids, names or other content)."""
    if work.table is None:
        return None, (None if not work.data.strip() else "ikke arkivert: filen kunne ikke leses som tabell")
    table = work.table
    frame = table.frame.select(_contract_sources(table))
    frame = frame.select(fnr.redact_series(frame.get_column(c)) for c in frame.columns)
    return frame.select(limits.cap_values(pl.col(c)) for c in frame.columns), None


def _archive_rejected(
    settings: Settings, work: _Work, frame: pl.DataFrame | None, note: str | None
) -> tuple[str | None, str | None]:
    if frame is None:
        return None, note
    try:
        return landing.archive_table(settings, work.sha256, work.name, frame), None
    except OSError as error:
        return None, f"ikke arkivert: {error.strerror or type(error).__name__}"


# --- the in-memory part ------------------------------------------------------------------------
