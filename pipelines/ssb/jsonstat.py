"""JSON-stat2 → a tidy polars frame: one row per cell, each dimension as code and label.

JSON-stat2 stores the cube as one flat `value` array in row-major order (the last
dimension in `id` varies fastest). Rather than walking a million cells in Python, the
position of every cell along every dimension is computed at once with numpy
(`repeat`/`tile` of the category positions), and codes and labels become polars `Enum`
columns gathered from those positions. Parsing then costs little more than decoding the
JSON itself (see `pipelines/bench/ssb_parse.py`).

A missing value stays null, with SSB's symbol (`.`, `..`, `:`, `-`, …) in `status`;
it never becomes 0. The table's `updated` timestamp and every footnote are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl

from pipelines.ssb.errors import SsbResponseError

#: SSB's standard symbols (https://www.ssb.no/diverse/standardtegn-i-tabeller), older ones included.
STATUS_SYMBOLS = {
    ".": "ikke mulig å oppgi tall",
    "..": "tallgrunnlag mangler",
    "...": "oppgave mangler foreløpig",
    ":": "vises ikke av konfidensialitetshensyn",
    "-": "null, ingenting å rapportere",
    "*": "foreløpig tall",
}


def snake(name: str) -> str:
    """Column stem of a dimension id: `ContentsCode` → `contentscode`, `Tid` → `tid`.

    Lower case without inserting underscores at case changes: SSB's ids are opaque codes
    (`KOKkommuneregion0000`), and the dbt sources are declared on these exact names.
    """
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Dimension:
    """One dimension: its id, label, and categories in cube order."""

    id: str
    label: str
    codes: list[str]
    labels: list[str]
    extension: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    category_notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Note:
    """A footnote: on the table (dimension None), a dimension, or one category of it."""

    text: str
    dimension: str | None = None
    category: str | None = None
    mandatory: bool = False


@dataclass
class JsonStatTable:
    """A parsed JSON-stat2 dataset: the tidy frame and what describes it."""

    frame: pl.DataFrame
    dimensions: list[Dimension]
    label: str
    updated: datetime | None
    notes: list[Note]
    roles: dict[str, list[str]]
    table_id: str | None
    extension: dict[str, Any]

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]


def parse_updated(text: str | None) -> datetime | None:
    """`2024-01-12T07:00:00Z` → an aware UTC datetime (None stays None)."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise SsbResponseError(f"JSON-stat2 'updated' er ikke et tidspunkt: {text!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def loads(body: bytes | str | dict[str, Any], *, table_id: str | None = None) -> dict[str, Any]:
    """Decode a body, turning a cut-off or non-JSON body into a clear error."""
    if isinstance(body, dict):
        return body
    where = f"tabell {table_id}" if table_id else "svaret"
    if isinstance(body, bytes | bytearray | memoryview):
        head = bytes(body[:200]).lstrip()
    else:
        head = body[:200].lstrip().encode("utf-8", "replace")
    if head[:1] == b"<":
        raise SsbResponseError(
            f"SSB svarte på {where} med en HTML-side i stedet for JSON-stat2 (vedlikehold eller en feilside).",
            table_id=table_id,
        )
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        size = len(body)
        raise SsbResponseError(
            f"JSON-svaret for {where} er ødelagt eller avkuttet ({size} byte, {error.msg} ved posisjon {error.pos}).",
            table_id=table_id,
        ) from None
    if not isinstance(document, dict):
        raise SsbResponseError(f"JSON-svaret for {where} er ikke et JSON-stat2-datasett.", table_id=table_id)
    return document


def _dimension(dim_id: str, raw: dict[str, Any], size: int, table: str) -> Dimension:
    category = raw.get("category") or {}
    index = category.get("index")
    labels = category.get("label") or {}
    if index is None:
        codes = list(labels)  # a single category may omit its index
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        ordered = sorted(index.items(), key=lambda item: item[1])
        codes = [str(code) for code, _ in ordered]
        positions = [int(pos) for _, pos in ordered]
        if positions != list(range(len(codes))):
            raise SsbResponseError(
                f"{table}: dimensjonen {dim_id} har kategoriposisjoner som ikke er 0..{len(codes) - 1}."
            )
    else:
        raise SsbResponseError(f"{table}: dimensjonen {dim_id} har en uleselig kategoriindeks.")
    if len(codes) != size:
        raise SsbResponseError(
            f"{table}: dimensjonen {dim_id} har {len(codes)} kategorier, men 'size' sier {size}."
        )
    category_notes = {str(k): list(v) for k, v in (category.get("note") or {}).items()}
    notes = raw.get("note") or []
    return Dimension(
        id=dim_id,
        label=str(raw.get("label") or dim_id),
        codes=codes,
        labels=[str(labels.get(code, code)) for code in codes],
        extension=dict(raw.get("extension") or {}),
        notes=list(notes) if isinstance(notes, list) else [str(notes)],
        category_notes=category_notes,
    )


def _notes(document: dict[str, Any], dimensions: list[Dimension]) -> list[Note]:
    """Table, dimension and category notes, with SSB's `noteMandatory` flags."""
    out: list[Note] = []
    table_notes = document.get("note") or []
    mandatory = (document.get("extension") or {}).get("noteMandatory") or {}
    for i, text in enumerate(table_notes if isinstance(table_notes, list) else [table_notes]):
        out.append(Note(text=str(text), mandatory=bool(mandatory.get(str(i), False))))
    for dim in dimensions:
        dim_mandatory = dim.extension.get("noteMandatory") or {}
        for i, text in enumerate(dim.notes):
            out.append(Note(str(text), dimension=dim.id, mandatory=bool(dim_mandatory.get(str(i), False))))
        cat_mandatory = dim.extension.get("categoryNoteMandatory") or {}
        for code, texts in dim.category_notes.items():
            flags = cat_mandatory.get(code) or {}
            for i, text in enumerate(texts):
                flag = bool(flags.get(str(i), False)) if isinstance(flags, dict) else bool(flags)
                out.append(Note(str(text), dimension=dim.id, category=code, mandatory=flag))
    return out


def _enum_column(name: str, categories: list[str], positions: np.ndarray) -> pl.Series:
    """Gather `categories[positions]` as an Enum (duplicates among categories allowed)."""
    unique: dict[str, int] = {}
    remap = np.empty(len(categories), dtype=np.uint32)
    for i, value in enumerate(categories):
        remap[i] = unique.setdefault(value, len(unique))
    dictionary = pl.Series(name, list(unique), dtype=pl.Enum(list(unique)))
    return dictionary.gather(remap[positions] if len(unique) != len(categories) else positions)


def _values(raw: Any, n: int, table: str) -> pl.Series:
    if isinstance(raw, list):
        if len(raw) != n:
            raise SsbResponseError(
                f"{table}: 'value' har {len(raw)} celler, men dimensjonene gir {n}; "
                "svaret er ufullstendig."
            )
        try:
            return pl.Series("value", raw, dtype=pl.Float64, strict=False)
        except (TypeError, ValueError) as error:
            raise SsbResponseError(f"{table}: 'value' inneholder noe som ikke er et tall.") from error
    if isinstance(raw, dict):  # JSON-stat's sparse form: {"index": value}
        out = np.full(n, np.nan)  # JSON has no NaN, so NaN can only mean "absent"
        if raw:
            idx = np.fromiter((int(k) for k in raw), dtype=np.int64, count=len(raw))
            if idx.min() < 0 or idx.max() >= n:
                raise SsbResponseError(f"{table}: en glissen verdiindeks ligger utenfor kuben.")
            out[idx] = np.array([np.nan if v is None else float(v) for v in raw.values()])
        return pl.Series("value", out).fill_nan(None)
    raise SsbResponseError(f"{table}: 'value' mangler eller kan ikke leses.")


def _status(raw: Any, n: int, table: str) -> pl.Series:
    """The status symbols as an Enum column, null where SSB gave none."""
    if raw is None or raw == {} or raw == []:
        return pl.Series("status", [None] * 0, dtype=pl.String).extend_constant(None, n)
    if isinstance(raw, str):
        return pl.Series("status", [raw], dtype=pl.String).extend_constant(raw, n - 1)
    if isinstance(raw, list):
        if len(raw) != n:
            raise SsbResponseError(f"{table}: 'status' har {len(raw)} oppføringer for {n} celler.")
        return pl.Series("status", raw, dtype=pl.String)
    if isinstance(raw, dict):
        symbols = sorted({str(v) for v in raw.values()})
        lookup = {s: i for i, s in enumerate(symbols)}
        idx = np.fromiter((int(k) for k in raw), dtype=np.int64, count=len(raw))
        if len(idx) and (idx.min() < 0 or idx.max() >= n):
            raise SsbResponseError(f"{table}: en statusindeks ligger utenfor kuben.")
        codes = np.zeros(n, dtype=np.uint32)
        missing = np.ones(n, dtype=bool)  # no status: masked, so the gather gives null
        codes[idx] = np.fromiter((lookup[str(v)] for v in raw.values()), dtype=np.uint32, count=len(raw))
        missing[idx] = False
        dictionary = pl.Series("status", symbols, dtype=pl.Enum(symbols))
        return dictionary.gather(pl.Series(np.ma.masked_array(codes, mask=missing)))
    raise SsbResponseError(f"{table}: 'status' kan ikke leses.")


def cell_positions(sizes: list[int]) -> list[np.ndarray]:
    """For each dimension, the category position of every cell in row-major order.

    Dimension k repeats each position `stride_k` times (the product of the sizes after it)
    and the whole pattern `n / (size_k * stride_k)` times.
    """
    n = int(np.prod(sizes, dtype=np.int64)) if sizes else 1
    out = []
    stride = n
    for size in sizes:
        stride //= size
        block = np.repeat(np.arange(size, dtype=np.uint32), stride)
        out.append(np.tile(block, n // (size * stride)) if size * stride else block)
    return out


def parse(body: bytes | str | dict[str, Any], *, table_id: str | None = None) -> JsonStatTable:
    """Parse a JSON-stat2 dataset (a data or a metadata response) into a `JsonStatTable`.

    Columns: `<dim>_code` and `<dim>_label` per dimension (Enum), `value` (Float64, null when
    missing) and `status` (the symbol or null). A metadata response (empty `value`) gives an
    empty frame with the same columns and the dimensions' full category lists.
    """
    document = loads(body, table_id=table_id)
    extension = document.get("extension") or {}
    px = extension.get("px") or {}
    table_id = table_id or px.get("tableid")
    where = f"SSB-tabell {table_id}" if table_id else "JSON-stat2-svaret"
    if document.get("class") != "dataset" or "id" not in document or "dimension" not in document:
        raise SsbResponseError(f"{where}: svaret er JSON, men ikke et JSON-stat2-datasett.", table_id=table_id)
    ids = [str(i) for i in document["id"]]
    sizes = [int(s) for s in document.get("size") or []]
    if len(sizes) != len(ids):
        raise SsbResponseError(f"{where}: 'id' og 'size' stemmer ikke overens.", table_id=table_id)
    dims = [
        _dimension(i, document["dimension"].get(i) or {}, s, where) for i, s in zip(ids, sizes, strict=True)
    ]
    stems = [snake(d.id) for d in dims]
    if len(set(stems)) != len(stems):
        raise SsbResponseError(
            f"{where}: to dimensjoner får samme kolonnenavn som {stems}.", table_id=table_id
        )

    n = int(np.prod(sizes, dtype=np.int64)) if sizes else 0
    raw_value = document.get("value")
    is_metadata = raw_value == [] or raw_value == {} or raw_value is None
    if is_metadata:
        n = 0
    columns: list[pl.Series] = []
    positions = cell_positions(sizes) if n else [np.empty(0, dtype=np.uint32) for _ in sizes]
    for dim, stem, pos in zip(dims, stems, positions, strict=True):
        columns.append(_enum_column(f"{stem}_code", dim.codes, pos))
        columns.append(_enum_column(f"{stem}_label", dim.labels, pos))
    if is_metadata:
        columns.append(pl.Series("value", [], dtype=pl.Float64))
        columns.append(pl.Series("status", [], dtype=pl.String))
    else:
        columns.append(_values(raw_value, n, where))
        columns.append(_status(document.get("status"), n, where))
    roles = {str(k): [str(x) for x in v] for k, v in (document.get("role") or {}).items()}
    return JsonStatTable(
        frame=pl.DataFrame(columns),
        dimensions=dims,
        label=str(document.get("label") or ""),
        updated=parse_updated(document.get("updated")),
        notes=_notes(document, dims),
        roles=roles,
        table_id=table_id,
        extension=dict(extension),
    )
