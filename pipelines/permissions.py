"""File modes of what the pipeline writes: nothing under WORKFORCE_HOME is world-readable.

The build database holds pseudonymised person-level rows, the landing archive the deliveries,
the published file the exact (not disclosure-controlled) figures. Every process of the
project (the CLI, Dagster's webserver, daemon, code servers and run workers) imports
`pipelines`, which tightens the umask to at least 027 (`tighten_umask`): files are created
0640 at most and folders 0750, so the operators' group (and an analysts' group, for the
published file) can read and nobody else can. The databases are also set explicitly, since a
file created before this rule, or copied in, keeps its old mode: the build database 0600
(only the pipeline opens it), the published one 0640.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

UMASK = 0o027
PRIVATE_FILE = 0o600  # the build database: the pipeline's user only
SHARED_FILE = 0o640  # the published warehouse: readable by the group (analysts)


def tighten_umask() -> int:
    """Add UMASK's bits to the process's umask (never loosens a stricter one); returns the new one."""
    current = os.umask(0o077)
    new = current | UMASK
    os.umask(new)
    return new


@contextlib.contextmanager
def restrict(mode: int) -> Iterator[None]:
    """Create files with at most `mode` inside the block (the umask that yields it)."""
    previous = os.umask(0o777 & ~mode)
    try:
        yield
    finally:
        os.umask(previous)


def set_mode(path: Path, mode: int) -> None:
    """chmod `path` and DuckDB's files beside it (write-ahead log) when they exist."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            if candidate.stat().st_mode & 0o777 != mode:
                candidate.chmod(mode)
