"""Same arguments → byte-identical files; the CLI wraps the generator."""

from __future__ import annotations

import os
import subprocess
import sys

from pipelines.demo.generate import generate_deliveries


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _demo_data(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`workforce demo-data` in a real subprocess, as a user runs it."""
    command = [sys.executable, "-m", "pipelines.cli", "demo-data", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_two_runs_write_identical_bytes_and_another_seed_does_not(tmp_path):
    args = {"years": "2019-2021", "municipalities": "salten,outer-lofoten"}
    generate_deliveries(tmp_path / "a", **args)
    generate_deliveries(tmp_path / "b", **args)
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert len(first) == 3 * (15 + 15 + 7) - 2 * 3  # Hamarøy's two codes share the years
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)  # the workbooks too
    generate_deliveries(tmp_path / "c", seed=7, **args)
    other = _snapshot(tmp_path / "c")
    assert other.keys() == first.keys()
    assert other != first


def test_cli_writes_deliveries_and_refuses_bad_input_in_one_line(tmp_path):
    ok = _demo_data("--out", str(tmp_path), "--years", "2025", "--municipalities", "1856,1857")
    assert ok.returncode == 0, ok.stderr
    assert "Skrev" in ok.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "1856_arbeidsforhold_2025-12-15.csv",
        "1856_restanser_2025-12-15.csv",
        "1856_utlysninger_2025-12-15.csv",
        "1857_arbeidsforhold_2025-12-15.txt",
        "1857_restanser_2025-12-15.txt",
        "1857_utlysninger_2025-12-15.txt",
    ]
    bad = _demo_data("--out", str(tmp_path), "--municipalities", "oslo", env=os.environ | {"COLUMNS": "200"})
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "oslo" in bad.stderr
    assert "Traceback" not in bad.stderr
