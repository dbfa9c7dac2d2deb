"""The real chain for small end-to-end tests: ingest_paths → SSB/KLASS snapshot → dbt build →
quality gate → published warehouse → county release (what `workforce demo` runs, on the
caller's files). Real DuckDB files, real dbt, real GX; nothing mocked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines.hr.ingest import DeliveryResult
from pipelines.quality.check_run import CheckRun
from pipelines.settings import Settings


@dataclass(frozen=True)
class ChainResult:
    deliveries: list[DeliveryResult]
    gate: CheckRun
    published: Path | None
    release: Path | None


def run_chain(settings: Settings, paths: Sequence[Path], *, publish: bool = True) -> ChainResult:
    """Ingest `paths` into `settings`' build database, then build, check and (when the gate
    is open and `publish`) publish the warehouse and the county release."""
    from pipelines.hr.ingest import ingest_paths
    from pipelines.indicators.build import run_dbt
    from pipelines.quality.check_run import run_all_checks
    from pipelines.release.make import make_release
    from pipelines.ssb.load import fetch_catalogue
    from pipelines.warehouse.publish import publish_database

    settings = replace(settings, ssb_mode="snapshot")
    settings.ensure_dirs()
    deliveries = ingest_paths(list(paths), settings) if paths else []
    fetch_catalogue(settings, mode="snapshot")
    target = settings.home / "dbt-target"
    run_dbt(["build", "--quiet"], settings.build_db_path, target_path=target, threads=1, check=False)
    gate = run_all_checks(settings, dbt_run_results=target / "run_results.json")
    if not (publish and gate.passed):
        return ChainResult(deliveries, gate, None, None)
    published = publish_database(settings.build_db_path, settings.published_db_path)
    release = make_release(settings, published)
    return ChainResult(deliveries, gate, published, release)
