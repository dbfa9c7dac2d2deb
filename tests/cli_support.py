"""The `workforce` command run in the test's process, as a user would call it."""

from __future__ import annotations

import pytest

from pipelines import cli


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`workforce ARGS` through the entry point: (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.argv", ["workforce", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err
