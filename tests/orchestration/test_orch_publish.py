"""Publishing the analysts' file: refused unless the gate is open, atomic, docs kept current."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.quality.gate import GateClosedError
from pipelines.settings import Settings
from pipelines.warehouse.docs import FINGERPRINT_FILE
from pipelines.warehouse.publish import publish_warehouse, published_state
from tests.orchestration.conftest import DemoWarehouse

pytestmark = pytest.mark.slow


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return demo_warehouse.copy_to(tmp_path / "home", monkeypatch)


def record_check(settings: Settings, passed: bool, severity: str = "block") -> None:
    with duckdb.connect(str(settings.build_db_path)) as con:
        con.execute(
            "insert into audit.check_results (run_id, check_name, asset_key, severity, passed, checked_at, kind) "
            "values ('test-run', 'fct_indicators_counts_match_int_person_year', 'marts/fct_indicators', ?, ?, "
            "now() + interval 1 hour, 'sql')",
            [severity, passed],
        )


def test_a_blocking_failure_refuses_the_publish_and_leaves_the_file_alone(home: Settings):
    before = sha256(home.published_db_path)
    record_check(home, passed=False)
    with pytest.raises(GateClosedError, match="fct_indicators_counts_match_int_person_year"):
        publish_warehouse(home)
    assert sha256(home.published_db_path) == before
    record_check(home, passed=True)  # the same check passing again opens the gate
    assert publish_warehouse(home, docs=False).checks > 10


def test_no_check_results_at_all_refuses_too(home: Settings):
    with duckdb.connect(str(home.build_db_path)) as con:
        con.execute("delete from audit.check_results")
    with pytest.raises(GateClosedError, match="Ingen kvalitetskontroller har resultater"):
        publish_warehouse(home)


def test_docs_are_regenerated_only_when_the_schema_changes_and_stray_copies_are_removed(home: Settings):
    index = home.docs_dir / "index.html"
    fingerprint = (home.docs_dir / FINGERPRINT_FILE).read_text()
    stamp = index.stat().st_mtime_ns
    stray = home.published_db_path.with_name(f".{home.published_db_path.name}.999999.tmp")
    stray.write_bytes(b"half a copy")

    with duckdb.connect(str(home.build_db_path)) as con:  # new data, same schema
        con.execute("delete from marts.fct_indicators where year = 2019")
    outcome = publish_warehouse(home)
    assert index.stat().st_mtime_ns == stamp  # the installed docs still describe it
    assert not stray.exists()
    assert published_state(home.published_db_path)["fct_indicators"] == outcome.state["fct_indicators"]
    assert not any(p.name.endswith(".tmp") for p in home.published_db_path.parent.iterdir())

    with duckdb.connect(str(home.build_db_path)) as con:  # a new column: the catalog changes
        con.execute("alter table marts.dim_region add column note varchar")
    publish_warehouse(home)
    assert index.stat().st_mtime_ns != stamp
    assert (home.docs_dir / FINGERPRINT_FILE).read_text() != fingerprint
    html = index.read_text(encoding="utf-8")
    assert "fct_indicators" in html and "dim_region" in html
    assert os.path.getsize(home.docs_dir / "catalog.json") > 10_000
