"""Fixtures shared across test areas.

`demo_warehouse` is the one real demo build of a test session (dbt through Dagster, every
check, the gate): the orchestration tests and the release tests read the same build, so it
is made once however many areas use it.
"""

from __future__ import annotations

import pytest

from tests.orchestration.conftest import DemoWarehouse, build_demo_warehouse


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    return build_demo_warehouse(tmp_path_factory)
