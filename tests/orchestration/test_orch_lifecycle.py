"""`exit_fast` (the `workforce` command's exit) skips only the interpreter's teardown: every
effect outside the process that a normal exit has still happens, with the same exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import atexit, sys, threading, time
from pathlib import Path
from pipelines.orchestration.lifecycle import exit_fast

out = Path(sys.argv[1])
atexit.register(lambda: (out / "atexit").write_text("ran"))
def late():
    time.sleep(0.3)
    (out / "thread").write_text("finished")
threading.Thread(target=late).start()  # not a daemon: a normal exit waits for it
sys.stdout.write("buffered, no newline")  # a pipe is block-buffered: only a flush writes it
exit_fast(eval(sys.argv[2]))
"""


@pytest.mark.parametrize(("code", "status", "stderr"), [("3", 3, ""), ("None", 0, ""), ("'stopp'", 1, "stopp")])
def test_exit_fast_keeps_threads_exit_handlers_output_and_the_exit_code(
    tmp_path: Path, code: str, status: int, stderr: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == status, done.stderr
    assert done.stdout == "buffered, no newline"
    assert done.stderr.strip() == stderr
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "finished"
