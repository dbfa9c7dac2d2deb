"""Fixtures of the HR ingestion tests (helpers live in `hr_support.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hr_support import SECRET, Home, make_home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """An empty WORKFORCE_HOME with a pseudonymisation secret, and a folder for deliveries."""
    root = tmp_path / "home"
    monkeypatch.setenv("WORKFORCE_HOME", str(root))
    monkeypatch.setenv("WORKFORCE_SECRET", SECRET)
    monkeypatch.delenv("WORKFORCE_SECRET_FILE", raising=False)
    return make_home(root, tmp_path / "files")
