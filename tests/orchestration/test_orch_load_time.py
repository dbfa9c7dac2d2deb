"""The code location loads without dbt-core, and loses nothing by it.

Load *time* is measured in the benchmark (pipelines/bench/load.py), not here; these
tests guard what makes it fast: dagster-dbt's no-dbt-core path gives the same definitions as
its usual path, and the lean CLI resource still overrides members dagster-dbt has.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipelines.settings import REPO_ROOT

DUMP = """
import json, sys
{prelude}
from pipelines.definitions import defs
graph = defs.resolve_asset_graph()
assets = {{}}
for key in graph.get_all_asset_keys():
    node = graph.get(key)
    assets[key.to_user_string()] = {{
        "group": node.group_name,
        "deps": sorted(k.to_user_string() for k in node.parent_keys),
        "code_version": node.code_version,
        "kinds": sorted(node.kinds),
    }}
checks = sorted(
    [k.asset_key.to_user_string(), k.name, graph.get_check_spec(k).blocking] for k in graph.asset_check_keys
)
print(json.dumps({{"dbt_core_loaded": "dbt.version" in sys.modules, "assets": assets, "checks": checks}}))
"""


def load(prelude: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", DUMP.format(prelude=prelude)], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def lean() -> dict:
    return load()


def test_the_code_location_loads_without_importing_dbt_core(lean: dict):
    assert lean["dbt_core_loaded"] is False
    assert sum(1 for a in lean["assets"].values() if a["group"] == "dbt") > 40


def test_dagster_dbt_gives_the_same_definitions_with_dbt_core_loaded(lean: dict):
    usual = load("import dbt.version")
    assert usual["dbt_core_loaded"] is True
    assert usual["assets"] == lean["assets"]
    assert usual["checks"] == lean["checks"]


def test_the_lean_cli_resource_overrides_members_dagster_dbt_still_has():
    from pipelines.defs.dbt.lean import DbtCli, dagster_dbt
    from pipelines.defs.dbt.project import dbt_resource
    from pipelines.indicators.build import dbt_executable

    base = dagster_dbt.DbtCliResource
    assert callable(base.__dict__["_initialize_dbt_core_adapter"])
    assert callable(base.__dict__["_get_unique_target_path"])
    assert "_cli_version" in base.__dict__
    resource = dbt_resource()
    assert isinstance(resource, DbtCli)
    reported = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    assert str(resource._cli_version) in reported  # the version dagster-dbt would have asked for
    assert resource._initialize_dbt_core_adapter(["build"]) is None
