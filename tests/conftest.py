"""Fixtures shared across test areas.

`demo_warehouse` is the one real demo build of a test session (dbt through Dagster, every
check, the gate): the orchestration tests and the release tests read the same build, so it
is made once however many areas use it. It includes one extra delivery, a backlog file from
Røst whose service names are spreadsheet formulas (tests/release/conftest.py), so the release
tests see hostile free text arrive the way a municipality would send it.
"""

from __future__ import annotations

import pytest

from tests.orchestration.conftest import DemoWarehouse, build_demo_warehouse
from tests.release.conftest import write_hostile_backlog


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    hostile = write_hostile_backlog(tmp_path_factory.mktemp("hostile"))
    return build_demo_warehouse(tmp_path_factory, extra_deliveries=[hostile])
