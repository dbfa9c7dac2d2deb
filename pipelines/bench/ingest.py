"""Ingestion benchmarks: one national-size file (`workforce bench ingest`) and a whole folder
of deliveries (`python -m pipelines.bench.ingest folder DELIVERIES [--glob '18*']`).

One file: a national-size Visma-style employments extract (synthetic ids only) is generated,
then, in a fresh child process so the memory peak is the ingestion's own: ingested into an
empty WORKFORCE_HOME, and DuckDB's bare `read_csv` of the same file timed in the same process
as the baseline. The result is a ratio, not a timed test.

A folder: a national run is ~8,000 files of ~1,000 rows in several dialects, where the
per-file costs (ledger statements, commits, header detection) decide. The folder is copied
into a fresh WORKFORCE_HOME's inbox (the source stays untouched) and ingested in a child
process: wall and CPU time, peak RSS, rows/s and the sum of each stage's laps (stages
overlap, so their sum may exceed the wall time). Optionally profiled with py-spy
(`--py-spy out.txt`; `uv pip install py-spy` into the venv first, it is not a dependency).

Both children are measured by `pipelines.bench.measure.run_measured` (the one peak-memory
and CPU measurement of every benchmark).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.bench.measure import report_result, run_measured
from pipelines.hr.fnr import W1, W2
from pipelines.hr.references import load_references
from pipelines.settings import REPO_ROOT, Settings

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
BENCH_SECRET = "bench-secret-not-for-real-data-0123456789"


def visma_header() -> list[str]:
    """The Visma employments header, as the Visma profile declares it (its first name for each
    canonical column; the extraction date is in the file name, not a column)."""
    from pipelines.hr.profiles import load_profiles

    columns = load_profiles()["visma"].kinds["employments"].columns
    return [names[0] for canonical, names in columns.items() if canonical != "extraction_date"]


def _synthetic_ids(rng: np.random.Generator, birth_year: np.ndarray) -> np.ndarray:
    """Skatteetaten-style synthetic national ids (month + 80), valid under the old rule."""
    n = birth_year.size
    day = rng.integers(1, 29, n)
    month = rng.integers(1, 13, n) + 80
    yy = birth_year % 100
    individual = np.where(birth_year < 2000, rng.integers(0, 500, n), rng.integers(500, 1000, n))
    ids = np.empty(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        digits = np.stack(
            [
                day // 10,
                day % 10,
                month // 10,
                month % 10,
                yy // 10,
                yy % 10,
                individual // 100,
                individual // 10 % 10,
                individual % 10,
            ]
        )
        k1 = (11 - (np.tensordot(W1, digits, axes=1) % 11)) % 11
        k2 = (11 - ((np.tensordot(W2[:9], digits, axes=1) + W2[9] * k1) % 11)) % 11
        ok = (k1 < 10) & (k2 < 10)
        base = day * 10**9 + month * 10**7 + yy * 10**5 + individual * 100
        ids = np.where(todo & ok, base + k1 * 10 + k2, ids)
        todo &= ~ok
        individual = np.where(
            todo,
            np.where(birth_year < 2000, (individual + 1) % 500, 500 + (individual + 1) % 500),
            individual,
        )
    return ids


def generate_visma(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` employments in the Visma dialect (UTF-8, `;`, decimal comma, dd.mm.yyyy)."""
    rng = np.random.default_rng(seed)
    refs = load_references()
    codes = sorted(refs.current_municipalities)
    weights = rng.pareto(1.2, len(codes)) + 0.05
    persons = int(rows / 1.2)
    person_muni = rng.choice(len(codes), persons, p=weights / weights.sum())
    person = np.sort(np.concatenate([np.arange(persons), rng.integers(0, persons, rows - persons)]))
    birth = rng.integers(1955, 2006, persons)
    earliest = (np.maximum(birth[person], 1972) + 18 - 1970) * 365
    ids = _synthetic_ids(rng, birth)
    position = np.array(sorted(refs.position_codes))
    fte = np.array(["100", "100", "100", "80", "75", "62,5", "50", "40", "20"])
    kinds = np.array(["Fast", "Fast", "Fast", "Midlertidig", "Vikar", "Lærling"])
    start = rng.integers(earliest, np.datetime64("2023-12-01").astype(int), rows)
    ended = rng.random(rows) < 0.15
    end = start + rng.integers(30, 3000, rows)
    sequence = np.arange(rows) - np.searchsorted(person, person)
    frame = pl.DataFrame(
        {
            "Kommunenr": np.array(codes)[person_muni[person]],
            "Ansattnr": (100000 + person).astype(str),
            "Fødselsnummer": np.char.zfill(ids[person].astype(str), 11),
            "Arbeidsforholdsnr": np.char.add(np.char.add((100000 + person).astype(str), "-"), sequence.astype(str)),
            "Fødselsår": birth[person].astype(str),
            "Kjønn": np.where(rng.random(rows) < 0.77, "K", "M"),
            "Stillingskode": rng.choice(position, rows),
            "Stillingsbetegnelse": "Stilling",
            "Stillingsprosent": rng.choice(fte, rows),
            "Ansettelsesform": rng.choice(kinds, rows),
            "start": start.astype("datetime64[D]"),
            "end": np.where(ended, end, np.iinfo(np.int64).min).astype("datetime64[D]"),
            "Sluttårsak": np.where(ended, "Egen oppsigelse", ""),
            "Tjenestested": rng.choice(np.array(["Sykehjemmet", "Hjemmetjenesten", "Skolen", "Rådhuset"]), rows),
            "Sektor": rng.choice(np.array(["Helse og omsorg", "Oppvekst", "Administrasjon", "Teknisk"]), rows),
            "Funksjon": rng.choice(np.array(["253", "254", "202", "120", "201"]), rows),
            "Ledernivå": "",
            "Utdanningsnivå": rng.choice(np.array(["Grunnskole", "Fagbrev", "Høgskole", "Master"]), rows),
        }
    ).with_columns(
        pl.col("start").dt.strftime("%d.%m.%Y").alias("Startdato"),
        pl.col("end").dt.strftime("%d.%m.%Y").alias("Sluttdato"),
    )
    frame = frame.select(visma_header())  # fails loudly if the profile renames a column
    path.write_bytes(frame.write_csv(separator=";", include_header=True).encode("utf-8"))


class _StageLaps(logging.Handler):
    """Sums the ingestion's timing log (`pipelines.hr.timing`: "<stage> <seconds>") per stage."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}
        timing = logging.getLogger("pipelines.hr.timing")
        timing.setLevel(logging.DEBUG)
        timing.propagate = False
        timing.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        stage, seconds = record.getMessage().split()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + float(seconds), 3)


def _file_child(path: Path) -> dict:
    """In a fresh process: ingest one file, then time the baseline in the same process."""
    import duckdb

    from pipelines.hr.ingest import ingest_paths

    laps = _StageLaps()
    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        settings = Settings(home=Path(home), secret_env=BENCH_SECRET)
        started = time.perf_counter()
        [result] = ingest_paths([path], settings)
        ingest_seconds = time.perf_counter() - started
    baseline = []
    for _ in range(3):
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute("create table t as select * from read_csv(?)", [str(path)])
        baseline.append(time.perf_counter() - started)
        con.close()
    return {
        "rows": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "outcome": result.outcome,
        "ingest_seconds": ingest_seconds,
        "read_csv_seconds": min(baseline),
        "stages_seconds": laps.seconds,
    }


def _folder_child(home: Path) -> dict:
    """In a fresh process: ingest everything in `home`'s inbox."""
    from pipelines.hr.ingest import ingest_paths

    laps = _StageLaps()
    settings = Settings(home=home, secret_env=BENCH_SECRET)
    settings.ensure_dirs()
    started = time.perf_counter()
    results = ingest_paths([settings.inbox_dir], settings)
    wall = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    return {
        "files": len(results),
        "outcomes": outcomes,
        "wall_seconds": round(wall, 1),
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "ledger_balanced": all(r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_duplicate for r in results),
        "stages_seconds": dict(sorted(laps.seconds.items(), key=lambda kv: -kv[1])),
    }


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def run(rows: int = 600_000, keep: bool = False) -> dict:
    """Generate, measure in a child process, write `benchmarks/results/ingest.json`."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    path = workdir / "nasjonalt_arbeidsforhold_2023-12-01.csv"
    started = time.perf_counter()
    generate_visma(path, rows)
    generated = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    child = run_measured(
        [sys.executable, "-m", "pipelines.bench.ingest", "file-child", str(path)], env=_child_env(),
        log=workdir / "child.log",
    )  # fmt: skip
    if child.returncode != 0:
        raise RuntimeError(f"bench child failed: {child.output.strip().splitlines()[-1:]}")
    result = child.result
    result.update(
        peak_rss_mb=round(child.peak_rss_mb),
        cpu_seconds=child.cpu_s,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        file_mb=round(path.stat().st_size / 1e6, 1),
        generate_seconds=round(generated, 2),
        rows_per_second=round(result["rows"] / result["ingest_seconds"]),
        ratio=round(result["ingest_seconds"] / result["read_csv_seconds"], 2),
    )
    if not keep:
        shutil.rmtree(workdir)
    else:
        result["file"] = str(path)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def run_folder(source: Path, pattern: str = "*", py_spy: Path | None = None) -> dict:
    """Ingest a copy of `source`'s files (matching `pattern`) in a child process."""
    files = sorted(p for p in source.glob(pattern) if p.is_file())
    if not files:
        raise SystemExit(f"no files match {pattern} in {source}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-folder-") as tmp:
        home = Path(tmp) / "home"
        (home / "inbox").mkdir(parents=True)
        for path in files:
            shutil.copy2(path, home / "inbox" / path.name)
        command = [sys.executable, "-m", "pipelines.bench.ingest", "folder-child", str(home)]
        if py_spy is not None:
            spy = Path(sys.executable).with_name("py-spy")
            command = [str(spy), "record", "--format", "raw", "--rate", "50", "-o", str(py_spy), "--", *command]
        load_before = os.getloadavg()[0]
        child = run_measured(command, env=_child_env(), log=Path(tmp) / "child.log")
        if child.returncode != 0:
            raise SystemExit(f"ingestion failed: {child.output.strip().splitlines()[-1:]}")
    result = child.result
    result.update(
        source=str(source),
        glob=pattern,
        process_seconds=child.wall_s,
        cpu_seconds=child.cpu_s,
        peak_rss_mb=round(child.peak_rss_mb),
        rows_per_second=round(result["rows_read"] / max(result["wall_seconds"], 0.01)),
        load_before=round(load_before, 1),
        load_after=round(os.getloadavg()[0], 1),
        cpus=os.cpu_count(),
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"ingest_folder_{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def print_result(result: dict, console) -> None:
    """The benchmark in a few lines (the JSON is in benchmarks/results/ingest.json)."""
    rows = f"{result['rows']:,}".replace(",", " ")
    speed = f"{result['rows_per_second']:,}".replace(",", " ")
    stages = ", ".join(f"{k} {v:.2f}" for k, v in result.get("stages_seconds", {}).items())
    lines = [
        f"HR-innlesing, {rows} rader ({result['file_mb']} MB Visma-CSV med fødselsnumre):",
        f"  innlesing {result['ingest_seconds']:.2f} s = {speed} rader/s; DuckDB read_csv "
        f"{result['read_csv_seconds']:.2f} s; forhold {result['ratio']:.1f}× (mål ≤ 3×)",
        f"  høyeste minnebruk {result['peak_rss_mb']} MB (mål < 4096 MB)",
        f"  trinn (s): {stages}",
        f"  maskinlast (1 min) før/etter: {result['load_before']:.1f}/{result['load_after']:.1f} "
        f"på {os.cpu_count()} kjerner",
    ]
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingestion benchmarks (see the module's docstring).")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("file", help="one national-size Visma file")
    one.add_argument("rows", type=int, nargs="?", default=600_000)
    folder = sub.add_parser("folder", help="a folder of deliveries, as a national run meets it")
    folder.add_argument("source", type=Path, help="folder of delivered files (left untouched)")
    folder.add_argument("--glob", default="*", help="which files of the folder (default: all)")
    folder.add_argument("--py-spy", type=Path, help="also profile the run with py-spy into this raw file")
    for name in ("file-child", "folder-child"):
        sub.add_parser(name).add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "file-child":
        report_result(_file_child(args.path))
    elif args.command == "folder-child":
        report_result(_folder_child(args.path))
    elif args.command == "file":
        from rich.console import Console

        print_result(run(args.rows), Console())
    else:
        print(json.dumps(run_folder(args.source, args.glob, args.py_spy), indent=2))


if __name__ == "__main__":
    main()
