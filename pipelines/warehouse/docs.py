"""dbt's documentation site as static files under `WORKFORCE_HOME/docs/`, refreshed on publish.

`dbt docs generate --static` (dbt ≥ 1.7) writes `static_index.html` with the manifest and
the catalog inlined: one file an analyst opens from disk, no server, no network. It is
copied to `docs/index.html` beside `manifest.json` and `catalog.json` (for tools), each
file replaced atomically, so a reader never opens half a page.

Two ways to the same three files (issue 16.4):
- **From the last full build** (the usual way, well under a CPU second instead of ~5): a
  complete `dbt build` without `--vars` has compiled every node exactly as `docs generate`
  compiles it, so its manifest, kept beside the build database (`keep_build_manifest`), is
  the docs' manifest once the traces of running differ no more (`docs_manifest`: the run
  folder, the compiled files' folder, the three macros dbt's test materialisation adds to each
  test). The catalog is dbt-duckdb's catalog query, run here on the build database
  (`catalog`), and the page is dbt's `index.html` with both inlined, as `--static` does.
  `tests/dbt/test_dbt_docs.py` holds all three equal to dbt's own output on the golden build.
- **`dbt docs generate --static`** when no such manifest fits the project (a project changed
  since the last full build, a range build only, a failed build): dbt runs against the build
  database in its own target folder, so the manifest Dagster loads from `dbt/target/` is
  never touched, starting from the last parse against the same database.

The site shows the project (models, columns, tests, descriptions) and the catalog (the
tables' columns and types; DuckDB gives dbt no table statistics). A new delivery changes
neither, so docs are regenerated only when their fingerprint — the project's files, dbt's
version and the build database's columns — differs from the installed one. That keeps a
per-delivery publish from paying ~10 s for identical pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

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
    """The docs' files in the target folder, from the last full build when it fits the project,
    else by `dbt docs generate --static` on the build database; return the target folder."""
    build_db = build_db or settings.build_db_path
    target = docs_target_path(settings)
    target.mkdir(parents=True, exist_ok=True)
    manifest = kept_build_manifest(build_db)
    if manifest is not None:
        write_docs(docs_manifest(manifest, target), build_db, target)
    else:
        from pipelines.indicators.build import run_dbt

        # run_dbt starts dbt from the last parse against this database (the build's, just before)
        run_dbt(["docs", "generate", "--static"], build_db, target_path=target)
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


# --- the docs from the last full build ------------------------------------------------------
KEPT_MANIFEST = "dbt_build_manifest.json"
# What dbt's test materialisation adds to every test's `depends_on.macros` when the test runs
# (dbt-core 1.11, `materialization_test_default`); `docs generate` only compiles the tests.
TEST_RUN_MACROS = frozenset(
    {"macro.dbt.should_store_failures", "macro.dbt.statement", "macro.dbt.get_limit_subquery_sql"}
)
# Node types `docs generate` compiles; a kept manifest must hold them all compiled.
COMPILED_TYPES = frozenset({"model", "test", "snapshot", "analysis"})
CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"


def kept_manifest_paths(build_db: Path) -> tuple[Path, Path]:
    """The kept manifest of the last full build of `build_db`, and its note (which project and
    which dbt run folder it comes from), both beside the database."""
    kept = Path(build_db).resolve().parent / KEPT_MANIFEST
    return kept, kept.with_suffix(".note.json")


def keep_build_manifest(target_path: Path, build_db: Path) -> None:
    """Keep the manifest of a complete `dbt build` without `--vars` that succeeded, for the
    docs of the next publish. Nothing else may call it: a range build compiles the year-sliced
    models for its years, a partial build leaves nodes uncompiled."""
    from pipelines.warehouse.pending import project_fingerprint

    source = Path(target_path) / "manifest.json"
    if not source.is_file() or not Path(build_db).parent.is_dir():
        return
    kept, note = kept_manifest_paths(build_db)
    note.unlink(missing_ok=True)  # no note, no kept manifest: a half-kept pair is never used
    _replace(kept, source.read_bytes())
    with source.open("rb") as handle:
        invocation = json.load(handle)["metadata"]["invocation_id"]
    record = {
        "project": project_fingerprint(),
        "target_path": str(Path(target_path)),  # as dbt was given it
        "invocation": invocation,
    }
    _replace(note, json.dumps(record).encode())


def kept_build_manifest(build_db: Path) -> dict[str, Any] | None:
    """The kept manifest when it fits: the same project files and dbt version as now, every
    node `docs generate` compiles compiled, its note about the same dbt run; else None."""
    from pipelines.warehouse.pending import project_fingerprint

    kept, note_path = kept_manifest_paths(build_db)
    if not (kept.is_file() and note_path.is_file()):
        return None
    note = json.loads(note_path.read_text(encoding="utf-8"))
    if note.get("project") != project_fingerprint():
        return None
    manifest = json.loads(kept.read_text(encoding="utf-8"))
    if manifest["metadata"].get("invocation_id") != note.get("invocation"):
        return None
    if not all(node.get("compiled") for node in manifest["nodes"].values() if node["resource_type"] in COMPILED_TYPES):
        return None
    manifest["_build_target"] = note["target_path"]
    return manifest


def docs_manifest(manifest: dict[str, Any], target: Path) -> dict[str, Any]:
    """The build's manifest as `dbt docs generate` in `target` writes it: no run folder, the
    compiled files under `target`, the tests without the macros running them added, and each
    on-run-start hook with the index it was parsed with (running it renumbers it from 1; the
    parsed index ends its unique id: `operation.workforce.workforce-on-run-start-0`)."""
    build_target = manifest.pop("_build_target")
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "operation":
            node["index"] = int(unique_id.rsplit("-", 1)[1])
        if "build_path" in node:
            node["build_path"] = None
        path = node.get("compiled_path")
        if path and path.startswith(build_target + os.sep):
            node["compiled_path"] = str(target) + path[len(build_target) :]
        if node["resource_type"] == "test":
            depends = node["depends_on"]
            depends["macros"] = [m for m in depends["macros"] if m not in TEST_RUN_MACROS]
    return manifest


def catalog(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> dict[str, Any]:
    """dbt's catalog.json of the nodes and sources in `manifest`, read from the database as
    dbt-duckdb's `get_catalog` reads it (tables and views with their columns, in its order)."""
    node_map: dict[tuple[str, str, str], str] = {}
    source_map: dict[tuple[str, str, str], list[str]] = {}
    databases = set()
    for unique_id, node in manifest["nodes"].items():
        node_map[_relation_key(node)] = unique_id
        databases.add(node["database"])
    for unique_id, source in manifest["sources"].items():
        source_map.setdefault(_relation_key(source), []).append(unique_id)
    rows = con.execute(
        """
        with tables as (
            select database_name, schema_name, table_name, 'BASE TABLE' as table_type, comment
            from duckdb_tables()
            union all
            select database_name, schema_name, view_name, 'VIEW', comment from duckdb_views()
        )
        select t.database_name, t.schema_name, t.table_name, t.table_type, t.comment,
               c.column_name, c.column_index, c.data_type, c.comment
        from tables t
        join duckdb_columns() c using (database_name, schema_name, table_name)
        where list_contains(?, upper(t.database_name))
        order by t.schema_name, t.table_name, c.column_index
        """,
        [sorted(name.upper() for name in databases if name)],
    ).fetchall()
    tables: dict[tuple[str, str, str], dict[str, Any]] = {}
    for database, schema, name, kind, comment, column, index, data_type, column_comment in rows:
        key = (database, schema, name)
        if key not in tables:
            tables[key] = {
                "metadata": {
                    "type": kind,
                    "schema": schema,
                    "name": name,
                    "database": database,
                    "comment": comment,
                    "owner": None,
                },
                "columns": {},
                "stats": {
                    "has_stats": {
                        "id": "has_stats",
                        "label": "Has Stats?",
                        "value": False,
                        "include": False,
                        "description": "Indicates whether there are statistics for this table",
                    }
                },
                "unique_id": None,
            }
        tables[key]["columns"][column] = {
            "type": data_type,
            "index": int(index),
            "name": column,
            "comment": column_comment,
        }
    nodes: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    for key, table in tables.items():
        if key in node_map:
            nodes[node_map[key]] = {**table, "unique_id": node_map[key]}
        for unique_id in source_map.get(key, []):
            sources[unique_id] = {**table, "unique_id": unique_id}
    meta = manifest["metadata"]
    return {
        "metadata": {
            "dbt_schema_version": CATALOG_SCHEMA,
            "dbt_version": meta["dbt_version"],
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "invocation_id": meta["invocation_id"],
            "invocation_started_at": meta.get("invocation_started_at"),
            "env": meta.get("env", {}),
        },
        "nodes": nodes,
        "sources": sources,
        "errors": None,
    }


def write_docs(manifest: dict[str, Any], build_db: Path, target: Path) -> None:
    """manifest.json, catalog.json and static_index.html in `target`, as `--static` writes them."""
    from pipelines.warehouse.connection import connect

    with connect(build_db, read_only=True) as con:
        catalog_text = json.dumps(catalog(con, manifest))
    manifest_text = json.dumps(manifest)
    page = dbt_index_html().read_text(encoding="utf-8").strip()  # dbt reads it stripped
    page = page.replace('"MANIFEST.JSON INLINE DATA"', manifest_text).replace(
        '"CATALOG.JSON INLINE DATA"', catalog_text
    )
    for name, text in (("manifest.json", manifest_text), ("catalog.json", catalog_text), ("static_index.html", page)):
        _replace(target / name, text.encode("utf-8"))


def dbt_index_html() -> Path:
    """dbt's docs page (`dbt/task/docs/index.html` of the installed dbt-core), found without
    importing dbt."""
    import importlib.util

    spec = importlib.util.find_spec("dbt")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        page = Path(folder) / "task" / "docs" / "index.html"
        if page.is_file():
            return page
    raise WorkforceError("Fant ikke dbts dokumentasjonsside (dbt/task/docs/index.html); er dbt-core installert?")


def _relation_key(node: dict[str, Any]) -> tuple[str, str, str]:
    """dbt's `mapping_key`: database, schema and identifier in lower case."""
    return (
        (node.get("database") or "").lower(),
        node["schema"].lower(),
        (node.get("identifier") or node.get("alias") or node["name"]).lower(),
    )


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
