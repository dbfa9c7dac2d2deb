"""The resources every area's assets receive: the settings, the build database and dbt.

Assets never read the environment themselves, and never write it: the settings reach them
as the `settings` resource, the build database as the `duckdb` resource, dbt (pointed at
that database) as the `dbt` resource. The code location binds them to the environment of
its process (what the UI's processes have); `workforce run`, the demo and the benchmarks
bind them to the `Settings` they run with (`workforce_resources(settings)`), so one process
can run for several `WORKFORCE_HOME`s (tests, benchmarks) without writing through a
resource built for another.

The pseudonymisation secret is never a resource field (Dagster shows resource config in the
UI): `WorkforceSettings.get()` reads it from the environment at run time, as before.

Imports stay light: no polars, no dbt-core, no Great Expectations.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.settings import Settings

SETTINGS_KEY = "settings"
DUCKDB_KEY = "duckdb"
DBT_KEY = "dbt"


class WorkforceSettings(dg.ConfigurableResource):
    """Where a run reads and writes (WORKFORCE_HOME) and how it fetches SSB.

    An empty field means "from the environment at run time" (`Settings.from_env`). The secret
    itself is never a field; `secret_file` (a path) may be, as `WORKFORCE_SECRET_FILE` is."""

    home: str = ""
    ssb_mode: str = ""
    secret_file: str = ""

    def get(self) -> Settings:
        """The run's settings; a bad setting is a configuration failure (not retried)."""
        from pipelines.defs.failures import configuration_failures

        with configuration_failures():
            settings = Settings.from_env()
        changes: dict[str, Any] = {}
        if self.home:
            changes["home"] = Path(self.home)
        if self.ssb_mode:
            changes["ssb_mode"] = self.ssb_mode
        if self.secret_file and not settings.secret_env:
            changes["secret_file"] = Path(self.secret_file)
        return replace(settings, **changes) if changes else settings


def workforce_resources(settings: Settings | None = None) -> dict[str, Any]:
    """The three resources bound to `settings` (a run's own), or the code location's."""
    from dagster_duckdb import DuckDBResource

    from pipelines.defs.dbt.project import dbt_resource

    if settings is None:
        return {SETTINGS_KEY: location_settings(), DUCKDB_KEY: location_duckdb(), DBT_KEY: location_dbt()}
    return {
        SETTINGS_KEY: WorkforceSettings(
            home=str(settings.home),
            ssb_mode=settings.ssb_mode,
            secret_file=str(settings.secret_file) if settings.secret_file else "",
        ),
        DUCKDB_KEY: DuckDBResource(database=str(settings.build_db_path)),
        DBT_KEY: dbt_resource(str(settings.build_db_path), str(settings.home / "dbt" / "target")),
    }


# The code location's resources: one object each per process, so `Definitions.merge` of the
# areas that use one meets the *same* object under its key, which merge requires. Built one
# by one, so an area imports only what it uses (the quality area never imports dagster-dbt).
@cache
def location_settings() -> WorkforceSettings:
    """Settings read from the environment when a step runs."""
    return WorkforceSettings()


@cache
def location_duckdb() -> Any:
    """The build database of WORKFORCE_HOME as the code location loads."""
    from dagster_duckdb import DuckDBResource

    from pipelines.settings import get_settings

    return DuckDBResource(database=str(get_settings().build_db_path))


@cache
def location_dbt() -> Any:
    """dbt on the environment's build database, read when dbt starts."""
    from pipelines.defs.dbt.project import dbt_resource

    return dbt_resource()
