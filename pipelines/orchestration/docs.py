"""dbt's documentation site as static files under `WORKFORCE_HOME/docs/`, refreshed on publish.

`dbt docs generate --static` (dbt ≥ 1.7) writes `static_index.html` with the manifest and
the catalog inlined: one file an analyst opens from disk, no server, no network. It is
copied to `docs/index.html` beside `manifest.json` and `catalog.json` (for tools), each
file replaced atomically, so a reader never opens half a page.

dbt runs against the build database (the catalog is read from it), in its own target
folder so the manifest Dagster loads from `dbt/target/` is never touched; dbt's partial
parse state is seeded from `dbt/target/` so the parse is incremental.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.errors import WorkforceError
from pipelines.settings import DBT_PROJECT_DIR, Settings

DOC_FILES = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}


def docs_target_path(settings: Settings) -> Path:
    return settings.home / "dbt" / "docs-target"


def _seed_partial_parse(target: Path) -> None:
    """Start from the prepared project's parse state (dbt re-parses only what changed)."""
    source = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if source.is_file() and not (target / "partial_parse.msgpack").is_file():
        shutil.copyfile(source, target / "partial_parse.msgpack")


def generate_docs(settings: Settings, build_db: Path | None = None) -> Path:
    """Run `dbt docs generate --static` on the build database; return the target folder."""
    from pipelines.indicators.build import run_dbt

    target = docs_target_path(settings)
    target.mkdir(parents=True, exist_ok=True)
    _seed_partial_parse(target)
    run_dbt(["docs", "generate", "--static"], build_db or settings.build_db_path, target_path=target)
    missing = [name for name in DOC_FILES if not (target / name).is_file()]
    if missing:
        raise WorkforceError(f"dbt docs generate wrote no {', '.join(missing)} in {target}.")
    return target


def install_docs(target: Path, docs_dir: Path) -> Path:
    """Copy the generated files into `docs_dir`, each by write-then-rename; return index.html."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    for source_name, name in DOC_FILES.items():
        temporary = docs_dir / f".{name}.{os.getpid()}.tmp"
        try:
            shutil.copyfile(target / source_name, temporary)
            os.replace(temporary, docs_dir / name)
        finally:
            temporary.unlink(missing_ok=True)
    return docs_dir / "index.html"
