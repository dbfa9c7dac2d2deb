"""Preparing HR deliveries in memory, the steps: read and map a file through a profile,
refuse files that leak national ids outside the id column, type and validate every row, turn
identifiers into keyed pseudonyms, and set apart what goes to quarantine and the archive.

The rules about a file as a whole run per file (`read`, `check`, `set_dates`); the rules per
row run over many files at once (pipelines/hr/batch.py puts them together: a `FILE` column says
whose row is whose, and every rule that compares rows stays within one file). No database and
no ledger here (pipelines/hr/ingest.py stores what this prepares, and pipelines/hr/inspect.py
shows it without storing), so it can run in a worker process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from pipelines.errors import DeliveryError
from pipelines.hr import conflicts, fnr, identity, limits
from pipelines.hr.contract import RAW_KEYS
from pipelines.hr.delivery import RowDates, municipality_from_name
from pipelines.hr.delivery import extraction_date as find_extraction_date
from pipelines.hr.delivery import period_start as find_period_start
from pipelines.hr.profiles import Profile
from pipelines.hr.pseudonymise import Pseudonymiser
from pipelines.hr.readers import ROW, RawTable, read_table
from pipelines.hr.references import References
from pipelines.hr.validate import (
    EMPLOYMENT_REF,
    ERR,
    NID,
    NID_TEXT,
    FileContext,
    error_columns,
    has_error,
    missing_required,
)

INVALID_ID = "[ugyldig fødselsnummer]"
# Source columns replaced by their pseudonyms wherever a row is written (quarantine, archive).
IDENTIFIERS = {
    "employments": {
        "national_id": "person_key",
        "employee_number": "employee_key",
        "employment_id": "employment_key",
    },
    "postings": {"hired_employee_number": "hired_employee_key"},
    "backlog": {},
}
# Which column a duplicate-key conflict is reported on.
KEY_LABEL = {"employments": "employment_id", "postings": "posting_id", "backlog": "month"}


@dataclass
class _Work:
    """A file on its way through; what is known so far (the reject path archives from it)."""

    name: str
    data: bytes
    sha256: str
    table: RawTable | None = None
    kind: str | None = None
    profile: Profile | None = None
    municipality_code: str | None = None
    extraction_date: date | None = None
    period_start: date | None = None
    notes: list[str] = field(default_factory=list)
    unknown_position_codes: dict[str, int] = field(default_factory=dict)
    # where each file-level fact came from (fact -> Norwegian phrase), for `workforce inspect`
    sources: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    # (stage, seconds) of the preparing stages, logged where the file is stored (the benchmark
    # reads them from the timing log; a worker process's own log would be lost)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def facts(self) -> dict[str, Any]:
        """What the ledger row and the delivery's result both say about the file."""
        return {
            "sha256": self.sha256,
            "file_name": self.name,
            "kind": self.kind,
            "municipality_code": self.municipality_code,
            "extraction_date": self.extraction_date,
            "period_start": self.period_start,
            "profile": self.profile.name if self.profile else None,
        }

    def lap(self, stage: str) -> None:
        """Note how long the stage that just ended took."""
        now = time.perf_counter()
        self.timings.append((stage, now - self.started))
        self.started = now


@dataclass
class _Prepared:
    valid: pl.DataFrame
    quarantine: pl.DataFrame
    archive_table: pl.DataFrame  # what the landing archive keeps of the file (see _archive_table)
    counts: dict[str, int]


# --- one file's own checks ----------------------------------------------------------------
FILE = "__file"  # which file of a batch a row came from (pipelines/hr/batch.py); 0 for a file alone


def read(work: _Work, pairs: list[tuple[Profile, str]]) -> RawTable:
    """Read the file and refuse it when a header or a title line looks like a national id (the
    privacy rule comes first: a leak rejects the file before anything else is said about it;
    its cells are scanned next, for many files at once: `scanned_columns`, `check`)."""
    work.lap("hash")
    table = read_table(work.data, pairs)
    work.table = table
    work.lap("read")
    work.kind, work.profile = table.match.kind, table.match.profile
    work.notes += table.notes
    _refuse_named_leaks(table)
    return table


def scanned_columns(table: RawTable) -> list[str]:
    """The columns whose cells must hold nothing id-like: all but the national id's (ragged
    overflow included)."""
    id_source = table.source_for.get("national_id")
    return [c for c in table.frame.columns if c not in (ROW, id_source)]


def check(work: _Work, leaked: list[str], refs: References, fallback: str | None) -> FileContext:
    """Apply every rule about the file as a whole that needs nothing but the file itself (a
    leak: `leaked` are its columns whose cells look like national ids, from `fnr.leaked_columns_of`;
    no data rows, two columns that disagree, a municipality unlike its name, a required column
    missing): raises DeliveryError with the file's reason. Returns the context its rows are
    validated in (`municipality_fallback`: this file's own)."""
    table = work.table
    assert table is not None and work.profile is not None
    kind = table.match.kind
    source_for = table.source_for
    kmap = table.match.kind_map
    _refuse_leaks(table, leaked)
    work.lap("leak_check")

    if table.frame.height == 0:
        raise DeliveryError("filen har overskrift, men ingen datarader")
    work.notes += conflicts.check_duplicate_columns(table)

    municipality_fallback = fallback
    name_code, blank, others = _name_code(work.name, refs), True, []
    if "municipality_code" in source_for:
        work.sources["municipality_code"] = f"fra kolonnen «{source_for['municipality_code']}»"
        blank, others = conflicts.municipality_column(table, name_code, refs.municipalities)
    if blank:  # no column, or blank cells: the name's code fills them (a name with two is refused)
        from_name = municipality_from_name(work.name, refs)
        conflicts.refuse_other_municipality(table, others, from_name, work.name)
        if fallback is None and from_name is not None:
            municipality_fallback = from_name
            work.notes.append("kommunenummer fra filnavnet")
        elif fallback is not None:
            work.notes.append("kommunenummer fra --municipality")
        if municipality_fallback is not None:
            origin = "fra filnavnet" if fallback is None else "fra --municipality"
            where = work.sources.get("municipality_code")
            work.sources["municipality_code"] = f"{where}; tomme celler {origin}" if where else origin
    else:
        conflicts.refuse_other_municipality(table, others, name_code, work.name)
    ctx = FileContext(kind, work.profile, source_for, municipality_fallback, refs)
    missing = missing_required(ctx)
    if missing:
        parts = []
        for name in missing:
            tried = ", ".join(kmap.source_names(name)) or name
            hint = "; eller angi --municipality" if name == "municipality_code" else ""
            parts.append(f"{name} (prøvde: {tried}{hint})")
        raise DeliveryError(f"mangler påkrevd kolonne for {work.profile.name}/{kind}: " + "; ".join(parts))
    return ctx


def set_dates(
    work: _Work,
    rows: RowDates,
    source_for: dict[str, str],
    explicit_date: date | None,
    explicit_period: date | None,
) -> None:
    """The file's extraction date and period start, from what its typed rows' dates say
    (raises DeliveryError when the file has none or declares a history it cannot have)."""
    assert work.table is not None
    date_value, date_note = find_extraction_date(
        explicit_date, rows, "extraction_date" in source_for, work.table.preamble, work.name
    )
    work.extraction_date = date_value
    if date_note:
        work.notes.append(date_note)
    work.sources["extraction_date"] = date_note or "oppgitt ved innlesing"
    if work.kind == "employments":
        work.period_start, origin = find_period_start(
            explicit_period, rows, source_for.get("period_start"), date_value
        )
        if work.period_start is not None:
            work.sources["period_start"] = f"fra {origin}"
            work.notes.append(f"historikk fra {work.period_start:%d.%m.%Y} ({origin})")
    elif explicit_period is not None:
        work.notes.append("--period-start gjelder bare arbeidsforhold; ikke brukt")


def unknown_position_codes(valid: pl.DataFrame, refs: References) -> dict[int, dict[str, int]]:
    """Per file (`FILE`), rows per well-formed position code that is in no code list (they load
    as position group `unknown` and count in every total; the delivery reports them so the
    list can grow). A file without such rows is left out."""
    if "position_code" not in valid.columns or valid.height == 0:
        return {}
    counts = (
        valid.filter(pl.col("position_code").is_not_null() & ~pl.col("position_code").is_in(list(refs.position_codes)))
        .group_by(FILE, "position_code")
        .len()
        .sort(FILE, "position_code")
    )
    found: dict[int, dict[str, int]] = {}
    for file, code, n in counts.iter_rows():
        found.setdefault(file, {})[code] = n
    return found


LEAK_ADVICE = (
    "filen er avvist (fødselsnumre hører bare hjemme i fødselsnummerkolonnen; kontonumre og andre "
    "11-sifrede numre med gyldige kontrollsifre kan ikke skilles fra dem og må fjernes)"
)


def _label(name: str) -> str:
    """A column name fit for a message: never an id, never long."""
    return limits.truncate_name(fnr.redact(name), 60)


def _refuse_named_leaks(table: RawTable) -> None:
    """Reject a file with something id-like in a header or a title line, in any spelling."""
    headers = fnr.leaked_names(table.columns)
    if headers:
        places = ", ".join(str(i + 1) for i in headers)
        raise DeliveryError(
            f"overskriften i kolonne {places} inneholder noe som ser ut som et fødselsnummer; {LEAK_ADVICE}"
        )
    if fnr.contains_id(table.preamble):
        raise DeliveryError("tittellinjene over overskriften inneholder noe som ser ut som et fødselsnummer")


def _refuse_leaks(table: RawTable, leaks: list[str]) -> None:
    """Reject a file with something id-like outside the id column: in any cell (`leaks`: those
    columns) or any other sheet of a workbook. Messages name columns, never values."""
    if leaks:
        named = ", ".join(f"«{_label(c)}»" for c in leaks)
        raise DeliveryError(f"kolonnen {named} inneholder noe som ser ut som fødselsnumre; {LEAK_ADVICE}")
    if any(fnr.leaked_columns(sheet, sheet.columns) for sheet in table.other_sheets):
        # not named: a sheet's name may itself be the id
        raise DeliveryError(f"et annet ark i arbeidsboken inneholder noe som ser ut som fødselsnumre; {LEAK_ADVICE}")


def _duplicates(frame: pl.DataFrame) -> pl.Series:
    """True for each row that repeats an earlier row of its file exactly (all source columns;
    `FILE` is one of them, so rows of two files of a batch never repeat each other).

    Rows are hashed first; only rows whose hash repeats are compared value by value, so a
    clean file costs one hash pass and a collision can never drop a distinct row."""
    hashes = frame.hash_rows()
    candidates = hashes.is_duplicated()
    result = pl.Series("dup", [False] * frame.height, dtype=pl.Boolean)
    if not candidates.any():
        return result
    index = candidates.arg_true()
    subset = frame[index]
    repeated = ~subset.select(pl.struct(pl.all()).is_first_distinct()).to_series()
    return result.scatter(index, repeated)


def _name_code(file_name: str, refs: References) -> str | None:
    """The municipality code in the file name, to compare with the column; a name with two
    codes says nothing here (the column decides, as before)."""
    try:
        return municipality_from_name(file_name, refs)
    except DeliveryError:
        return None


def _pseudonyms(
    pseudonymiser: Pseudonymiser, kind: str, rows: pl.DataFrame, roots: dict[str, str], *, files: int = 1
) -> pl.DataFrame:
    """Keyed pseudonyms of the identifiers (of the rows of `files` files). Employee and
    employment keys are keyed by the municipality's key code (`identity`): the oldest code of
    a chain of pure renumberings."""
    key_code = identity.key_code_expr("municipality_code", roots)

    def keyed(column: str) -> pl.Expr:  # "<key code>:<value>", null when either is
        return pl.concat_str([key_code, pl.lit(":"), pl.col(column)])

    if kind == "employments":
        messages = [
            pl.col(NID).alias("person_key"),
            keyed("employee_number").alias("employee_key"),
            keyed(EMPLOYMENT_REF).alias("employment_key"),
        ]
    elif kind == "postings":
        messages = [keyed("hired_employee_number").alias("hired_employee_key")]
    else:
        return pl.DataFrame()
    return pseudonymiser.hmacs(rows.select(messages), repeated=files > 1)


def _flag_key_conflicts(rows: pl.DataFrame, kind: str, ctx: FileContext) -> pl.DataFrame:
    """Rows of one file that share a key but differ in content cannot both be current:
    quarantine all of them (exact duplicates were set aside already). The same key in two
    files of a batch is no conflict: each file is an extract of its own."""
    keys = [*RAW_KEYS[kind], FILE]
    # Among the candidates (no duplicate, no error), those whose key another candidate of the
    # same file shares: counted over the whole frame in one select, not on a filtered copy of it.
    candidate = ~pl.col("__duplicate") & ~has_error(rows)
    clash = rows.select(candidate & (candidate.sum().over(keys) > 1)).to_series()
    if not clash.any():
        return rows
    label = KEY_LABEL[kind]
    source = ctx.source_for.get(label, label)
    if kind == "employments" and "employment_id" not in ctx.source_for:
        text = "kan ikke skille arbeidsforhold med samme ansattnr, stillingskode og startdato (lever arbeidsforholdsnr)"
    else:
        text = "samme nøkkel forekommer flere ganger i filen med ulikt innhold"
    column = ERR + label
    reason = pl.when(pl.lit(clash)).then(pl.lit(f"{source}: {text}"))
    if column in rows.columns:
        return rows.with_columns(pl.coalesce(pl.col(column), reason).alias(column))
    return rows.with_columns(reason.alias(column))


def _row_documents(table: RawTable, rows: pl.DataFrame, kind: str, mask: pl.Series) -> pl.DataFrame:
    """The source rows selected by `mask` (with `ROW` and `FILE`): the contract columns only (unknown columns, ragged
    overflow and the id column never), values capped, identifiers replaced by pseudonyms."""
    sources = table.source_for
    replaced = {sources[c]: key for c, key in IDENTIFIERS[kind].items() if c in sources}
    source_rows = table.frame.filter(mask)
    keyed = rows.filter(mask)
    columns: list[pl.Series | pl.Expr] = [pl.col(ROW), pl.col(FILE)]
    columns += [limits.cap_values(pl.col(c)) for c in _contract_sources(table) if c not in replaced]
    frame = source_rows.select(columns)
    for key in replaced.values():
        values = keyed.get_column(key)
        if key == "person_key":
            values = keyed.select(
                pl.when(pl.col(NID_TEXT) & pl.col("person_key").is_null())
                .then(pl.lit(INVALID_ID))
                .otherwise(pl.col("person_key"))
            ).to_series()
        frame = frame.with_columns(values.alias(key))
    return frame


QUARANTINE_SCHEMA = {
    "source_row_number": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "row_json": pl.String,
}


def _quarantine_rows(table: RawTable, rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The quarantine's rows (QUARANTINE_SCHEMA and `FILE`): one per failing row and column,
    in file, row and column order, with the row's contract columns as JSON."""
    mask = rows.get_column("__failing")
    if not mask.any():
        return pl.DataFrame(schema={FILE: rows.schema[FILE], **QUARANTINE_SCHEMA})
    documents = _row_documents(table, rows, kind, mask)
    payload = [c for c in documents.columns if c not in (ROW, FILE)]
    documents = documents.select(pl.col(ROW), pl.col(FILE), pl.struct(payload).struct.json_encode().alias("row_json"))
    errors = error_columns(rows)
    reasons = (
        rows.filter(mask)
        .select([ROW, FILE, *errors])
        .unpivot(index=[ROW, FILE], variable_name="column_name", value_name="reason")
        .drop_nulls("reason")
        .with_columns(pl.col("column_name").str.strip_prefix(ERR))
    )
    return (
        reasons.join(documents, on=[ROW, FILE], how="left")
        .sort(FILE, ROW, "column_name")
        .select(FILE, pl.col(ROW).alias("source_row_number"), "column_name", "reason", "row_json")
    )


def _contract_sources(table: RawTable) -> list[str]:
    """The source columns the profile maps to contract columns, in file order, the national
    id's column left out: all of a delivery that is ever written anywhere. A column the
    contract does not know (`Navn`, `Kontonummer`, a header that is itself an id) is read
    for the privacy scan and then forgotten."""
    mapping = table.match.mapping
    return [table.columns[i] for i in sorted(mapping) if mapping[i] != "national_id"]


def _archive_table(table: RawTable, rows: pl.DataFrame) -> pl.DataFrame:
    """The landing archive's copy of a file: what the pipeline read, not the bytes it was
    given. Every row as delivered, in the contract columns only and under their delivered
    names, values capped; the national id replaced by `person_key` (or a marker where it was
    invalid). Whatever else a file carries (a workbook's comments, properties, sheet names,
    headers and footers, formulas, other sheets; a CSV's unknown columns) never reaches disk.
    With `FILE`, to split a batch's archive into its files."""
    frame = table.frame.select(limits.cap_values(pl.col(c)) for c in _contract_sources(table))
    if "national_id" in table.source_for:
        person = rows.select(
            pl.when(pl.col(NID_TEXT) & pl.col("person_key").is_null())
            .then(pl.lit(INVALID_ID))
            .otherwise(pl.col("person_key"))
            .alias("person_key")
        )
        frame = frame.hstack(person)
    return frame.hstack([table.frame.get_column(FILE)])
