"""A release killed mid-write leaves its `.tmp-*` staging folder; the next `workforce publish`
removes it, and only folders whose process is gone (issue 14, case 9). What it writes is not
world-readable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import REPO_ROOT


def test_the_next_release_removes_abandoned_staging_and_writes_nothing_world_readable(
    warehouse: Path, tmp_path: Path
):
    """`warehouse` is the session's real demo build (tests/release/conftest.py)."""
    releases = tmp_path / "releases"
    releases.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = releases / f".tmp-2026-01-01T000000Z-0123abcd-{int(dead.stdout)}"
    abandoned.mkdir()
    (abandoned / "indicators.csv").write_text("halvskrevet\n", encoding="utf-8")
    in_progress = releases / f".tmp-2026-01-01T000000Z-0123abcd-{os.getpid()}"  # a live process's
    in_progress.mkdir()
    before = {p.name for p in releases.iterdir()}

    env = {**os.environ, "WORKFORCE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("workforce")), "publish", "--db", str(warehouse), "--out", str(releases)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    after = {p.name for p in releases.iterdir()}
    assert before - after == {abandoned.name}
    [release] = after - before
    assert in_progress.is_dir() and not release.startswith(".")
    for path in [releases / release, *(releases / release).rglob("*")]:
        assert path.stat().st_mode & 0o007 == 0, oct(path.stat().st_mode)
