"""`workforce run`: mistakes are one clear line, never a run; the display follows a real run."""

from __future__ import annotations

import io
import subprocess

import pytest
from rich.console import Console

from pipelines.errors import WorkforceError
from pipelines.settings import REPO_ROOT, Settings
from tests.orchestration import orch_toy_job
from tests.orchestration.orch_support import workforce_command


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"select": "key:nothing/here"}, "velger ingen eiendeler"),
        ({"select": "key:(("}, "ikke et gyldig utvalg"),
        ({"job": "nightly"}, "Ingen jobb heter 'nightly'"),
        ({"job": "publish", "select": "group:dbt"}, "enten --select eller --job"),
        ({"job": "publish", "years": "2021"}, "tar ikke med dem"),
        ({"years": "2022-2021"}, "går baklengs"),
    ],
)
def test_mistakes_are_refused_before_anything_runs(orch_home: Settings, instance, options: dict, message: str):
    from pipelines.defs.orchestration.runner import run_in_process

    with pytest.raises(WorkforceError, match=message):
        run_in_process(Console(file=io.StringIO()), **options)
    assert instance.get_runs_count() == 0


def test_the_command_line_turns_a_mistake_into_one_line_and_exit_code_2(orch_home: Settings):
    out = subprocess.run(
        workforce_command("run", "--job", "nightly"), cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "feil: Ingen jobb heter 'nightly'; jobbene er ingest_deliveries, publish, rebuild_indicators, ssb_refresh."
    ]


def test_the_display_counts_steps_assets_and_failures_of_a_real_run(orch_home: Settings, instance):
    from dagster._core.utils import make_new_run_id

    from pipelines.defs.orchestration.runner import _Listener
    from pipelines.orchestration.progress import RunDisplay

    output = io.StringIO()
    display = RunDisplay(Console(file=output, width=120), "toy", assets_total=1, checks_total=0)
    run_id = make_new_run_id()
    instance.add_event_listener(run_id, _Listener(display))
    with display:
        assert orch_toy_job.run(instance, run_id, 0)
    display.summary(run_id, True)
    text = output.getvalue()
    assert "▶ slow_writer" in text and "✓ slow_writer" in text
    assert display.tally.assets_done == ["slow_writer"]
    assert "1 av 1 materialisert" in text
