"""Shared fixtures of the dbt tests: one real `dbt build` on a real DuckDB file per session.

The golden warehouse is built once from the hand-written extracts in `golden/` (their
indicators are worked out by hand in test_dbt_golden.py) and every test reads from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_golden_support import GOLDEN_SECRET, build_golden_raw

from pipelines.indicators.build import run_dbt
from pipelines.warehouse.docs import keep_build_manifest


@dataclass(frozen=True)
class GoldenBuild:
    db_path: Path
    target_path: Path
    build_output: str
    docs_output: str


@pytest.fixture(scope="session")
def golden_build(tmp_path_factory: pytest.TempPathFactory) -> GoldenBuild:
    """The golden warehouse: raw tables loaded from golden/, then one real `dbt build`."""
    home = tmp_path_factory.mktemp("golden_home")
    os.environ.setdefault("WORKFORCE_SECRET", GOLDEN_SECRET)
    db_path = home / "build" / "workforce.duckdb"
    build_golden_raw(db_path)
    target_path = home / "dbt_target"
    # one thread: the golden data are tiny, and dbt's per-node overhead dominates
    build = run_dbt(["build"], db_path, target_path=target_path, threads=1)
    keep_build_manifest(target_path, db_path)  # as the Dagster step keeps it, for test_dbt_docs
    # docs now, while no test holds the file open (DuckDB: one writer or many readers)
    docs = run_dbt(["docs", "generate", "--static"], db_path, target_path=target_path, threads=1)
    return GoldenBuild(
        db_path=db_path, target_path=target_path, build_output=build.stdout, docs_output=docs.stdout
    )


@pytest.fixture(scope="session")
def golden_db(golden_build: GoldenBuild) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(golden_build.db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The manifest Dagster loads; `make test` prepares it, a bare pytest run does it here."""
    from pipelines.defs.dbt.project import prepare_manifest, workforce_dbt_project

    manifest = workforce_dbt_project.manifest_path
    project = workforce_dbt_project.project_dir
    folders = [project / folder for folder in ("models", "seeds", "macros", "tests")]
    sources = [path for folder in folders for path in folder.rglob("*")]
    newest_source = max(path.stat().st_mtime for path in [*sources, project / "dbt_project.yml"])
    if not manifest.exists() or manifest.stat().st_mtime < newest_source:
        prepare_manifest()
    return manifest
