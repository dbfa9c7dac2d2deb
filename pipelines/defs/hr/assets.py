"""HR ingestion as Dagster assets: the inbox delivery run and the tables it writes.

One multi-asset, because one ingestion run writes all of them together, a batch of files per
transaction: the landing archive (`hr/landing`), the raw tables and the ledger. Deliveries are found in
`WORKFORCE_HOME/inbox/`; a run ingests the files named in its config (a sensor's choice) or
every file there. Files that loaded (or were already loaded) leave the inbox: their content
is archived as it was read (contract columns, ids replaced), and the original should not linger.
Rejected files stay for the sender to fix; the ledger says why.

(No `from __future__ import annotations` here: Dagster reads the config annotation at runtime.)
"""

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER
from pipelines.defs.resources import WorkforceSettings

GROUP = "hr"
LANDING = dg.AssetKey(["hr", "landing"])
RAW = {
    "employments": dg.AssetKey(["raw", "hr_employments"]),
    "postings": dg.AssetKey(["raw", "hr_postings"]),
    "backlog": dg.AssetKey(["raw", "hr_backlog"]),
}
DELIVERIES = dg.AssetKey(["audit", "deliveries"])
LOG_LINES_PER_EVENT = 100  # files described per log event of the run (rejected files: one each)
QUARANTINE = dg.AssetKey(["audit", "quarantine"])

_DESCRIPTIONS = {
    LANDING: "Leveranser fra innboksen, arkivert under landing/<sha256> slik de ble lest "
    "(kontraktens kolonner, fødselsnumre erstattet av person_key).",
    RAW["employments"]: "Arbeidsforhold, pseudonymisert; gjeldende versjon per arbeidsforhold.",
    RAW["postings"]: "Utlysninger; gjeldende versjon per annonse.",
    RAW["backlog"]: "Restanser per tjeneste og måned.",
    DELIVERIES: "Leveranseregisteret: én rad per fil, med avstemming lest = lastet + karantene + duplikater.",
    QUARANTINE: "Rader som ikke kunne lastes, med kolonne og årsak.",
}


class InboxConfig(dg.Config):
    """Which inbox files to ingest (names relative to the inbox; empty = all of them)."""

    # Descriptions are shown in the Launchpad, hence Norwegian.
    files: list[str] = Field(
        default=[], description="Filer i innboksen som skal leses inn (navn i innboksen); tom liste: alle."
    )
    keep_files: bool = Field(default=False, description="La filene ligge i innboksen etter innlesing.")


@dg.multi_asset(
    name="hr_inbox",
    specs=[
        dg.AssetSpec(
            key, group_name=GROUP, description=text, kinds={"duckdb"} if key != LANDING else {"file"}
        )
        for key, text in _DESCRIPTIONS.items()
    ],
    can_subset=False,
    description="Les inn innboksen: én rad i leveranseloggen per fil, gyldige rader til raw.*, resten i karantene.",
    op_tags={"workforce/writer": "build-db"},
    pool=WAREHOUSE_WRITER,
)
def hr_inbox(
    context: dg.AssetExecutionContext, config: InboxConfig, duckdb: DuckDBResource, settings: WorkforceSettings
):
    """Ingest the inbox: one ledger row per file, valid rows into raw.*, the rest in quarantine."""
    from pipelines.defs.failures import configuration_failures
    from pipelines.hr.ingest import expand, ingest_paths
    from pipelines.hr.report import describe

    run_settings = settings.get()
    with configuration_failures():  # no secret: the run's headline, never retried
        run_settings.secret()
    run_settings.ensure_dirs()
    inbox = run_settings.inbox_dir
    files = expand([inbox / name for name in config.files] if config.files else [inbox])
    with configuration_failures():  # a secret that is not the warehouse's (pipelines/hr/key_fingerprint.py)
        results = ingest_paths(files, run_settings)
    # A rejected file is a warning of its own; the others' lines go into the run's log a
    # batch at a time (one log event per file cost a Dagster event write each).
    taken: list[str] = []
    for source, result in zip(files, results, strict=True):
        line = _plain(describe(result))
        if result.outcome == "rejected":
            context.log.warning(line)
        else:
            taken.append(line)
        if result.outcome in ("loaded", "already_loaded") and not config.keep_files:
            source.unlink(missing_ok=True)
    for start in range(0, len(taken), LOG_LINES_PER_EVENT):
        context.log.info("\n".join(taken[start : start + LOG_LINES_PER_EVENT]))

    with duckdb.get_connection() as con:
        counts = {
            kind: con.execute(f"select count(*) from {key.path[0]}.{key.path[1]}").fetchone()[0]
            for kind, key in RAW.items()
        }
        ledger = con.execute(
            "select count(*), count(*) filter (outcome = 'rejected'), sum(rows_quarantined) "
            "from audit.deliveries"
        ).fetchone()
        quarantined = con.execute("select count(*) from audit.quarantine").fetchone()[0]

    outcomes = {
        o: sum(1 for r in results if r.outcome == o) for o in ("loaded", "rejected", "already_loaded")
    }
    yield dg.MaterializeResult(
        asset_key=LANDING,
        metadata={
            "files": len(results),
            **{f"files_{k}": v for k, v in outcomes.items()},
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results),
            "rows_unknown_position_code": sum(r.rows_unknown_code for r in results),
        },
    )
    for kind, key in RAW.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "row_count": dg.MetadataValue.int(counts[kind]),
                "rows_loaded_this_run": sum(r.rows_loaded for r in results if r.kind == kind),
            },
        )
    yield dg.MaterializeResult(
        asset_key=DELIVERIES,
        metadata={
            "deliveries": int(ledger[0]),
            "rejected": int(ledger[1]),
            "rows_quarantined": int(ledger[2] or 0),
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE, metadata={"row_count": dg.MetadataValue.int(quarantined)}
    )


def _plain(markup: str) -> str:
    from rich.text import Text

    return Text.from_markup(markup).plain
