"""`workforce sql` is closed (issue 14, case 4): the analysts' connection is read-only, reaches
no file, network, other database or extension, and its configuration is locked.

Every statement below was a way out before: `attach` of the build database with
`read_only false` deleted its rows, `copy ... to` overwrote the published file, `read_text`
read any file, `install httpfs` and `read_csv('https://...')` went for the network. Each is now
refused with one Norwegian line and exit code 1, and neither database nor any file under
WORKFORCE_HOME changes. Statements run through the CLI's own entry point (in this process, to
keep the suite fast); exit codes and a damaged published file are checked in a subprocess.
"""

from __future__ import annotations

import hashlib
import http.server
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from pipelines.settings import REPO_ROOT, Settings
from tests.cli_support import run_cli
from tests.orchestration.conftest import DemoWarehouse, home_env
from tests.orchestration.orch_support import workforce_command

pytestmark = pytest.mark.slow


def tree_state(root: Path) -> dict[str, str]:
    """Every file under `root` with its sha256 (what must not change)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "dagster" not in path.relative_to(root).parts
    }


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"a,b\n1,2\n")

    def do_HEAD(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@dataclass
class Locked:
    settings: Settings
    outside: Path  # a file outside WORKFORCE_HOME that no statement may read or write
    url: str  # a loopback HTTP server that must see no request


@pytest.fixture(scope="module")
def locked(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locked]:
    root = tmp_path_factory.mktemp("sql-locked")
    outside = root / "outside.csv"
    outside.write_text("a,b\n1,2\n", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = demo_warehouse.copy_to(root / "home", monkeypatch)
        try:
            yield Locked(settings, outside, f"http://127.0.0.1:{server.server_address[1]}")
        finally:
            server.shutdown()


def refused_statements(locked: Locked) -> dict[str, str]:
    home = locked.settings.home
    build, published = locked.settings.build_db_path, locked.settings.published_db_path
    return {
        "attach the build database read-write": f"attach '{build}' as b (read_only false)",
        "attach the build database read-only": f"attach '{build}' as b (read_only)",
        "overwrite the published file": f"copy (select 1 as x) to '{published}'",
        "write a file": f"copy (select 1 as x) to '{home}/stolen.csv'",
        "export the database": f"export database '{home}/export'",
        "read_text": "select * from read_text('/etc/passwd')",
        "read_text of a file beside it": f"select * from read_text('{locked.outside}')",
        "read_csv": f"select * from read_csv('{locked.outside}')",
        "a path as a table": f"select * from '{locked.outside}'",
        "read_parquet": f"select * from read_parquet('{home}/x.parquet')",
        "read_json": f"select * from read_json('{home}/x.json')",
        "read_blob": f"select * from read_blob('{build}')",
        "glob": f"select * from glob('{home}/*')",
        "install an extension": "install httpfs",
        "load an extension": "load httpfs",
        "read over http": f"select * from read_csv('{locked.url}/a.csv')",
        "read over https": "select * from read_csv('https://example.invalid/a.csv')",
        "switch external access back on": "set enable_external_access = true",
        "unlock the configuration": "set lock_configuration = false",
        "reset a locked setting": "reset enable_external_access",
        "widen the allowed directories": f"set allowed_directories = ['{home}']",
        "create a persistent secret": "create persistent secret (type s3, key_id 'a', secret 'b')",
        "write a table": "create table marts.stolen as select 1 as x",
        "delete rows": "delete from marts.fct_indicators",
    }


def test_every_way_out_is_refused_with_one_line_and_nothing_changes(
    locked: Locked, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    before = tree_state(locked.settings.home)
    outside_before = locked.outside.read_bytes()
    outcomes = {}
    for name, statement in refused_statements(locked).items():
        code, out, err = run_cli(monkeypatch, capsys, "sql", statement)
        outcomes[name] = (code, out, err)
    for name, (code, out, err) in outcomes.items():
        assert code == 1, (name, code, out, err)
        assert out == "", (name, out)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(("Ikke tillatt", "Feil i spørringen")), (name, err)
        assert "Traceback" not in err
    # the ones that were dangerous are refused by the lock itself, not by accident
    for name in ("attach the build database read-write", "overwrite the published file", "read_text",
                 "install an extension", "read over http", "switch external access back on"):
        assert outcomes[name][2].startswith("Ikke tillatt"), outcomes[name]
    assert tree_state(locked.settings.home) == before
    assert locked.outside.read_bytes() == outside_before
    assert _Recorder.requests == []  # nothing reached the (loopback) network


def test_queries_still_work_and_a_mistake_is_one_line(
    locked: Locked, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    code, out, err = run_cli(monkeypatch, capsys, "sql", "select count(*) as n from marts.fct_indicators")
    assert code == 0 and err == "" and "1 rader" in out
    code, out, err = run_cli(monkeypatch, capsys, "sql", "selec 1")
    assert code == 1 and err.startswith("Feil i spørringen: Parser Error") and len(err.strip().splitlines()) == 1


def test_the_prompt_survives_a_refusal_and_a_damaged_file_is_one_line_not_a_traceback(locked: Locked, tmp_path: Path):
    env = {**home_env(locked.settings.home), "PATH": "/usr/bin:/bin", "COLUMNS": "120"}
    prompt = subprocess.run(
        workforce_command("sql"),
        input=f"select * from read_text('{locked.outside}');\n.tables\nselect 41 + 1 as answer;\n.quit\n",
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert prompt.returncode == 1, prompt.stderr  # a script piped in: a refused statement fails it
    assert "fct_indicators" in prompt.stdout and "quarantine_summary" in prompt.stdout  # `.tables`
    assert "Ikke tillatt" in prompt.stdout and "42" in prompt.stdout
    assert "Traceback" not in prompt.stdout + prompt.stderr

    damaged = tmp_path / "home"
    damaged.mkdir()
    (damaged / "workforce.duckdb").write_bytes(b"this was overwritten by copy ... to\n")
    env = {**home_env(damaged), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        workforce_command("sql", "select 1"), capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "kan ikke åpnes" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
