"""Run dbt on the build database outside Dagster (CLI, tests, benchmarks).

dbt runs in a subprocess, as dagster-dbt runs it: dbt keeps global state (flags, adapters,
logging) that is safer not shared with the caller, and a subprocess's peak memory can be
measured on its own. The database path goes to dbt through `WORKFORCE_BUILD_DB`, the one
variable `dbt/profiles.yml` reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.errors import WorkforceError
from pipelines.settings import DBT_PROJECT_DIR


class DbtRunError(WorkforceError):
    """dbt exited with an error; the message names the failing nodes."""


def dbt_executable() -> str:
    """`workforce-dbt` next to the running interpreter: dbt that dies with the process that
    started it (pipelines/processes.py); the plain `dbt` only in a venv installed before it."""
    wrapper = Path(sys.executable).with_name("workforce-dbt")
    if wrapper.exists():
        return str(wrapper)
    from pipelines.processes import real_dbt

    return real_dbt()


def dbt_env(db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WORKFORCE_BUILD_DB": str(Path(db_path).resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DBT_VERSION_CHECK": "false",
        }
    )
    env.update(extra or {})
    return env


def run_dbt(
    args: list[str],
    db_path: Path,
    *,
    target_path: Path | None = None,
    threads: int | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` against `db_path`; raise DbtRunError with dbt's summary on failure.

    `target_path` keeps a run's artifacts apart (tests, benchmarks), so they never overwrite
    the manifest Dagster loads from dbt/target.
    """
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    extra = {"DBT_LOG_PATH": str(target_path)} if target_path is not None else {}
    if threads is not None:
        extra["WORKFORCE_DBT_THREADS"] = str(threads)
    result = subprocess.run(
        command,
        cwd=DBT_PROJECT_DIR,
        env=dbt_env(db_path, extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise DbtRunError(f"dbt {' '.join(args)} failed:\n{_summary(result.stdout)}")
    return result


def _summary(output: str) -> str:
    """dbt's closing summary (the errors), not the whole log."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "Completed with" in line or "Encountered an error" in line:
            return "\n".join(lines[index:])
    return "\n".join(lines[-40:])
