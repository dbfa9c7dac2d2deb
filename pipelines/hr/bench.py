"""`workforce bench ingest`: ingestion speed and memory at national scale.

Generates a national-size Visma-style employments extract (synthetic ids only), then, in a
fresh child process so the memory peak is the ingestion's own: ingests it into an empty
WORKFORCE_HOME, records the peak RSS, and times DuckDB's bare `read_csv` of the same file
in the same process as the baseline. The result is a ratio, not a timed test.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo.dialects import VISMA_EMPLOYMENTS
from pipelines.hr.fnr import W1, W2
from pipelines.hr.references import load_references
from pipelines.settings import REPO_ROOT, Settings

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
VISMA_HEADER = ";".join(VISMA_EMPLOYMENTS)  # the Visma profile's header (pipelines/demo/dialects.py)
BENCH_SECRET = "bench-secret-not-for-real-data-0123456789"


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
            "Arbeidsforholdsnr": np.char.add(
                np.char.add((100000 + person).astype(str), "-"), sequence.astype(str)
            ),
            "Fødselsår": birth[person].astype(str),
            "Kjønn": np.where(rng.random(rows) < 0.77, "K", "M"),
            "Stillingskode": rng.choice(position, rows),
            "Stillingsbetegnelse": "Stilling",
            "Stillingsprosent": rng.choice(fte, rows),
            "Ansettelsesform": rng.choice(kinds, rows),
            "start": start.astype("datetime64[D]"),
            "end": np.where(ended, end, np.iinfo(np.int64).min).astype("datetime64[D]"),
            "Sluttårsak": np.where(ended, "Egen oppsigelse", ""),
            "Tjenestested": rng.choice(
                np.array(["Sykehjemmet", "Hjemmetjenesten", "Skolen", "Rådhuset"]), rows
            ),
            "Sektor": rng.choice(
                np.array(["Helse og omsorg", "Oppvekst", "Administrasjon", "Teknisk"]), rows
            ),
            "Funksjon": rng.choice(np.array(["253", "254", "202", "120", "201"]), rows),
            "Ledernivå": "",
            "Utdanningsnivå": rng.choice(np.array(["Grunnskole", "Fagbrev", "Høgskole", "Master"]), rows),
        }
    ).with_columns(
        pl.col("start").dt.strftime("%d.%m.%Y").alias("Startdato"),
        pl.col("end").dt.strftime("%d.%m.%Y").alias("Sluttdato"),
    )
    frame = frame.select(VISMA_HEADER.split(";"))
    path.write_bytes(frame.write_csv(separator=";", include_header=True).encode("utf-8"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _child(path: Path) -> dict:
    """Run in a fresh process: ingest, note the memory peak, then time the baseline."""
    import duckdb

    from pipelines.hr.ingest import ingest_paths

    stages: dict[str, float] = {}

    class _Stages(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stage, seconds = record.getMessage().split()
            stages[stage] = round(stages.get(stage, 0.0) + float(seconds), 3)

    timing = logging.getLogger("pipelines.hr.timing")
    timing.setLevel(logging.DEBUG)
    timing.addHandler(_Stages())
    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        settings = Settings(home=Path(home), secret_env=BENCH_SECRET)
        started = time.perf_counter()
        [result] = ingest_paths([path], settings)
        ingest_seconds = time.perf_counter() - started
        peak = _peak_rss_mb()
    baseline = []
    for _ in range(3):
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute(f"create table t as select * from read_csv('{path}')")
        baseline.append(time.perf_counter() - started)
        con.close()
    return {
        "rows": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "outcome": result.outcome,
        "ingest_seconds": ingest_seconds,
        "read_csv_seconds": min(baseline),
        "peak_rss_mb": round(peak),
        "stages_seconds": stages,
    }


def run(rows: int = 600_000, keep: bool = False) -> dict:
    """Generate, measure in a child process, write `benchmarks/results/ingest.json`."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    path = workdir / "nasjonalt_arbeidsforhold_2023-12-01.csv"
    started = time.perf_counter()
    generate_visma(path, rows)
    generated = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run(
        [sys.executable, "-m", "pipelines.hr.bench", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if child.returncode != 0:
        raise RuntimeError(f"bench child failed: {child.stderr.strip().splitlines()[-1:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(
        load_before=load_before,
        load_after=os.getloadavg()[0],
        file_mb=round(path.stat().st_size / 1e6, 1),
        generate_seconds=round(generated, 2),
        rows_per_second=round(result["rows"] / result["ingest_seconds"]),
        ratio=round(result["ingest_seconds"] / result["read_csv_seconds"], 2),
    )
    if not keep:
        path.unlink()
        workdir.rmdir()
    else:
        result["file"] = str(path)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
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


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]))))
