"""How the pipeline starts dbt (issue 16.4): in the build database's folder, with the profile
naming the file alone, so dbt's partial-parse state does not depend on WORKFORCE_HOME and a
new home (a fresh install, a test's, the benchmark's) starts from the project's parse instead
of parsing every file again. dbt writes why it parses everything to its log when it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.indicators.build import DBT_CWD_ENV, DBT_DB_ENV, dbt_database_env, run_dbt

pytestmark = pytest.mark.slow


def test_a_new_home_starts_from_the_projects_parse(dbt_manifest: Path, tmp_path: Path) -> None:
    build_db = tmp_path / "new-home" / "build" / "workforce.duckdb"
    build_db.parent.mkdir(parents=True)
    env = dbt_database_env(build_db)
    assert env[DBT_DB_ENV] == "workforce.duckdb" and env[DBT_CWD_ENV] == str(build_db.parent)
    shown = run_dbt(["show", "--inline", "select 6 * 7 as answer"], build_db, target_path=tmp_path / "target")
    assert "42" in shown.stdout
    log = (tmp_path / "target" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in log
    assert "Nothing changed, skipping partial parsing" in log
    # dbt ran in the database's folder and named the file relative to it: the database it
    # opened is the home's, and nothing was created where dbt used to run
    assert build_db.is_file()
    assert not (dbt_manifest.parent.parent / "workforce.duckdb").exists()
