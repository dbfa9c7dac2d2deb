"""Helpers for the HR ingestion tests: a throwaway WORKFORCE_HOME with a secret, file
writers for each dialect, and a generator of synthetic national ids (never real ones).

(Its own module, not conftest.py, so test files can import the helpers by a unique name.)"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.demo.dialects import VISMA_EMPLOYMENTS, WEBCRUITER_POSTINGS
from pipelines.hr.fnr import W1, W2
from pipelines.hr.ingest import DeliveryResult, ingest_paths
from pipelines.settings import Settings

SECRET = "test-secret-for-pseudonyms-0123456789"

VISMA_HEADER = list(VISMA_EMPLOYMENTS)  # declared once: the Visma profile's preferred names
WEBCRUITER_HEADER = list(WEBCRUITER_POSTINGS)  # likewise the Webcruiter profile's
CANONICAL_EMPLOYMENTS = [
    "municipality_code",
    "employee_number",
    "employment_id",
    "birth_year",
    "gender",
    "position_code",
    "position_title",
    "fte_percent",
    "employment_type",
    "start_date",
    "end_date",
    "unit",
]


def make_fnr(day: int, month: int, year: int, individual: int, *, first_remainder: int = 0) -> str | None:
    """A synthetic national id with valid control digits (None when this individual number
    cannot carry one). `first_remainder` 1-3 makes a post-2032 number; month + 40 / + 80 and
    day + 40 are for the caller to add."""
    base = f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"
    digits = [int(c) for c in base]
    k1 = (first_remainder - sum(w * d for w, d in zip(W1, digits, strict=False))) % 11
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = (-sum(w * d for w, d in zip(W2, digits, strict=False))) % 11
    if k2 == 10:
        return None
    return base + str(k1) + str(k2)


def synthetic_ids(
    count: int, *, seed: int = 1, month_offset: int = 80, first_remainder: int = 0
) -> list[str]:
    """`count` distinct synthetic ids (month + 80 by default), old rule unless told otherwise."""
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        year = rng.randint(1960, 1999)
        number = make_fnr(
            rng.randint(1, 28),
            rng.randint(1, 12) + month_offset,
            year,
            rng.randint(0, 499),
            first_remainder=first_remainder,
        )
        if number and number not in found:
            found.append(number)
    return found


@dataclass
class Home:
    settings: Settings
    root: Path
    files: Path  # where tests write deliveries (outside WORKFORCE_HOME, like a user's folder)

    def ingest(self, *paths: Path, **options) -> list[DeliveryResult]:
        return ingest_paths(list(paths), self.settings, **options)

    def ingest_one(self, path: Path, **options) -> DeliveryResult:
        [result] = self.ingest(path, **options)
        return result

    @contextmanager
    def db(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.settings.build_db_path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def query(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        with self.db() as con:
            return con.execute(sql, params or []).fetchall()

    def records(self, sql: str, params: Sequence | None = None) -> list[dict]:
        with self.db() as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def delivery(self, sha256: str) -> dict:
        rows = self.records("select * from audit.deliveries where delivery_sha256 = ?", [sha256])
        assert len(rows) == 1, f"expected one ledger row, found {len(rows)}"
        return rows[0]

    def assert_reconciles(self, result: DeliveryResult) -> dict:
        row = self.delivery(result.sha256)
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_duplicate"]
        assert row["rows_stale"] <= row["rows_loaded"]
        assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["rows_duplicate"]) == (
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.rows_duplicate,
        )
        return row

    def table(self, name: str, order: str = "municipality_code, source_row_number") -> list[dict]:
        return self.records(f"select * from {name} order by {order}")

    def current(self, kind: str, order: str = "municipality_code, source_row_number") -> list[dict]:
        """The current version of each key of a raw HR table (raw is append-only; this is the
        rule dbt staging applies), without the load time, which differs between warehouses."""
        from pipelines.hr.load import current_versions

        return self.records(f"select * exclude (loaded_at) from ({current_versions(kind)}) order by {order}")


def make_home(root: Path, files: Path) -> Home:
    """A Home whose settings come from the environment the caller prepared."""
    files.mkdir(parents=True, exist_ok=True)
    return Home(Settings.from_env(), root, files)


def write_text(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    title: Sequence[str] = (),
    newline: str = "\n",
) -> Path:
    """A delimited file as an HR system or Excel writes it (no quoting unless a field needs it)."""

    def field(value: object) -> str:
        text = "" if value is None else str(value)
        if any(ch in text for ch in (delimiter, '"', "\n")):
            text = '"' + text.replace('"', '""') + '"'
        return text

    lines = [*title, delimiter.join(header), *(delimiter.join(field(v) for v in row) for row in rows)]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def _ordered(defaults: dict[str, object], overrides: dict[str, object], header: Sequence[str]) -> list[object]:
    """A row in the header's order: the defaults, with the overrides (by header name) applied."""
    unknown = set(overrides) - set(defaults)
    assert not unknown, unknown
    return [{**defaults, **overrides}[h] for h in header]


def visma_row(**overrides: object) -> list[object]:
    """One Visma employment row; override by header name (spaces/å as in the header)."""
    row = {
        "Kommunenr": "1857",
        "Ansattnr": "1001",
        "Fødselsnummer": "",
        "Arbeidsforholdsnr": "1001-1",
        "Fødselsår": "1980",
        "Kjønn": "K",
        "Stillingskode": "7174",
        "Stillingsbetegnelse": "Sykepleier",
        "Stillingsprosent": "62,5",
        "Ansettelsesform": "Fast",
        "Startdato": "01.08.2015",
        "Sluttdato": "",
        "Sluttårsak": "",
        "Tjenestested": "Værøy sykehjem",
        "Sektor": "Helse og omsorg",
        "Funksjon": "253",
        "Ledernivå": "",
        "Utdanningsnivå": "Høgskole",
    }
    return _ordered(row, overrides, VISMA_HEADER)


def webcruiter_row(**overrides: object) -> list[object]:
    """One filled Webcruiter posting row; override by header name (as `visma_row`)."""
    row = {
        "Kommunenr": "1856",
        "Annonse-ID": "A-1",
        "Stillingskode": "7174",
        "Stillingstittel": "Sykepleier",
        "Ledernivå": "",
        "Stillingsprosent": "100",
        "Ansettelsesform": "Fast",
        "Publisert": "01.02.2023",
        "Søknadsfrist": "01.03.2023",
        "Besatt dato": "15.04.2023",
        "Status": "Besatt",
        "Antall søkere": "4",
        "Kvalifiserte søkere": "2",
        "Ansatt ansattnr": "77",
        "Rekrutteringskilde": "Ekstern",
        "Kostnad": "12 500,00",
    }
    return _ordered(row, overrides, WEBCRUITER_HEADER)


def visma_file(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = "Arbeidsforhold per 15.12.2023",
    **options,
) -> Path:
    lines = [title, ""] if title else []
    return write_text(path, VISMA_HEADER, rows, title=lines, **options)


# --- the privacy scan of WORKFORCE_HOME --------------------------------------------------------
def id_spellings(number: str) -> dict[str, str]:
    """The ways people write one national id (issue 14, case 1), by a short label."""
    a, b = number[:6], number[6:]
    return {
        "plain": number,
        "space": f"{a} {b}",
        "dots": f"{number[:2]}.{number[2:4]}.{number[4:6]} {b}",
        "dot": f"{a}.{b}",
        "slash": f"{a}/{b}",
        "underscore": f"{a}_{b}",
        "hyphen": f"{a}-{b}",
        "spaced hyphen": f"{a} - {b}",
        "tab": f"{a}\t{b}",
        "no-break space": f"{a}\u00a0{b}",
        "thin space": f"{a}\u2009{b}",
        "zero-width space": f"{a}\u200b{b}",
        "grouped": f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}",
        "full-width": "".join(chr(0xFF10 + int(d)) for d in number),
    }


def id_forms(ids: Sequence[str]) -> list[bytes]:
    """Every spelling of the ids that must never be stored, as UTF-8 and as UTF-16 (how an
    Excel export would hold them), also without the leading zero Excel drops."""
    forms: set[bytes] = set()
    for number in ids:
        texts = {*id_spellings(number).values(), number.lstrip("0")}
        for text in texts:
            forms |= {text.encode("utf-8"), text.encode("utf-16-le")}
    return sorted(forms)


def _contents(name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """A file's bytes and, for a zip (an xlsx is one), every member's, unpacked."""
    import io
    import zipfile

    yield name, data
    if data.startswith(b"PK\x03\x04") and depth < 3:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    yield from _contents(f"{name}!{member.filename}", archive.read(member), depth + 1)
        except zipfile.BadZipFile:
            pass


def scan_home(root: Path, forms: Sequence[bytes]) -> list[str]:
    """Files (and zip members) under `root` holding any of `forms`, byte for byte."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        for name, data in _contents(str(path.relative_to(root)), path.read_bytes()):
            hits += [name for form in forms if form in data]
    return sorted(set(hits))


def checkpoint(home: Home) -> None:
    """Fold DuckDB's write-ahead log into the database file, so the scan sees every byte."""
    con = duckdb.connect(str(home.settings.build_db_path))
    con.execute("checkpoint")
    con.close()


def snapshot(home: Home) -> dict[str, list[tuple]]:
    """Everything an ingestion may change, to assert that nothing else did: the raw tables,
    the ledger, quarantine and the landing archive's files."""
    tables = ["raw.hr_employments", "raw.hr_postings", "raw.hr_backlog", "audit.quarantine", "audit.deliveries"]
    state = {t: sorted(home.query(f"select * from {t}"), key=repr) for t in tables}
    landing = home.settings.landing_dir
    state["landing"] = sorted(
        (str(p.relative_to(landing)), p.read_bytes()) for p in landing.rglob("*") if p.is_file()
    )
    return state
