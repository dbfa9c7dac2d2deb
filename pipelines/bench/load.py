"""Code-location load: how long a fresh interpreter takes to import the Dagster definitions
and resolve the asset graph, beside `import dagster` alone (target: under 2 s).

    .venv/bin/python -m pipelines.bench.load [--repeat 5]

Each measurement is a fresh interpreter with the environment's bytecode setting
(PYTHONDONTWRITEBYTECODE=1 in `make`: nothing is cached, which is what the UI's code server
and `workforce run` meet after a clean install). Also records whether dbt-core was imported
(it must not be: the manifest is prepared at build time). Medians; results in
benchmarks/results/load_<timestamp>.json (git-ignored). `workforce bench all` records the
same figure in its JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime

from pipelines.settings import REPO_ROOT

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
LOAD_SNIPPET = (
    "import time; t = time.perf_counter(); import dagster; t1 = time.perf_counter(); "
    "import pipelines.definitions as d; d.defs.resolve_asset_graph(); t2 = time.perf_counter(); "
    "import sys; print(round(t1 - t, 3), round(t2 - t, 3), 'dbt.version' in sys.modules)"
)


def load_times(repeat: int = 5) -> dict:
    """Medians over `repeat` fresh interpreters."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append((float(out[0]), float(out[1]), out[2] == "True"))
    return {
        "dagster_import_s": statistics.median(r[0] for r in runs),
        "code_location_s": statistics.median(r[1] for r in runs),
        "target_s": 2.0,
        "runs": runs,
        "dbt_core_imported": any(r[2] for r in runs),
        "bytecode": "no .pyc written" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "cached",
        "load_average": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    result = load_times(args.repeat)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    (RESULTS_DIR / f"load_{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"code location load: {result['code_location_s']:.2f} s (of which `import dagster` "
        f"{result['dagster_import_s']:.2f} s; dbt-core imported: {result['dbt_core_imported']}; "
        f"bytecode {result['bytecode']}; median of {args.repeat})"
    )


if __name__ == "__main__":
    main()
