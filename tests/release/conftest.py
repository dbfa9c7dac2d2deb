"""Shared, session-scoped releases: building one takes seconds, so tests share them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.release.disclosure import DisclosureRule
from pipelines.release.publish import publish
from pipelines.settings import Settings
from tests.release.fixtures import write_fixture_db

FIRST_RUN = datetime(2025, 11, 23, 10, 15, 0, tzinfo=UTC)
SECOND_RUN = datetime(2025, 11, 23, 11, 30, 5, tzinfo=UTC)


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose quality gate passed (one warning), with demo SSB figures."""
    return write_fixture_db(tmp_path_factory.mktemp("warehouse") / "workforce.duckdb")


@pytest.fixture(scope="session")
def release_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def releases(warehouse: Path, release_home: Settings) -> tuple[Path, Path]:
    """Two releases of the same inputs, made at different times."""
    first = publish(release_home, warehouse, rule=DisclosureRule(), now=FIRST_RUN)
    second = publish(release_home, warehouse, rule=DisclosureRule(), now=SECOND_RUN)
    return first, second


@pytest.fixture(scope="session")
def release_dir(releases: tuple[Path, Path]) -> Path:
    return releases[0]
