"""dbt's documentation site as static files under `WORKFORCE_HOME/docs/`, refreshed on publish.

`dbt docs generate --static` (dbt ≥ 1.7) writes `static_index.html` with the manifest and
the catalog inlined: one file an analyst opens from disk, no server, no network. It is
copied to `docs/index.html` beside `manifest.json` and `catalog.json` (for tools), each
file replaced atomically, so a reader never opens half a page.

dbt runs against the build database (the catalog is read from it), in its own target
folder so the manifest Dagster loads from `dbt/target/` is never touched; dbt's partial
parse state is seeded from `dbt/target/` so the parse is incremental.

The site shows the project (models, columns, tests, descriptions) and the catalog (the
tables' columns and types; DuckDB gives dbt no table statistics). A new delivery changes
neither, so docs are regenerated only when their fingerprint — the project's files, dbt's
version and the build database's columns — differs from the installed one. That keeps a
per-delivery publish from paying ~10 s for identical pages.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.errors import WorkforceError
from pipelines.settings import Settings

DOC_FILES = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}
FINGERPRINT_FILE = ".fingerprint"
PROJECT_PARTS = ("dbt_project.yml", "models", "seeds", "macros", "tests", "snapshots", "analyses")


def docs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What the docs site depends on: the dbt project's files and dbt's version (the fingerprint
    the incremental plan also keeps), and the build database's columns."""
    from pipelines.warehouse.pending import project_fingerprint

    digest = hashlib.sha256(f"project {project_fingerprint()}\n".encode())
    for row in con.execute(
        "select table_schema, table_name, column_name, data_type, ordinal_position from information_schema.columns "
        "order by all"
    ).fetchall():
        digest.update(repr(row).encode())
    return digest.hexdigest()


def docs_are_current(docs_dir: Path, fingerprint: str) -> bool:
    marker = docs_dir / FINGERPRINT_FILE
    return (
        marker.is_file()
        and marker.read_text(encoding="ascii").strip() == fingerprint
        and all((docs_dir / name).is_file() for name in DOC_FILES.values())
    )


def docs_target_path(settings: Settings) -> Path:
    return settings.home / "dbt" / "docs-target"


def generate_docs(settings: Settings, build_db: Path | None = None) -> Path:
    """Run `dbt docs generate --static` on the build database; return the target folder."""
    from pipelines.indicators.build import run_dbt

    target = docs_target_path(settings)
    target.mkdir(parents=True, exist_ok=True)
    # run_dbt starts dbt from the last parse against this database (the build's, just before)
    run_dbt(["docs", "generate", "--static"], build_db or settings.build_db_path, target_path=target)
    missing = [name for name in DOC_FILES if not (target / name).is_file()]
    if missing:
        raise WorkforceError(f"dbt docs generate skrev ingen {', '.join(missing)} i {target}.")
    return target


def install_docs(target: Path, docs_dir: Path, fingerprint: str) -> Path:
    """Copy the generated files into `docs_dir`, each by write-then-rename; return index.html."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / FINGERPRINT_FILE).unlink(missing_ok=True)  # stale until every file is in
    for source_name, name in DOC_FILES.items():
        temporary = docs_dir / f".{name}.{os.getpid()}.tmp"
        try:
            shutil.copyfile(target / source_name, temporary)
            os.replace(temporary, docs_dir / name)
        finally:
            temporary.unlink(missing_ok=True)
    (docs_dir / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="ascii")
    return docs_dir / "index.html"
