"""A mistake in calling `workforce` prints usage in Norwegian and exits 2 (issue 14, case 8):
an unknown option, a missing argument, a bad value, an unknown command. Before, each printed
a 40-line traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run_cli

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("args", "usage", "problem"),
    [
        (["--bogus"], "Bruk: workforce [VALG] KOMMANDO", "Feil: ukjent valg --bogus"),
        (["ingest", "--bogus", "x.csv"], "Bruk: workforce ingest", "Feil: ukjent valg --bogus"),
        (["ingest"], "Bruk: workforce ingest", "Feil: mangler FILER"),
        (["release", "diff", "a"], "Bruk: workforce release diff", "Feil: mangler NY"),
        (["publish", "--year", "neste"], "Bruk: workforce publish", "Feil: --year må være et heltall"),
        (["publish", "--year"], None, "Feil: valget --year trenger en verdi"),
        (["sql", "select 1", "select 2"], "Bruk: workforce sql", "Feil: for mange argumenter: select 2"),
        (["nosuch"], "Bruk: workforce [VALG] KOMMANDO", "Feil: ukjent kommando «nosuch»"),
    ],
)
def test_usage_errors_are_a_few_norwegian_lines_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], usage: str | None,
    problem: str,
):
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert 2 <= len(lines) <= 3, err
    if usage:
        assert lines[0].startswith(usage)
    assert problem in lines, err
    assert lines[-1].startswith("Se `workforce") and lines[-1].endswith("--help`.")


def test_through_the_installed_command_there_is_no_traceback():
    workforce = str(Path(sys.executable).with_name("workforce"))
    for args in (["--bogus"], ["ingest"]):
        done = subprocess.run([workforce, *args], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 2
        assert "Traceback" not in done.stdout + done.stderr and done.stderr.startswith("Bruk: workforce")
        assert len(done.stderr.strip().splitlines()) <= 3
