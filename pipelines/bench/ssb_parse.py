"""Benchmark: parse a 1,000,000-cell JSON-stat2 body into polars, against `json.loads` alone.

    .venv/bin/python -m pipelines.bench.ssb_parse [--cells 1000000] [--repeat 3]

Both are timed in the same process on the same bytes (best of `--repeat`), so the ratio is
what matters, not the machine. Peak memory is measured in a fresh child process per
operation: the rise of the resident set's high-water mark over the resident set just
before the operation, after resetting the kernel's peak counter (VmHWM) so imports do not
count; it covers polars' Rust allocations, which tracemalloc cannot see.
The body is shaped like 07459 (region × sex × age × contents × year) with 5 % of the cells
missing and flagged `..`. Results go to `benchmarks/results/ssb_parse.json`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.bench.measure import peak_kb, reset_peak, rss_kb
from pipelines.settings import REPO_ROOT

RESULTS = REPO_ROOT / "benchmarks" / "results"
TARGET_RATIO = 3.0


def make_body(cells: int, seed: int = 7) -> bytes:
    """A json-stat2 dataset of exactly `cells` cells (region × 2 sexes × 100 ages × 1 × 20 years)."""
    per_region = 2 * 100 * 1 * 20
    regions = max(1, cells // per_region)
    sizes = [regions, 2, 100, 1, 20]
    ids = ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]
    codes = {
        "Region": [f"K-{1000 + i:04d}" for i in range(regions)],
        "Kjonn": ["1", "2"],
        "Alder": [f"{a:03d}" for a in range(100)],
        "ContentsCode": ["Personer1"],
        "Tid": [str(y) for y in range(2006, 2026)],
    }
    labels = {"Region": [f"Kommune {i}" for i in range(regions)], "Kjonn": ["Menn", "Kvinner"],
              "Alder": [f"{a} år" for a in range(100)], "ContentsCode": ["Personer"],
              "Tid": codes["Tid"]}
    dimension = {
        d: {"label": d.lower(), "category": {"index": {c: i for i, c in enumerate(codes[d])},
                                             "label": dict(zip(codes[d], labels[d], strict=True))},
            "extension": {"elimination": d not in ("ContentsCode", "Tid"), "show": "value"}}
        for d in ids
    }
    n = regions * per_region
    rng = random.Random(seed)
    values: list[int | None] = []
    status: dict[str, str] = {}
    for i in range(n):
        if rng.random() < 0.05:
            values.append(None)
            status[str(i)] = ".."
        else:
            values.append(rng.randint(0, 900))
    doc = {"version": "2.0", "class": "dataset", "label": "bench", "source": "benchmark",
           "updated": "2026-02-20T07:00:00Z", "id": ids, "size": sizes, "dimension": dimension,
           "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
           "value": values, "status": status}
    return json.dumps(doc, separators=(",", ":")).encode()


def child(op: str, path: str) -> None:
    """Run one operation on the body in `path` and print its peak memory rise (MiB)."""
    import json as json_module

    from pipelines.ssb import jsonstat

    body = Path(path).read_bytes()
    small = make_body(4000)  # the same warm-up for both: imports' lazy parts, allocator arenas
    json_module.loads(small)
    jsonstat.parse(small)
    del small
    reset_peak()
    before = rss_kb()
    result = json_module.loads(body) if op == "json" else jsonstat.parse(body)
    peak = peak_kb()
    del result
    print(json_module.dumps({"peak_rise_mib": max(peak - before, 0) / 1024}))


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("OP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return {}

    from pipelines.ssb import jsonstat

    body = make_body(args.cells)
    parsed = jsonstat.parse(body)  # warm up, and check the result
    assert parsed.frame.height == args.cells and parsed.frame["status"].null_count() < args.cells
    json_s = timed(lambda: json.loads(body), args.repeat)
    parse_s = timed(lambda: jsonstat.parse(body), args.repeat)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        handle.write(body)
    memory = {}
    for op in ("json", "parse"):
        done = subprocess.run([sys.executable, "-m", "pipelines.bench.ssb_parse", "--child", op, handle.name],
                              capture_output=True, text=True, check=True, cwd=REPO_ROOT)
        memory[op] = json.loads(done.stdout.strip().splitlines()[-1])["peak_rise_mib"]
    Path(handle.name).unlink()
    result = {
        "cells": args.cells,
        "body_mib": round(len(body) / 2**20, 2),
        "json_loads_s": round(json_s, 4),
        "parse_to_polars_s": round(parse_s, 4),
        "ratio": round(parse_s / json_s, 2),
        "target_ratio": TARGET_RATIO,
        "json_loads_peak_mib": round(memory["json"], 1),
        "parse_peak_mib": round(memory["parse"], 1),
        "memory_ratio": round(memory["parse"] / memory["json"], 2) if memory["json"] else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ssb_parse.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"JSON-stat2 parse, {args.cells:,} cells ({result['body_mib']} MiB body), best of {args.repeat}:")
    print(f"  json.loads alone     {json_s:8.3f} s   peak +{memory['json']:.0f} MiB")
    print(f"  parse to polars      {parse_s:8.3f} s   peak +{memory['parse']:.0f} MiB")
    verdict = "within" if result["ratio"] <= TARGET_RATIO else "OVER"
    print(f"  ratio                {result['ratio']:8.2f} x  ({verdict} the {TARGET_RATIO:.0f}x target)")
    return result


if __name__ == "__main__":
    main()
