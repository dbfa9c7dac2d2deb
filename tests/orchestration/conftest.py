"""Shared fixtures of the orchestration tests: a throwaway WORKFORCE_HOME with the repo's
Dagster instance config, and small demo deliveries generated once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.settings import DAGSTER_YAML, Settings

SECRET = "orchestration-test-secret-0123456789"
# Small but real: two outer-Lofoten municipalities, two yearly extracts each.
DEMO_MUNICIPALITIES = "1856,1857"
DEMO_YEARS = "2023-2024"
DEMO_SCALE = 0.5


def home_env(root: Path) -> dict[str, str]:
    """The environment of a pipeline process working under `root`."""
    return {
        "WORKFORCE_HOME": str(root),
        "WORKFORCE_SECRET": SECRET,
        "WORKFORCE_SSB_MODE": "snapshot",
        "DAGSTER_HOME": str(root / "dagster"),
    }


def make_home(root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in home_env(root).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("WORKFORCE_SECRET_FILE", raising=False)
    settings = Settings.from_env()
    # dbt's database for tests that run dbt outside a Dagster run (a run's `dbt` resource is bound
    # to its own settings); set through the monkeypatch, so it is restored afterwards.
    monkeypatch.setenv("WORKFORCE_BUILD_DB", str(settings.build_db_path))
    settings.ensure_dirs()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DAGSTER_YAML, settings.dagster_home / "dagster.yaml")
    return settings


@pytest.fixture
def orch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return make_home(tmp_path / "home", monkeypatch)


@pytest.fixture
def instance(orch_home: Settings) -> Iterator[dg.DagsterInstance]:
    """The real instance of the test's home (SQLite storage, run queue, pools from dagster.yaml)."""
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo deliveries (written once per session; tests copy what they need)."""
    from pipelines.demo.generate import generate_deliveries

    out = tmp_path_factory.mktemp("demo_deliveries")
    generate_deliveries(out, years=DEMO_YEARS, scale=DEMO_SCALE, municipalities=DEMO_MUNICIPALITIES)
    return out


def demo_file(demo_files: Path, code: str, kind: str, year: int) -> Path:
    [path] = sorted(demo_files.glob(f"{code}_{kind}_{year}-*"))
    return path


# --- the demo warehouse, built once per session ---------------------------------------------
# Salten and outer Lofoten, 2019–2023 in the warehouse; the 2024 extracts arrive in tests.
WAREHOUSE_MUNICIPALITIES = "salten,outer-lofoten"
WAREHOUSE_YEARS = "2019-2024"
WAREHOUSE_SCALE = 0.2
LATER_YEAR = 2024


@dataclass(frozen=True)
class DemoWarehouse:
    """A home with a published warehouse (build, published file, docs, Dagster storage)."""

    root: Path
    deliveries: Path  # every generated delivery; the LATER_YEAR ones are not loaded yet

    def later(self, code: str, kind: str) -> Path:
        return demo_file(self.deliveries, code, kind, LATER_YEAR)

    def copy_to(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
        """A private copy of the home, with the environment pointing at it."""
        shutil.copytree(self.root, root, symlinks=True)
        return make_home(root, monkeypatch)


def build_demo_warehouse(
    tmp_path_factory: pytest.TempPathFactory, extra_deliveries: Sequence[Path] = ()
) -> DemoWarehouse:
    """What `workforce demo` runs, on a smaller demo: deliveries in the inbox, then the demo's
    one Dagster run of every asset (`pipelines.demo.run.run_pipeline`: the inbox, SSB's bundled
    snapshot, dbt, every check, the gate, publish with docs, the county release).

    The session fixture `demo_warehouse` (tests/conftest.py) calls this once for every area
    that needs a real build (orchestration, release); `extra_deliveries` arrive in the inbox
    with the demo's (the release tests' hostile backlog file); the LATER_YEAR deliveries are
    generated but left out, for tests that deliver them later."""
    import io

    from rich.console import Console

    from pipelines.demo.generate import generate_deliveries
    from pipelines.demo.run import run_pipeline
    from pipelines.errors import WorkforceError

    deliveries = tmp_path_factory.mktemp("warehouse_deliveries")
    generate_deliveries(
        deliveries, years=WAREHOUSE_YEARS, scale=WAREHOUSE_SCALE, municipalities=WAREHOUSE_MUNICIPALITIES
    )
    root = tmp_path_factory.mktemp("warehouse") / "home"
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_home(root, monkeypatch)
        earlier = sorted(p for p in deliveries.iterdir() if f"_{LATER_YEAR}-" not in p.name)
        for path in [*earlier, *extra_deliveries]:
            shutil.copyfile(path, settings.inbox_dir / path.name)
        output = io.StringIO()
        try:
            run_pipeline(settings, Console(file=output, width=150))
        except WorkforceError as failed:
            raise AssertionError(f"{failed}\n{output.getvalue()[-3000:]}") from None
    assert settings.published_db_path.is_file()
    assert not any(settings.inbox_dir.iterdir()), "every delivery loaded and left the inbox"
    return DemoWarehouse(root, deliveries)


def canonical_rows(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str, *, exact: bool = False
) -> str:
    """The table's columns, doubles rounded to 6 decimals after a nudge of 1e-12 unless `exact`:
    a build that computes a double another way (an incremental slice) may differ in its last
    bits, and a value on a rounding boundary (0.2434375) would otherwise round apart. Sums
    of fractions no longer depend on the order rows arrive in (dbt/macros/exact.sql), so
    two builds of the same data compare `exact`ly (tests/dbt/test_dbt_reproducible.py)."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, table],
    ).fetchall()
    return ", ".join(
        f"round({name} + 1e-12, 6) as {name}" if kind == "DOUBLE" and not exact else name for name, kind in columns
    )


def compare_builds(full_db: Path, incremental_db: Path, *, exact: bool = False) -> dict[str, tuple[int, int]]:
    """Every intermediate and mart table of a full build against another build of the same
    inputs: {table: (rows missing, rows extra)} for the tables that differ (doubles to the
    last bit when `exact`, see canonical_rows)."""
    con = duckdb.connect()
    con.execute(f"attach '{full_db}' as full_build (read_only)")
    con.execute(f"attach '{incremental_db}' as incremental (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = 'full_build' and schema_name in ('intermediate', 'marts') order by 1, 2"
    ).fetchall()
    assert len(tables) > 30
    differing = {}
    for schema, table in tables:
        a = f"select {canonical_rows(con, 'full_build', schema, table, exact=exact)} from full_build.{schema}.{table}"
        b = f"select {canonical_rows(con, 'incremental', schema, table, exact=exact)} from incremental.{schema}.{table}"
        missing = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        extra = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
        if missing or extra:
            differing[f"{schema}.{table}"] = (missing, extra)
    con.close()
    return differing
