"""Shared fixtures of the orchestration tests: a throwaway WORKFORCE_HOME with the repo's
Dagster instance config, and small demo deliveries generated once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.settings import DAGSTER_YAML, Settings

SECRET = "orchestration-test-secret-0123456789"
# Small but real: two outer-Lofoten municipalities, two yearly extracts each.
DEMO_MUNICIPALITIES = "1856,1857"
DEMO_YEARS = "2023-2024"
DEMO_SCALE = 0.5


def home_env(root: Path) -> dict[str, str]:
    """The environment of a pipeline process working under `root`."""
    return {
        "WORKFORCE_HOME": str(root),
        "WORKFORCE_SECRET": SECRET,
        "WORKFORCE_SSB_MODE": "snapshot",
        "DAGSTER_HOME": str(root / "dagster"),
    }


def make_home(root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in home_env(root).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("WORKFORCE_SECRET_FILE", raising=False)
    monkeypatch.delenv("WORKFORCE_BUILD_DB", raising=False)
    settings = Settings.from_env()
    settings.ensure_dirs()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DAGSTER_YAML, settings.dagster_home / "dagster.yaml")
    return settings


@pytest.fixture
def orch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return make_home(tmp_path / "home", monkeypatch)


@pytest.fixture
def instance(orch_home: Settings) -> Iterator[dg.DagsterInstance]:
    """The real instance of the test's home (SQLite storage, run queue, pools from dagster.yaml)."""
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo deliveries (written once per session; tests copy what they need)."""
    from pipelines.demo.generate import generate_deliveries

    out = tmp_path_factory.mktemp("demo_deliveries")
    generate_deliveries(out, years=DEMO_YEARS, scale=DEMO_SCALE, municipalities=DEMO_MUNICIPALITIES)
    return out


def demo_file(demo_files: Path, code: str, kind: str, year: int) -> Path:
    [path] = sorted(demo_files.glob(f"{code}_{kind}_{year}-*"))
    return path
