"""The end of the graph: the quality gate's verdict and the analysts' published warehouse.

`quality/gate` (group `quality`) depends on every mart, so it runs after the marts and their
blocking checks (dbt tests, SQL reconciliations, GX suites) and is skipped when one fails. It
reads the latest result of every check in `audit.check_results` — the same rule the county
release applies — and fails, without retries, when a blocking check's latest result failed
or nothing was checked. The run's quality report (written by the checks) is linked from it.

`published_warehouse` (group `release`) comes after the gate: the marts and the ledgers'
summaries of the build database written to a new file and atomically renamed over
`WORKFORCE_HOME/workforce.duckdb`, with dbt's docs beside it. Its body asks the gate again
(see `pipelines.orchestration.publish`), so a publish run on its own fails closed too.
"""

import dagster as dg

from pipelines.defs.dbt.assets import workforce_dbt_models
from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER

GATE = dg.AssetKey(["quality", "gate"])
PUBLISHED = dg.AssetKey("published_warehouse")
QUALITY_GROUP = "quality"
RELEASE_GROUP = "release"
MARTS = sorted((key for key in workforce_dbt_models.keys if key.path[0] == "marts"), key=lambda k: k.path)


@dg.asset(
    key=GATE,
    group_name=QUALITY_GROUP,
    deps=MARTS,
    kinds={"duckdb"},
    pool=WAREHOUSE_WRITER,
    description=(
        "Kvalitetsporten: siste resultat av hver sjekk (dbt-tester, SQL-avstemminger, Great Expectations). "
        "Stengt ved blokkerende feil; da publiseres ingenting."
    ),
)
def quality_gate(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from pipelines.defs.failures import configuration_failures
    from pipelines.orchestration.publish import PublishRefusedError, gate_summary
    from pipelines.settings import get_settings

    with configuration_failures():
        settings = get_settings()
    summary = gate_summary(settings.build_db_path)
    this_run = [c for c in summary.checks if c.get("run_id") == context.run.run_id]
    report = settings.quality_dir / context.run.run_id / "index.html"
    metadata = {
        "checks": summary.total,
        "checked_in_this_run": len(this_run),
        "passed": summary.passed,
        "blocking_failures": len(summary.failed_block),
        "warnings": len(summary.failed_warn),
        **({"report": dg.MetadataValue.path(str(report))} if report.is_file() else {}),
    }
    reasons = summary.refusal_reasons()
    if reasons:
        error = PublishRefusedError("Kvalitetsporten er stengt: " + " ".join(reasons[:10]))
        raise dg.Failure(description=str(error), metadata=metadata, allow_retries=False)
    return dg.MaterializeResult(metadata=metadata)


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
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from pipelines.defs.failures import configuration_failures
    from pipelines.orchestration.publish import PublishRefusedError, publish_warehouse
    from pipelines.settings import get_settings

    try:
        with configuration_failures():
            settings = get_settings()
        outcome = publish_warehouse(settings)
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
            "state": dg.MetadataValue.json(outcome.state),
            **{f"seconds_{step}": round(value, 2) for step, value in outcome.seconds.items()},
        }
    )
