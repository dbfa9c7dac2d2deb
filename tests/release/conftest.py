"""Release tests publish from a REAL build of the demo: the session's `demo_warehouse`
(dbt through Dagster, tests/conftest.py), which ingests one delivery whose free text is hostile.

The hostile delivery is a backlog file from Røst whose services are named like spreadsheet
formulas (`=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`): it is ingested like any
municipality's file and built with the rest, so what reaches the release files is what the
marts really produce. Building one release takes seconds, so tests share them.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.release.disclosure import DisclosureRule
from pipelines.release.make import make_release
from pipelines.settings import Settings
from tests.orchestration.conftest import DemoWarehouse

FIRST_RUN = datetime(2025, 11, 23, 10, 15, 0, tzinfo=UTC)
SECOND_RUN = datetime(2025, 11, 23, 11, 30, 5, tzinfo=UTC)
HOSTILE_MUNICIPALITY = "1856"
HOSTILE_YEAR = 2023
HOSTILE_SERVICES = (
    '=HYPERLINK("http://127.0.0.1/x","Klikk her")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
)


def write_hostile_backlog(folder: Path) -> Path:
    """A backlog delivery from Røst whose service names are formulas (a later extract of 2023)."""
    path = folder / f"{HOSTILE_MUNICIPALITY}_restanser_{HOSTILE_YEAR}-12-20.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["municipality_code", "service", "month", "open_cases", "overdue_cases"])
    for service in (*HOSTILE_SERVICES, "byggesak"):
        for month in range(1, 13):
            writer.writerow([HOSTILE_MUNICIPALITY, service, f"{HOSTILE_YEAR}-{month:02d}-01", 40, 5 + month % 3])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def warehouse(demo_warehouse: DemoWarehouse) -> Path:
    """The session's real demo build (with the hostile delivery): its build database."""
    return demo_warehouse.root / "build" / "workforce.duckdb"


def warehouse_copy(warehouse: Path, target: Path, *statements: str) -> Path:
    """A private copy of the real build, changed by `statements` (audit rows, a mart column)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, target)
    if statements:
        with duckdb.connect(str(target)) as con:
            for statement in statements:
                con.execute(statement)
    return target


@pytest.fixture(scope="session")
def release_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"))


PROGRESS: list[str] = []  # what the first release said while it was made


@pytest.fixture(scope="session")
def releases(warehouse: Path, release_home: Settings) -> tuple[Path, Path]:
    """Two releases of the same inputs, made at different times."""
    first = make_release(release_home, warehouse, rule=DisclosureRule(), now=FIRST_RUN, progress=PROGRESS.append)
    second = make_release(release_home, warehouse, rule=DisclosureRule(), now=SECOND_RUN)
    return first, second


@pytest.fixture(scope="session")
def release_dir(releases: tuple[Path, Path]) -> Path:
    return releases[0]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` on a real build (a short read-only connection, closed again)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
