"""The jobs a data engineer starts (or a sensor or schedule starts for them).

| job | what it runs |
| --- | --- |
| `ingest_deliveries` | the inbox ingestion and everything after it: dbt, the gate, publish (not the county release) |
| `ssb_refresh` | the SSB tables and KLASS (defined by the ssb area; `rebuild_after_ssb_refresh` follows it) |
| `rebuild_indicators` | dbt, the gate and publish, on what is already loaded |
| `publish` | the published warehouse and the county release |

Every job runs its steps in one process (SQLite run storage locks under parallel steps on
a small machine, and DuckDB takes one writer anyway), carries the writer tag so the run
queue starts one at a time, and retries a failed step once after a pause: the transient
failures here are a database lock held by a process outside Dagster, or SSB's network.
"""

from typing import Any

import dagster as dg

from pipelines.defs.hr.assets import hr_inbox
from pipelines.defs.orchestration.pools import WRITER_TAG
from pipelines.defs.warehouse.assets import PUBLISHED

RELEASE = dg.AssetKey("release")
DBT_GROUP = "dbt"

STEP_RETRY = dg.RetryPolicy(max_retries=1, delay=30)

INGEST_SELECTION = dg.AssetSelection.assets(hr_inbox).downstream() - dg.AssetSelection.assets(RELEASE)
REBUILD_SELECTION = dg.AssetSelection.groups(DBT_GROUP).downstream() - dg.AssetSelection.assets(RELEASE)


def warehouse_job(name: str, selection: dg.AssetSelection, description: str) -> Any:
    return dg.define_asset_job(
        name=name,
        selection=selection,
        description=description,
        executor_def=dg.in_process_executor,
        tags=WRITER_TAG,
        op_retry_policy=STEP_RETRY,
    )


ingest_deliveries_job = warehouse_job(
    "ingest_deliveries",
    INGEST_SELECTION,
    "Les inn leveranser fra innboksen (filene i kjøringens konfigurasjon, ellers alle), bygg indikatorene på nytt, "
    "kjør kvalitetsporten og publiser analysebasen. Innbokssensoren starter én kjøring per ny fil.",
)
rebuild_indicators_job = warehouse_job(
    "rebuild_indicators",
    REBUILD_SELECTION,
    "Bygg indikatorene på nytt med dbt, kjør kvalitetsporten og publiser, på data som allerede er lest inn.",
)
publish_job = warehouse_job(
    "publish",
    dg.AssetSelection.assets(PUBLISHED, RELEASE),
    "Publiser analysebasen og lag en fylkesleveranse fra gjeldende bygg (begge nektes så lenge siste "
    "resultat av en blokkerende sjekk er feilet).",
)

jobs = [ingest_deliveries_job, rebuild_indicators_job, publish_job]
