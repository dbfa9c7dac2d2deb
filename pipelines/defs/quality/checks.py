"""Every cross-system SQL check and GX suite as a Dagster asset check on its asset.

The row, key and relational checks are dbt tests, which dagster-dbt turns into asset checks
of the dbt models itself (pipelines/defs/dbt/assets.py); this module adds the rest.

One `multi_asset_check` per checked asset runs all of that asset's checks in one body (one
database connection, one GX import per process) and yields one result per check. `block`
checks are blocking: when one fails, Dagster does not materialise the asset's dependants
(the dbt models after a raw table, the release after `marts/fct_indicators`). A GX suite is
one blocking check whose failure severity is that of its worst failed expectation, so a
suite with only warnings failing never blocks.

This module imports no Great Expectations and no dbt: the check bodies do, when they run.
Anything that goes wrong inside a body (a locked database, a missing file) fails every check
of that asset with the reason; nothing passes by default.
"""

import json
from collections.abc import Iterator, Sequence

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.resources import WorkforceSettings
from pipelines.quality.reconciliation import CHECKS, checks_for
from pipelines.quality.results import CheckResult, asset_path
from pipelines.quality.suites import SUITES
from pipelines.settings import Settings

# Checks write audit.check_results into the build database, so they queue with its other
# writers (dagster.yaml gives every pool a limit of 1).
BUILD_DB_POOL = WAREHOUSE_WRITER


def gx_check_name(suite: str) -> str:
    return f"gx_{suite}"


def checked_assets() -> list[tuple[str, ...]]:
    """Every asset that has at least one SQL check or GX suite, in a stable order."""
    return sorted({c.asset_key for c in CHECKS} | set(SUITES.values()))


def check_specs(asset_key: tuple[str, ...]) -> list[dg.AssetCheckSpec]:
    key = dg.AssetKey(list(asset_key))
    specs = [
        dg.AssetCheckSpec(name=c.name, asset=key, blocking=c.severity == "block", description=c.title)
        for c in checks_for([asset_key])
    ]
    specs += [
        dg.AssetCheckSpec(
            name=gx_check_name(suite),
            asset=key,
            blocking=True,
            description=f"Great Expectations-suiten expectations/{suite}.json",
        )
        for suite, target in SUITES.items()
        if target == asset_key
    ]
    return specs


def _severity(failed: Sequence[CheckResult]) -> dg.AssetCheckSeverity:
    return (
        dg.AssetCheckSeverity.ERROR
        if any(r.severity == "block" for r in failed)
        else dg.AssetCheckSeverity.WARN
    )


def _metadata(results: Sequence[CheckResult]) -> dict[str, object]:
    failed = [r for r in results if not r.passed]
    meta: dict[str, object] = {
        "evaluated_rows": sum(r.evaluated_rows or 0 for r in results),
        "unexpected_count": sum(r.unexpected_count or 0 for r in failed),
        "failed": len(failed),
    }
    if len(results) == 1:
        r = results[0]
        meta.update({"observed": r.observed or "", "expected": r.expected or "", "message": r.message})
    if failed:
        lines = [f"- `{r.check_name}` ({r.severity}): {r.message}" for r in failed[:20]]
        meta["failures"] = dg.MetadataValue.md("\n".join(lines))
        examples = [e for r in failed for e in r.examples][:5]
        if examples:
            meta["examples"] = dg.MetadataValue.json(json.loads(json.dumps(examples, default=str)))
    return meta


def to_check_results(
    asset_key: tuple[str, ...], specs: Sequence[dg.AssetCheckSpec], results: Sequence[CheckResult]
) -> Iterator[dg.AssetCheckResult]:
    """One Dagster result per spec; a spec without any gate result fails (it did not run)."""
    key = dg.AssetKey(list(asset_key))
    for spec in specs:
        if spec.name.startswith("gx_") and spec.name.removeprefix("gx_") in SUITES:
            mine = [r for r in results if r.kind == "gx" and r.suite == spec.name.removeprefix("gx_")]
        else:
            mine = [r for r in results if r.kind == "sql" and r.check_name == spec.name]
        if not mine:
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=spec.name,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"message": "Sjekken ga ikke noe resultat (ble ikke kjørt)."},
            )
            continue
        failed = [r for r in mine if not r.passed]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=spec.name,
            passed=not failed,
            severity=_severity(failed) if failed else dg.AssetCheckSeverity.ERROR,
            metadata=_metadata(mine),
        )


def run_checks_for_asset(run_id: str, asset_key: tuple[str, ...], settings: Settings) -> list[CheckResult]:
    """Evaluate one asset's checks against the build database, record them, refresh the run's
    report. Imported lazily so loading the code location stays fast."""
    from pipelines.quality.check_run import evaluate_checks
    from pipelines.quality.report import write_reports
    from pipelines.warehouse.connection import connect

    if not settings.build_db_path.is_file():
        raise FileNotFoundError(f"no build database at {settings.build_db_path}")
    with connect(settings.build_db_path) as con:
        results, references = evaluate_checks(con, run_id, assets=[asset_key])
        write_reports(con, settings, run_id, references=references)
    return results


def build_asset_check(asset_key: tuple[str, ...]) -> dg.AssetChecksDefinition:
    specs = check_specs(asset_key)

    @dg.multi_asset_check(
        name=f"quality__{'__'.join(asset_key)}",
        specs=specs,
        description=f"Kvalitetssjekker for {asset_path(asset_key)} (SQL og Great Expectations).",
        pool=BUILD_DB_POOL,
    )
    def _quality_checks(
        context: dg.AssetCheckExecutionContext, settings: WorkforceSettings
    ) -> Iterator[dg.AssetCheckResult]:
        try:
            results = run_checks_for_asset(context.run.run_id, asset_key, settings.get())
        except Exception as error:
            context.log.error(f"quality checks for {asset_path(asset_key)} could not run: {error}")
            for spec in specs:
                yield dg.AssetCheckResult(
                    asset_key=dg.AssetKey(list(asset_key)),
                    check_name=spec.name,
                    passed=False,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={"message": f"Kunne ikke kjøres: {type(error).__name__}: {error}"[:500]},
                )
            return
        yield from to_check_results(asset_key, specs, results)

    return _quality_checks


ASSET_CHECKS: list[dg.AssetChecksDefinition] = [build_asset_check(k) for k in checked_assets()]
