"""One asset per catalogue table (`raw.ssb_<name>`) and one multi-asset for KLASS 131.

Asset keys are the DuckDB tables they write (`["raw", "ssb_population"]`), so dbt sources
declared on schema `raw` line up with them. Bodies import the loader lazily and read the
settings at run time: loading the code location never touches the network or DuckDB.
"""


from datetime import timedelta
from typing import Any

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.resources import WorkforceSettings
from pipelines.ssb.catalogue import TableSpec, load_catalogue

GROUP = "ssb"
# Refreshed monthly (schedules.py); a table not materialised for 40 days is stale.
FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=40), warn_window=timedelta(days=32))
# DuckDB takes one writer: SSB loads queue behind any other writer of the build database.
POOL = WAREHOUSE_WRITER
CADENCE_NB = {"monthly": "månedlig", "quarterly": "kvartalsvis", "yearly": "årlig"}
KLASS_TABLES = ("klass_municipality", "klass_municipality_changes", "klass_municipality_map")


def _metadata(outcome: Any) -> dict[str, Any]:
    return {
        "rows": dg.MetadataValue.int(outcome.rows),
        "source": outcome.source or "ingenting lastet",
        "status": outcome.status,
        "is_demo": outcome.is_demo,
        "table_updated": outcome.updated.isoformat() if outcome.updated else "",
        "fetched_at": outcome.fetched_at.isoformat(),
        "query_hash": outcome.query_hash or "",
        "message": outcome.message,
    }


def _fetch(name: str, context: dg.AssetExecutionContext, settings: WorkforceSettings) -> Any:
    from pipelines.defs.failures import configuration_failures
    from pipelines.ssb.load import fetch_catalogue

    with configuration_failures():  # a bad WORKFORCE_SSB_MODE is not retried
        [outcome] = fetch_catalogue(settings.get(), table=name)
    if outcome.is_demo or outcome.status != "ok":
        context.log.warning(f"{name}: {outcome.message}")
    return outcome


def table_asset(spec: TableSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", f"ssb_{spec.name}"]),
        group_name=GROUP,
        description=f"SSB-tabell {spec.table_id}: {spec.title}.",
        # Shown in the UI, so in Norwegian; where the ids were verified stays in catalogue.toml.
        metadata={
            "ssb_tabell": spec.table_id,
            "formål": spec.purpose,
            "oppdateres": CADENCE_NB[spec.cadence],
        },
        kinds={"python", "duckdb"},
        freshness_policy=FRESHNESS,
        pool=POOL,
    )
    def _asset(context: dg.AssetExecutionContext, settings: WorkforceSettings) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=_metadata(_fetch(spec.name, context, settings)))

    return _asset


@dg.multi_asset(
    name="klass_131",
    group_name=GROUP,
    specs=[
        dg.AssetSpec(
            key=dg.AssetKey(["raw", table]),
            description=description,
            kinds={"python", "duckdb"},
            freshness_policy=FRESHNESS,
            metadata={"klass_klassifikasjon": "131"},
        )
        for table, description in zip(
            KLASS_TABLES,
            (
                "Kommunenumre fra KLASS 131 med gyldighetsperioder.",
                "Kodeendringer i KLASS 131, med vekt for hver del av en delt kommune.",
                "Hvert historiske eller gjeldende kommunenummer koblet til dagens nummer, med vekter.",
            ),
            strict=True,
        )
    ],
    pool=POOL,
)
def klass_131(context: dg.AssetExecutionContext, settings: WorkforceSettings):
    outcome = _fetch("klass", context, settings)
    for table in KLASS_TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", table]), metadata=_metadata(outcome))


ssb_assets = [table_asset(spec) for spec in load_catalogue().tables.values()]
assets = [klass_131, *ssb_assets]
