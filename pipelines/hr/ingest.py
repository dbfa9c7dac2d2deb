"""Ingestion of municipal HR deliveries: one file in, one ledger row out, always.

For each file: hash it; recognise a re-delivery; read and map it through a profile; refuse
files that leak national ids outside the id column; type and validate every row; turn
identifiers into keyed pseudonyms; archive what was read (contract columns, ids replaced); and in one transaction
append the valid rows to the raw tables, the failing ones into quarantine, and the counts
into the ledger. A bad file (unreadable, a symbolic link out of its folder, a zip bomb) is
rejected with a one-line reason and the batch goes on; nothing raises past here except the
user's own mistakes in calling it (unknown options, missing paths, no secret).

Preparing a file (up to the pseudonyms) is pipelines/hr/prepare.py, many files of one profile
and kind as one frame pipelines/hr/batch.py; running that ahead of the store, in worker processes
or a thread, is pipelines/hr/parallel.py; this module stores.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import polars as pl

from pipelines.errors import DeliveryError, WorkforceError
from pipelines.hr import fnr, identity, landing, ledger, limits, load
from pipelines.hr.batch import Run, prepare_files
from pipelines.hr.key_fingerprint import check_secret
from pipelines.hr.parallel import Preparers
from pipelines.hr.prepare import _contract_sources, _Prepared, _Work
from pipelines.hr.profiles import candidates
from pipelines.hr.pseudonymise import Pseudonymiser
from pipelines.hr.references import References, load_references
from pipelines.settings import Settings
from pipelines.warehouse import pending
from pipelines.warehouse.connection import connect
from pipelines.warehouse.transaction import transaction

log = logging.getLogger(__name__)
timing_log = logging.getLogger("pipelines.hr.timing")  # stage durations, for the benchmark

# The write-ahead log may grow to this during a run (see ingest_paths): a handful of checkpoints
# in a national run instead of one per 16 MB (hundreds, each rewriting the raw tables' key indexes
# in those days). The raw tables are append-only now, with no key index to rewrite, and what the
# log holds stays in memory until a checkpoint, so the threshold is lower than the 1GB it was,
# and DuckDB's memory is capped for the run (its default is 80 % of RAM; beyond the cap it evicts
# and spills). Measured on the 8,153 national deliveries (`python -m pipelines.bench.ingest
# folder`, idle machine, issue 16): 1GB and no cap 4,215 MB peak, 185.6 CPU-s, 98.9 s; 256MB and a
# 1GB cap 2,878 MB, 177.2 CPU-s, 92.7 s.
RUN_CHECKPOINT_THRESHOLD = "256MB"
RUN_MEMORY_LIMIT = "1GB"


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
    chunks (`_chunks`; the files of a chunk that share a profile and a kind as one frame,
    pipelines/hr/batch.py), in worker processes, one per core (`workers`; default: every
    core the process may use), a chunk or two ahead of this thread, which stores each file in
    the build database: only the ledger commit is serialised. Everything that reads or writes the database happens here,
    in file order, so the outcome is the same as one file after the other; it commits
    many files at a time (`_Store`). Below MIN_FILES_FOR_PROCESSES files or
    MIN_BYTES_FOR_PROCESSES bytes (pipelines/hr/parallel.py; unless `workers` says otherwise),
    or with `workers` 1, one thread prepares the next file while this one stores, as starting
    processes would cost more than it saves."""
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
        store = _Store(con, settings, archiver)
        # a hint for the workers: skip preparing re-deliveries (the ledger has the last word)
        options.loaded = store.known.loaded()
        options.roots = identity.key_codes(con)  # renumbered codes share their chain's oldest code's keys
        # DuckDB checkpoints whenever the write-ahead log passes 16 MB; over a national run of
        # small files that is hundreds of checkpoints of a growing database: a few instead (see
        # RUN_CHECKPOINT_THRESHOLD), and DuckDB's memory capped; every commit is durable in the log.
        con.execute(f"set checkpoint_threshold = '{RUN_CHECKPOINT_THRESHOLD}'")
        con.execute(f"set memory_limit = '{RUN_MEMORY_LIMIT}'")
        try:
            sizes = [_size(path) for path in files]
            with Preparers(partial(_Stager, secret, options), len(files), workers, sum(sizes)) as preparers:
                for chunk in preparers.staged(_chunks(files, sizes, preparers.count)):
                    for staged in chunk:
                        if staged.work is not None:
                            for stage, seconds in staged.work.timings:
                                timing_log.debug("%s %.3f", stage, seconds)
                        results += _logged(store.add(staged))
                results += _logged(store.commit())
        finally:
            store.abandon()
            con.execute("reset checkpoint_threshold")
            con.execute("reset memory_limit")
        con.execute("checkpoint")
    return results


# Files are prepared in chunks of up to CHUNK_FILES files or CHUNK_BYTES bytes (a larger file is
# a chunk of its own): the files of a chunk that share a profile and a kind are validated and
# pseudonymised as one frame (pipelines/hr/batch.py), which removes the fixed cost per file of
# ~60 small polars calls and a DuckDB query. Memory stays bounded by the chunk; with worker
# processes, chunks are smaller so that every worker gets several.
CHUNK_FILES = 128
CHUNK_BYTES = 32 * 1024 * 1024


def _chunks(files: list[Path], sizes: list[int], workers: int) -> list[list[Path]]:
    """The run's files in chunks, in order."""
    most = CHUNK_FILES if not workers else max(1, min(CHUNK_FILES, -(-len(files) // (4 * workers))))
    chunks: list[list[Path]] = []
    current: list[Path] = []
    held = 0
    for path, size in zip(files, sizes, strict=True):
        if current and (len(current) >= most or held + size > CHUNK_BYTES):
            chunks.append(current)
            current, held = [], 0
        current.append(path)
        held += size
    if current:
        chunks.append(current)
    return chunks


def _size(path: Path) -> int:
    """The file's size for choosing threads or processes (0 if it cannot be read: it is
    rejected where it is read, with its reason)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _logged(results: list[DeliveryResult]) -> list[DeliveryResult]:
    for result in results:
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
        self.loaded = options.loaded
        self.run = Run(
            pseudonymiser=Pseudonymiser(secret),
            pairs=candidates(options.kind, options.profile),
            refs=load_references(),
            fallback=options.fallback,
            explicit_date=options.explicit_date,
            explicit_period=options.explicit_period,
            roots=options.roots,
        )

    def __call__(self, paths: list[Path]) -> list[_Staged]:
        return [_detach(one) for one in _stage(paths, self.run, self.loaded)]

    def close(self) -> None:
        self.run.pseudonymiser.close()


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


def _stage(paths: list[Path], run: Run, loaded: Collection[str]) -> list[_Staged]:
    """Read, hash and prepare a chunk of files, each with its own outcome, in order; touches
    no database (runs on the worker thread or in a worker process)."""
    staged = [_read(path, loaded) for path in paths]
    todo = [one for one in staged if one.work is not None and not one.skipped and one.reject_reason is None]
    outcomes = prepare_files([one.work for one in todo], run)  # type: ignore[misc]
    for one, outcome in zip(todo, outcomes, strict=True):
        if isinstance(outcome, DeliveryError):
            one.reject_reason = fnr.redact(str(outcome))
        elif isinstance(outcome, Exception):  # a defect, not the user's file: still one line, never values
            assert one.work is not None
            log.error("uventet feil under innlesing av %s: %s", one.work.name, type(outcome).__name__)
            one.reject_reason = f"uventet feil under innlesing ({type(outcome).__name__}); meld fra til drift"
        else:
            one.prepared = outcome
    return staged


def _read(path: Path, loaded: Collection[str]) -> _Staged:
    """One file read and hashed: to be prepared, skipped (its content is loaded already), or
    refused (a link out of its folder, unreadable) with its reason."""
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
    return _Staged(work=work, skipped=work.sha256 in loaded)


# --- storing: many files per transaction ------------------------------------------------------
# A batch of files is stored in one transaction and its ledger rows written in a few statements:
# a commit and a ledger write per file cost more than storing a small file's rows. A batch ends
# at BATCH_FILES files or BATCH_ROWS rows (memory stays bounded: the batch's prepared rows are
# kept until it commits, to store them again one by one should it fail).
BATCH_FILES = 64
BATCH_ROWS = 250_000


@dataclass
class _Entry:
    """One file's outcome in the open batch; its ledger rows are written when the batch commits."""

    staged: _Staged
    outcome: str  # loaded | rejected | already_loaded
    reason: str | None
    at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    archive: str | None = None
    archiving: Future[str] | None = None  # a loaded file's archive, written while the batch stores
    replaces_rejected: bool = False  # an earlier delivery of these bytes was rejected
    profile: str | None = None  # already_loaded: the profile the content was loaded by

    @property
    def work(self) -> _Work:
        assert self.staged.work is not None
        return self.staged.work


class _Store:
    """The database half of a run: each file's outcome (re-delivery, rejected or loaded) in
    file order, as if stored one after the other, but committed in batches.

    If anything fails in a batch (an archive that cannot be written, a database error), the
    batch is rolled back and its files are stored again one per transaction, so a failing file
    costs only itself: a file whose archive cannot be written is recorded as rejected, and a
    database error stops the run after the files before it were committed, as before."""

    def __init__(self, con, settings: Settings, archiver: ThreadPoolExecutor) -> None:
        self.con, self.settings, self.archiver = con, settings, archiver
        self.known = ledger.Known(con)
        self.entries: list[_Entry] = []
        # the batch's raw rows by kind (with their load time) and pending-load rows, written
        # when it commits, one insert each (`_insert`): a statement per small file costs more
        # than its rows
        self.waiting: dict[str, list[tuple[pl.DataFrame, datetime]]] = {}
        self.noted: list[tuple] = []
        self.rows = 0
        self.limit = BATCH_FILES
        self.open = False  # a transaction is open

    def _begin(self) -> None:
        self.con.execute("begin transaction")
        self.open = True

    def add(self, staged: _Staged) -> list[DeliveryResult]:
        """Store one file in the open batch; the results of the files committed, if any."""
        if not self.open:
            self._begin()
        try:
            entry = self._store(staged)
        except Exception:
            self.entries.append(_Entry(staged, "failed", None, _now()))
            return self._one_by_one()
        self.entries.append(entry)
        if len(self.entries) >= self.limit or self.rows >= BATCH_ROWS:
            return self.commit()
        return []

    def commit(self) -> list[DeliveryResult]:
        """Write the batch's ledger rows and commit; the batch's results, in file order."""
        if not self.entries:
            return []
        try:
            for entry in self.entries:
                if entry.archiving is not None:
                    entry.archive = entry.archiving.result()  # committed only once archived
                    entry.archiving = None
            started = time.perf_counter()
            self._write_batch()
            self.con.execute("commit")
            self.open = False
            timing_log.debug("commit %.3f", time.perf_counter() - started)  # the batch's rows and ledger
        except Exception:
            return self._one_by_one()
        results = [self._result(entry) for entry in self.entries]
        self.entries, self.rows = [], 0
        return results

    def abandon(self) -> None:
        """Roll back a batch left open by an error (never leave an archive write running)."""
        if self.open:
            self.con.execute("rollback")
            self.open = False
        for entry in self.entries:
            if entry.archiving is not None:
                entry.archiving.exception()
        self.entries, self.rows = [], 0
        self.waiting, self.noted = {}, []

    def _one_by_one(self) -> list[DeliveryResult]:
        staged = [entry.staged for entry in self.entries]
        self.abandon()
        self.known = ledger.Known(self.con)  # what this batch remembered was rolled back
        if len(staged) == 1:
            return [self._store_alone(staged[0])]
        log.warning("en gruppe filer kunne ikke lagres samlet; lagres én og én")
        results: list[DeliveryResult] = []
        self.limit, self.rows = 1, 0
        try:
            for one in staged:
                results += self.add(one)
        finally:
            self.limit = BATCH_FILES
        return results

    def _store_alone(self, staged: _Staged) -> DeliveryResult:
        """A file that failed in a batch of its own: an archive that cannot be written rejects
        it; a database error (the warehouse, not the file) stops the run."""
        work = staged.work
        assert work is not None
        self._begin()
        try:
            entry = self._store(staged)
            self.entries.append(entry)
            if entry.archiving is not None:
                try:
                    entry.archive = entry.archiving.result()
                except OSError as error:
                    entry.archiving = None
                    self.abandon()
                    self.known = ledger.Known(self.con)
                    log.error("arkivering av %s feilet: %s", work.name, type(error).__name__)
                    reason = (
                        f"filen kunne ikke arkiveres ({error.strerror or type(error).__name__}); "
                        "ingenting er lastet"
                    )
                    return self._reject_alone(staged, reason, entry.replaces_rejected)
                entry.archiving = None
            self._write_batch()
            self.con.execute("commit")
            self.open = False
        except WorkforceError:
            self.abandon()
            raise
        except Exception as error:
            self.abandon()
            raise WorkforceError(
                f"{work.name} kunne ikke lagres ({type(error).__name__}); ingenting fra filen er lagret."
            ) from None
        result = self._result(self.entries[0])
        self.entries, self.rows = [], 0
        return result

    def _reject_alone(self, staged: _Staged, reason: str, replaces_rejected: bool) -> DeliveryResult:
        assert staged.work is not None
        entry = _Entry(staged, "rejected", reason, _now(), replaces_rejected=replaces_rejected)
        with transaction(self.con):
            self.entries = [entry]
            self._write_batch()
        self.entries = []
        self._remember(entry)
        return self._result(entry)

    def _store(self, staged: _Staged) -> _Entry:
        """One file's database work inside the open batch: recognise a re-delivery, else record
        it (rejected) or store its rows (loaded)."""
        work = staged.work
        assert work is not None
        work.started = time.perf_counter()  # the store's own time, not the wait for it
        at = _now()
        past = self.known.past.get(work.sha256)
        if past is not None and past.outcome == "loaded":
            reason = f"samme innhold som {past.file_name}, lest inn {past.loaded_at:%d.%m.%Y %H:%M}"
            work.kind, work.municipality_code, work.extraction_date = (
                past.kind,
                past.municipality_code,
                past.extraction_date,
            )
            return _Entry(staged, "already_loaded", reason, at, profile=past.profile)
        replaces_rejected = past is not None
        if staged.skipped:  # loaded when the run began, yet not in the ledger now: cannot happen
            raise WorkforceError(f"{work.name}: leveransen forsvant fra loggen under innlesingen; kjør på nytt.")
        if staged.reject_reason is not None:
            archive, note = _archive_rejected(self.settings, work, staged.reject_archive, staged.reject_archive_note)
            reason = f"{staged.reject_reason} ({note})" if note else staged.reject_reason
            entry = _Entry(staged, "rejected", reason, at, archive=archive, replaces_rejected=replaces_rejected)
            self._remember(entry)
            return entry
        prepared = staged.prepared
        assert prepared is not None

        # The archive is written while DuckDB stores the rows (both release the GIL); the
        # batch commits only once the archive is safely on disk.
        archiving = self.archiver.submit(
            landing.archive_table, self.settings, work.sha256, work.name, prepared.archive_table
        )
        entry = _Entry(
            staged,
            "loaded",
            "; ".join(work.notes) or None,
            at,
            counts=dict(prepared.counts),
            archiving=archiving,
            replaces_rejected=replaces_rejected,
        )
        noted = pending.load_row(  # for the plan of the next dbt build (pipelines/warehouse/pending.py)
            sha256=work.sha256,
            kind=work.kind or "",
            municipality_code=work.municipality_code,
            extraction_date=work.extraction_date,
            rows=prepared.valid,
            period_start=work.period_start,
        )
        if noted is not None:
            self.noted.append(noted)
        kind = work.kind or ""
        entry.counts["stale"] = 0
        if self.known.newer_extract_loaded(work.kind, work.municipality_code, work.extraction_date):
            self._insert(kind)  # the count sees the rows of the batch's earlier files
            entry.counts["stale"] = load.stale_count(self.con, kind, prepared.valid)
        self.waiting.setdefault(kind, []).append((prepared.valid, at))
        self.rows += prepared.valid.height
        self._remember(entry)
        work.lap("store")
        timing_log.debug("store %.3f", work.timings[-1][1])
        return entry

    def _remember(self, entry: _Entry) -> None:
        work = entry.work
        self.known.remember(
            work.sha256,
            ledger.PastDelivery(
                file_name=work.name,
                outcome=entry.outcome,
                loaded_at=entry.at,
                kind=work.kind,
                municipality_code=work.municipality_code,
                extraction_date=work.extraction_date,
                profile=work.profile.name if work.profile else None,
            ),
        )

    def _insert(self, kind: str | None = None) -> None:
        """Insert the raw rows held for `kind` (None: every kind, and the pending-load rows)."""
        for held in [kind] if kind is not None else list(self.waiting):
            load.insert(self.con, held, self.waiting.pop(held, []))
        if kind is None:
            pending.record_loads(self.con, self.noted)
            self.noted = []

    def _write_batch(self) -> None:
        """The batch's raw rows and pending-load rows (held until now), and its ledger rows: one
        per distinct content (the last outcome of it in the batch wins, as one file after the
        other would leave it), every attempt, the quarantine."""
        self._insert()
        deliveries: dict[str, dict] = {}
        attempts, quarantine, replaced = [], {}, []
        for entry in self.entries:
            work = entry.work
            attempts.append(
                ledger.attempt_row(
                    sha256=work.sha256, file_name=work.name, outcome=entry.outcome, reason=entry.reason, at=entry.at
                )
            )
            if entry.outcome == "already_loaded":
                continue
            if entry.replaces_rejected:
                replaced.append(work.sha256)
            deliveries[work.sha256] = ledger.delivery_row(
                **work.facts(),
                counts=entry.counts,
                outcome=entry.outcome,
                reason=entry.reason,
                archive_path=entry.archive,
                at=entry.at,
                unknown_position_codes=work.unknown_position_codes if entry.outcome == "loaded" else None,
            )
            if entry.outcome == "loaded" and entry.staged.prepared is not None:
                quarantine[work.sha256] = entry.staged.prepared.quarantine
        ledger.record_batch(self.con, list(deliveries.values()), attempts, quarantine, replaced)

    def _result(self, entry: _Entry) -> DeliveryResult:
        work, loaded = entry.work, entry.outcome == "loaded"
        result = DeliveryResult(
            **work.facts(),
            rows_read=entry.counts.get("read", 0),
            rows_loaded=entry.counts.get("loaded", 0),
            rows_quarantined=entry.counts.get("quarantined", 0),
            rows_duplicate=entry.counts.get("duplicate", 0),
            rows_stale=entry.counts.get("stale", 0),
            outcome=entry.outcome,
            reason=entry.reason,
            archive_path=entry.archive,
            unknown_position_codes=dict(work.unknown_position_codes) if loaded else {},
        )
        return replace(result, profile=entry.profile) if entry.outcome == "already_loaded" else result


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
