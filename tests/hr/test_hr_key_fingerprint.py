"""One warehouse, one secret (issue 14, cases 5 and 9).

Ingesting 2022-23 with one secret and 2024 with another made every person two people. The
first ingestion records a fingerprint of the secret (an HMAC of a fixed label, never the
secret); a different secret is refused with one line saying what to do, before anything is
read or written. A world-readable secret file or a low-entropy secret is warned about.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hr_support import SECRET, Home, visma_file, visma_row

from pipelines.hr.key_fingerprint import FINGERPRINT_LABEL
from pipelines.settings import Settings, secret_warnings
from tests.cli_support import run_cli

REPO = Path(__file__).resolve().parents[2]
OTHER_SECRET = "another-secret-for-pseudonyms-9876543210"


def _contents(home: Home) -> dict[str, object]:
    """What an ingestion changes: the ledgers, the raw rows, the landing archive."""
    with duckdb.connect(str(home.settings.build_db_path), read_only=True) as con:
        tables = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("audit.deliveries", "audit.delivery_attempts", "audit.quarantine", "raw.hr_employments",
                          "audit.secret_fingerprint")
        }  # fmt: skip
    landing = sorted(str(p.relative_to(home.root)) for p in home.settings.landing_dir.rglob("*") if p.is_file())
    return {**tables, "landing": landing}


def test_a_different_secret_is_refused_with_one_line_and_nothing_changes(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    first = visma_file(home.files / "1857_2023.csv", [visma_row()])
    later = visma_file(
        home.files / "1857_2024.csv", [visma_row(Stillingsprosent="80")], title="Arbeidsforhold per 15.12.2024"
    )
    code, out, _ = run_cli(monkeypatch, capsys, "ingest", str(first))
    assert code == 0 and "1 lastet" in out
    with duckdb.connect(str(home.settings.build_db_path), read_only=True) as con:
        [(recorded,)] = con.execute("select fingerprint from audit.secret_fingerprint").fetchall()
    assert recorded == hmac.new(SECRET.encode(), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
    assert SECRET.encode() not in home.settings.build_db_path.read_bytes()
    before = _contents(home)

    monkeypatch.setenv("WORKFORCE_SECRET", OTHER_SECRET)
    code, out, err = run_cli(monkeypatch, capsys, "ingest", str(later))
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    assert "ikke den lageret ble bygget med" in line and "riktige nøkkelen" in line
    assert "landingsarkivet" in line and "docs/operations.md" in line and "Traceback" not in err
    assert OTHER_SECRET not in line and SECRET not in line
    assert _contents(home) == before

    monkeypatch.setenv("WORKFORCE_SECRET", SECRET)  # the right secret goes on as before
    code, out, _ = run_cli(monkeypatch, capsys, "ingest", str(later))
    assert code == 0 and "1 lastet" in out
    assert _contents(home)["audit.secret_fingerprint"] == 1


def test_a_world_readable_or_weak_secret_is_warned_about_through_the_cli(home: Home, tmp_path: Path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("a" * 16 + "\n", encoding="utf-8")
    secret_file.chmod(0o644)
    path = visma_file(home.files / "1857_2023.csv", [visma_row()])
    env = {k: v for k, v in os.environ.items() if k != "WORKFORCE_SECRET"}
    env.update({"WORKFORCE_HOME": str(home.root), "WORKFORCE_SECRET_FILE": str(secret_file)})
    done = subprocess.run(
        [str(Path(sys.executable).with_name("workforce")), "ingest", str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # a warning, not a refusal: the warehouse stays usable
    warnings = [line for line in done.stderr.splitlines() if line.startswith("advarsel:")]
    assert len(warnings) == 2, done.stderr
    assert "kan leses av alle" in warnings[0] and "chmod 600" in warnings[0]
    assert "svak" in warnings[1] and "0 bit" in warnings[1]
    assert "a" * 16 not in done.stderr + done.stdout
    # what the CLI wrote is not world-readable
    assert home.settings.build_db_path.stat().st_mode & 0o777 == 0o600
    for written in home.settings.landing_dir.rglob("*"):
        assert written.stat().st_mode & 0o007 == 0, written


@pytest.mark.parametrize(
    ("secret", "weak"),
    [("a" * 16, True), ("abcabcabcabcabcabc", True), ("passordpassord12", True), (SECRET, False)],
)
def test_secret_strength(secret: str, weak: bool):
    assert bool(secret_warnings(secret.encode(), None)) is weak


def test_the_demo_secret_passes(tmp_path: Path):
    settings = Settings(home=tmp_path).with_demo_secret()
    assert settings.secret_file is not None and settings.secret_file.stat().st_mode & 0o777 == 0o600
    assert secret_warnings(settings.secret(), settings.secret_file) == []
