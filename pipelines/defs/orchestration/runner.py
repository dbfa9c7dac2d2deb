"""`workforce run`: a Dagster run in this process, from the same definitions, with progress.

Headless use (cron, a shell over SSH, CI) gets exactly what the UI would run: the code
location's assets, checks, resources and jobs, the instance under `WORKFORCE_HOME/dagster`
(so the run, its events and check results show in the UI afterwards) and the same pool
limits, which also hold against runs the daemon started. Events reach the display through
an instance listener as Dagster stores them.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from rich.console import Console

from pipelines.defs.orchestration.pools import WRITER_TAG
from pipelines.errors import WorkforceError

CLI_JOB = "workforce_run"
# What `workforce run` materialises when given neither --select nor --job: the whole
# warehouse (SSB, the inbox, dbt, the gate, publish), but not a county release, which is
# a decision of its own (`workforce publish` or the `publish` job).
DEFAULT_SELECTION = "* and not key:release"
DBT_OP = "workforce_dbt"
QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    materialised: list[str] = field(default_factory=list)
    failed_checks: list[tuple[str, str, str]] = field(default_factory=list)
    failed_steps: list[tuple[str, str]] = field(default_factory=list)
    reaped: list[str] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)  # asset -> the path its materialisation names


def _first_line(text: str, limit: int = 300) -> str:
    """The message on one line (some errors wrap their first sentence), cut to `limit`."""
    from pipelines.hr.fnr import redact

    lines = [part.strip() for part in text.strip().splitlines() if part.strip()]
    line = " ".join(lines[:4]) if lines and not lines[0].endswith((".", ":")) else (lines[0] if lines else "")
    return redact(line)[:limit]


def _error_text(error: Any) -> str:
    """The innermost cause of a step failure: Dagster wraps the asset's own exception in
    "Error occurred while executing op ..."; the user needs the asset's message."""
    if error is None:
        return "failed"
    while error.cause is not None:
        error = error.cause
    message = _first_line(error.message)
    if error.cls_name:  # "pipelines.errors.WorkforceError: text" -> "text"
        message = re.sub(rf"^(?:[\w.]+\.)?{re.escape(error.cls_name)}: ", "", message)
    return message


def resolve_job(defs: dg.Definitions, select: str | None, job: str | None) -> Any:
    """The job to run: a named one, or an asset job over the selection (Dagster's syntax)."""
    if select and job:
        raise WorkforceError("Gi enten --select eller --job, ikke begge.")
    if job:
        names = sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))
        if job not in names:
            raise WorkforceError(f"Ingen jobb heter {job!r}; jobbene er {', '.join(names)}.")
        return defs.resolve_job_def(job)
    text = select or DEFAULT_SELECTION
    try:
        with warnings.catch_warnings():  # `*` resolves through a beta parameter; the user cannot act on that
            warnings.simplefilter("ignore", dg.BetaWarning)
            selection = dg.AssetSelection.from_string(text)
            keys = selection.resolve(defs.resolve_asset_graph())
    except Exception as error:  # Dagster raises several types for a bad selection
        raise WorkforceError(f"--select {text!r} er ikke et gyldig utvalg: {_first_line(str(error))}") from None
    if not keys:
        raise WorkforceError(f"--select {text!r} velger ingen eiendeler.")
    run_job = dg.define_asset_job(CLI_JOB, selection=selection, executor_def=dg.in_process_executor, tags=WRITER_TAG)
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[run_job])).resolve_job_def(CLI_JOB)


def run_resources(settings: Any) -> dict[str, Any]:
    """Resources bound to this run's settings (`pipelines.defs.resources`). The code location
    builds its resources once per process; a process that runs for several WORKFORCE_HOMEs
    (tests, benchmarks, the demo's snapshot mode) must not write through ones built for another."""
    from pipelines.defs.resources import workforce_resources

    return workforce_resources(settings)


def prepare_instance(settings: Any) -> dg.DagsterInstance:
    """The Dagster instance under `settings.home` (with the repo's dagster.yaml): the one the UI
    and the daemon of that home use, so every run shows there."""
    settings.prepare_dagster_home()
    settings.ensure_dirs()
    return dg.DagsterInstance.get()


def run_selection(
    selection: str | None = None,
    *,
    job: str | None = None,
    settings: Any = None,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    instance: dg.DagsterInstance | None = None,
) -> Any:
    """Run a selection of the code location's assets (Dagster's selection syntax, e.g.
    `group:dbt`, `key:quality/gate`) or a named job, in this process, quietly, with the
    resources of `settings` (default: the environment's) and the instance of its home.

    The one function for programs that need a run of part of the job without a display: the
    benchmarks time stages with it (each stage is a selection of the same assets `workforce
    run`, the sensor and the demo run). Returns Dagster's `ExecuteInProcessResult`."""
    from pipelines.definitions import defs
    from pipelines.settings import get_settings

    settings = settings or get_settings()
    instance = instance or prepare_instance(settings)
    job_def = resolve_job(defs, selection, job)
    return job_def.execute_in_process(
        run_config={**QUIET_LOGGERS, **(run_config or {})},
        instance=instance,
        tags={**WRITER_TAG, **(tags or {})},
        raise_on_error=False,
        resources=run_resources(settings),
    )


def job_size(job_def: Any) -> tuple[int, int]:
    """(assets, checks) the job will execute."""
    layer = job_def.asset_layer
    assets = len(layer.executable_asset_keys)
    checks = len(layer.asset_graph.asset_check_keys)
    return assets, checks


class _Listener:
    """Turns stored Dagster events into display calls."""

    def __init__(self, display: Any) -> None:
        self.display = display

    def __call__(self, entry: Any) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type
        step = event.step_key or ""
        if kind == dg.DagsterEventType.STEP_START:
            self.display.step_started(step)
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            self.display.step_finished(step)
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error if event.step_failure_data else None
            self.display.step_failed(step, _error_text(error))
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            self.display.step_skipped(step)
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            metadata = event.event_specific_data.materialization.metadata
            path = metadata.get("path")
            self.display.asset_materialised(event.asset_key.to_user_string(), getattr(path, "value", None))
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            self.display.check_evaluated(
                evaluation.check_name,
                evaluation.asset_key.to_user_string(),
                bool(evaluation.passed),
                evaluation.severity.value,
            )


def run_in_process(
    console: Console,
    *,
    select: str | None = None,
    job: str | None = None,
    years: str | None = None,
    tags: Mapping[str, str] | None = None,
    run_config: Mapping[str, Any] | None = None,
    settings: Any = None,
    title: str | None = None,
) -> RunOutcome:
    """Materialise through Dagster in this process; the display follows the run's events.

    `years` ("2021" or "2019-2021") rebuilds only those years of the indicators (the dbt step's
    config; the job defaults to `rebuild_indicators`). `settings` (default: the environment's)
    reach the assets as resources; the demo passes its snapshot-mode settings this way."""
    from dagster._core.utils import make_new_run_id

    from pipelines.defs.orchestration.stale_runs import reap_stale_runs
    from pipelines.orchestration.progress import RunDisplay
    from pipelines.settings import get_settings

    settings = settings or get_settings()
    instance = prepare_instance(settings)
    reaped = reap_stale_runs(instance)
    for run in reaped:
        console.print(
            f"[yellow]kjøring {run.run_id} ({run.job_name}) var død (prosess {run.pid}); markert som feilet[/yellow]",
            highlight=False,
        )

    from pipelines.definitions import defs

    extra_tags: dict[str, str] = {}
    if years:
        from pipelines.orchestration.years import parse_years

        first, last = parse_years(years)
        job = job if (job or select) else "rebuild_indicators"
        run_config = {**(run_config or {}), "ops": {DBT_OP: {"config": {"from_year": first, "to_year": last}}}}
        extra_tags["workforce/years"] = f"{first}-{last}"
    job_def = resolve_job(defs, select, job)
    if years and DBT_OP not in {node.name for node in job_def.nodes_in_topological_order}:
        raise WorkforceError("--years bygger dbt-modellene på nytt, men jobben eller utvalget tar ikke med dem.")
    assets, checks = job_size(job_def)
    run_id = make_new_run_id()
    run_tags = {
        **WRITER_TAG,
        "workforce/trigger": "cli",
        "workforce/host": platform.node(),
        "workforce/pid": str(os.getpid()),
        # A run of this process cannot be re-launched by the daemon; `workforce run` again does it.
        "dagster/max_retries": "0",
        **extra_tags,
        **(tags or {}),
    }
    config = {**QUIET_LOGGERS, **(run_config or {})}
    title = title or job or (select and f"--select {select}") or "warehouse"
    if years:
        title += f" ({extra_tags['workforce/years']})"
    # dagster-dbt echoes dbt's log to stdout (for compute logs); here it goes to a file and
    # the display keeps the terminal, bound to the real stdout before the redirect.
    log_path = settings.home / "logs" / f"run-{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if console.file is sys.stdout:
        console = Console(file=sys.stdout, force_terminal=console.is_terminal, width=console.width)
    display = RunDisplay(console, title, assets, checks, watch={"release": settings.releases_dir})
    instance.add_event_listener(run_id, _Listener(display))
    with display, open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job_def.execute_in_process(
            run_config=config,
            instance=instance,
            run_id=run_id,
            tags=run_tags,
            raise_on_error=False,
            resources=run_resources(settings),
        )
    extra = {"logg": str(log_path)}
    if any(key == "published_warehouse" for key in display.tally.assets_done):
        extra["analysebase"] = str(settings.published_db_path)
        extra["dokumentasjon"] = str(settings.docs_dir / "index.html")
    if "release" in display.tally.paths:
        extra["fylkesleveranse"] = display.tally.paths["release"]
    display.summary(run_id, result.success, extra)
    return RunOutcome(
        run_id=run_id,
        success=result.success,
        materialised=list(display.tally.assets_done),
        failed_checks=list(display.tally.checks_failed),
        failed_steps=list(display.tally.steps_failed),
        reaped=[run.run_id for run in reaped],
        paths=dict(display.tally.paths),
    )


def retry_delivery(console: Console, file: Path) -> RunOutcome:
    """Run `ingest_deliveries` again for one inbox file, with the sensor's tags and config:
    after a failed run its sha256 run key is used, so the sensor will not request it again."""
    from pipelines.defs.orchestration.sensors import inbox_run_request
    from pipelines.orchestration.inbox import is_candidate, sha256_of
    from pipelines.settings import get_settings

    inbox = get_settings().inbox_dir
    path = file if file.is_absolute() or file.parent != Path(".") else inbox / file
    if not path.exists() and (inbox / file.name).exists():
        path = inbox / file.name
    if path.resolve().parent != inbox.resolve():
        raise WorkforceError(
            f"{file} ligger ikke i innboksen ({inbox}). Legg filen der (sensoren tar den da selv), "
            "eller les den inn direkte med `workforce ingest`."
        )
    from pipelines.hr.fnr import redact

    if not is_candidate(path):
        raise WorkforceError(f"Finner ingen leveranse {redact(path.name)} i innboksen {inbox}.")
    if redact(path.name) != path.name:  # the name would be stored in Dagster's run storage
        raise WorkforceError("Filnavnet ser ut til å inneholde et fødselsnummer; gi filen nytt navn først.")
    request = inbox_run_request(path.name, sha256_of(path))
    tags = {**request.tags, "workforce/trigger": "retry"}
    console.print(f"Kjører leveransen {path.name} på nytt (jobb ingest_deliveries).", highlight=False)
    return run_in_process(console, job="ingest_deliveries", tags=tags, run_config=request.run_config)
