"""Fetch the catalogue's tables and KLASS into `raw.*`, by mode, and log every fetch.

Modes (`WORKFORCE_SSB_MODE`, or `--mode`):

* `live` — SSB or nothing: a failure fails the table.
* `auto` (default) — SSB; when SSB cannot be reached or keeps failing, the newest cached
  response for the same query (else for the table), else the bundled snapshot. The
  fallback is written to `audit.ssb_fetches` (status `fallback`) and shown to the user.
  A query SSB *refuses* (4xx) also falls back, so the warehouse keeps building, but it is
  reported as an error to fix: the catalogue no longer matches SSB.
* `snapshot` — the bundled snapshot only; never opens a socket.

Each table is replaced in one transaction together with its notes and its audit row, so
a reader never sees half a table and every load has its audit line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import polars as pl

from pipelines.errors import SettingsError, WorkforceError
from pipelines.settings import SSB_MODES, Settings
from pipelines.ssb import jsonstat, klass
from pipelines.ssb import snapshot as bundled
from pipelines.ssb.cache import CacheEntry, ResponseCache
from pipelines.ssb.catalogue import Catalogue, TableSpec, load_catalogue
from pipelines.ssb.errors import SsbError, SsbQueryError
from pipelines.ssb.jsonstat import JsonStatTable, snake
from pipelines.warehouse.transaction import transaction

log = logging.getLogger("pipelines.ssb")

DEMO_NOTICE = "demotall, ikke SSBs tall"
KLASS_TABLE_ID = "klass-131"
CACHE_KEEP = 24  # cached fetches kept per table: two years of monthly runs


@dataclass
class FetchOutcome:
    """What happened to one table: where its rows came from and what the user should know."""

    name: str
    table_id: str
    raw_table: str
    source: str | None
    status: str
    rows: int
    updated: datetime | None
    fetched_at: datetime
    duration_ms: int
    message: str
    query_hash: str | None = None
    error: str | None = None

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"


@dataclass
class Loaded:
    """Frames ready for DuckDB, with provenance."""

    frame: pl.DataFrame
    notes: pl.DataFrame
    source: str
    updated: datetime | None
    fetched_at: datetime


# --- parsing into the raw contract -------------------------------------------------------------
def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _geo_dimension(parsed: JsonStatTable, spec: TableSpec | None) -> str | None:
    if spec and spec.region_variable and spec.region_variable in parsed.dimension_ids:
        return spec.region_variable
    geo = parsed.roles.get("geo") or []
    if geo:
        return geo[0]
    for dim in parsed.dimension_ids:
        if "region" in dim.lower():
            return dim
    return None


def _time_dimension(parsed: JsonStatTable) -> str | None:
    times = parsed.roles.get("time") or []
    if times:
        return times[0]
    return next((d for d in parsed.dimension_ids if d.lower() == "tid"), None)


def tidy(
    parts: Sequence[JsonStatTable],
    *,
    table_id: str,
    spec: TableSpec | None,
    source: str,
    fetched_at: datetime,
) -> pl.DataFrame:
    """Parsed parts → the `raw.ssb_<name>` contract (see the module docstring of jsonstat)."""
    if not parts:
        raise SsbError(f"SSB-tabell {table_id}: ingenting ble hentet.", table_id=table_id)
    first = parts[0]
    ids = first.dimension_ids
    for part in parts[1:]:
        if part.dimension_ids != ids:
            raise SsbError(f"SSB-tabell {table_id}: delene av en oppdelt spørring har ulike dimensjoner.")
    frames = [p.frame.with_columns(pl.col(pl.Enum).cast(pl.String)) for p in parts]
    frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    geo, tid = _geo_dimension(first, spec), _time_dimension(first)
    updated = max((p.updated for p in parts if p.updated), default=None)
    columns: list[pl.Expr] = []
    if geo:
        code = pl.col(f"{snake(geo)}_code").str.replace(r"^K-?", "")
        columns.append(
            pl.when(code.str.contains(r"^\d{4}$")).then(code).otherwise(None).alias("municipality_code")
        )
    else:
        columns.append(pl.lit(None, pl.String).alias("municipality_code"))
    if tid:
        columns.append(
            pl.col(f"{snake(tid)}_code").str.slice(0, 4).cast(pl.Int32, strict=False).alias("year")
        )
    else:
        columns.append(pl.lit(None, pl.Int32).alias("year"))
    columns += [
        pl.lit(table_id).alias("table_id"),
        pl.lit(_naive_utc(updated), pl.Datetime("us")).alias("table_updated"),
        pl.lit(_naive_utc(fetched_at), pl.Datetime("us")).alias("fetched_at"),
        pl.lit(source).alias("source"),
        pl.lit(source == "demo").alias("is_demo"),
    ]
    return frame.with_columns(columns)


def notes_frame(parsed: JsonStatTable, *, table_id: str, name: str, fetched_at: datetime) -> pl.DataFrame:
    rows = [
        {
            "table_id": table_id,
            "table_name": name,
            "dimension": n.dimension,
            "category": n.category,
            "note": n.text,
            "mandatory": n.mandatory,
            "fetched_at": _naive_utc(fetched_at),
        }
        for n in parsed.notes
    ]
    schema = {
        "table_id": pl.String,
        "table_name": pl.String,
        "dimension": pl.String,
        "category": pl.String,
        "note": pl.String,
        "mandatory": pl.Boolean,
        "fetched_at": pl.Datetime("us"),
    }
    return pl.DataFrame(rows, schema=schema)


def _loaded(
    bodies: Sequence[bytes | dict[str, Any]], spec: TableSpec, source: str, fetched_at: datetime
) -> Loaded:
    parts = [jsonstat.parse(b, table_id=spec.table_id) for b in bodies]
    frame = tidy(parts, table_id=spec.table_id, spec=spec, source=source, fetched_at=fetched_at)
    notes = notes_frame(parts[0], table_id=spec.table_id, name=spec.name, fetched_at=fetched_at)
    return Loaded(
        frame, notes, source, max((p.updated for p in parts if p.updated), default=None), fetched_at
    )


# --- sources ------------------------------------------------------------------------------------
def from_snapshot(spec: TableSpec) -> Loaded:
    entry = bundled.table_files(spec.name)
    body = (bundled.SNAPSHOT_DIR / entry["data"]).read_bytes()
    generated = datetime.fromisoformat(bundled.manifest()["generated"].replace("Z", "+00:00"))
    return _loaded([body], spec, entry["source"], generated)


def from_cache(entry: CacheEntry, spec: TableSpec) -> Loaded:
    return _loaded(entry.bodies(), spec, "cache", entry.fetched_at)


# --- DuckDB ----------------------------------------------------------------------------------------
def _audit(con: duckdb.DuckDBPyConnection, outcome: FetchOutcome) -> None:
    con.execute(
        "insert into audit.ssb_fetches (table_id, table_name, query_hash, status, rows, table_updated, "
        "source, "
        "duration_ms, fetched_at, message) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            outcome.table_id,
            outcome.name,
            outcome.query_hash,
            outcome.status,
            outcome.rows,
            _naive_utc(outcome.updated),
            outcome.source,
            outcome.duration_ms,
            _naive_utc(outcome.fetched_at),
            outcome.message,
        ],
    )


def write_table(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, loaded: Loaded, outcome: FetchOutcome
) -> None:
    """Replace `raw.ssb_<name>` and its notes, and log the fetch, in one transaction."""
    try:
        with transaction(con):
            con.register("_ssb_frame", loaded.frame.to_arrow())
            con.register("_ssb_notes", loaded.notes.to_arrow())
            con.execute(f"create or replace table {spec.raw_table} as select * from _ssb_frame")
            con.execute("delete from raw.ssb_notes where table_name = ?", [spec.name])
            con.execute("insert into raw.ssb_notes select * from _ssb_notes")
            _audit(con, outcome)
    finally:
        for view in ("_ssb_frame", "_ssb_notes"):
            with contextlib.suppress(duckdb.Error):
                con.unregister(view)


def write_klass(
    con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], outcome: FetchOutcome
) -> None:
    with transaction(con):
        for table, frame in frames.items():
            con.register("_klass_frame", frame.to_arrow())
            con.execute(f"delete from raw.{table}")
            columns = ", ".join(frame.columns)
            con.execute(f"insert into raw.{table} ({columns}) select {columns} from _klass_frame")
            con.unregister("_klass_frame")
        _audit(con, outcome)


def record_failure(con: duckdb.DuckDBPyConnection, outcome: FetchOutcome) -> None:
    _audit(con, outcome)


# --- the fetch of one table ---------------------------------------------------------------------
class Fetcher:
    """Fetches catalogue tables and KLASS by mode; owns one HTTP session (opened lazily)."""

    def __init__(self, settings: Settings, mode: str, *, transport: Any = None, max_cells: int | None = None):
        if mode not in SSB_MODES:
            raise SettingsError(f"SSB-modus {mode!r} finnes ikke; bruk en av {', '.join(SSB_MODES)}.")
        self.settings = settings
        self.mode = mode
        self.cache = ResponseCache(settings.ssb_cache_dir)
        self._transport = transport
        self._max_cells = max_cells
        self._client: Any = None
        self._klass: Any = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _transport_obj(self) -> Any:
        if self._transport is None:
            from pipelines.ssb.transport import Transport

            self._transport = Transport()
        return self._transport

    @property
    def client(self) -> Any:
        if self._client is None:
            from pipelines.ssb.client import PxWebClient

            self._client = PxWebClient(
                self.settings.ssb_base_url, transport=self._transport_obj(), max_cells=self._max_cells
            )
        return self._client

    @property
    def klass_client(self) -> Any:
        if self._klass is None:
            self._klass = klass.KlassClient(self.settings.klass_base_url, self._transport_obj())
        return self._klass

    def table(self, spec: TableSpec) -> tuple[Loaded | None, FetchOutcome]:
        started = time.monotonic()
        query = spec.query()
        qhash = query.hash

        def outcome(
            loaded: Loaded | None, status: str, message: str, error: str | None = None
        ) -> FetchOutcome:
            return FetchOutcome(
                name=spec.name,
                table_id=spec.table_id,
                raw_table=spec.raw_table,
                source=loaded.source if loaded else None,
                status=status,
                rows=loaded.frame.height if loaded else 0,
                updated=loaded.updated if loaded else None,
                fetched_at=loaded.fetched_at if loaded else datetime.now(UTC),
                duration_ms=int((time.monotonic() - started) * 1000),
                message=message,
                query_hash=qhash,
                error=error,
            )

        if self.mode == "snapshot":
            loaded = from_snapshot(spec)
            return loaded, outcome(loaded, "ok", _snapshot_message(loaded))
        try:
            fetch = self.client.data(query, fill_mandatory=spec.fill_mandatory)
            loaded = _loaded([p.document for p in fetch.parts], spec, "live", fetch.parts[-1].fetched_at)
            self.cache.save(
                spec.cache_key,
                query=query.to_dict(),
                query_hash=qhash,
                responses=fetch.parts,
                updated=loaded.updated,
                extra={"table_name": spec.name},
            )
            self.cache.save(
                f"{spec.cache_key}-metadata",
                query=query.to_dict(),
                query_hash=qhash,
                responses=[fetch.metadata_response],
            )
            for key in (spec.cache_key, f"{spec.cache_key}-metadata"):
                self.cache.prune(key, keep=CACHE_KEEP)
            parts = f" i {len(fetch.parts)} deler" if len(fetch.parts) > 1 else ""
            return loaded, outcome(loaded, "ok", f"hentet fra SSB{parts}")
        except SsbError as error:
            refused = isinstance(error, SsbQueryError)
            if self.mode == "live":
                return None, outcome(None, _status(error), str(error), error=str(error))
            loaded, where = self._fallback(spec, qhash)
            message = f"{error} Brukte {where}."
            return loaded, outcome(loaded, "fallback", message, error=str(error) if refused else None)

    def _fallback(self, spec: TableSpec, qhash: str) -> tuple[Loaded, str]:
        entry = self.cache.newest(spec.cache_key, qhash)
        if entry is not None:
            same = "" if entry.query_hash == qhash else " (en annen spørring: katalogen er endret siden)"
            return from_cache(
                entry, spec
            ), f"det mellomlagrede svaret fra {entry.fetched_at:%Y-%m-%d %H:%M} UTC{same}"
        loaded = from_snapshot(spec)
        return (
            loaded,
            f"øyeblikksbildet i pakken, siden ingenting var mellomlagret ({DEMO_NOTICE})"
            if loaded.source == "demo"
            else "øyeblikksbildet i pakken, siden ingenting var mellomlagret",
        )

    # --- KLASS ---------------------------------------------------------------------------------
    def klass(self, catalogue: Catalogue) -> tuple[dict[str, pl.DataFrame] | None, FetchOutcome]:
        started = time.monotonic()
        spec = catalogue.klass
        today = date.today().isoformat()
        qhash = f"{spec.classification}-{spec.from_date}"

        def outcome(
            frames: dict[str, pl.DataFrame] | None,
            source: str | None,
            status: str,
            message: str,
            fetched_at: datetime | None = None,
            error: str | None = None,
        ) -> FetchOutcome:
            rows = frames["klass_municipality"].height if frames else 0
            return FetchOutcome(
                name="klass",
                table_id=KLASS_TABLE_ID,
                raw_table="raw.klass_municipality",
                source=source,
                status=status,
                rows=rows,
                updated=None,
                fetched_at=fetched_at or datetime.now(UTC),
                duration_ms=int((time.monotonic() - started) * 1000),
                message=message,
                query_hash=qhash,
                error=error,
            )

        if self.mode == "snapshot":
            frames = klass_offline_frames()
            return frames, outcome(
                frames,
                "snapshot",
                "ok",
                "KLASS 131 fra ekte uttrekk fra 2019/2020 i pakken og avledede 2024-koder",
                fetched_at=_snapshot_time(),
            )
        try:
            codes = self.klass_client.codes(spec.classification, spec.from_date, today)
            changes = self.klass_client.changes(spec.classification, spec.from_date, today)
            for key, resp in (("codes", codes), ("changes", changes)):
                self.cache.save(
                    f"{KLASS_TABLE_ID}-{key}",
                    query={"from": spec.from_date, "to": today},
                    query_hash=qhash,
                    responses=[resp],
                )
            frames = klass_frames_from_json(codes.document, changes.document, "live")
            return frames, outcome(frames, "live", "ok", "hentet fra KLASS", fetched_at=changes.fetched_at)
        except SsbError as error:
            if self.mode == "live":
                return None, outcome(None, None, _status(error), str(error), error=str(error))
            codes_entry = self.cache.newest(f"{KLASS_TABLE_ID}-codes", qhash)
            changes_entry = self.cache.newest(f"{KLASS_TABLE_ID}-changes", qhash)
            refused = str(error) if isinstance(error, SsbQueryError) else None
            if codes_entry and changes_entry:
                frames = klass_frames_from_json(
                    json.loads(codes_entry.bodies()[0]), json.loads(changes_entry.bodies()[0]), "cache"
                )
                when = min(codes_entry.fetched_at, changes_entry.fetched_at)
                return frames, outcome(
                    frames,
                    "cache",
                    "fallback",
                    f"{error} Brukte det mellomlagrede KLASS-svaret fra {when:%Y-%m-%d %H:%M} UTC.",
                    fetched_at=when,
                    error=refused,
                )
            frames = klass_offline_frames()
            return frames, outcome(
                frames,
                "snapshot",
                "fallback",
                f"{error} Brukte KLASS-øyeblikksbildet i pakken.",
                fetched_at=_snapshot_time(),
                error=refused,
            )


def _snapshot_time() -> datetime:
    return datetime.fromisoformat(bundled.manifest()["generated"].replace("Z", "+00:00"))


def _snapshot_message(loaded: Loaded) -> str:
    return f"øyeblikksbildet i pakken ({DEMO_NOTICE})" if loaded.source == "demo" else "øyeblikksbildet i pakken"


def _status(error: SsbError) -> str:
    return str(error.status) if error.status is not None else "error"


# --- KLASS frames --------------------------------------------------------------------------------
def _split_weights() -> pl.DataFrame:
    return pl.read_csv(
        bundled.KLASS_DIR / "split_weights.csv",
        separator=";",
        schema_overrides={"old_code": pl.String, "new_code": pl.String},
    )


def klass_offline_frames() -> dict[str, pl.DataFrame]:
    """The three KLASS tables from the bundled files (real 2019/2020 exports, derived 2024)."""
    municipalities, changes = bundled.klass_frames()
    return _with_map(municipalities, changes)


def klass_frames_from_json(codes_doc: Any, changes_doc: Any, source: str) -> dict[str, pl.DataFrame]:
    today = date.today().isoformat()
    municipalities = klass.codes_frame(codes_doc, version=f"KLASS 131 codes to {today}", source=source)
    changes = klass.weigh_changes(klass.changes_frame(changes_doc, source=source), _split_weights())
    return _with_map(municipalities, changes.select(list(klass.CHANGES_SCHEMA)))


def _with_map(municipalities: pl.DataFrame, changes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    current = municipalities.filter(pl.col("valid_to").is_null())["code"].to_list()
    return {
        "klass_municipality": municipalities.select(list(klass.MUNICIPALITY_SCHEMA)),
        "klass_municipality_changes": changes.select(list(klass.CHANGES_SCHEMA)),
        "klass_municipality_map": klass.code_map(changes, current),
    }


# --- entry points --------------------------------------------------------------------------------
def fetch_catalogue(
    settings: Settings,
    table: str | None = None,
    mode: str | None = None,
    console: Any = None,
    *,
    transport: Any = None,
    max_cells: int | None = None,
    raise_on_error: bool = True,
) -> list[FetchOutcome]:
    """Fetch the catalogue (or one table, by name or id; `klass` for KLASS alone) into the build DB.

    Every table is attempted; the ones that failed (or that SSB refused) are named in one
    `WorkforceError` at the end, after the others have loaded.
    """
    from pipelines.warehouse.connection import connect

    mode = (mode or settings.ssb_mode).strip().lower()
    catalogue = load_catalogue()
    want_klass = table in (None, "klass", KLASS_TABLE_ID, "131")
    specs = [] if table in ("klass", KLASS_TABLE_ID, "131") else catalogue.select(table)
    settings.ensure_dirs()
    fetcher = Fetcher(settings, mode, transport=transport, max_cells=max_cells)
    outcomes: list[FetchOutcome] = []
    # Fetch with no database open, then write each table in a short transaction: waiting on
    # SSB (rate limit, retries) must not hold DuckDB's single writer lock.
    try:
        if want_klass:
            frames, result = fetcher.klass(catalogue)
            with connect(settings.build_db_path) as con:
                if frames is not None:
                    write_klass(con, frames, result)
                else:
                    record_failure(con, result)
            outcomes.append(result)
            _report(console, result)
        for spec in specs:
            loaded, result = fetcher.table(spec)
            with connect(settings.build_db_path) as con:
                if loaded is not None:
                    write_table(con, spec, loaded, result)
                else:
                    record_failure(con, result)
            outcomes.append(result)
            _report(console, result)
    finally:
        fetcher.close()
    failed = [o for o in outcomes if o.error]
    if console is not None and any(o.is_demo for o in outcomes):
        console.print(f"[yellow]Merk:[/yellow] tabeller merket demo har {DEMO_NOTICE}.", highlight=False)
    if failed and raise_on_error:
        names = "; ".join(f"{o.name} ({o.table_id}): {o.error}" for o in failed)
        raise WorkforceError(f"{len(failed)} SSB-henting(er) må følges opp — {names}")
    return outcomes


def _report(console: Any, o: FetchOutcome) -> None:
    if console is None:
        log.info("%s %s: %s, %d rows, %s", o.name, o.table_id, o.source, o.rows, o.message)
        return
    colour = "green" if o.status == "ok" else "yellow" if o.source else "red"
    updated = f", oppdatert {o.updated:%Y-%m-%d}" if o.updated else ""
    source = o.source or "ingenting lastet"
    console.print(
        f"[{colour}]{o.name:<24}[/{colour}] {o.table_id:<9} {source:<8} {o.rows:>7} rader{updated}"
        f" — {o.message}",
        highlight=False,
    )
