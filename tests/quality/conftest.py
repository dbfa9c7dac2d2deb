"""Shared fixtures: one clean warehouse file per session (copied per test), GX imported once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipelines.quality.reconciliation import prepare_macros
from pipelines.quality.references import prepare_references
from pipelines.quality.suites import GX
from pipelines.settings import Settings
from tests.quality import fixtures


@pytest.fixture(scope="session")
def gx() -> object:
    """Great Expectations, imported once per test session (it takes ~10 s)."""
    return GX.module()


@pytest.fixture(scope="session")
def clean_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixtures.build_warehouse(tmp_path_factory.mktemp("clean") / "workforce.duckdb")


@pytest.fixture
def settings(tmp_path: Path, clean_db: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A WORKFORCE_HOME of its own holding a copy of the clean warehouse."""
    home = tmp_path / "home"
    monkeypatch.setenv("WORKFORCE_HOME", str(home))
    result = Settings.from_env()
    result.build_db_path.parent.mkdir(parents=True)
    shutil.copyfile(clean_db, result.build_db_path)
    return result


@pytest.fixture
def breaking(settings: Settings) -> Callable[..., None]:
    """Apply breakers from `fixtures` to this test's warehouse."""

    def apply(*breakers: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        fixtures.apply(settings.build_db_path, *breakers)

    return apply


@pytest.fixture
def con(settings: Settings):
    """A connection to this test's warehouse with the reference views and macros in place."""
    connection = duckdb.connect(str(settings.build_db_path))
    prepare_references(connection)
    prepare_macros(connection)
    yield connection
    connection.close()
