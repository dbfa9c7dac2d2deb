"""Benchmark: ingestion of a whole folder of deliveries (thousands of small files), as a
national run meets it, with the time per stage and the peak memory.

`workforce bench ingest` measures one large file; a national run is ~8,000 files of ~1,000
rows in several dialects, where the per-file costs (ledger statements, commits, checkpoints,
header detection) decide. This copies the folder into a fresh WORKFORCE_HOME (ingestion may
move files away; the source stays untouched), ingests it in a child process and reports wall
and CPU time, peak RSS, rows/s, the machine load and the sum of each stage's laps (stages
overlap, so their sum may exceed the wall time). Optionally the run is profiled with py-spy
(`uv pip install py-spy` into the venv first; it is not a project dependency).

    .venv/bin/python benchmarks/bench_ingest_folder.py /work/data/norway-2016-2025
    .venv/bin/python benchmarks/bench_ingest_folder.py DELIVERIES --glob '18*' --py-spy prof.txt

Results: benchmarks/results/bench_ingest_folder_<timestamp>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
SECRET = "bench-secret-not-for-real-data-0123456789"

CHILD = """
import json, logging, sys, time
from pathlib import Path
from pipelines.hr.ingest import ingest_paths
from pipelines.settings import Settings

stages = {}
class Stages(logging.Handler):
    def emit(self, record):
        stage, seconds = record.getMessage().split()
        stages[stage] = stages.get(stage, 0.0) + float(seconds)
timing = logging.getLogger("pipelines.hr.timing")
timing.setLevel(logging.DEBUG)
timing.addHandler(Stages())
timing.propagate = False
settings = Settings(home=Path(sys.argv[1]), secret_env=sys.argv[2])
settings.ensure_dirs()
started = time.perf_counter()
results = ingest_paths([settings.inbox_dir], settings)
wall = time.perf_counter() - started
outcomes = {}
for r in results:
    outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
print(json.dumps({
    "files": len(results), "outcomes": outcomes, "wall_seconds": round(wall, 1),
    "rows_read": sum(r.rows_read for r in results), "rows_loaded": sum(r.rows_loaded for r in results),
    "ledger_balanced": all(r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_duplicate for r in results),
    "stages_seconds": {k: round(v, 1) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
}))
"""


def run(source: Path, pattern: str, py_spy: Path | None) -> dict:
    files = sorted(p for p in source.glob(pattern) if p.is_file())
    if not files:
        raise SystemExit(f"no files match {pattern} in {source}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-folder-") as tmp:
        home = Path(tmp) / "home"
        inbox = home / "inbox"
        inbox.mkdir(parents=True)
        for path in files:
            shutil.copy2(path, inbox / path.name)
        command = [sys.executable, "-c", CHILD, str(home), SECRET]
        if py_spy is not None:
            spy = Path(sys.executable).with_name("py-spy")
            command = [str(spy), "record", "--format", "raw", "--rate", "50", "-o", str(py_spy), "--", *command]
        load_before = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if child.returncode != 0:
            raise SystemExit(f"ingestion failed: {child.stderr.strip().splitlines()[-1:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(
        source=str(source),
        glob=pattern,
        process_seconds=round(elapsed, 1),
        cpu_seconds=round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        peak_rss_mb=round(after.ru_maxrss / 1024),
        rows_per_second=round(result["rows_read"] / result["wall_seconds"]),
        load_before=round(load_before, 1),
        load_after=round(os.getloadavg()[0], 1),
        cpus=os.cpu_count(),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder of delivered files (left untouched)")
    parser.add_argument("--glob", default="*", help="which files of the folder (default: all)")
    parser.add_argument("--py-spy", type=Path, help="also profile the run with py-spy into this raw file")
    args = parser.parse_args()
    result = run(args.source, args.glob, args.py_spy)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"bench_ingest_folder_{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
