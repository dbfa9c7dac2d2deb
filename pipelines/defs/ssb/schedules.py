"""A monthly refresh of every SSB table and KLASS.

Monthly is frequent enough for tables SSB updates yearly or quarterly (each fetch is cheap,
cached, and `updated` tells which SSB version was used) and rare enough to stay far from
SSB's rate limit.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ssb.assets import GROUP

ssb_refresh_job = dg.define_asset_job(
    name="ssb_refresh",
    selection=dg.AssetSelection.groups(GROUP),
    description="Hent SSB-tabellene i katalogen og KLASS 131 til raw.* (modus auto faller tilbake på hurtigbufferen).",
    tags={"workforce/writer": "duckdb"},
)

ssb_monthly = dg.ScheduleDefinition(
    name="ssb_monthly",
    job=ssb_refresh_job,
    cron_schedule="0 6 3 * *",  # 06:00 on the 3rd: after SSB's 05:00 metadata refresh, away from 08:00
    execution_timezone="Europe/Oslo",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Månedlig oppdatering av SSB-tabellene og KLASS (den 3. kl. 06.00 norsk tid).",
)
