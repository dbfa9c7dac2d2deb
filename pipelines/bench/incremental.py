"""Benchmark: one municipality's new yearly extract on top of a national warehouse.

From the file dropped in the inbox to updated marts in the published file, through the real
path: the `inbox` sensor evaluated, its run request executed in process as `ingest_deliveries`
(ingestion, dbt on the pending years, every check of those assets, the gate, publish). Beside
it, in the same invocation and on copies of the same home:

(a) the same delivery through the same path with a full dbt build (the path before
    incremental runs: the home's build record is removed, so the rule falls back to full);
(b) a full `rebuild_indicators` run (dbt of every model, checks, gate, publish).

Each measured run is a fresh Python process (its own peak RSS, dbt's included, and no warm
caches from the previous run). Phases come from the run's step durations: ingest
(`hr_inbox`), dbt (`workforce_dbt`), checks (every other check step), gate (`quality/gate`),
publish (`published_warehouse`); Dagster is the rest of the run's wall time.

    .venv/bin/python -m pipelines.bench.incremental --build-base      # once: benchmarks/results/incr-base
    (--data DIR: the base from other deliveries, e.g. the demo's, with --delivery the one held back)
    .venv/bin/python -m pipelines.bench.incremental [--repeat 3] [--base DIR] [--delivery FILE]

`workforce bench all` calls `measure_incremental` at the scales that hold one municipality's
last extract back (`hold_back`): after the staged build, on the built home.

Results: benchmarks/results/bench_incremental_<timestamp>.json and .md (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from pipelines.bench.measure import report_result, run_measured
from pipelines.settings import DAGSTER_YAML, REPO_ROOT, Settings

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
PREFERRED = ("1804", "1806", "0301")  # Bodø first: a large Nordland municipality
# The workers are child processes: the secret of a warehouse built elsewhere (make bench) reaches
# them through the environment, so the new extract is keyed as the warehouse was.
SECRET = os.environ.get("WORKFORCE_BENCH_SECRET", "benchmark-secret-0123456789abcdef")
# `workforce demo-data --municipalities norway --years 2016-2025 --out <this>` writes the deliveries
NATIONAL_DATA = RESULTS_DIR / "norway-2016-2025"
DEFAULT_BASE = RESULTS_DIR / "incr-base"
DEFAULT_DELIVERY = NATIONAL_DATA / "1804_arbeidsforhold_2025-12-15.csv"  # Bodø's 2025 employments
BASE_META = "bench-base.json"


def use_home(root: Path) -> Settings:
    """Point this process at `root` (as a fresh process started there would be)."""
    from pipelines.bench.harness import stage_env

    os.environ.update(stage_env(root, secret=SECRET))
    os.environ.pop("WORKFORCE_SECRET_FILE", None)
    settings = Settings.from_env()
    settings.ensure_dirs()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DAGSTER_YAML, settings.dagster_home / "dagster.yaml")
    return settings


def hold_back(deliveries: Path, held: Path, last_year: int) -> Path | None:
    """Move one municipality's `last_year` employments extract from `deliveries` to `held`."""
    pattern = re.compile(rf"^(\d{{4}})_arbeidsforhold_{last_year}-\d{{2}}-\d{{2}}\.(csv|txt|xlsx)$")
    candidates = {m.group(1): p for p in deliveries.iterdir() if (m := pattern.match(p.name))}
    if not candidates:
        return None
    code = next((c for c in PREFERRED if c in candidates), min(candidates))
    held.mkdir(parents=True, exist_ok=True)
    target = held / candidates[code].name
    candidates[code].rename(target)
    return target


def measure_incremental(home: Path, delivery: Path, env: dict[str, str]) -> dict:
    """The harness's call after the staged build; never fails the benchmark. Once: at
    national scale each of its three runs (incremental, the same delivery with a full build,
    a full rebuild) takes minutes."""
    try:
        result = run_incremental(home, delivery, repeat=1, secret=env["WORKFORCE_SECRET"])
    except (Exception, SystemExit) as error:  # report, do not stop the national measurement
        return {"status": "failed", "detail": f"{type(error).__name__}: {error}"[:500]}
    return {"status": "measured", "delivery": delivery.name, "result": result}


# --- the base warehouse (once) ---------------------------------------------------------------
def build_base(data: Path, base: Path, leave_out: str) -> dict:
    """A national warehouse: every delivery in `data` but `leave_out`, ingested, fully built
    through `rebuild_indicators` and published. Its timings are kept beside it: they are the
    national build from the deliveries, end to end."""
    from rich.console import Console

    from pipelines.defs.orchestration.runner import run_in_process
    from pipelines.hr.ingest import ingest_paths
    from pipelines.ssb.load import fetch_catalogue

    settings = use_home(base)
    files = sorted(p for p in data.iterdir() if p.is_file() and p.name != leave_out)
    started = time.perf_counter()
    for i in range(0, len(files), 200):
        ingest_paths(files[i : i + 200], settings)
        print(f"ingested {min(i + 200, len(files))}/{len(files)} in {time.perf_counter() - started:.0f} s", flush=True)
    ingest_s = time.perf_counter() - started
    fetch_catalogue(settings, mode="snapshot")
    out = io.StringIO()
    mark = time.perf_counter()
    outcome = run_in_process(Console(file=out, width=150), job="rebuild_indicators")
    build_s = time.perf_counter() - mark
    if not outcome.success:
        raise SystemExit(f"the base build failed:\n{out.getvalue()[-3000:]}")
    meta = {"files": len(files), "ingest_s": round(ingest_s, 1), "rebuild_s": round(build_s, 1), "left_out": leave_out}
    (base / BASE_META).write_text(json.dumps(meta, indent=2))
    return meta


# --- one measured run, in its own process --------------------------------------------------
def _phases(run, wall: float, sensor_s: float) -> dict:
    steps: dict[str, float] = {}
    for event in run.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            steps[event.step_key] = event.event_specific_data.duration_ms / 1000
    phases = {"sensor": sensor_s, "ingest": 0.0, "dbt": 0.0, "checks": 0.0, "gate": 0.0, "publish": 0.0}
    for key, seconds in steps.items():
        if key == "hr_inbox":
            phases["ingest"] += seconds
        elif key == "workforce_dbt":
            phases["dbt"] += seconds
        elif "gate" in key:
            phases["gate"] += seconds
        elif "published_warehouse" in key:
            phases["publish"] += seconds
        else:
            phases["checks"] += seconds
    phases["dagster"] = wall - sum(phases.values())
    return {k: round(v, 2) for k, v in phases.items()}


def _dbt_plan(settings: Settings) -> dict:
    import duckdb

    con = duckdb.connect(str(settings.build_db_path), read_only=True)
    try:
        row = con.execute(
            "select mode, from_year, municipalities from audit.dbt_builds order by finished_at desc limit 1"
        ).fetchall()
    finally:
        con.close()
    # mode: full | range (years over every municipality) | slice (years x `municipalities` and their regions)
    return {"mode": row[0][0], "from_year": row[0][1], "municipalities": row[0][2]} if row else {}


def _dbt_nodes(run_id: str, home: Path, top: int = 12) -> dict:
    """Where dbt's time went: the slowest nodes of the run (dagster-dbt's target folder)."""
    target = home / "dbt" / "target"  # the run's home (pipelines/defs/resources.py)
    found = sorted(target.glob(f"workforce_dbt-{run_id[:7]}-*/run_results.json"))
    if not found:
        return {}
    results = json.loads(found[-1].read_text())["results"]
    timed = sorted(((r["unique_id"], r["execution_time"]) for r in results), key=lambda x: -x[1])
    models = [t for t in timed if t[0].startswith(("model.", "seed."))]
    tests = [t for t in timed if t[0].startswith(("test.", "unit_test."))]
    return {
        "nodes": len(results),
        "models_s": round(sum(t for _, t in models), 1),
        "tests_s": round(sum(t for _, t in tests), 1),
        "slowest": [
            [uid.split(".")[-1] if uid.startswith("model.") else uid.split(".", 2)[-1][:60], round(t, 2)]
            for uid, t in timed[:top]
        ],
    }


def worker(mode: str, home: Path, delivery: Path | None) -> dict:
    """mode: incremental | full_delivery | rebuild. Prints the result as JSON."""
    import dagster as dg

    settings = use_home(home)
    from pipelines.definitions import defs
    from pipelines.defs.orchestration.runner import QUIET_LOGGERS, run_resources
    from pipelines.defs.orchestration.sensors import inbox_sensor

    if mode == "full_delivery":  # no build record: the rule falls back to a full build
        import duckdb

        con = duckdb.connect(str(settings.build_db_path))
        con.execute("delete from audit.dbt_builds")
        con.close()
    job_name = "rebuild_indicators" if mode == "rebuild" else "ingest_deliveries"
    job = defs.resolve_job_def(job_name)
    started = time.perf_counter()
    sensor_s = 0.0
    with dg.DagsterInstance.get() as instance:
        config: dict = dict(QUIET_LOGGERS)
        tags: dict = {}
        if delivery is not None and mode != "rebuild":
            target = settings.inbox_dir / delivery.name
            shutil.copyfile(delivery, target)
            old = time.time() - 300  # settled: complete on first sight
            os.utime(target, (old, old))
            result = inbox_sensor(dg.build_sensor_context(instance=instance, sensor_name="inbox"))
            [request] = result.run_requests
            config.update(request.run_config)
            tags = dict(request.tags)
            sensor_s = time.perf_counter() - started
        run = job.execute_in_process(
            run_config=config, instance=instance, tags=tags, resources=run_resources(settings), raise_on_error=False
        )
    wall = time.perf_counter() - started
    failed_checks = sorted(
        f"{e.asset_check_evaluation_data.asset_key.to_user_string()}:{e.asset_check_evaluation_data.check_name}"
        for e in run.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
        and e.asset_check_evaluation_data.severity == dg.AssetCheckSeverity.ERROR
    )
    published = any(
        e.event_type_value == "STEP_SUCCESS" and "published_warehouse" in (e.step_key or "") for e in run.all_events
    )
    if not run.success and not failed_checks:
        raise SystemExit(f"the {mode} run failed")
    publish_direct = None
    if not published:
        # A blocking check closed the gate (a finding about the data, not this path): the
        # publish is timed directly, the same copy without the gate, so the phase is known.
        from pipelines.warehouse.publish import publish_warehouse

        mark = time.perf_counter()
        publish_warehouse(settings, gate=False)
        publish_direct = round(time.perf_counter() - mark, 2)
    return {
        "mode": mode,
        "success": run.success,
        "failed_blocking_checks": failed_checks,
        "publish_direct_s": publish_direct,
        "seconds": round(wall + (publish_direct or 0), 2),
        "dbt_nodes": _dbt_nodes(run.run_id, settings.home),
        "phases": {**_phases(run, wall, sensor_s), "publish_direct": publish_direct or 0.0},
        "dbt_plan": _dbt_plan(settings),
    }


def _measure(mode: str, home: Path, delivery: Path | None) -> dict:
    """One run in a fresh process (its own peak memory, dbt's subprocess included)."""
    args = [sys.executable, "-m", "pipelines.bench.incremental", "--worker", mode, "--home", str(home)]
    if delivery is not None:
        args += ["--delivery", str(delivery)]
    log = home.parent / f"{mode}.log"
    measured = run_measured(args, env={**os.environ}, log=log)
    if measured.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{measured.output[-3000:]}")
    return {**measured.result, "cpu_s": measured.cpu_s, "peak_rss_mb": round(measured.peak_rss_mb)}


def _copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)
    return target


def run_incremental(
    base_home: Path, delivery: Path, repeat: int = 3, *, also: tuple[Path, ...] = (), secret: str | None = None
) -> dict:
    """Copy the built national home, drop `delivery` in its inbox and take it through the real
    path `repeat` times (fresh copies), beside (a) the same delivery with a full dbt build and
    (b) a full `rebuild_indicators`. Medians; shares of (a) and (b). `also`: further deliveries
    measured once each on the incremental path (no (a)), from the same prepared home."""
    base_home, delivery = Path(base_home), Path(delivery)
    if secret:
        os.environ["WORKFORCE_BENCH_SECRET"] = secret
    with tempfile.TemporaryDirectory(prefix="bench-incr-", dir=base_home.parent) as tmp:
        work = Path(tmp)
        prepared = _copy(base_home, work / "prepared")
        # (b), which also leaves the prepared home with a complete full build on record
        rebuilds = [_measure("rebuild", prepared, None)]
        incremental, full_delivery = [], []
        for i in range(repeat):
            incremental.append(_measure("incremental", _copy(prepared, work / "run"), delivery))
            if i < max(1, repeat // 2 + (repeat % 2)):  # (a) is slow: enough of it for a median
                full_delivery.append(_measure("full_delivery", _copy(prepared, work / "run"), delivery))
        if repeat > 1:
            rebuilds.append(_measure("rebuild", _copy(prepared, work / "run"), None))
        others = {extra.name: _measure("incremental", _copy(prepared, work / "run"), Path(extra)) for extra in also}

    def median_phases(runs: list[dict]) -> dict:
        return {k: round(statistics.median(r["phases"][k] for r in runs), 2) for k in runs[0]["phases"]}

    inc_s = statistics.median(r["seconds"] for r in incremental)
    full_s = statistics.median(r["seconds"] for r in full_delivery)
    rebuild_s = statistics.median(r["seconds"] for r in rebuilds)
    inc_cpu, full_cpu, rebuild_cpu = (
        round(statistics.median(r["cpu_s"] for r in runs), 2) for runs in (incremental, full_delivery, rebuilds)
    )
    result = {
        "delivery": {"file": delivery.name, "bytes": delivery.stat().st_size},
        "repeat": repeat,
        "seconds": inc_s,
        "phases": median_phases(incremental),
        "dbt_plan": incremental[0]["dbt_plan"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in incremental),
        "full_delivery_seconds": full_s,
        "full_delivery_phases": median_phases(full_delivery),
        "rebuild_seconds": rebuild_s,
        "rebuild_phases": median_phases(rebuilds),
        "share_of_full_delivery": round(inc_s / full_s, 3),
        "share_of_rebuild": round(inc_s / rebuild_s, 3),
        # CPU seconds of each run's process tree (dbt included): the figure a busy machine leaves alone
        "cpu_s": inc_cpu,
        "full_delivery_cpu_s": full_cpu,
        "rebuild_cpu_s": rebuild_cpu,
        "cpu_share_of_full_delivery": round(inc_cpu / full_cpu, 3),
        "cpu_share_of_rebuild": round(inc_cpu / rebuild_cpu, 3),
        "also": {
            name: {
                **r,
                "share_of_full_delivery": round(r["seconds"] / full_s, 3),
                "share_of_rebuild": round(r["seconds"] / rebuild_s, 3),
            }
            for name, r in others.items()
        },
        "runs": {"incremental": incremental, "full_delivery": full_delivery, "rebuild": rebuilds},
        "load_average": os.getloadavg(),
    }
    meta = base_home / BASE_META
    if meta.is_file():  # the national build from the deliveries, end to end (measured once)
        national = json.loads(meta.read_text())
        national_s = national["ingest_s"] + rebuild_s
        result["national_build"] = {**national, "end_to_end_s": round(national_s, 1)}
        result["share_of_national_build"] = round(inc_s / national_s, 4)
    return result


def _report(result: dict) -> str:
    p = result["phases"]
    lines = [
        f"# Incremental delivery benchmark {datetime.now().isoformat(timespec='seconds')}",
        f"- delivery: {result['delivery']['file']} ({result['delivery']['bytes']} bytes); "
        f"dbt plan: {result['dbt_plan']}",
        f"- incremental path (median of {result['repeat']}): {result['seconds']:.1f} s — "
        + ", ".join(f"{k} {v:.1f}" for k, v in p.items()),
        f"- (a) same delivery, full dbt build: {result['full_delivery_seconds']:.1f} s — share "
        f"{result['share_of_full_delivery']:.1%}",
        f"- (b) rebuild_indicators: {result['rebuild_seconds']:.1f} s — share {result['share_of_rebuild']:.1%}",
        f"- CPU: incremental {result['cpu_s']:.1f} s, (a) {result['full_delivery_cpu_s']:.1f} s, (b) "
        f"{result['rebuild_cpu_s']:.1f} s — shares {result['cpu_share_of_full_delivery']:.1%} of (a), "
        f"{result['cpu_share_of_rebuild']:.1%} of (b)",
        f"- peak RSS (the run's process tree, dbt included): {result['peak_rss_mb']} MB",
    ]
    for name, r in result["also"].items():
        lines.append(
            f"- also {name}: {r['seconds']:.1f} s, dbt plan {r['dbt_plan']} — share of (a) "
            f"{r['share_of_full_delivery']:.1%}, of (b) {r['share_of_rebuild']:.1%} — "
            + ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        )
    if "national_build" in result:
        n = result["national_build"]
        lines.append(
            f"- national build from the deliveries: {n['end_to_end_s']:.0f} s (ingest {n['ingest_s']:.0f} s of "
            f"{n['files']} files) — share {result['share_of_national_build']:.1%}"
        )
    lines.append(f"- load average: {', '.join(f'{x:.1f}' for x in result['load_average'])}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-base", action="store_true", help="build the national base home once")
    parser.add_argument("--data", type=Path, default=NATIONAL_DATA, help="the deliveries of the base (--build-base)")
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE)
    parser.add_argument("--delivery", type=Path, default=DEFAULT_DELIVERY)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--also", type=Path, nargs="*", default=[], help="further deliveries, measured once")
    parser.add_argument("--worker", choices=("incremental", "full_delivery", "rebuild"), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        report_result(worker(args.worker, args.home, args.delivery if args.worker != "rebuild" else None))
        return
    if args.build_base:
        print(build_base(args.data, args.base, args.delivery.name))
        return
    result = run_incremental(args.base, args.delivery, args.repeat, also=tuple(args.also))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    (RESULTS_DIR / f"bench_incremental_{stamp}.json").write_text(json.dumps(result, indent=2))
    text = _report(result)
    (RESULTS_DIR / f"bench_incremental_{stamp}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
