"""`workforce ingest`: one line per file and a summary; exit 0 when every file loaded, 1 when
any was rejected, 2 (one line, no traceback) when the run itself cannot start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hr_support import Home, visma_file, visma_row

from pipelines import cli

REPO = Path(__file__).resolve().parents[2]


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["workforce", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


def test_good_and_bad_files_give_one_line_each_and_exit_1(home: Home, monkeypatch, capsys):
    good = visma_file(
        home.files / "1857_ok.csv", [visma_row(), visma_row(Ansattnr="2", Arbeidsforholdsnr="2-1")]
    )
    bad = home.files / "1857_tull.csv"
    bad.write_text("dette er ikke en eksport\n", encoding="utf-8")
    code, out, err = _run(monkeypatch, capsys, "ingest", str(home.files))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 3, out
    assert (
        lines[0].startswith("lastet  1857_ok.csv")
        and "lest 2, lastet 2, karantene 0, duplikater 0" in lines[0]
    )
    assert lines[1].startswith("avvist  1857_tull.csv — fant ingen kjent kolonneoverskrift")
    assert lines[2].startswith("Oppsummering: 2 filer (1 lastet, 1 avvist)")
    assert "Traceback" not in out + err
    assert good.exists()  # the user's files are left alone


def test_all_loaded_exits_0(home: Home, monkeypatch, capsys):
    visma_file(home.files / "1857_ok.csv", [visma_row()])
    code, out, _ = _run(monkeypatch, capsys, "ingest", str(home.files / "1857_ok.csv"), "--profile", "visma")
    assert code == 0 and "1 lastet" in out


def test_missing_secret_is_refused_with_exit_2(home: Home, monkeypatch, capsys):
    monkeypatch.delenv("WORKFORCE_SECRET")
    path = visma_file(home.files / "1857_ok.csv", [visma_row()])
    code, out, err = _run(monkeypatch, capsys, "ingest", str(path))
    assert code == 2
    assert "WORKFORCE_SECRET" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err
    assert not home.settings.build_db_path.exists()  # refused before anything was written


def test_unknown_profile_and_missing_path_exit_2(home: Home, monkeypatch, capsys):
    path = visma_file(home.files / "1857_ok.csv", [visma_row()])
    code, _, err = _run(monkeypatch, capsys, "ingest", str(path), "--profile", "agresso")
    assert code == 2 and "agresso" in err and "visma" in err
    code, _, err = _run(monkeypatch, capsys, "ingest", str(home.files / "finnes_ikke.csv"))
    assert code == 2 and "finnes_ikke.csv" in err


def test_real_process_bad_file_prints_no_traceback(home: Home):
    bad = home.files / "tom.csv"
    bad.write_bytes(b"")
    env = {**os.environ, "WORKFORCE_HOME": str(home.root)}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "ingest", str(bad)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert "avvist" in done.stdout and "tom fil" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
