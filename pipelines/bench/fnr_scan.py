"""False positives and cost of the national-id leak scan (`pipelines/hr/fnr.py`).

`python -m pipelines.bench.fnr_scan [out-dir]` generates the demo deliveries
(`pipelines/demo`, salten + outer Lofoten, 2015-2025), reads each through the ingestion
reader and scans every cell outside the id column, every header and every title line, as
ingestion does. Then it adds the numbers an HR export may carry besides ids - phone
numbers, bank account numbers, organisation numbers, dates and amounts, each in the
spellings people type - and reports, per kind, the share of values the scan takes for an
id. The cost is CPU seconds per million cells, and its ratio to one bare polars regex pass
over the same cells (the floor any scan pays). Writes `benchmarks/results/fnr_scan.json`.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.hr import fnr
from pipelines.hr.fnr import W2
from pipelines.hr.profiles import candidates
from pipelines.hr.readers import ROW, read_table
from pipelines.settings import REPO_ROOT

RESULTS = REPO_ROOT / "benchmarks" / "results" / "fnr_scan.json"
SAMPLES = 200_000


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    check = (11 - rest) % 11
    return None if check == 10 else check


def _account(rng: random.Random) -> str:
    """A Norwegian bank account number (11 digits; the last is mod-11 with weights 5,4,3,2,7,6,5,4,3,2)."""
    while True:
        base = f"{rng.choice([1201, 1503, 1506, 1822, 2801, 3000, 4202, 6010, 9710, 1254, 3411, 8601])}"
        base += f"{rng.randint(0, 999999):06d}"
        check = _mod11(base, W2)
        if check is not None:
            return base + str(check)


def _org(rng: random.Random) -> str:
    while True:
        base = f"{rng.choice([8, 9])}{rng.randint(0, 9999999):07d}"
        check = _mod11(base, (3, 2, 7, 6, 5, 4, 3, 2))
        if check is not None:
            return base + str(check)


def _spellings(rng: random.Random) -> dict[str, list[str]]:
    """Values by kind, each kind in the spellings that occur in exports."""
    out: dict[str, list[str]] = {}
    phones = [f"{rng.choice([4, 9])}{rng.randint(0, 9999999):07d}" for _ in range(SAMPLES)]
    out["telefon"] = [
        rng.choice([p, f"{p[:3]} {p[3:5]} {p[5:]}", f"+47 {p}", f"+47 {p[:3]} {p[3:5]} {p[5:]}", f"0047{p}"])
        for p in phones
    ]
    out["telefon, to i én celle"] = [f"{a} / {b}" for a, b in zip(phones[::2], phones[1::2], strict=False)]
    accounts = [_account(rng) for _ in range(SAMPLES)]
    out["kontonummer, 11 sifre"] = accounts
    out["kontonummer, 1234.56.78903"] = [f"{a[:4]}.{a[4:6]}.{a[6:]}" for a in accounts]
    out["kontonummer, 1234 56 78903"] = [f"{a[:4]} {a[4:6]} {a[6:]}" for a in accounts]
    out["organisasjonsnummer"] = [
        rng.choice([o, f"{o[:3]} {o[3:6]} {o[6:]}"]) for o in (_org(rng) for _ in range(SAMPLES))
    ]
    dates = [(rng.randint(1, 28), rng.randint(1, 12), rng.randint(1950, 2030)) for _ in range(SAMPLES)]
    out["dato"] = [
        rng.choice(
            [
                f"{d:02d}.{m:02d}.{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{y}-{m:02d}-{d:02d} 00:00:00",
                f"{d:02d}{m:02d}{y % 100:02d}",
            ]
        )
        for d, m, y in dates
    ]
    out["periode (to datoer)"] = [f"{d:02d}.{m:02d}.{y} - {d:02d}.{m:02d}.{y + 1}" for d, m, y in dates[: SAMPLES // 2]]
    out["beløp"] = [f"{rng.randint(0, 9_999_999):,}".replace(",", " ") + ",00" for _ in range(SAMPLES)]
    out["tilfeldige 11 sifre"] = [f"{rng.randint(0, 10**11 - 1):011d}" for _ in range(SAMPLES)]
    return out


def _demo_scan(folder: Path) -> dict:
    pairs = candidates(None, None)
    files = cells = flagged_files = 0
    scan_cpu = floor_cpu = 0.0
    flagged_columns: list[str] = []
    for path in sorted(folder.iterdir()):
        table = read_table(path.read_bytes(), pairs)
        id_source = table.source_for.get("national_id")
        other = [c for c in table.frame.columns if c not in (ROW, id_source)]
        start = time.process_time()
        hits = fnr.leaked_columns(table.frame, other)
        scan_cpu += time.process_time() - start
        start = time.process_time()
        table.frame.select(pl.col(c).str.contains(r"\d{11}").any() for c in other if table.frame.schema[c] == pl.String)
        floor_cpu += time.process_time() - start
        hits += [f"overskrift {i}" for i in fnr.leaked_names(table.columns)]
        hits += ["tittellinje"] if fnr.contains_id(table.preamble) else []
        files += 1
        cells += table.frame.height * len(other)
        if hits:
            flagged_files += 1
            flagged_columns += [f"{path.name}: {c}" for c in hits]
    return {
        "files": files,
        "cells": cells,
        "files_flagged": flagged_files,
        "columns_flagged": flagged_columns,
        "cpu_seconds_per_million_cells": round(scan_cpu / (cells / 1e6), 3),
        "ratio_to_one_regex_pass": round(scan_cpu / max(floor_cpu, 1e-9), 1),
    }


def _cpu(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def run(out: Path) -> dict:
    from pipelines.demo.generate import generate_deliveries

    generate_deliveries(out, years="2015-2025", municipalities="salten,outer-lofoten")
    demo = _demo_scan(out)
    rng = random.Random(14)
    kinds = _spellings(rng)
    rates = {}
    for kind, values in kinds.items():
        hits = int(fnr.hit_mask(pl.Series(values, dtype=pl.String)).sum())
        rates[kind] = {"values": len(values), "flagged": hits, "share": round(hits / len(values), 5)}
    # the worst case: every cell a number the quick filter lets through
    frame = pl.DataFrame({k: v[: SAMPLES // 2] for k, v in kinds.items()})
    scan = _cpu(lambda: fnr.leaked_columns(frame, frame.columns))
    floor = _cpu(lambda: frame.select(pl.col(c).str.contains(r"\d{11}").any() for c in frame.columns))
    million = frame.height * frame.width / 1e6
    return {
        "demo": demo,
        "false_positive_share": rates,
        "numbers_only": {
            "cpu_seconds_per_million_cells": round(scan / million, 3),
            "ratio_to_one_regex_pass": round(scan / max(floor, 1e-9), 1),
        },
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="fnr-scan-") as temp:
        target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(temp)
        result = run(target)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
