"""`workforce run --job publish` in a pipe (a cron job's mail): the release's files are
announced as they are written and the summary names the release folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT
from tests.orchestration.conftest import DemoWarehouse
from tests.orchestration.orch_support import workforce_command

pytestmark = pytest.mark.slow


def test_the_publish_job_shows_its_files_and_names_the_release_folder(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    settings = demo_warehouse.copy_to(tmp_path / "home", monkeypatch)
    done = subprocess.run(workforce_command("run", "--job", "publish"), cwd=REPO_ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    written = re.findall(r"^  skrevet: (\S+)$", out, flags=re.MULTILINE)
    assert {"indicators.csv", "indicators.xlsx", "report.html", "manifest.json"} <= set(written)
    assert len(written) == len(set(written))  # each file once, not again after the staging folder's rename
    assert out.index("▶ release") < out.index("  skrevet: ") < out.index("✓ release")
    [folder] = re.findall(r"^fylkesleveranse\s+(\S+)", out, flags=re.MULTILINE)
    assert Path(folder).parent == settings.releases_dir
    assert sorted(p.name for p in Path(folder).iterdir()) == sorted(written)


def test_a_long_step_says_how_far_it_got_in_a_log():
    import io

    from rich.console import Console

    from pipelines.orchestration.progress import RunDisplay

    output = io.StringIO()
    display = RunDisplay(Console(file=output, width=100), "t", assets_total=25, checks_total=0)
    with display:
        display.step_started("workforce_dbt")
        for number in range(21):
            display.asset_materialised(f"marts/m{number}")
        display.step_finished("workforce_dbt")
    text = output.getvalue()
    assert "  10 av 25 eiendeler materialisert" in text and "  20 av 25 eiendeler materialisert" in text
    assert text.count("eiendeler materialisert") == 2
