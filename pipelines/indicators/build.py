"""Run dbt on the build database outside Dagster (CLI, tests, benchmarks).

dbt runs in a subprocess, as dagster-dbt runs it: dbt keeps global state (flags, adapters,
logging) that is safer not shared with the caller, and a subprocess's peak memory can be
measured on its own. The database path goes to dbt through `WORKFORCE_BUILD_DB`, the one
variable `dbt/profiles.yml` reads.
"""

from __future__ import annotations

import os
import shutil
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


# dbt/profiles.yml names the database by these when set: the file's name, relative to dbt's
# working directory, which the `workforce-dbt` wrapper sets to the file's folder.
DBT_DB_ENV = "WORKFORCE_DBT_DB"
DBT_CWD_ENV = "WORKFORCE_DBT_CWD"


# DuckDB runs each query on every core by default, and dbt runs two models or tests at once
# (profiles.yml, threads): on a small build database that is four busy threads on two cores for
# queries of milliseconds, and the context switches cost more than the parallel scans save. Below
# this size dbt's on-run-start hook (dbt_project.yml) sets DuckDB to one thread per dbt thread;
# above it (a national build, ~3 GB) DuckDB keeps its default, since the long single chains of
# the national build (int_hr__employments) need the parallel scans. Measured on the demo's whole
# run (issue 16.4, user+sys, alternating pairs): 27.6 and 25.9 CPU-s before, 25.8 and 23.6 after on
# the idle machine (27.1, 28.0 against 25.1, 26.5 niced beside a benchmark); wall 1.4 s shorter too.
DUCKDB_THREADS_ENV = "WORKFORCE_DUCKDB_THREADS"
SMALL_BUILD_BYTES = 512 * 1024 * 1024


def duckdb_threads(db_path: Path) -> str:
    """DuckDB's threads for a dbt step on `db_path`: "1" when it is small, "" (DuckDB's default) otherwise."""
    try:
        size = Path(db_path).stat().st_size
    except OSError:
        size = 0  # not built yet: the first build of a fresh home is small
    return "1" if size < SMALL_BUILD_BYTES else ""


def dbt_database_env(db_path: Path) -> dict[str, str]:
    """The variables that point dbt at `db_path`.

    dbt keeps its partial-parse state only while the profile's connection settings are the
    same, and the database's path is one of them: named by its absolute path, every new
    WORKFORCE_HOME (a fresh install, each test's and benchmark's home) parsed the whole project
    again, ~2.5 CPU-s of a ~11 CPU-s demo build (issue 16.4). So dbt runs in the database's
    folder and the profile names the file alone (`WORKFORCE_DBT_DB`): the state of any build
    database called `workforce.duckdb` fits every other. Only the `workforce-dbt` wrapper
    changes dbt's working directory (`WORKFORCE_DBT_CWD`); a plain `dbt` gets the absolute path.
    `WORKFORCE_BUILD_DB` stays the absolute path either way."""
    path = Path(db_path).resolve()
    env = {"WORKFORCE_BUILD_DB": str(path), DUCKDB_THREADS_ENV: duckdb_threads(path)}
    if Path(dbt_executable()).name == "workforce-dbt":
        env.update({DBT_DB_ENV: path.name, DBT_CWD_ENV: str(path.parent)})
    return env


def dbt_env(db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            **dbt_database_env(db_path),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DBT_VERSION_CHECK": "false",
        }
    )
    env.update(extra or {})
    return env


PARTIAL_PARSE = "partial_parse.msgpack"
# The Jinja code dbt compiled (pipelines/orchestration/dbt_reuse.py), kept like the parse state.
JINJA_CODE = "jinja_code.marshal"
STATE_FILES = (PARTIAL_PARSE, JINJA_CODE)


def parse_state_path(db_path: Path, name: str = PARTIAL_PARSE) -> Path:
    """dbt's partial-parse state for builds of `db_path`, kept beside that database (and, with
    `name` JINJA_CODE, the Jinja code those builds compiled).

    dbt re-parses the whole project (~2 CPU-s, a third of a small dbt step) whenever the
    profile differs from its saved state, and the build database's path is part of the
    profile: a state saved with another WORKFORCE_HOME is useless. Kept per database, the
    next dbt step against it (the docs after a build, the next run) parses only what changed.
    """
    return Path(db_path).resolve().parent / f"dbt_{name}"


def jinja_code_env(target_path: Path) -> dict[str, str]:
    """The variable that has dbt's process start from, and add to, the Jinja code in `target_path`."""
    from pipelines.orchestration.dbt_reuse import JINJA_CODE_ENV

    return {JINJA_CODE_ENV: str(Path(target_path) / JINJA_CODE)}


def seed_partial_parse(target_path: Path, db_path: Path) -> None:
    """Start dbt in `target_path` from the last parse against `db_path` (else the project's,
    made by `make manifest`); dbt itself checks that the state fits and parses again if not.
    The Jinja code compiled by the same builds goes with it (the process checks that it fits)."""
    for name in STATE_FILES:
        destination = Path(target_path) / name
        kept = parse_state_path(db_path, name)
        if destination.exists() and not (kept.is_file() and kept.stat().st_mtime > destination.stat().st_mtime):
            continue  # a target folder used again (the docs) keeps its own state unless ours is newer
        for source in (kept, DBT_PROJECT_DIR / "target" / name):
            if source.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
                break


def keep_partial_parse(target_path: Path, db_path: Path) -> None:
    """Keep the state dbt wrote in `target_path` for the next dbt step against `db_path`."""
    for name in STATE_FILES:
        source = Path(target_path) / name
        if not source.is_file() or not Path(db_path).parent.is_dir():
            continue
        kept = parse_state_path(db_path, name)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, partial)
        os.replace(partial, kept)  # atomic: a concurrent reader sees the old state or the new


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
        target_path = DBT_PROJECT_DIR / target_path  # dbt runs there; an absolute path stays itself
        seed_partial_parse(target_path, db_path)
    extra = {"DBT_LOG_PATH": str(target_path), **jinja_code_env(target_path)} if target_path is not None else {}
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
    if target_path is not None:
        keep_partial_parse(target_path, db_path)
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
