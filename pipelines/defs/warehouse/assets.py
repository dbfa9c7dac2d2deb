"""`published_warehouse`: the analysts' read-only copy, after the quality gate.

The marts and the ledgers' summaries of the build database written to a new file and
atomically renamed over `WORKFORCE_HOME/workforce.duckdb`, with dbt's docs beside it
(`pipelines.warehouse.publish.publish_warehouse`). Its body asks the gate again, so a
publish run on its own fails closed too.
"""

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.quality.assets import GATE, MARTS
from pipelines.defs.resources import WorkforceSettings

PUBLISHED = dg.AssetKey("published_warehouse")
RELEASE_GROUP = "release"


@dg.asset(
    key=PUBLISHED,
    group_name=RELEASE_GROUP,
    deps=[GATE, *MARTS],
    kinds={"duckdb", "dbt"},
    pool=WAREHOUSE_WRITER,
    description=(
        "Analytikernes skrivebeskyttede lager (WORKFORCE_HOME/workforce.duckdb): martene og sammendrag av "
        "loggene fra byggedatabasen, uten persondata, atomisk byttet inn etter at kvalitetsporten er "
        "bestått, med dbt-dokumentasjonen i WORKFORCE_HOME/docs/."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, settings: WorkforceSettings) -> dg.MaterializeResult:
    from pipelines.quality.gate import GateClosedError
    from pipelines.warehouse.publish import publish_warehouse

    try:
        outcome = publish_warehouse(settings.get())
    except GateClosedError as refused:
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
            "state": dg.MetadataValue.json(outcome.state),
            **{f"seconds_{step}": round(value, 2) for step, value in outcome.seconds.items()},
        }
    )
