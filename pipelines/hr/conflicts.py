"""Conflicting facts inside one delivery: refused, never guessed.

A file may state one fact twice: two columns that map to the same canonical column (two
`Kommunenr`, or `Kommunenr` beside `Komnr`), or a municipality column beside a municipality
code in the file name. When the two agree the file loads (and the ledger says which column
was read); when they disagree anywhere, the file is rejected naming both sources, because
whichever we picked could be the wrong one and every figure of the municipality would follow.
"""

from __future__ import annotations

import polars as pl

from pipelines.errors import DeliveryError
from pipelines.hr.readers import ROW, RawTable

# Canonical columns whose values are codes or dates, never personal data: a refusal may quote them.
QUOTABLE = {"municipality_code", "position_code", "kostra_function", "extraction_date", "period_start"}


def _cells(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().fill_null("")


def check_duplicate_columns(table: RawTable) -> list[str]:
    """Refuse the file when two source columns of one canonical column differ in any row (a
    blank beside a value counts as a difference: nothing says which is right). Returns a
    note per identical pair, naming the column that was read."""
    notes = []
    for canonical, others in table.alternate_sources.items():
        chosen = table.source_for[canonical]
        for other in others:
            differs = table.frame.filter(_cells(chosen) != _cells(other))
            if differs.height:
                first = differs.row(0, named=True)
                example = ""
                if canonical in QUOTABLE:
                    a, b = (str(first[c] or "").strip() or "tom" for c in (chosen, other))
                    example = f", f.eks. {a} mot {b}"
                raise DeliveryError(
                    f"kolonnene «{chosen}» og «{other}» gir begge {canonical}, men er ulike i "
                    f"{differs.height} rader (første: rad {first[ROW]}{example}); filen er avvist – "
                    "fjern den ene kolonnen eller rett verdiene"
                )
            notes.append(f"kolonnene «{chosen}» og «{other}» er like; leste «{chosen}»")
    return notes


def normalised_municipality(expr: pl.Expr) -> pl.Expr:
    """A municipality cell as validation reads it: three digits get their leading zero back."""
    value = expr.str.strip_chars()
    return pl.when(value.str.contains(r"^\d{3}$")).then("0" + value).otherwise(value)


def municipality_column(table: RawTable, name_code: str | None, known: frozenset[str]) -> tuple[bool, list[str]]:
    """One pass over a file's municipality column: whether some cell is blank, and the cells
    (one per row) naming a known municipality other than `name_code`, its file name's."""
    source = table.source_for["municipality_code"]
    code = normalised_municipality(pl.col(source))
    other = code.filter(code.is_in(list(known)) & (code != name_code)) if name_code is not None else code.head(0)
    blank = (pl.col(source).str.strip_chars().fill_null("") == "").any()
    found = table.frame.select(blank.alias("blank"), other.implode().alias("other")).row(0)
    return bool(found[0]), list(found[1] or [])


def refuse_other_municipality(table: RawTable, codes: list[str], name_code: str | None, file_name: str) -> None:
    """Refuse the file when its municipality column names another (known) municipality than its
    file name (`codes`: those cells, from `municipality_column`). A code that is no
    municipality at all is a bad value, quarantined row by row."""
    if not codes or name_code is None:
        return
    source = table.source_for["municipality_code"]
    shown = ", ".join(sorted(set(codes))[:3])
    raise DeliveryError(
        f"kommunenummeret i kolonnen «{source}» ({shown}) stemmer ikke med kommunenummeret i filnavnet "
        f"«{file_name}» ({name_code}) i {len(codes)} rader; filen er avvist – rett filnavnet eller kolonnen"
    )
