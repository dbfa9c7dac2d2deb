"""KLASS classification 131 (municipalities): validity periods, changes, and today's codes.

Two ways in: the KLASS API (`codes?from=&to=` and `changes?from=&to=`, JSON when asked
with `Accept: application/json` — its default is XML), and the CSV exports KLASS gives by
default, which are ISO-8859-1 and ragged (8 header fields, 6 in each data row). The result
is the same three frames either way:

* `klass_municipality`: code, name, valid_from, valid_to, version, source
* `klass_municipality_changes`: old_code, old_name, new_code, new_name, change_occurred,
  weight, weight_basis, source — a split municipality is several rows whose weights sum to 1
* `klass_municipality_map`: every historical or current code → today's code(s) with the
  product of the weights along the way (1849 → 1875; 1850 → 1806 and 1875; 1852 → 5412 → 5512)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.ssb.errors import SsbResponseError
from pipelines.ssb.transport import RawResponse, Transport

KLASS_CSV_FIELDS = ["code", "parentCode", "level", "name", "shortName", "notes", "validFrom", "validTo"]

MUNICIPALITY_SCHEMA = {
    "code": pl.String,
    "name": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "version": pl.String,
    "source": pl.String,
}
CHANGES_SCHEMA = {
    "old_code": pl.String,
    "old_name": pl.String,
    "new_code": pl.String,
    "new_name": pl.String,
    "change_occurred": pl.Date,
    "weight": pl.Float64,
    "weight_basis": pl.String,
    "source": pl.String,
}
MAP_SCHEMA = {
    "historical_code": pl.String,
    "current_code": pl.String,
    "weight": pl.Float64,
    "path": pl.String,
}


def decode(data: bytes) -> str:
    """UTF-8 when it is, else ISO-8859-1 (KLASS's CSV default; Windows-1252 for the Excel-made files)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def read_klass_csv(source: bytes | str | Path) -> pl.DataFrame:
    """A KLASS CSV export → one row per code; short rows are padded, never shifted."""
    data = source.read_bytes() if isinstance(source, Path) else source
    text = decode(data) if isinstance(data, bytes) else data
    rows = list(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'))
    if not rows:
        raise SsbResponseError("KLASS-CSV-filen er tom.")
    header = [h.strip() for h in rows[0]]
    if header[:4] != KLASS_CSV_FIELDS[:4]:
        raise SsbResponseError(
            f"KLASS-CSV-filen begynner ikke med {KLASS_CSV_FIELDS[:4]} (fant {header[:4]})."
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise SsbResponseError(
                f"Linje {number} i KLASS-CSV-filen har {len(row)} felt, flere enn overskriftens {len(header)}."
            )
        padded = [cell if cell != "" else None for cell in row] + [None] * (len(header) - len(row))
        records.append(dict(zip(header, padded, strict=True)))
    frame = pl.DataFrame(records, schema=dict.fromkeys(header, pl.String), orient="row")
    return frame.with_columns(pl.col("code").str.strip_chars())


_CODE_NAME = re.compile(r"^\s*(\d{4})\s*-\s*(.+?)\s*$")


def read_change_table(source: bytes | Path, *, change_occurred: date) -> pl.DataFrame:
    """The derived change table (`kommuner_2019;kommuner_2020;splittes`, "1850 - Tysfjord") → changes."""
    data = source.read_bytes() if isinstance(source, Path) else source
    rows = list(csv.reader(io.StringIO(decode(data)), delimiter=";"))
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(row):
            continue
        old, new = _CODE_NAME.match(row[0]), _CODE_NAME.match(row[1])
        if not old or not new:
            raise SsbResponseError(f"Linje {number} i endringstabellen er ikke 'kode - navn;kode - navn': {row!r}")
        out.append(
            {
                "old_code": old.group(1),
                "old_name": old.group(2),
                "new_code": new.group(1),
                "new_name": new.group(2),
                "change_occurred": change_occurred,
                "split": len(row) > 2 and row[2].strip() == "1",
            }
        )
    return pl.DataFrame(
        out,
        schema={
            **{
                k: CHANGES_SCHEMA[k]
                for k in ("old_code", "old_name", "new_code", "new_name", "change_occurred")
            },
            "split": pl.Boolean,
        },
    )


@dataclass(frozen=True)
class CodeList:
    """The municipalities valid from one date (one KLASS version)."""

    valid_from: date
    names: dict[str, str]
    version: str
    source: str


def validity(lists: Sequence[CodeList], *, ignore: Iterable[str] = ("9999",)) -> pl.DataFrame:
    """Validity periods from successive code lists: a row per (code, name) span, like KLASS `codes`."""
    ignore = set(ignore)
    lists = sorted(lists, key=lambda c: c.valid_from)
    rows = []
    open_spans: dict[str, dict[str, Any]] = {}
    for code_list in lists:
        for code, span in list(open_spans.items()):
            if code_list.names.get(code) != span["name"]:
                span["valid_to"] = code_list.valid_from - timedelta(days=1)
                rows.append(open_spans.pop(code))
        for code, name in code_list.names.items():
            if code in ignore or code in open_spans:
                continue
            open_spans[code] = {
                "code": code,
                "name": name,
                "valid_from": code_list.valid_from,
                "valid_to": None,
                "version": code_list.version,
                "source": code_list.source,
            }
    rows.extend(open_spans.values())
    return pl.DataFrame(rows, schema=MUNICIPALITY_SCHEMA).sort("code", "valid_from")


def reference_table(municipalities: pl.DataFrame) -> pl.DataFrame:
    """One row per code for `pipelines/reference/municipalities.csv`: newest name, whole validity.

    A code already in force in the earliest list we hold gets no `valid_from`: it existed
    before that list (most Nordland codes date from 1838 or 1964), so 2015 data with code
    1804 must not look invalid merely because our oldest list is from 2019."""
    earliest = municipalities.get_column("valid_from").min()
    return (
        municipalities.with_columns(
            pl.when(pl.col("valid_from") == earliest).then(None).otherwise(pl.col("valid_from")).alias("valid_from")
        )
        .sort("code", "valid_from", nulls_last=False)
        .group_by("code", maintain_order=True)
        .agg(
            pl.col("name").last(),
            pl.col("valid_from").min(),
            pl.when(pl.col("valid_to").is_null().any())
            .then(None)
            .otherwise(pl.col("valid_to").max())
            .first()
            .alias("valid_to"),
        )
        .sort("code")
    )


def weigh_changes(changes: pl.DataFrame, split_weights: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add `weight`/`weight_basis`: 1 for a merger or renumbering; for a split, the known share
    (`split_weights`: old_code, new_code, weight, basis) or else an equal share."""
    changes = changes.filter(pl.col("old_code").is_not_null() & pl.col("new_code").is_not_null())
    changes = changes.unique(["old_code", "new_code", "change_occurred"], keep="first", maintain_order=True)
    n_new = pl.col("new_code").n_unique().over("old_code", "change_occurred")
    out = changes.with_columns(
        pl.when(n_new > 1).then(1.0 / n_new).otherwise(1.0).alias("weight"),
        pl.when(n_new > 1)
        .then(pl.lit("equal split: no population share known"))
        .otherwise(pl.lit("whole municipality"))
        .alias("weight_basis"),
    )
    if split_weights is not None and split_weights.height:
        known = split_weights.select(
            pl.col("old_code").cast(pl.String),
            pl.col("new_code").cast(pl.String),
            pl.col("weight").cast(pl.Float64).alias("_w"),
            pl.col("basis").cast(pl.String).alias("_b"),
        )
        out = (
            out.join(known, on=["old_code", "new_code"], how="left")
            .with_columns(
                pl.coalesce("_w", "weight").alias("weight"),
                pl.coalesce("_b", "weight_basis").alias("weight_basis"),
            )
            .drop("_w", "_b")
        )
    return out


def code_map(changes: pl.DataFrame, current_codes: Iterable[str]) -> pl.DataFrame:
    """Every code that ever changed, and every current code, → today's code(s) with weights.

    Changes are followed in date order (1852 → 5412 in 2020 → 5512 in 2024), weights
    multiplied along the way; a renaming without a new code (1826) is no step at all.
    """
    current = set(current_codes)
    edges: dict[str, list[tuple[str, float, date]]] = {}
    for row in changes.iter_rows(named=True):
        if row["old_code"] != row["new_code"]:
            edges.setdefault(row["old_code"], []).append(
                (row["new_code"], row["weight"], row["change_occurred"])
            )
    rows = []

    def walk(code: str, weight: float, since: date | None, path: list[str]) -> None:
        nexts = [e for e in edges.get(code, []) if since is None or e[2] > since]
        if not nexts:  # today's code, or one that ended without a successor
            rows.append(
                {"historical_code": path[0], "current_code": code, "weight": weight, "path": " > ".join(path)}
            )
            return
        for new_code, w, when in nexts:
            if new_code in path:
                raise SsbResponseError(f"KLASS-endringene går i ring gjennom {new_code}.")
            walk(new_code, weight * w, when, [*path, new_code])

    for code in sorted(set(edges) | current):
        walk(code, 1.0, None, [code])
    frame = pl.DataFrame(rows, schema=MAP_SCHEMA)
    return (
        frame.group_by("historical_code", "current_code", maintain_order=True)
        .agg(pl.col("weight").sum(), pl.col("path").first())
        .sort("historical_code", "current_code")
    )


# --- the KLASS API ------------------------------------------------------------------------
def codes_frame(document: dict[str, Any], *, version: str, source: str) -> pl.DataFrame:
    """`{"codes": [...]}` from `classifications/131/codes` → municipality rows."""
    items = document.get("codes")
    if not isinstance(items, list):
        raise SsbResponseError("KLASS 131: svaret med koder har ingen 'codes'-liste.")
    rows = [
        {
            "code": str(item["code"]),
            "name": str(item.get("name") or ""),
            "valid_from": _date(item.get("validFrom")),
            "valid_to": _inclusive_end(item.get("validTo")),
            "version": version,
            "source": source,
        }
        for item in items
        if item.get("code") and str(item["code"]) != "9999"
    ]
    return pl.DataFrame(rows, schema=MUNICIPALITY_SCHEMA).sort("code", "valid_from")


def changes_frame(document: dict[str, Any], *, source: str) -> pl.DataFrame:
    """`{"codeChanges": [...]}` from `classifications/131/changes` → change rows (no weights yet).

    A change with no oldCode created a code, one with no newCode ended it; neither maps anything.
    """
    items = document.get("codeChanges")
    if not isinstance(items, list):
        raise SsbResponseError("KLASS 131: svaret med endringer har ingen 'codeChanges'-liste.")
    rows = [
        {
            "old_code": item.get("oldCode"),
            "old_name": item.get("oldName"),
            "new_code": item.get("newCode"),
            "new_name": item.get("newName"),
            "change_occurred": _date(item.get("changeOccurred")),
        }
        for item in items
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            k: CHANGES_SCHEMA[k] for k in ("old_code", "old_name", "new_code", "new_name", "change_occurred")
        },
    )
    return frame.with_columns(pl.lit(source).alias("source"))


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _inclusive_end(value: Any) -> date | None:
    """KLASS's validTo is exclusive (the first day the code is no longer valid)."""
    end = _date(value)
    return end - timedelta(days=1) if end else None


class KlassClient:
    """`classifications/{id}/codes` and `/changes` as JSON."""

    def __init__(self, base_url: str, transport: Transport) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.transport = transport

    def _get(self, path: str, params: dict[str, str], classification: str) -> RawResponse:
        return self.transport.request(
            "GET",
            f"{self.base_url}classifications/{classification}/{path}",
            params=params,
            headers={"Accept": "application/json"},
            what=f"KLASS-klassifikasjon {classification} {path}",
        )

    def codes(self, classification: str, from_date: str, to_date: str) -> RawResponse:
        return self._get("codes", {"from": from_date, "to": to_date, "includeFuture": "true"}, classification)

    def changes(self, classification: str, from_date: str, to_date: str) -> RawResponse:
        return self._get("changes", {"from": from_date, "to": to_date}, classification)
