"""How a command-line process that runs Dagster starts and ends (issue 16.4).

Such a process builds a heap of half a million Python objects once (Dagster, dbt's manifest
in dagster-dbt, Great Expectations, polars) and keeps nearly all of them to the end. Python's
garbage collector is tuned for the opposite, and two costs followed, measured on the SSB stage
(a 4.7 CPU-s process):

- **Full collections during the run.** With the default thresholds (700, 10, 10) the
  collector ran 1,149 young and 7 full collections, each full one walking every object:
  ~0.9 CPU-s. `tune_gc` raises the young generation's threshold to 10,000 allocations: 2 full
  collections, ~0.3 CPU-s. Cyclic garbage lives a little longer; nothing else changes.
- **The exit.** A normal exit runs a last full collection and tears every module down
  object by object: ~1.4 CPU-s and seconds of wall time on a loaded machine, none of it
  visible outside the process. `exit_fast` does everything a normal exit does that has an
  effect outside the process, in the same order — waits for non-daemon threads, runs the
  `atexit` handlers (logging's flush, multiprocessing's and concurrent.futures' cleanup of
  worker processes, temporary directories, Dagster's and DuckDB's own), flushes stdout and
  stderr — and then leaves with `os._exit`.

Both are for a process's entry point only (`workforce`, the benchmark's stage processes):
never where the process has more to do (a test calling `main()` in-process, a library).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

# Allocations (minus deallocations) between young collections; Python's default is 700.
YOUNG_THRESHOLD = 10_000


def tune_gc() -> None:
    """Collect less often in a process that builds one large, long-lived heap (see the module)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def exit_code(code: object) -> int:
    """The process exit code `sys.exit(code)` would give (None is 0, a message is 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def exit_fast(code: object = 0) -> NoReturn:
    """Exit with `code` as `sys.exit` would, minus the interpreter's teardown (see the module)."""
    status = exit_code(code)
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # what Py_Finalize runs first; CPython's own function
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(status)


def run_command(main: Callable[[], object]) -> NoReturn:
    """Run a command-line process's `main` as this module describes: `tune_gc` first, then
    `exit_fast` with the code `main` exits with."""
    tune_gc()
    try:
        main()
    except SystemExit as done:
        exit_fast(done.code)
    exit_fast(0)


def _dbt_cli() -> None:
    from dbt.cli.main import cli

    from pipelines.orchestration.dbt_events import build_events_when_read, skip_unwritten_events
    from pipelines.orchestration.dbt_reuse import (
        JINJA_CODE_ENV,
        faster_macro_namespaces,
        reuse_template_code,
        reuse_type_testers,
    )

    skip_unwritten_events()
    build_events_when_read()
    store = os.environ.get(JINJA_CODE_ENV)
    reuse_template_code(Path(store) if store else None)
    reuse_type_testers()
    faster_macro_namespaces()
    # dbt's modules and classes live as long as the process: out of the collector's sight, the
    # one full collection of a demo build does not walk them (~0.1 CPU-s; issue 16.4)
    gc.freeze()
    sys.argv[0] = "dbt"
    cli()


def dbt_main() -> NoReturn:
    """dbt's command line (what the `dbt` script runs) with the same tuning: dbt's process
    holds its whole manifest. A demo `dbt build` measured directly: 12.4 / 12.7 CPU-s with
    Python's defaults, 11.5 / 11.4 with this (two pairs, before dbt's own log was cut to
    `info`; inside the dbt stage after that, the difference was within its noise). Started by
    `workforce-dbt` (`pipelines.processes.dbt_child_main`) as `python -m
    pipelines.orchestration.lifecycle ARGS`. The log events no log writes are skipped,
    and every event's message is built when first read (pipelines/orchestration/dbt_events.py:
    ~1.5-2 and ~0.8 CPU-s of a demo build), and what dbt would make again for every node is
    reused (pipelines/orchestration/dbt_reuse.py)."""
    run_command(_dbt_cli)


if __name__ == "__main__":
    dbt_main()
