"""Settings for daily use: the same home wherever you stand, and the demo's secret found
without an extra step (said once), through the real `workforce ingest`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pipelines.errors import SettingsError
from pipelines.settings import REPO_ROOT, Settings
from tests.orchestration.conftest import demo_file
from tests.orchestration.orch_support import workforce_command


def test_the_default_home_does_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).home == REPO_ROOT / "warehouse"
    monkeypatch.chdir(REPO_ROOT / "dbt")
    assert Settings.from_env({}).home == REPO_ROOT / "warehouse"
    assert Settings.from_env({"WORKFORCE_HOME": "here"}).home == (REPO_ROOT / "dbt" / "here")  # explicit: as given


def test_the_demo_secret_is_used_when_no_other_is_set_and_said_once(tmp_path: Path, capsys):
    settings = Settings.from_env({"WORKFORCE_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="Ingen pseudonymiseringsnøkkel") as refused:
        settings.secret()
    assert str(tmp_path / "demo.secret") in str(refused.value)
    (tmp_path / "demo.secret").write_text("d" * 64 + "\n")
    assert settings.secret() == b"d" * 64
    assert settings.secret() == b"d" * 64
    assert capsys.readouterr().err.count("bruker demoens pseudonymiseringsnøkkel") == 1
    explicit = Settings.from_env({"WORKFORCE_HOME": str(tmp_path), "WORKFORCE_SECRET": "e" * 20})
    assert explicit.secret() == b"e" * 20  # a secret of your own always wins


def test_ingest_on_the_demo_home_needs_no_extra_step(tmp_path: Path, demo_files: Path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "demo.secret").write_text("f" * 64 + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFORCE_")}
    env["WORKFORCE_HOME"] = str(home)
    done = subprocess.run(
        workforce_command("ingest", str(demo_file(demo_files, "1856", "arbeidsforhold", 2023))),
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("bruker demoens pseudonymiseringsnøkkel") == 1
    assert (home / "build" / "workforce.duckdb").is_file()
    (home / "demo.secret").unlink()
    again = subprocess.run(
        workforce_command("ingest", str(demo_file(demo_files, "1857", "arbeidsforhold", 2023))),
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 2 and again.stderr.startswith("feil: Ingen pseudonymiseringsnøkkel")
