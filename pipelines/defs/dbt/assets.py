"""dbt models, seeds and tests as Dagster assets and asset checks.

`WorkforceDbtTranslator` is the one place that maps dbt nodes to asset keys: sources land on
the keys the ingestion and SSB areas materialise (`raw/hr_employments`, `raw/ssb_population`,
`audit/deliveries`, ...), so the asset graph runs from delivered files to marts in one line;
models and seeds are keyed by schema (`marts/fct_indicators`, `seeds/regions`).
"""

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets
from pydantic import Field

from pipelines.defs.dbt.lean import DbtCli
from pipelines.defs.dbt.project import manifest_path, workforce_dbt_project
from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER

DBT_GROUP = "dbt"
# The job whose dbt step rebuilds only the years its deliveries made stale.
INCREMENTAL_JOB = "ingest_deliveries"
# Every asset that writes the build database shares this pool (one DuckDB writer at a time).
WRITER_POOL = WAREHOUSE_WRITER
# How the pipeline's `dbt build` differs from a developer's (issue 16.4, measured in CPU seconds
# of the demo's dbt step):
# - dbt's unit tests are development tests: they check the models' logic on fixed inputs, not
#   the data, so a production build leaves them out, as dbt's docs advise (~1 CPU-s). Every
#   golden build of tests/dbt runs them (`dbt build` with every resource type), and dagster-dbt
#   never made them asset checks, so no check disappears.
# - dbt's own log file (`dbt.log` in the invocation's target folder) at `info`, not `debug`:
#   the debug lines (every statement, every cache and connection event) cost ~0.5 CPU-s per
#   build; the run's log keeps dbt's `info` output as before.
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]


class WorkforceDbtTranslator(DagsterDbtTranslator):
    """dbt node -> Dagster asset key and group."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # source `raw`.`hr_employments` -> raw/hr_employments (the ingestion's asset)
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return DBT_GROUP

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """Norwegian, like everything the UI shows; the dbt docs (English, for developers and
        analysts reading SQL) keep the grain and column definitions."""
        name = dbt_resource_props["name"]
        if dbt_resource_props["resource_type"] == "source":
            return f"Kildetabell {dbt_resource_props['source_name']}.{name}, lest av dbt."
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        layer = LAYER_WORDS.get(schema, f"dbt-modell i skjemaet {schema}")
        return f"{layer} {name}, bygget av dbt. Kolonner og definisjoner: dbt-dokumentasjonen (WORKFORCE_HOME/docs/)."

    def get_asset_check_spec(self, asset_spec: Any, manifest: Any, unique_id: str, project: Any) -> Any:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        test = manifest["nodes"].get(unique_id, {})
        meta = test.get("test_metadata") or {}
        column = (meta.get("kwargs") or {}).get("column_name") or test.get("column_name")
        title = ((test.get("config") or {}).get("meta") or {}).get("title")
        if title:  # the Norwegian title the yml gives the test (issue 15)
            return spec._replace(description=title)
        text = TEST_WORDS.get(meta.get("name", ""), "dbt-testen {test} er oppfylt")
        return spec._replace(description=text.format(column=column or "kolonnen", test=spec.name))


LAYER_WORDS = {
    "staging": "Staging-visning",
    "intermediate": "Mellomtabell",
    "marts": "Analysetabell (mart)",
    "seeds": "Referansetabell (seed)",
}
TEST_WORDS = {
    "unique": "Verdiene i {column} er unike",
    "not_null": "{column} har alltid en verdi",
    "accepted_values": "{column} har bare tillatte verdier",
    "relationships": "Hver verdi i {column} finnes i tabellen den viser til",
    "unique_combination_of_columns": "Kombinasjonen av nøkkelkolonnene er unik",
    "grain": "Nøkkelkolonnene er aldri tomme, og hver kombinasjon står på én rad",
}


class IndicatorYears(dg.Config):
    """A range of years to rebuild (both included); none: rebuild every year.

    In the UI: Launchpad of `rebuild_indicators`, `ops: workforce_dbt: config: {from_year: 2021,
    to_year: 2022}`; on the command line `workforce run --years 2021-2022`."""

    # Descriptions are shown in the Launchpad, hence Norwegian.
    from_year: int | None = Field(default=None, description="Første år som bygges på nytt (året tas med).")
    to_year: int | None = Field(default=None, description="Siste år som bygges på nytt (året tas med).")


translator = WorkforceDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=manifest_path(),
    project=workforce_dbt_project,
    dagster_dbt_translator=translator,
    name="workforce_dbt",
    pool=WRITER_POOL,
    op_tags={"workforce/writer": "true"},
)
def workforce_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCli, config: IndicatorYears
) -> Iterator[Any]:
    """`dbt build` av de valgte modellene: hver modell blir en materialisering og hver dbt-test en
    sjekk på modellen sin. Med et årsintervall bygges bare de årene på nytt i modellene som har år."""
    # The docstring above is the step's description in the Dagster UI (dbt_assets takes no
    # `description`), hence Norwegian. `dbt build` results stream back as materialisations, and
    # every dbt test (generic, custom and unit) as an asset check on its model. With a year
    # range, the year-grained models replace only those years (dbt/macros/year_slices.sql). The
    # `dbt` resource knows the build database (pipelines/defs/resources.py); nothing here touches
    # the environment.
    build_db = dbt.database()
    args = list(PRODUCTION_BUILD)
    if config.from_year is not None or config.to_year is not None:
        from pipelines.errors import WorkforceError
        from pipelines.orchestration.years import check_range, dbt_vars, require_full_build

        try:
            first, last = check_range(config.from_year or config.to_year, config.to_year or config.from_year)
            require_full_build(build_db)
        except WorkforceError as refused:  # a verdict on the request: retrying cannot help
            raise dg.Failure(description=str(refused), allow_retries=False) from None
        context.log.info(f"rebuilding the indicators of {first}-{last}; other years stay as they are")
        args += ["--vars", dbt_vars(first, last)]
        yield from _build_and_record(context, dbt, args, build_db)
        return
    # A delivery run rebuilds the years its loads made stale; every other run rebuilds all.
    from pipelines.orchestration.incremental import build_plan, record_build

    plan, started = build_plan(build_db, incremental=context.run.job_name == INCREMENTAL_JOB)
    context.log.info(f"dbt build: {plan.mode} ({plan.reason})")
    if (slice_vars := plan.dbt_vars()) is not None:  # a range or slice (dbt/macros/year_slices.sql)
        args += ["--vars", slice_vars]
    selected = set(context.selected_asset_keys)
    every = set(workforce_dbt_models.keys)  # the whole project (context.assets_def is the subset)
    # the docs are made from a complete build without vars (pipelines/warehouse/docs.py)
    for_docs = selected >= every and "--vars" not in args
    yield from _build_and_record(context, dbt, args, build_db, keep_for_docs=for_docs)
    record_build(
        build_db,
        plan,
        started,
        context.run.run_id,
        complete=selected >= every,
        covers_pending=selected >= _downstream_of_hr(workforce_dbt_models),
    )


def _build_and_record(
    context: dg.AssetExecutionContext, dbt: DbtCli, args: list[str], build_db: Path, *, keep_for_docs: bool = False
) -> Iterator[Any]:
    """Stream `dbt build`, then record its test results in `audit.check_results` (with the
    failing rows the tests stored), failed build or not: the quality gate and its report read
    the dbt tests from there, as they read the SQL checks and GX suites (issue 15). dbt's parse
    state is kept for the next dbt step against this database (the next run: see
    `pipelines.indicators.build.parse_state_path`), and with `keep_for_docs` the manifest of a
    build that succeeded, for the docs of the next publish."""
    from pipelines.indicators.build import keep_partial_parse

    if set(context.selected_asset_keys) != set(workforce_dbt_models.keys):
        _source_tests_first(context, build_db)
    invocation = dbt.cli(args, context=context)
    try:
        yield from invocation.stream()
        if keep_for_docs:
            from pipelines.warehouse.docs import keep_build_manifest

            keep_build_manifest(invocation.target_path, build_db)
    finally:
        keep_partial_parse(invocation.target_path, build_db)
        _record_tests(context, build_db, invocation.target_path / "run_results.json")


def _record_tests(context: dg.AssetExecutionContext, build_db: Path, run_results: Path) -> list[Any]:
    from pipelines.quality.results import record_dbt_results
    from pipelines.warehouse.connection import connect

    if not run_results.is_file():
        context.log.warning(f"dbt wrote no {run_results}: its tests are not in the quality gate")
        return []
    with connect(build_db) as con:
        recorded = record_dbt_results(con, context.run.run_id, run_results)
    context.log.info(f"recorded {len(recorded)} dbt test results in audit.check_results")
    return recorded


def _source_tests_first(context: dg.AssetExecutionContext, build_db: Path) -> None:
    """The tests on the sources (raw HR, SSB, KLASS, the ledger), before any model is built.

    A whole-project `dbt build` runs them first and skips what reads a failing source. In a
    subset (the ingest job builds what lies downstream of the HR tables) dagster-dbt selects
    the chosen models and their own tests only, so the sources' tests run here, and a failed
    blocking one stops the step as it would stop `dbt build`."""
    import tempfile

    from pipelines.indicators.build import run_dbt

    target = Path(tempfile.mkdtemp(prefix="workforce-source-tests-"))
    # cautious: only tests whose every parent is a source (one that also reads a seed, like the
    # KS position-code list, runs with the next whole build)
    args = ["test", "--select", "source:*", "--indirect-selection", "cautious"]
    run_dbt(args, build_db, target_path=target, check=False)
    if not (target / "run_results.json").is_file():  # dbt did not get to run them: fail closed
        raise dg.Failure(description="dbt kunne ikke kjøre testene på kildetabellene.", allow_retries=False)
    blocking = [r for r in _record_tests(context, build_db, target / "run_results.json") if r.blocking_failure]
    shutil.rmtree(target, ignore_errors=True)
    if blocking:
        raise dg.Failure(
            description="Blokkerende tester på kildetabellene feilet: "
            + "; ".join(f"{r.check_name} ({r.message})" for r in blocking[:10]),
            allow_retries=False,
        )


def _downstream_of_hr(assets_def: dg.AssetsDefinition) -> set[dg.AssetKey]:
    """The dbt assets a load can change: everything downstream of the HR sources and the ledger."""
    sources = {
        dg.AssetKey(["raw", "hr_employments"]),
        dg.AssetKey(["raw", "hr_postings"]),
        dg.AssetKey(["raw", "hr_backlog"]),
        dg.AssetKey(["audit", "deliveries"]),
    }
    deps = assets_def.asset_deps
    found: set[dg.AssetKey] = set()
    changed = True
    while changed:
        changed = False
        for key, upstream in deps.items():
            if key not in found and (set(upstream) & (sources | found)):
                found.add(key)
                changed = True
    return found
