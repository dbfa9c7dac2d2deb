"""The dbt project as Dagster sees it.

The manifest is prepared at build/dev time (`workforce dbt-manifest`, `make manifest`), never
by parsing dbt when the code location is imported: parsing takes seconds, and a code location
that parses on import is slow to load in every process Dagster starts. Under `dagster dev`
`prepare_if_dev()` re-parses so edits to the models show up.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.defs.dbt.lean import DbtCli
from pipelines.errors import WorkforceError
from pipelines.indicators.build import dbt_executable
from pipelines.settings import DBT_PROJECT_DIR

workforce_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_resource(build_db: str = "", target_dir: str = "") -> DbtCliResource:
    """The dbt CLI resource, with the venv's dbt (the venv need not be on PATH), building
    `build_db` and writing its artifacts under `target_dir` (empty: the environment's build
    database and `WORKFORCE_HOME/dbt/target`, read when dbt starts)."""
    return DbtCli(
        project_dir=workforce_dbt_project, dbt_executable=dbt_executable(), build_db=build_db, target_dir=target_dir
    )


def prepare_manifest() -> Path:
    """Parse the dbt project into target/manifest.json (a build step, like compiling).

    dagster-dbt's own preparer looks for `dbt` on PATH; `make` and the `workforce` command
    run from the venv without activating it, so the executable is passed explicitly.

    The parse is made against this home's build database (as the run will be): dbt keeps its
    partial-parse state only while the profile is unchanged, and the database path is part of
    the profile, so `make demo`'s dbt steps start from this parse instead of parsing again.
    """
    from pipelines.settings import Settings

    build_db = os.environ.get("WORKFORCE_BUILD_DB") or str(Settings.from_env().build_db_path)
    dbt_resource(build_db).cli(["parse", "--quiet"], target_path=workforce_dbt_project.target_path).wait()
    return workforce_dbt_project.manifest_path


# Set by `workforce ui`, which prepares the manifest once before starting Dagster: the processes
# Dagster starts (code servers, one run worker per run) must not re-parse it concurrently.
MANIFEST_PREPARED_ENV = "WORKFORCE_DBT_MANIFEST_PREPARED"

if os.environ.get("DAGSTER_IS_DEV_CLI") and not os.environ.get(MANIFEST_PREPARED_ENV):
    # `dagster dev`: pick up edits to the models on every reload
    prepare_manifest()


def manifest_path() -> Path:
    """The prepared manifest, or a clear error saying how to prepare it."""
    path = workforce_dbt_project.manifest_path
    if not path.exists():
        raise WorkforceError(
            f"dbts manifest mangler ({path}); lag det med `make manifest` "
            "(eller `workforce dbt-manifest`)."
        )
    return path
