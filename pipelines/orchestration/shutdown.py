"""Ending a command-line process without the interpreter's teardown.

After a Dagster run the process holds half a million Python objects (Dagster, dbt's manifest
in dagster-dbt, Great Expectations, polars). A normal exit then runs a last full garbage
collection and tears every module down object by object: measured at ~1 CPU-s of a 4 CPU-s
SSB stage, seconds of wall time on a loaded machine, and nothing of it is visible outside the
process (issue 16.4).

`exit_fast` does everything a normal exit does that has an effect outside the process, in
the same order — waits for non-daemon threads, runs the `atexit` handlers (logging's flush,
multiprocessing's and concurrent.futures' cleanup of worker processes, temporary
directories, Dagster's and DuckDB's own), flushes stdout and stderr — and then leaves with
`os._exit`. Only for a process's entry point: never call it where the process has more to do
(a test calling `main()` in-process, a library).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


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
