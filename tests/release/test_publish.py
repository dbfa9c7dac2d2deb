"""Publishing: all or nothing, refused by the gate, reproducible, traceable in its manifest."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.quality.gate import evaluate
from pipelines.release.disclosure import DisclosureRule
from pipelines.release.errors import ReleaseError, ReleaseRefusedError
from pipelines.release.inputs import load_inputs
from pipelines.release.make import make_release
from pipelines.release.manifest import sha256_file
from pipelines.settings import Settings
from tests.release.conftest import FIRST_RUN, PROGRESS, query, warehouse_copy

FAILING_CHECK = (
    "insert into audit.check_results (run_id, check_name, asset_key, severity, passed, observed, expected, "
    "evaluated_rows, unexpected_count, checked_at, kind) values ('run-2', 'fulltime_share_in_range', "
    "'marts/fct_indicators', 'block', false, '0.97', '[0, 1]', 10, 3, now() + interval 1 day, 'sql')"
)


def failing_copy(warehouse: Path, tmp_path: Path) -> Path:
    return warehouse_copy(warehouse, tmp_path / "bad.duckdb", FAILING_CHECK)


RELEASE_FILES = {
    "indicators.csv",
    "indicators_comma.csv",
    "indicators.parquet",
    "indicators.json",
    "indicators.xlsx",
    "report.html",
    "manifest.json",
}


def test_release_has_every_file_and_a_sortable_id(release_dir: Path, release_home: Settings):
    assert {p.name for p in release_dir.iterdir()} == RELEASE_FILES
    assert release_dir.parent == release_home.releases_dir
    assert re.fullmatch(r"2025-11-23T101500Z-[0-9a-f]{8}", release_dir.name)
    # no temporary folders are left beside the releases
    assert not [p for p in release_home.releases_dir.iterdir() if p.name.startswith(".")]


def test_same_inputs_give_byte_identical_files_apart_from_the_manifest_time(releases):
    first, second = releases
    for name in sorted(RELEASE_FILES - {"manifest.json"}):
        assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs between releases"
    one = json.loads((first / "manifest.json").read_text())
    two = json.loads((second / "manifest.json").read_text())
    assert one["created_at"] != two["created_at"]
    assert one["release_id"] != two["release_id"]
    assert one["release_id"][-8:] == two["release_id"][-8:] == one["input_hash"][:8]
    for manifest in (one, two):
        del manifest["created_at"], manifest["release_id"]
    assert one == two


def test_manifest_traces_inputs_checks_rule_and_files(release_dir: Path, warehouse: Path):
    manifest = json.loads((release_dir / "manifest.json").read_text())
    assert manifest["created_at"] == FIRST_RUN.isoformat().replace("+00:00", "Z")
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", manifest["code_version"]["git_commit"])
    [(first, last)] = query(warehouse, "select min(year), max(year) from marts.fct_indicators")
    assert manifest["reference_year"] == last and manifest["years"] == list(range(first, last + 1))

    deliveries = manifest["inputs"]["deliveries"]
    [(loaded,)] = query(warehouse, "select count(*) from audit.deliveries where outcome = 'loaded'")
    assert len(deliveries) == loaded > 0
    rost = [d for d in deliveries if d["municipality_code"] == "1856"]
    assert rost and all(len(d["sha256"]) == 64 for d in rost)
    assert "07459" in {t["table_id"] for t in manifest["inputs"]["ssb_tables"]}
    assert manifest["inputs"]["demo_figures"] is True

    checks = manifest["checks"]
    gate = evaluate(load_inputs(warehouse).check_results)
    assert checks["checks"] == gate.total > 0 and checks["failed_block"] == 0

    published = pl.read_parquet(release_dir / "indicators.parquet")
    disclosure = manifest["disclosure"]
    assert disclosure["rule"] == DisclosureRule().as_dict()
    assert disclosure["suppressed_primary"] == published.filter(pl.col("suppression_reason") == "primary").height
    assert disclosure["suppressed_secondary"] == published.filter(pl.col("suppression_reason") == "secondary").height
    assert disclosure["suppressed_primary"] > 0 and disclosure["suppressed_secondary"] > 0

    assert set(manifest["files"]) == RELEASE_FILES - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == sha256_file(release_dir / name)
        assert entry["bytes"] == (release_dir / name).stat().st_size


def test_disclosure_audit_finds_no_exposed_cell_in_the_real_build(release_dir: Path, warehouse: Path):
    """No hidden figure is given away by the structure of the tables (docs/disclosure.md): no group
    is shown as 0 in one indicator and left out of another, and equations that are no identity in
    the data (a partial breakdown, Nordland's "in the region" versus its municipalities') are not used."""
    manifest = json.loads((release_dir / "manifest.json").read_text())
    assert manifest["disclosure"]["exposed_cells"] == []
    [(empty,)] = query(
        warehouse,
        "select count(*) from marts.fct_indicators where breakdown <> 'total' and persons = 0",
    )
    assert empty == 0


def test_publish_says_what_it_does(release_dir: Path):
    lines, path = PROGRESS, release_dir
    text = "\n".join(lines)
    manifest = json.loads((path / "manifest.json").read_text())
    primary = f"{manifest['disclosure']['suppressed_primary']:,}".replace(",", "\u00a0")
    assert f"Prikking: {primary} tall primært" in text
    assert "ADVARSEL: minst én SSB-tabell er demotall" in text
    for name in RELEASE_FILES:
        assert f"Skrev {name} (" in text
    assert lines[-1].startswith(f"Utgivelsen {path.name} er ferdig på ")
    assert "Kvalitetsporten er åpen" in text


def test_failing_blocking_check_refuses_and_writes_nothing(warehouse: Path, tmp_path: Path):
    db = failing_copy(warehouse, tmp_path)
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ReleaseRefusedError) as refused:
        make_release(settings, db, rule=DisclosureRule())
    assert (
        "den blokkerende kontrollen fulltime_share_in_range på marts/fct_indicators feilet i kjøring run-2 "
        "(observert 0.97, forventet [0, 1], 3 avvikende rader)."
    ) in refused.value.reasons
    assert "ingenting er skrevet" in str(refused.value)
    assert not settings.releases_dir.exists()

    # An existing releases folder is left exactly as it was.
    settings.releases_dir.mkdir(parents=True)
    (settings.releases_dir / "earlier").mkdir()
    with pytest.raises(ReleaseRefusedError):
        make_release(settings, db, rule=DisclosureRule())
    assert [p.name for p in settings.releases_dir.iterdir()] == ["earlier"]


def test_a_failure_seen_earlier_still_blocks_until_that_check_passes_again():
    """A check that failed and then passed again no longer blocks; one with no verdict does."""
    from pipelines.quality.gate import evaluate

    history = [
        {"run_id": "a", "check_name": "x", "asset_key": "m", "severity": "block", "passed": False,
         "checked_at": "2025-01-01T00:00:00"},
        {"run_id": "b", "check_name": "y", "asset_key": "m", "severity": "block", "passed": True,
         "checked_at": "2025-01-02T00:00:00"},
    ]
    assert [c["check_name"] for c in evaluate(history).failed_block] == ["x"]
    history.append({"run_id": "c", "check_name": "x", "asset_key": "m", "severity": "block", "passed": True,
                    "checked_at": "2025-01-03T00:00:00"})
    assert evaluate(history).failed_block == []
    history.append({"run_id": "d", "check_name": "z", "asset_key": "m", "severity": "block", "passed": None,
                    "checked_at": "2025-01-04T00:00:00"})
    assert "har ikke noe resultat" in evaluate(history).refusal_reasons()[0]


def test_no_check_results_refuses(warehouse: Path, tmp_path: Path):
    db = warehouse_copy(warehouse, tmp_path / "unchecked.duckdb", "delete from audit.check_results")
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ReleaseRefusedError, match="Ingen kvalitetskontroller har resultater"):
        make_release(settings, db, rule=DisclosureRule())
    assert not settings.releases_dir.exists()


def test_missing_warehouse_and_unknown_year_are_clear_errors(warehouse: Path, tmp_path: Path):
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ReleaseError, match="Fant ingen varehusdatabase"):
        make_release(settings, tmp_path / "nowhere.duckdb")
    [(first, last)] = query(warehouse, "select min(year), max(year) from marts.fct_indicators")
    with pytest.raises(ReleaseError, match=f"ingen tall for 2031; tallene dekker {first}–{last}"):
        make_release(settings, warehouse, year=2031, rule=DisclosureRule())
    assert not settings.releases_dir.exists()


def test_cli_refusal_is_one_clear_line_and_exit_code_2(warehouse: Path, tmp_path: Path):
    db = failing_copy(warehouse, tmp_path)
    env = {**os.environ, "WORKFORCE_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "publish", "--db", str(db)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert "Utgivelsen er avvist" in result.stderr and "fulltime_share_in_range" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "releases").exists()


def test_release_ids_never_collide(tmp_path: Path):
    from pipelines.release.make import _release_id

    first = _release_id(FIRST_RUN, "ab" * 32, tmp_path)
    assert first == "2025-11-23T101500Z-abababab"
    (tmp_path / first).mkdir()
    assert _release_id(FIRST_RUN, "ab" * 32, tmp_path) == f"{first}-2"
