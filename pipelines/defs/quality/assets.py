"""The quality gate asset: the gate's verdict, at the end of the checks.

`quality/gate` (group `quality`) depends on every mart, so it runs after the marts and their
blocking checks (dbt tests, SQL reconciliations, GX suites) and is skipped when one fails. It
reads the latest result of every check in `audit.check_results` — the verdict of
`pipelines.quality.gate`, the one the published warehouse and the county release also ask —
and fails, without retries, when a blocking check's latest result failed or nothing was
checked. The run's quality report (written by the checks) is linked from it.
"""

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.resources import WorkforceSettings
from pipelines.settings import DBT_PROJECT_DIR

GATE = dg.AssetKey(["quality", "gate"])
QUALITY_GROUP = "quality"


def mart_keys() -> list[dg.AssetKey]:
    """The dbt marts' asset keys, from the project's files: every model under `models/marts/`
    gets schema `marts` (dbt_project.yml), which the dbt translator makes its key's first part.
    Read from the folder, not from dagster-dbt's assets, so the quality area loads without
    dagster-dbt; tests/orchestration/test_orch_definitions.py checks both agree."""
    folder = DBT_PROJECT_DIR / "models" / "marts"
    return sorted((dg.AssetKey(["marts", path.stem]) for path in folder.rglob("*.sql")), key=lambda k: k.path)


MARTS = mart_keys()


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
def quality_gate(context: dg.AssetExecutionContext, settings: WorkforceSettings) -> dg.MaterializeResult:
    from pipelines.quality.gate import GateClosedError, gate_summary

    run_settings = settings.get()
    summary = gate_summary(run_settings.build_db_path)
    this_run = [c for c in summary.checks if c.get("run_id") == context.run.run_id]
    report = run_settings.quality_dir / context.run.run_id / "index.html"
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
        error = GateClosedError("Kvalitetsporten er stengt: " + " ".join(reasons[:10]))
        raise dg.Failure(description=str(error), metadata=metadata, allow_retries=False)
    return dg.MaterializeResult(metadata=metadata)
