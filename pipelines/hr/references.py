"""The code lists rows are checked against: municipality codes (KLASS 131, shipped with the
package) and KS position codes (the dbt seed, so dbt and ingestion share one list).

Both files are maintained by hand and extended over time, so they are read, never copied
into code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.settings import REPO_ROOT

MUNICIPALITIES_CSV = Path(__file__).resolve().parent.parent / "reference" / "municipalities.csv"
POSITION_CODES_CSV = REPO_ROOT / "dbt" / "seeds" / "ks_position_codes.csv"
UNSTATED = "9999"


@dataclass(frozen=True)
class References:
    municipalities: frozenset[str]
    current_municipalities: frozenset[str]  # codes without an end date
    position_codes: frozenset[str]
    manager_levels: dict[str, int]  # position code -> 1-4, for codes that are leader codes


@cache
def load_references() -> References:
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # 9999 is KLASS's "Uoppgitt" (not stated): a placeholder, not a municipality a row can belong to.
    municipalities = frozenset(r["code"].strip().zfill(4) for r in rows if r.get("code")) - {UNSTATED}
    current = frozenset(
        r["code"].strip().zfill(4) for r in rows if r.get("code") and not (r.get("valid_to") or "").strip()
    ) - {UNSTATED}
    with POSITION_CODES_CSV.open(encoding="utf-8") as handle:
        seed = list(csv.DictReader(handle))
    codes = frozenset(r["position_code"].strip() for r in seed if r.get("position_code"))
    levels = {
        r["position_code"].strip(): int(r["manager_level"])
        for r in seed
        if (r.get("manager_level") or "").strip().isdigit()
    }
    return References(municipalities, current, codes, levels)
