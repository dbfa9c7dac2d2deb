"""Benchmark: the whole `dbt build` at national scale against a floor.

The floor is one hand-written DuckDB SQL script (benchmarks/floor.sql) that computes only
full-time share and turnover per municipality and year from raw.hr_employments. Both run as
child processes of this script on the same generated data, one after the other, so wall time
and peak memory (the child's max RSS) are measured the same way; the ratio is what matters
on a shared machine.

    .venv/bin/python benchmarks/bench_dbt.py                       # national scale, 1 thread
    .venv/bin/python benchmarks/bench_dbt.py --active 100000 --threads 1,2,3,4

Results: benchmarks/results/bench_dbt_<timestamp>.json and .md (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from national_data import generate  # noqa: E402

from pipelines.indicators.build import dbt_env, dbt_executable  # noqa: E402
from pipelines.settings import DBT_PROJECT_DIR  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"

FLOOR_RUNNER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("set enable_progress_bar = false")
for statement in open(sys.argv[2]).read().split(";"):
    if statement.strip():
        result = con.execute(statement).fetchall()
print(result)
"""


def run_measured(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict:
    """Run a child process; return wall seconds, its peak RSS (MB) and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    # reap the child ourselves: wait4 gives this child's own peak RSS
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "returncode": os.waitstatus_to_exitcode(status),
        "output": output,
    }


def measure_floor(db_path: Path) -> dict:
    return run_measured([sys.executable, "-c", FLOOR_RUNNER, str(db_path), str(BENCH_DIR / "floor.sql")])


def measure_dbt_build(source_db: Path, work_dir: Path, threads: int) -> dict:
    build_db = work_dir / "build" / "workforce.duckdb"
    if build_db.parent.exists():
        shutil.rmtree(build_db.parent)
    build_db.parent.mkdir(parents=True)
    shutil.copyfile(source_db, build_db)
    target = work_dir / f"target_t{threads}"
    shutil.rmtree(target, ignore_errors=True)
    env = dbt_env(build_db, {"WORKFORCE_DBT_THREADS": str(threads), "DBT_LOG_PATH": str(target)})
    command = [
        dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
    ]  # fmt: skip
    result = run_measured(command, env=env, cwd=DBT_PROJECT_DIR)
    run_results = target / "run_results.json"
    if run_results.exists():
        results = json.loads(run_results.read_text())
        nodes = sorted(results["results"], key=lambda node: -node["execution_time"])
        result["dbt_elapsed_s"] = round(results["elapsed_time"], 2)
        result["slowest_nodes"] = [
            (node["unique_id"].split(".")[-1], round(node["execution_time"], 2)) for node in nodes[:8]
        ]
        result["failed_nodes"] = [node["unique_id"] for node in nodes if node["status"] in ("error", "fail")]
    result["summary"] = [line for line in result.pop("output").splitlines() if "Done." in line][-1:]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--active", type=int, default=500_000, help="employees on any 1 December")
    parser.add_argument("--threads", default="1", help="comma-separated dbt thread counts to measure")
    parser.add_argument("--work-dir", type=Path, default=RESULTS_DIR / "work")
    args = parser.parse_args()

    source_dir = args.work_dir / f"source_{args.active}"
    source_db = source_dir / "workforce.duckdb"
    if not source_db.exists():
        started = time.perf_counter()
        counts = generate(source_db, active_employees=args.active)
        print(f"generated {counts} in {time.perf_counter() - started:.0f} s")
    floor = measure_floor(source_db)
    floor.pop("output")
    print(f"floor: {floor}")
    runs = {}
    for threads in [int(value) for value in args.threads.split(",")]:
        runs[threads] = measure_dbt_build(source_db, args.work_dir, threads)
        print(f"dbt build, {threads} thread(s): {runs[threads]}")
    floor_again = measure_floor(source_db)  # the machine is shared: bracket the dbt runs
    floor_again.pop("output")
    print(f"floor (again): {floor_again}")
    floor_wall = min(floor["wall_s"], floor_again["wall_s"])

    report = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "active_employees": args.active,
        "load_average": os.getloadavg(),
        "floor": floor,
        "floor_again": floor_again,
        "dbt_build": runs,
        "ratio_to_floor": {threads: round(run["wall_s"] / floor_wall, 1) for threads, run in runs.items()},
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"bench_dbt_{stamp}.json").write_text(json.dumps(report, indent=2))
    lines = [
        f"# dbt build benchmark ({report['when']}, {args.active:,} employees, load {report['load_average']})",
        "",
        "| run | wall s | peak MB | ratio to floor |",
        "| --- | ---: | ---: | ---: |",
        f"| floor (full-time + turnover SQL) | {floor['wall_s']} / {floor_again['wall_s']} "
        f"| {max(floor['peak_rss_mb'], floor_again['peak_rss_mb'])} | 1 |",
    ]
    for threads, run in runs.items():
        lines.append(
            f"| dbt build, {threads} thread(s) | {run['wall_s']} | {run['peak_rss_mb']} "
            f"| {report['ratio_to_floor'][threads]} |"
        )
    (RESULTS_DIR / f"bench_dbt_{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
