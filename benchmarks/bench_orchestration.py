"""Benchmark: what Dagster costs on top of the work, and how fast the code location loads.

1. From a new delivery in the inbox to updated marts in the published file, for one
   municipality's yearly employments extract at demo scale:
   - through Dagster: the inbox sensor evaluated, its run request executed in process as the
     `ingest_deliveries` job (ingestion, dbt on what the delivery touches, every check of those
     assets, the gate, publish);
   - directly, the same work without Dagster: `ingest_paths`, `dbt build` of the same models
     (everything downstream of the HR sources), the same checks through the gate's `evaluate`,
     the same publish.
   Both start from a copy of the same built warehouse, alternating, `--repeat` times; medians.
   The daemon adds its sensor interval (≤ 30 s) and one run-worker start per run on top; that
   is latency, not work, and is reported by `--daemon` (one run through `workforce ui`).
2. Code-location load: `import pipelines.definitions` and resolving the asset graph in a fresh
   interpreter, `--load-repeat` times, beside `import dagster` alone.

    .venv/bin/python benchmarks/bench_orchestration.py [--repeat 3] [--municipality 1856] [--daemon]

Results: benchmarks/results/bench_orchestration_<timestamp>.json and .md (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from pipelines.settings import DAGSTER_YAML, DBT_PROJECT_DIR, REPO_ROOT, Settings  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"
SECRET = "benchmark-secret-0123456789abcdef"
HR_SOURCES = "source:raw.hr_employments+ source:raw.hr_postings+ source:raw.hr_backlog+ source:audit.deliveries+"
LOAD_SNIPPET = (
    "import time; t = time.perf_counter(); import dagster; t1 = time.perf_counter(); "
    "import pipelines.definitions as d; d.defs.resolve_asset_graph(); t2 = time.perf_counter(); "
    "import sys; print(round(t1 - t, 3), round(t2 - t, 3), 'dbt.version' in sys.modules)"
)


def use_home(root: Path, secret: str = SECRET) -> Settings:
    """Point this process at `root` (as a fresh process started there would be)."""
    os.environ.update(
        {
            "WORKFORCE_HOME": str(root),
            "WORKFORCE_SECRET": secret,
            "WORKFORCE_SSB_MODE": "snapshot",
            "DAGSTER_HOME": str(root / "dagster"),
            "WORKFORCE_BUILD_DB": str(root / "build" / "workforce.duckdb"),
        }
    )
    os.environ.pop("WORKFORCE_SECRET_FILE", None)
    settings = Settings.from_env()
    settings.ensure_dirs()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DAGSTER_YAML, settings.dagster_home / "dagster.yaml")
    return settings


def build_base(work: Path, scale: float, municipalities: str = "salten,outer-lofoten") -> tuple[Path, Path]:
    """A fully built, published warehouse (2019–2023) and the folder of generated deliveries."""
    from rich.console import Console

    from pipelines.defs.orchestration.runner import run_in_process
    from pipelines.demo.generate import generate_deliveries
    from pipelines.hr.ingest import ingest_paths
    from pipelines.ssb.load import fetch_catalogue

    deliveries = work / "deliveries"
    generate_deliveries(deliveries, years="2019-2024", scale=scale, municipalities=municipalities)
    base = work / "base"
    settings = use_home(base)
    ingest_paths(sorted(p for p in deliveries.iterdir() if "_2024-" not in p.name), settings)
    fetch_catalogue(settings, mode="snapshot")
    out = io.StringIO()
    outcome = run_in_process(Console(file=out, width=150), job="rebuild_indicators")
    if not outcome.success:
        raise SystemExit(f"the base build failed:\n{out.getvalue()[-3000:]}")
    return base, deliveries


def fresh_copy(base: Path, target: Path) -> Settings:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target, symlinks=True)
    return use_home(target)


def drop(delivery: Path, settings: Settings) -> Path:
    target = settings.inbox_dir / delivery.name
    shutil.copyfile(delivery, target)
    old = time.time() - 300
    os.utime(target, (old, old))
    return target


def deliveries_published(settings: Settings) -> int:
    from pipelines.warehouse.publish import published_state

    return int(published_state(settings.published_db_path)["deliveries"])


def through_dagster(settings: Settings, delivery: Path) -> dict:
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.orchestration.runner import QUIET_LOGGERS, run_resources
    from pipelines.defs.orchestration.sensors import inbox_sensor

    before = deliveries_published(settings)
    job = defs.resolve_job_def("ingest_deliveries")
    started = time.perf_counter()
    drop(delivery, settings)
    with dg.DagsterInstance.get() as instance:
        result = inbox_sensor(dg.build_sensor_context(instance=instance, sensor_name="inbox"))
        [request] = result.run_requests
        sensed = time.perf_counter()
        run = job.execute_in_process(
            run_config={**QUIET_LOGGERS, **request.run_config},
            instance=instance,
            tags=request.tags,
            resources=run_resources(settings),
            raise_on_error=False,
        )
    total = time.perf_counter() - started
    if not run.success or deliveries_published(settings) != before + 1:
        raise SystemExit("the Dagster run did not publish the delivery")
    steps = {}
    for event in run.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            steps[event.step_key] = round(event.event_specific_data.duration_ms / 1000, 2)
    return {"seconds": round(total, 2), "sensor_s": round(sensed - started, 2), "steps": steps}


def directly(settings: Settings, delivery: Path) -> dict:
    from pipelines.definitions import defs
    from pipelines.defs.quality.checks import checked_assets
    from pipelines.hr.ingest import ingest_paths
    from pipelines.indicators.build import run_dbt
    from pipelines.quality.check_run import evaluate_checks, new_run_id
    from pipelines.quality.report import write_reports
    from pipelines.warehouse.connection import connect
    from pipelines.warehouse.publish import publish_warehouse

    job = defs.resolve_job_def("ingest_deliveries")
    selected = {tuple(key.path) for key in job.asset_layer.executable_asset_keys}
    checked = [key for key in checked_assets() if key in selected]
    before = deliveries_published(settings)
    phases = {}
    started = time.perf_counter()
    path = drop(delivery, settings)
    [result] = ingest_paths([path], settings)
    path.unlink()
    phases["ingest"] = time.perf_counter() - started
    mark = time.perf_counter()
    target = settings.home / "dbt-direct"
    target.mkdir(exist_ok=True)  # dbt's partial parse state, as dagster-dbt gives its runs
    shutil.copyfile(DBT_PROJECT_DIR / "target" / "partial_parse.msgpack", target / "partial_parse.msgpack")
    run_dbt(["build", "--select", HR_SOURCES], settings.build_db_path, target_path=target)
    phases["dbt"] = time.perf_counter() - mark
    mark = time.perf_counter()
    run_id = new_run_id()
    with connect(settings.build_db_path) as con:
        _results, references = evaluate_checks(con, run_id, assets=checked)
        write_reports(con, settings, run_id, references=references)
    phases["checks"] = time.perf_counter() - mark
    mark = time.perf_counter()
    publish_warehouse(settings)
    phases["publish"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    if result.outcome != "loaded" or deliveries_published(settings) != before + 1:
        raise SystemExit("the direct run did not publish the delivery")
    return {"seconds": round(total, 2), "phases": {k: round(v, 2) for k, v in phases.items()}}


def through_daemon(base: Path, work: Path, delivery: Path) -> dict:
    """One delivery through `workforce ui`: drop → published, with the sensor and the queue."""
    sys.path.insert(0, str(REPO_ROOT))
    from tests.orchestration.orch_support import UiServer

    settings = fresh_copy(base, work / "daemon")
    env = {**os.environ}
    env.pop("WORKFORCE_BUILD_DB", None)
    server = UiServer(env, work / "daemon-ui.log")
    try:
        server.wait_until_loaded()
        before = deliveries_published(settings)
        started = time.perf_counter()
        drop(delivery, settings)
        while deliveries_published(settings) == before:
            if time.perf_counter() - started > 900:
                raise SystemExit("the daemon did not publish the delivery within 15 minutes")
            time.sleep(0.5)
        return {"seconds": round(time.perf_counter() - started, 2)}
    finally:
        server.stop()


def load_times(repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append((float(out[0]), float(out[1]), out[2] == "True"))
    return {
        "dagster_import_s": statistics.median(r[0] for r in runs),
        "code_location_s": statistics.median(r[1] for r in runs),
        "runs": runs,
        "dbt_core_imported": any(r[2] for r in runs),
        "bytecode": "no .pyc written" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "cached",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-repeat", type=int, default=5)
    parser.add_argument("--municipality", default="1856")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--warehouse", default="salten,outer-lofoten", help="municipalities in the warehouse")
    parser.add_argument("--daemon", action="store_true", help="also one delivery through `workforce ui`")
    args = parser.parse_args()

    result: dict = {"started": datetime.now().isoformat(timespec="seconds"), "load": load_times(args.load_repeat)}
    with tempfile.TemporaryDirectory(prefix="bench-orch-") as tmp:
        work = Path(tmp)
        base, deliveries = build_base(work, args.scale, args.warehouse)
        [delivery] = sorted(deliveries.glob(f"{args.municipality}_arbeidsforhold_2024-*"))
        result["delivery"] = {"file": delivery.name, "bytes": delivery.stat().st_size}
        dagster_runs, direct_runs = [], []
        for i in range(args.repeat):
            order = (("dagster", through_dagster), ("direct", directly))
            for name, fn in order if i % 2 == 0 else reversed(order):
                settings = fresh_copy(base, work / name)
                (dagster_runs if name == "dagster" else direct_runs).append(fn(settings, delivery))
        dagster_s = statistics.median(r["seconds"] for r in dagster_runs)
        direct_s = statistics.median(r["seconds"] for r in direct_runs)
        result.update(
            {
                "dagster": dagster_runs,
                "direct": direct_runs,
                "dagster_median_s": dagster_s,
                "direct_median_s": direct_s,
                "overhead_ratio": round(dagster_s / direct_s, 3),
            }
        )
        if args.daemon:
            result["daemon"] = through_daemon(base, work, delivery)
    result["load_average"] = os.getloadavg()

    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    (RESULTS_DIR / f"bench_orchestration_{stamp}.json").write_text(json.dumps(result, indent=2))
    lines = [
        f"# Orchestration benchmark {result['started']}",
        f"- warehouse: {args.warehouse} 2019-2023 at scale {args.scale}; "
        f"delivery: {result['delivery']['file']} ({result['delivery']['bytes']} bytes)",
        f"- through Dagster (median of {args.repeat}): {dagster_s:.1f} s",
        f"- directly (median of {args.repeat}): {direct_s:.1f} s",
        f"- overhead ratio: {result['overhead_ratio']:.2f} (target ≤ 1.30)",
        f"- code location load: {result['load']['code_location_s']:.2f} s "
        f"(of which `import dagster` {result['load']['dagster_import_s']:.2f} s; dbt-core imported: "
        f"{result['load']['dbt_core_imported']}; bytecode {result['load']['bytecode']})",
        f"- load average: {', '.join(f'{x:.1f}' for x in result['load_average'])}",
    ]
    if "daemon" in result:
        lines.append(f"- through the daemon (drop → published, one run): {result['daemon']['seconds']:.1f} s")
    (RESULTS_DIR / f"bench_orchestration_{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
