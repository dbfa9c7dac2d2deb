"""Fixtures shared across test areas.

`demo_warehouse` is the one real demo build of a test session (dbt through Dagster, every
check, the gate): the orchestration tests and the release tests read the same build, so it
is made once however many areas use it. It includes one extra delivery, a backlog file from
Røst whose service names are spreadsheet formulas (tests/release/conftest.py), so the release
tests see hostile free text arrive the way a municipality would send it.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests.orchestration.conftest import DemoWarehouse, build_demo_warehouse
from tests.release.conftest import write_hostile_backlog

# Property tests draw the same examples on every run, locally and in CI: a suite that passes
# once passes always (a failure found with `--hypothesis-seed=N` becomes an explicit example).
# `print_blob` shows how to replay a failure; the database is off so no run depends on another.
settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
settings.load_profile("deterministic")  # `--hypothesis-profile=explore --hypothesis-seed=N` to search afresh


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    hostile = write_hostile_backlog(tmp_path_factory.mktemp("hostile"))
    return build_demo_warehouse(tmp_path_factory, extra_deliveries=[hostile])
