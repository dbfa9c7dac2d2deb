"""`published_warehouse`: the analysts' read-only file, replaced only after the gate passed.

It depends on every mart, so the blocking checks on the marts (dbt tests, SQL
reconciliations, GX suites) stop it in the same run when one fails; its body reads the
gate's latest results once more and refuses on its own (see `pipelines.orchestration.publish`).
"""

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.release.assets import MART_DEPS

PUBLISHED = dg.AssetKey("published_warehouse")
RELEASE_GROUP = "release"


@dg.asset(
    key=PUBLISHED,
    group_name=RELEASE_GROUP,
    deps=list(MART_DEPS),
    kinds={"duckdb", "dbt"},
    pool=WAREHOUSE_WRITER,
    description=(
        "Analytikernes skrivebeskyttede lager (WORKFORCE_HOME/workforce.duckdb): byggedatabasen kopiert "
        "og atomisk byttet inn etter at kvalitetsporten er bestått, med dbt-dokumentasjonen i WORKFORCE_HOME/docs/."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from pipelines.orchestration.publish import PublishRefusedError, publish_warehouse
    from pipelines.settings import get_settings

    try:
        outcome = publish_warehouse(get_settings())
    except PublishRefusedError as refused:
        # A verdict, not a transient failure: retrying cannot change it.
        raise dg.Failure(description=str(refused), allow_retries=False) from None
    context.log.info(
        f"published {outcome.path} ({outcome.size_bytes / 1e6:.1f} MB) after {outcome.checks} checks; "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in outcome.seconds.items())
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(outcome.path)),
            "size_mb": round(outcome.size_bytes / 1e6, 2),
            "checks_in_gate": outcome.checks,
            "docs": dg.MetadataValue.path(str(outcome.docs_index)) if outcome.docs_index else "",
            "mart_rows": dg.MetadataValue.json(outcome.mart_rows),
            **{f"seconds_{step}": round(value, 2) for step, value in outcome.seconds.items()},
        }
    )
