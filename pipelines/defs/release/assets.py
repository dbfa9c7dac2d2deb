"""The `release` asset: a county release, downstream of the marts and the quality gate.

The asset is thin: `pipelines.release.make` does the work and refuses (the step fails
with the list of reasons) when a blocking check failed or none has run. Its upstream keys
are the dbt marts it reads; the quality area adds blocking checks on those marts, so a
failing check also stops this asset before it starts.
"""

# No `from __future__ import annotations`: Dagster reads the config annotation at runtime.
import dagster as dg
from pydantic import Field

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.resources import WorkforceSettings

MART_DEPS = (
    dg.AssetKey(["marts", "fct_indicators"]),
    dg.AssetKey(["marts", "dim_indicator"]),
    dg.AssetKey(["marts", "dim_municipality"]),
    dg.AssetKey(["marts", "dim_region"]),
    dg.AssetKey(["marts", "fct_goal_progress"]),
)


class ReleaseConfig(dg.Config):
    """Options of one release run (the Launchpad shows them)."""

    year: int | None = Field(  # shown in the Launchpad, hence Norwegian
        default=None, description="Referanseår: leveransen har alle år til og med det (tom: siste år i dataene)."
    )


@dg.asset(
    key="release",
    group_name="release",
    deps=list(MART_DEPS),
    kinds={"python", "excel", "html"},
    pool=WAREHOUSE_WRITER,  # reads the build database, which DuckDB will not open beside a writer
    description="Fylkesleveranse med avsløringskontroll: xlsx, csv, parquet, json, report.html og manifest.json "
    "under WORKFORCE_HOME/releases/<leveranse-id>/.",
)
def release(
    context: dg.AssetExecutionContext, config: ReleaseConfig, settings: WorkforceSettings
) -> dg.MaterializeResult:
    import json

    from pipelines.release.make import make_release

    run_settings = settings.get()
    path = make_release(run_settings, run_settings.build_db_path, year=config.year, progress=context.log.info)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    disclosure = manifest["disclosure"]
    context.log.info(f"release written to {path}")
    return dg.MaterializeResult(
        metadata={
            "release_id": manifest["release_id"],
            "path": dg.MetadataValue.path(str(path)),
            "report": dg.MetadataValue.path(str(path / "report.html")),
            "reference_year": manifest["reference_year"],
            "cells": disclosure["cells"],
            "suppressed_primary": disclosure["suppressed_primary"],
            "suppressed_secondary": disclosure["suppressed_secondary"],
            "demo_figures": manifest["inputs"]["demo_figures"],
            "input_hash": manifest["input_hash"],
        }
    )
