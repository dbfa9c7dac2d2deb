"""HR ingestion benchmark, as `workforce bench ingest`: `python benchmarks/bench_ingest.py [rows]`."""

import sys

from rich.console import Console

from pipelines.hr.bench import print_result, run

if __name__ == "__main__":
    print_result(run(int(sys.argv[1]) if len(sys.argv) > 1 else 600_000), Console())
