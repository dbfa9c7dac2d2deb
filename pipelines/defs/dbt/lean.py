"""dagster-dbt without dbt-core in Dagster's own processes.

Every process Dagster starts loads the code location: the webserver's code server, the daemon's,
and one run worker per run. dagster-dbt imports dbt-core when it can (3–5 s here, half the load
time), resolves the default selection by building dbt's graph over the manifest, and at every
dbt step runs `dbt --version` and loads the dbt project into an in-process adapter — only to
offer row counts and column metadata, which this project does not ask for. dbt itself always
runs as a subprocess.

dagster-dbt also supports code locations where dbt-core is not installed (the dbt Fusion
engine): it reads the default selection straight from the manifest and creates no adapter.
`import_dagster_dbt()` takes that path by hiding the `dbt` package while dagster-dbt is imported;
dbt-core stays installed for the `dbt` subprocess and can be imported by anything later. If
dbt-core is already imported (a test that ran dbt in-process), nothing is hidden and dagster-dbt
takes its usual path; both give the same definitions
(tests/orchestration/test_orch_load_time.py compares them).

`DbtCli` is dagster-dbt's CLI resource without the two per-step extras: the dbt version comes
from the installed package instead of a `dbt --version` subprocess, and no adapter is created.
Both override private members of `DbtCliResource`; the test above fails if dagster-dbt renames
them, so an upgrade cannot silently bring the cost back.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import sys
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any


class _HideDbtCore(importlib.abc.MetaPathFinder):
    """Makes `import dbt...` fail, as if dbt-core were not installed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "dbt" or name.startswith("dbt."):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden while dagster_dbt loads)", name=name)


def import_dagster_dbt() -> ModuleType:
    """`dagster_dbt`, imported on its no-dbt-core path unless dbt-core is already loaded."""
    if "dagster_dbt" in sys.modules:
        return sys.modules["dagster_dbt"]
    if "dbt" in sys.modules:
        return importlib.import_module("dagster_dbt")
    finder = _HideDbtCore()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module("dagster_dbt")
    finally:
        sys.meta_path.remove(finder)


dagster_dbt = import_dagster_dbt()

# The one variable dbt/profiles.yml reads for the database path.
BUILD_DB_ENV = "WORKFORCE_BUILD_DB"


class DbtCli(dagster_dbt.DbtCliResource):
    """The dbt CLI resource without a `dbt --version` subprocess or an in-process adapter per step,
    pointed at the build database it is given.

    `build_db`: the database dbt builds; empty means "the environment's" (an explicit
    `WORKFORCE_BUILD_DB`, else the build database under `WORKFORCE_HOME`), read when dbt starts.
    dagster-dbt hands its subprocess a copy of this process's environment and takes no other, so
    the one variable `dbt/profiles.yml` reads is set for the moment the subprocess starts and
    restored right after: the asset that calls dbt never touches the environment."""

    build_db: str = ""
    # Where each invocation's artifacts go (`<run folder>/run_results.json`, ...); empty:
    # `WORKFORCE_HOME/dbt/target`. Never the repository's dbt/target, which holds the prepared
    # manifest only: a run writes under the home it runs for, like everything else it makes.
    target_dir: str = ""

    def _get_unique_target_path(self, *, context: Any) -> Path:
        unique = super()._get_unique_target_path(context=context).name
        if self.target_dir:
            root = Path(self.target_dir)
        else:
            from pipelines.settings import Settings

            root = Settings.from_env().home / "dbt" / "target"
        return root / unique

    def database(self) -> Path:
        if self.build_db:
            return Path(self.build_db)
        explicit = os.environ.get(BUILD_DB_ENV)
        if explicit:
            return Path(explicit)
        from pipelines.settings import Settings

        return Settings.from_env().build_db_path

    @cached_property
    def _cli_version(self) -> Any:
        from importlib.metadata import version as installed

        from packaging.version import parse

        return parse(installed("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        return None

    def cli(self, args: Any, *, context: Any = None, target_path: Any = None, **kwargs: Any) -> Any:
        """dagster-dbt's `cli` on this resource's build database, with dbt started from the last
        parse against the same database (`pipelines.indicators.build.seed_partial_parse`;
        dagster-dbt's own copy of the project's state fits only the home `make manifest` ran for)."""
        from pipelines.indicators.build import dbt_database_env, jinja_code_env, seed_partial_parse

        path = self.database()
        path.parent.mkdir(parents=True, exist_ok=True)
        target_path = Path(self.project_dir) / (target_path or self._get_unique_target_path(context=context))
        seed_partial_parse(target_path, path)
        # WORKFORCE_BUILD_DB and, for workforce-dbt, its folder; the Jinja code beside the parse state
        variables = dbt_database_env(path) | jinja_code_env(target_path)
        before = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        try:  # dagster-dbt starts the subprocess here, with a copy of the environment
            return super().cli(args, context=context, target_path=target_path, **kwargs)
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
