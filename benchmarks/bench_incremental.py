"""Benchmark: one municipality's new yearly extract on top of a national warehouse.

Placeholder while the base builds; see run_incremental below.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from pipelines.settings import DAGSTER_YAML, Settings  # noqa: E402

SECRET = "benchmark-secret-0123456789abcdef"
NATIONAL_DATA = Path("/work/data/norway-2016-2025")
DEFAULT_BASE = Path("/work/data/incr-base")
DEFAULT_DELIVERY = "1804_arbeidsforhold_2025-12-15.csv"


def use_home(root: Path) -> Settings:
    """Point this process at `root` (as a fresh process started there would be)."""
    os.environ.update(
        {
            "WORKFORCE_HOME": str(root),
            "WORKFORCE_SECRET": SECRET,
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


def build_base(data: Path, base: Path, leave_out: str) -> dict:
    """A national warehouse: every delivery in `data` but `leave_out`, ingested, fully built
    through `rebuild_indicators` and published."""
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
    return {"ingest_s": ingest_s, "rebuild_s": build_s}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-base", action="store_true")
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE)
    args = parser.parse_args()
    if args.build_base:
        print(build_base(NATIONAL_DATA, args.base, DEFAULT_DELIVERY))


if __name__ == "__main__":
    main()
