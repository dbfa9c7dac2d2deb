"""The offline snapshot bundled with the package (`make demo` runs on it with no network).

What is here, and how honest each piece is (`manifest.json` says the same per file):

* `klass/klass131_2019_v1102.csv`, `klass/klass131_2020_v1160.csv`,
  `klass/kommuneendringer_2019_2020.csv` — **real** KLASS 131 exports and the derived
  2019→2020 change table, byte for byte (their provenance: the samples folder given to the tool).
* `klass/klass131_2024_derived.csv`, `klass/changes_2024_derived.csv`,
  `klass/split_weights.csv` — **derived** by `tools/build_ssb_snapshot.py`: 2024 codes from NPRA's
  `kommuner.json` (commit 58336de4) named after their 2020 predecessors; split weights
  from a stated basis.
* `<table>.data.json` / `<table>.metadata.json` — **demo figures, not SSB's**, built by
  `tools/build_ssb_snapshot.py` in SSB's json-stat2 v2 shape for the demo municipalities (Salten, Lofoten),
  2015–2025. Loaded with `source = 'demo'` and `is_demo = true`.

Rebuild with `.venv/bin/python tools/build_ssb_snapshot.py /path/to/ssb-samples` (a developer tool
outside the package; the pipeline never reads the samples folder).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = Path(__file__).resolve().parent
KLASS_DIR = SNAPSHOT_DIR / "klass"
MANIFEST_PATH = SNAPSHOT_DIR / "manifest.json"


@cache
def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def table_files(name: str) -> dict[str, Any]:
    """The manifest entry of one catalogue table (data/metadata file names, source, basis)."""
    tables = manifest()["tables"]
    if name not in tables:
        from pipelines.ssb.errors import SsbError

        raise SsbError(f"The bundled snapshot has no table {name!r}.")
    return tables[name]


def klass_frames() -> tuple[Any, Any]:
    """raw.klass_municipality and raw.klass_municipality_changes from the bundled files."""
    import polars as pl

    from pipelines.ssb import klass

    lists = [
        klass.CodeList(
            date(2019, 1, 1),
            _code_names(klass.read_klass_csv(KLASS_DIR / "klass131_2019_v1102.csv")),
            "KLASS 131 2019 (CSV export, version 1102)",
            "snapshot",
        ),
        klass.CodeList(
            date(2020, 1, 1),
            _code_names(klass.read_klass_csv(KLASS_DIR / "klass131_2020_v1160.csv")),
            "KLASS 131 2020 (CSV export, version 1160)",
            "snapshot",
        ),
    ]
    derived = pl.read_csv(
        KLASS_DIR / "klass131_2024_derived.csv", separator=";", schema_overrides={"code": pl.String}
    )
    lists.append(
        klass.CodeList(
            date(2024, 1, 1),
            _code_names(derived),
            "2024 codes derived from NPRA kommuner.json (not a KLASS response)",
            "derived",
        )
    )
    municipalities = klass.validity(lists)
    changes_2020 = klass.read_change_table(
        KLASS_DIR / "kommuneendringer_2019_2020.csv", change_occurred=date(2020, 1, 1)
    ).drop("split")
    changes_2020 = changes_2020.with_columns(pl.lit("snapshot").alias("source"))
    changes_2024 = pl.read_csv(
        KLASS_DIR / "changes_2024_derived.csv",
        separator=";",
        schema_overrides={"old_code": pl.String, "new_code": pl.String},
        try_parse_dates=True,
    ).with_columns(pl.lit("derived").alias("source"))
    weights = pl.read_csv(
        KLASS_DIR / "split_weights.csv",
        separator=";",
        schema_overrides={"old_code": pl.String, "new_code": pl.String},
    )
    changes = klass.weigh_changes(
        pl.concat([changes_2020, changes_2024.select(changes_2020.columns)]), weights
    )
    return municipalities, changes.select(list(klass.CHANGES_SCHEMA))


def _code_names(frame: Any) -> dict[str, str]:
    return dict(zip(frame["code"].to_list(), frame["name"].to_list(), strict=True))
