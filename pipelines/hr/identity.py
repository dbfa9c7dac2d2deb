"""Which municipality code an employee's pseudonym is keyed by (issue 12).

`employee_key = HMAC(code : employee number)`. An HR system without national ids keeps its
employee numbers when KLASS merely *renumbers* the municipality (Ulvik 1233 → 4620 in 2020),
so keying by the delivered code would make every employee a new person the year the code
changes (turnover 6/6). Codes joined by a chain of pure renumberings therefore share one key
code: the chain's OLDEST code, so a later renumbering changes nothing already stored.

A step is a pure renumbering when, at one change date, the old code has exactly one successor,
the new code exactly one predecessor (counting a code that carries on, e.g. Bodø absorbing
Skjerstad), the weight is 1 and the new code did not exist before the change. Mergers and splits
are not: two old systems' employee numbers would collide, so their codes keep their own keys.

The chain comes from the KLASS data the warehouse has: the snapshot bundled with the package
(always, so keys never depend on whether SSB was fetched before ingestion) together with the
changes in `raw.klass_municipality_changes` that are newer than the bundle's (a live fetch
stores history from 2015, which must not lengthen a chain backwards and re-key what is
stored). When new KLASS data extends a chain, stored keys are re-keyed by re-ingesting the
landing archive (docs/orchestration.md, "Re-keying after a renumbering").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache

import duckdb
import polars as pl

CHANGE_COLUMNS = ("old_code", "new_code", "change_occurred", "weight")
CODE_COLUMNS = ("code", "valid_from")


def pure_renumberings(changes: pl.DataFrame, municipalities: pl.DataFrame) -> list[tuple[str, str, date]]:
    """(old, new, date) of every pure renumbering in a KLASS change table (see the module)."""
    missing = [c for c in CHANGE_COLUMNS if c not in changes.columns]
    missing += [c for c in CODE_COLUMNS if c not in municipalities.columns]
    if missing:
        raise ValueError(f"KLASS tables lack the columns {missing}")
    edges = changes.select(
        pl.col("old_code").cast(pl.String),
        pl.col("new_code").cast(pl.String),
        pl.col("change_occurred").cast(pl.Date),
        pl.col("weight").cast(pl.Float64),
    ).drop_nulls(["old_code", "new_code", "change_occurred"])
    edges = edges.unique(["old_code", "new_code", "change_occurred"], keep="first")
    first_valid = (
        municipalities.select(pl.col("code").cast(pl.String), pl.col("valid_from").cast(pl.Date))
        .group_by("code")
        .agg(pl.col("valid_from").min().alias("first_valid"))
    )
    pure = (
        edges.with_columns(
            pl.col("new_code").n_unique().over("old_code", "change_occurred").alias("successors"),
            pl.col("old_code").n_unique().over("new_code", "change_occurred").alias("predecessors"),
        )
        .filter(pl.col("old_code") != pl.col("new_code"))
        .join(first_valid, left_on="new_code", right_on="code", how="left")
        .filter(
            (pl.col("successors") == 1)
            & (pl.col("predecessors") == 1)
            & ((pl.col("weight") - 1.0).abs() < 1e-9)
            # a code known before the change is an existing municipality taking another in
            & (pl.col("first_valid").is_null() | (pl.col("first_valid") >= pl.col("change_occurred")))
        )
        .sort("change_occurred", "old_code")
    )
    return list(pure.select("old_code", "new_code", "change_occurred").iter_rows())


def key_codes_from(steps: Iterable[tuple[str, str, date]]) -> dict[str, str]:
    """Code → the oldest code of its chain of pure renumberings (only codes that differ)."""
    predecessor: dict[str, str] = {}
    for old, new, _ in sorted(steps, key=lambda s: s[2]):
        predecessor[new] = old
    roots: dict[str, str] = {}
    for code in predecessor:
        root, seen = code, {code}
        while root in predecessor:
            root = predecessor[root]
            if root in seen:  # a cycle cannot be a chain of renumberings; keep codes apart
                root = code
                break
            seen.add(root)
        if root != code:
            roots[code] = root
    return roots


def _warehouse_frames(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The stored KLASS tables, when a fetch has filled them (else None)."""
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name in ('klass_municipality_changes', 'klass_municipality')"
        ).fetchall()
    }
    if present != {"klass_municipality_changes", "klass_municipality"}:
        return None, None
    changes = con.sql(f"select {', '.join(CHANGE_COLUMNS)} from raw.klass_municipality_changes").pl()
    codes = con.sql(f"select {', '.join(CODE_COLUMNS)} from raw.klass_municipality").pl()
    return (changes, codes) if changes.height else (None, None)


@cache
def _bundled() -> tuple[pl.DataFrame, pl.DataFrame]:
    from pipelines.ssb.snapshot import klass_frames

    municipalities, changes = klass_frames()
    return municipalities.select(CODE_COLUMNS), changes.select(CHANGE_COLUMNS)


def key_codes(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    """Code → key code for this ingestion run: the bundled KLASS snapshot, plus the
    warehouse's stored KLASS tables when there are any."""
    municipalities, changes = _bundled()
    if con is not None:
        stored_changes, stored_codes = _warehouse_frames(con)
        if stored_changes is not None and stored_codes is not None:
            # Only changes newer than the bundle's: a live fetch that also holds older history
            # (KLASS from 2015) must not lengthen a chain backwards and so re-key employees
            # stored before it ran. Newer renumberings only add codes to existing chains.
            newest = changes.get_column("change_occurred").max()
            stored_changes = stored_changes.with_columns(pl.col("change_occurred").cast(pl.Date))
            if newest is not None:
                stored_changes = stored_changes.filter(pl.col("change_occurred") > newest)
            changes = pl.concat([changes, stored_changes.select(changes.columns).cast(changes.schema)])
            municipalities = pl.concat(
                [municipalities, stored_codes.select(municipalities.columns).cast(municipalities.schema)]
            )
    return key_codes_from(pure_renumberings(changes, municipalities))


def key_code_expr(column: str, roots: Mapping[str, str]) -> pl.Expr:
    """The key code of each row's municipality code (the code itself when it is no renumbering)."""
    if not roots:
        return pl.col(column)
    return pl.col(column).replace(list(roots), list(roots.values()))
