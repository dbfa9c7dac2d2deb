"""The scale benchmark: for each scale, the floor, every stage alone, then one Dagster run.

Per scale, in one work folder:
1. the deliveries: hard links to the scale's extract years of a generated source (the
   generator runs once per source, measured like a stage);
2. the floor (DuckDB on the same files), before the stages and again after them — the
   machine is shared, so the smaller of the two is the baseline;
3. the stages one by one, each a selection of the Dagster job's assets in a child process
   (stages.py), into one WORKFORCE_HOME: ingest, SSB from the snapshot, dbt build with the
   models' checks, the quality gate's verdict, publish (the analysts' file), release;
4. [demo and national scale] one municipality's held-back extract on the built home (incremental.py);
5. the whole run through Dagster in a second, empty WORKFORCE_HOME with the deliveries in its
   inbox: one in-process run of every asset and check, release included.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from pipelines.bench.incremental import hold_back, measure_incremental
from pipelines.bench.measure import Measured, run_measured
from pipelines.bench.scales import Scale, Source
from pipelines.settings import REPO_ROOT

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
SECRET = "benchmark-secret-not-for-real-data-0123456789"
STAGES = ("ingest", "ssb", "dbt", "gate", "publish", "release")
YEAR_IN_NAME = re.compile(r"_(\d{4})-\d{2}-\d{2}\.[a-z]+$")

Progress = Callable[[str], None]


class StageFailed(Exception):
    pass


def stage_env(home: Path, secret: str = SECRET) -> dict[str, str]:
    """The environment of a benchmark process working in `home` (snapshot SSB, telemetry off)."""
    env = dict(os.environ)
    env.pop("WORKFORCE_SECRET_FILE", None)
    env.update(
        {
            "WORKFORCE_HOME": str(home),
            "WORKFORCE_SECRET": secret,
            "WORKFORCE_SSB_MODE": "snapshot",
            "DAGSTER_HOME": str(home / "dagster"),
            "WORKFORCE_BUILD_DB": str(home / "build" / "workforce.duckdb"),
            "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "1"),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_VERSION_CHECK": "false",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return env


def _python(stage: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"pipelines.bench.{stage}", *args]


def _record(measured: Measured, rows: int | None) -> dict:
    entry = {
        "wall_s": measured.wall_s,
        "cpu_s": measured.cpu_s,
        "peak_rss_mb": measured.peak_rss_mb,
        "own_rss_mb": measured.own_rss_mb,
        "tree_rss_mb": measured.tree_rss_mb,
        "returncode": measured.returncode,
        "result": measured.result,
    }
    if rows and measured.wall_s > 0:
        entry["rows_per_s"] = round(rows / measured.wall_s)
    return entry


def _check(name: str, measured: Measured, log: Path) -> None:
    if measured.returncode != 0:
        tail = "\n".join(measured.output.strip().splitlines()[-15:])
        raise StageFailed(f"stage {name} exited with {measured.returncode} (log {log}):\n{tail}")


def ensure_source(source: Source, cache: Path, progress: Progress) -> tuple[Path, dict | None]:
    """The generated deliveries of `source` (generated now unless already complete in `cache`)."""
    folder = cache / source.name
    done = folder / ".complete"
    if done.exists():
        progress(f"deliveries {source.name}: reusing {folder}")
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    progress(f"deliveries {source.name}: generating")
    log = cache / f"generate-{source.name}.log"
    measured = run_measured(
        _python("stages", "generate", str(folder), source.municipalities, source.years, str(source.scale)),
        env=stage_env(cache / "generate-home"),
        log=log,
    )
    _check("generate", measured, log)
    done.write_text(json.dumps(measured.result))
    return folder, _record(measured, None)


def link_deliveries(source: Path, target: Path, first_year: int) -> int:
    """Hard links (copies across file systems) to the source's files from `first_year` on."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.iterdir()):
        match = YEAR_IN_NAME.search(path.name)
        if not match or int(match.group(1)) < first_year:
            continue
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copyfile(path, target / path.name)
        count += 1
    return count


def measure_floor(deliveries: Path, work: Path, label: str) -> dict:
    log = work / "logs" / f"floor-{label}.log"
    measured = run_measured(_python("floor", str(deliveries), str(work)), env=stage_env(work / "floor-home"), log=log)
    _check("floor", measured, log)
    return _record(measured, measured.result.get("rows_read"))


def run_stages(
    home: Path,
    deliveries: Path,
    logs: Path,
    progress: Progress,
    stages: dict[str, dict],
    checkpoint: Callable[[], None],
) -> dict[str, dict]:
    """The pipeline stage by stage into `home`, each a selection of the job's assets in its own
    process (stages.py), recorded in `stages` as it ends (and `checkpoint` called, so an
    interrupted run keeps it); a failed stage ends the sequence. A failed check in the dbt
    stage or a closed gate is a finding about the data, recorded, and the release refusing
    after it is the pipeline working: neither stops the measurement."""
    env = stage_env(home)
    home.mkdir(parents=True, exist_ok=True)
    link_deliveries(deliveries, home / "inbox", 0)  # the run deletes what it ingests: links
    rows: int | None = None
    for stage in STAGES:
        log = logs / f"stage-{stage}.log"
        progress(f"  {stage}")
        measured = run_measured(_python("stages", stage), env=env, log=log)
        if stage == "ingest":
            rows = measured.result.get("rows_read")
        if stage == "dbt":
            measured.result["dbt"] = _dbt_summary(measured.result.get("run_id", ""), home)
        stages[stage] = _record(measured, rows)
        progress(f"    {measured.wall_s:.1f} s, {measured.cpu_s:.1f} CPU-s, {measured.peak_rss_mb:.0f} MB")
        checkpoint()
        if stage not in ("dbt", "gate") and not measured.result.get("refused"):
            _check(stage, measured, log)
    return stages


def _dbt_summary(run_id: str, home: Path) -> dict:
    """dbt's own account of the stage: the run's run_results.json (dagster-dbt names its target
    folder after the run; the `dbt` resource puts it under the run's WORKFORCE_HOME/dbt/target)."""
    found = sorted((home / "dbt" / "target").glob(f"workforce_dbt-{run_id[:7]}-*/run_results.json"))
    if not run_id or not found:
        return {"error": "no run_results.json"}
    results = json.loads(found[-1].read_text())["results"]
    statuses: dict[str, int] = {}
    for node in results:
        statuses[node["status"]] = statuses.get(node["status"], 0) + 1
    slowest = sorted(results, key=lambda node: -node["execution_time"])[:5]
    return {
        "nodes": len(results),
        "statuses": statuses,
        "slowest": [(n["unique_id"].split(".")[-1], round(n["execution_time"], 1)) for n in slowest],
    }


def run_dagster(home: Path, deliveries: Path, logs: Path) -> dict:
    """Fill an empty home's inbox (links; the run deletes what it ingests) and run everything."""
    inbox = home / "inbox"
    link_deliveries(deliveries, inbox, 0)
    log = logs / "dagster.log"
    measured = run_measured(_python("stages", "dagster"), env=stage_env(home), log=log)
    if not measured.result.get("refused"):
        _check("dagster", measured, log)
    return _record(measured, None)


def run_make_demo(home: Path, logs: Path) -> dict:
    """`make demo` as a user runs it after `make install`, into an empty WORKFORCE_HOME."""
    env = stage_env(home)
    for name in ("WORKFORCE_SECRET", "WORKFORCE_BUILD_DB"):  # the demo makes its own key and build
        env.pop(name, None)
    log = logs / "make-demo.log"
    measured = run_measured(["make", "-s", "demo"], env=env, cwd=REPO_ROOT, log=log)
    _check("make demo", measured, log)
    return _record(measured, None)


def run_scale(
    scale: Scale,
    work: Path,
    cache: Path,
    *,
    floor_runs: int,
    keep: bool,
    progress: Progress,
    entry: dict,
    checkpoint: Callable[[], None],
) -> dict:
    """Everything measured for one scale, filled into `entry` (its JSON) as it is measured."""
    entry |= {
        "scale": scale.name,
        "description": scale.description,
        "source": scale.source.name,
        "years": scale.years,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
    }
    source, generated = ensure_source(scale.source, cache, progress)
    if generated:
        entry["generate"] = generated
    folder = work / scale.name
    shutil.rmtree(folder, ignore_errors=True)
    deliveries = folder / "deliveries"
    (folder / "logs").mkdir(parents=True)
    entry["files"] = link_deliveries(source, deliveries, scale.first_year)
    held = hold_back(deliveries, folder / "held-back", scale.last_year) if scale.hold_back else None
    if held:
        entry["files"] -= 1
        entry["held_back"] = held.name
    try:
        floors = []
        progress(f"{scale.name}: floor")
        floors.append(measure_floor(deliveries, folder, "1"))
        entry["floor_runs"] = floors
        checkpoint()
        progress(f"{scale.name}: stages")
        entry["stages"] = {}
        run_stages(folder / "staged", deliveries, folder / "logs", progress, entry["stages"], checkpoint)
        entry["rows_in"] = entry["stages"]["ingest"]["result"].get("rows_read", 0)
        if held:  # one municipality's held-back extract on the built home (incremental.py)
            progress(f"{scale.name}: incremental hook")
            entry["incremental"] = measure_incremental(folder / "staged", held, stage_env(folder / "staged"))
            checkpoint()
        progress(f"{scale.name}: whole run through Dagster")
        entry["dagster"] = run_dagster(folder / "dagster", deliveries, folder / "logs")
        progress(f"    {entry['dagster']['wall_s']:.1f} s, {entry['dagster']['peak_rss_mb']:.0f} MB")
        checkpoint()
        if scale.make_demo:
            progress(f"{scale.name}: make demo")
            entry["make_demo"] = run_make_demo(folder / "make-demo", folder / "logs")
            progress(f"    {entry['make_demo']['wall_s']:.1f} s, {entry['make_demo']['cpu_s']:.1f} CPU-s")
            checkpoint()
        for run in range(2, floor_runs + 1):
            progress(f"{scale.name}: floor again")
            floors.append(measure_floor(deliveries, folder, str(run)))
        entry["floor"] = min(floors, key=lambda f: f["wall_s"])
        entry.update(_ratios(entry))
        entry["complete"] = True
    except StageFailed as error:
        entry["error"] = str(error)
        progress(f"{scale.name}: FAILED {str(error).splitlines()[0]}")
    finally:
        entry["load_after"] = os.getloadavg()
        if not keep:
            for name in ("staged", "dagster", "make-demo"):
                shutil.rmtree(folder / name, ignore_errors=True)
    return entry


def _ratios(entry: dict) -> dict:
    floor = entry["floor"]["wall_s"]
    stages = entry["stages"]
    staged_total = round(sum(s["wall_s"] for s in stages.values()), 2)
    return {
        "staged_total_s": staged_total,
        "staged_peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
        "ratios": {name: round(s["wall_s"] / floor, 2) for name, s in stages.items()}
        | {"staged_total": round(staged_total / floor, 2), "dagster": round(entry["dagster"]["wall_s"] / floor, 2)},
        # CPU seconds: on a shared machine the figure that does not depend on the others' load
        "cpu_ratios": {
            name: round(m["cpu_s"] / entry["floor"]["cpu_s"], 2)
            for name, m in {**stages, "dagster": entry["dagster"]}.items()
            if entry["floor"].get("cpu_s")
        },
    }


def run_bench(
    scales: list[Scale],
    *,
    work: Path | None = None,
    cache: Path | None = None,
    results_dir: Path = RESULTS_DIR,
    floor_runs: int = 2,
    keep: bool = False,
    progress: Progress = print,
) -> tuple[dict, list[Path]]:
    """Measure every scale, then write the results files; returns the report and the paths."""
    from pipelines.bench.load import load_times
    from pipelines.bench.report import write_results

    # Absolute: dbt runs in the dbt project folder, and the children get these paths.
    results_dir = Path(results_dir).resolve()
    work = Path(work or results_dir / "work").resolve()
    cache = Path(cache or work / "generated").resolve()
    report: dict = {
        "date": dt.date.today().isoformat(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "memory_gb": _memory_gb(), "python": sys.version.split()[0]},
        "floor_runs": floor_runs,
        "scales": [],
    }
    paths: list[Path] = []
    # The fixed cost every Dagster process pays first (code server, `workforce run`, each stage).
    progress("code-location load")
    report["code_location"] = load_times(3)

    def checkpoint() -> None:  # after every stage: an interrupted run leaves what it measured
        report["targets"] = targets(report)
        paths[:] = write_results(report, results_dir)

    for scale in scales:
        entry: dict = {}
        report["scales"].append(entry)
        run_scale(
            scale, work, cache, floor_runs=floor_runs, keep=keep, progress=progress, entry=entry, checkpoint=checkpoint
        )
        checkpoint()
    report["targets"] = targets(report)
    report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    paths = write_results(report, results_dir)
    return report, paths


def _figure(value: float | None, target: float, source: str, unit: str, below: bool = True) -> dict:
    met = None if value is None else (value < target if below else value <= target)
    return {"value": value, "target": target, "unit": unit, "met": met, "from": source}


def targets(report: dict) -> dict:
    """Issue 16's target table, from what this run measured (None where a scale was not run)."""
    scales = {s.get("scale"): s for s in report["scales"]}

    def cpu_ratio(scale: str, stage: str) -> float | None:
        s = scales.get(scale, {})
        runs = s.get("floor_runs", [])  # the baseline run (the fastest), as in the report's tables
        floor = min(runs, key=lambda f: f["wall_s"])["cpu_s"] if runs else None
        m = s.get("dagster") if stage == "dagster" else s.get("stages", {}).get(stage)
        return round(m["cpu_s"] / floor, 2) if m and floor else None

    national = scales.get("norway-10y", {}).get("dagster")
    incremental = (scales.get("norway-10y", {}).get("incremental") or {}).get("result") or {}
    make_demo = scales.get("demo", {}).get("make_demo")
    return {
        "national_10y_whole_run_wall_s": _figure(national and national["wall_s"], 600, "norway-10y", "s"),
        "national_10y_whole_run_peak_mb": _figure(national and national["peak_rss_mb"], 4096, "norway-10y", "MB"),
        "ingestion_cpu_vs_floor_nordland": _figure(cpu_ratio("nordland", "ingest"), 3, "nordland", "×", below=False),
        "ingestion_cpu_vs_floor_national": _figure(cpu_ratio("norway-10y", "ingest"), 3, "norway-10y", "×", False),
        "one_municipality_extract_vs_full_national_build": _figure(
            incremental.get("share_of_national_build", incremental.get("share_of_rebuild")),
            0.03, "norway-10y (incremental)", "share", below=False,
        ),
        "demo_whole_run_cpu_vs_floor": _figure(cpu_ratio("demo", "dagster"), 15, "demo", "×", below=False),
        "make_demo_after_install_s": _figure(make_demo and make_demo["wall_s"], 45, "demo", "s"),
    }  # fmt: skip


def _memory_gb() -> float:
    with open("/proc/meminfo") as handle:
        kb = int(handle.readline().split()[1])
    return round(kb / 1024 / 1024, 1)
