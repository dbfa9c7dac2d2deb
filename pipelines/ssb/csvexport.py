"""A reader for SSB-style CSV exports (statbank "lagre som CSV", IMDi's integreringsdata).

These files put region codes and names in the first columns and one column per
combination of the other dimensions, described by stacked header rows of the form
`Dimension: value` ("Kjønn: Kvinner", "År: 2019"). Codes may carry a `K` prefix
(`K1804`), historical units are labelled "Hamarøy (t.o.m. 2019)", and SSB's symbols
(`.`, `..`, `...`, `:`, `-`) stand where a number is missing. The files come in
ISO-8859-1 with `;` separators.

The result is tidy like the JSON-stat2 parser's: one row per cell, `region_code`,
`region_label`, `municipality_code`, a `<dim>_label` column per header dimension, `value`
(null when missing, never 0) and `status` (the symbol, null for a plain number or a blank).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from pipelines.ssb.errors import SsbResponseError
from pipelines.ssb.jsonstat import snake
from pipelines.ssb.klass import decode

SYMBOLS = (".", "..", "...", ":", "-")
_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def column_stem(name: str) -> str:
    """`Kjønn` → `kjonn`, `År` → `ar`: ASCII column names from Norwegian headings."""
    return snake(name.translate(_LETTERS))


def read_ssb_csv(source: bytes | str | Path, *, separator: str = ";", decimal: str = ".") -> pl.DataFrame:
    """Read a wide SSB-style CSV (see the module docstring) into a tidy frame."""
    data = source.read_bytes() if isinstance(source, Path) else source
    text = decode(data) if isinstance(data, bytes) else data
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    if not rows:
        raise SsbResponseError("CSV-filen er tom.")
    header_count = 1
    while header_count < len(rows) and not rows[header_count][0].strip():
        header_count += 1
    headers, body = rows[:header_count], [r for r in rows[header_count:] if any(c.strip() for c in r)]
    width = len(headers[0])
    if width < 3:
        raise SsbResponseError("CSV-filen har ingen verdikolonner etter regionkolonnene.")

    # what each value column means: {dimension: value} from the stacked header rows
    meanings: list[dict[str, str]] = []
    for col in range(2, width):
        meaning: dict[str, str] = {}
        for number, header in enumerate(headers, start=1):
            cell = header[col].strip() if col < len(header) else ""
            if not cell:
                continue
            dim, sep, value = cell.partition(":")
            if not sep:
                raise SsbResponseError(
                    f"Overskriftsrad {number}, kolonne {col + 1}: {cell!r} er ikke 'Dimensjon: verdi'."
                )
            meaning[dim.strip()] = value.strip()
        meanings.append(meaning)
    dims = list(dict.fromkeys(d for m in meanings for d in m))

    for number, row in enumerate(body, start=header_count + 1):
        if len(row) != width:
            raise SsbResponseError(f"CSV-linje {number} har {len(row)} felt; overskriften har {width}.")
    wide = pl.DataFrame(
        {f"c{i}": [r[i] for r in body] for i in range(width)},
        schema=dict.fromkeys((f"c{i}" for i in range(width)), pl.String),
    )
    columns = pl.DataFrame(
        {
            "column": [f"c{i}" for i in range(2, width)],
            **{column_stem(d) + "_label": [m.get(d) for m in meanings] for d in dims},
        }
    )
    long = wide.unpivot(index=["c0", "c1"], variable_name="column", value_name="raw").join(
        columns, on="column", how="left", maintain_order="left"
    )
    raw = pl.col("raw").str.strip_chars()
    number = raw.str.replace(",", ".") if decimal == "," else raw
    long = long.with_columns(
        pl.when(raw.is_in(SYMBOLS)).then(raw).otherwise(None).alias("status"),
        pl.when(raw.is_in(SYMBOLS) | (raw == "")).then(None).otherwise(number).alias("_number"),
    )
    value = pl.col("_number").cast(pl.Float64, strict=False)
    bad = long.filter(pl.col("_number").is_not_null() & value.is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise SsbResponseError(
            f"CSV: {first['raw']!r} for {first['c0']} ({first['column']}) "
            "er verken et tall eller et SSB-symbol."
        )
    code = pl.col("c0").str.strip_chars()
    digits = code.str.replace(r"^K-?", "")
    out = long.with_columns(
        code.alias("region_code"),
        pl.col("c1").str.strip_chars().alias("region_label"),
        pl.when(digits.str.contains(r"^\d{4}$")).then(digits).otherwise(None).alias("municipality_code"),
        value.alias("value"),
    )
    year_dim = next(
        (column_stem(d) + "_label" for d in dims if column_stem(d) in ("ar", "tid", "year")), None
    )
    if year_dim:
        out = out.with_columns(pl.col(year_dim).str.extract(r"(\d{4})").cast(pl.Int32).alias("year"))
    keep = ["region_code", "region_label", "municipality_code", *(column_stem(d) + "_label" for d in dims)]
    keep += ["year"] if year_dim else []
    return out.select([*keep, "value", "status"])
