"""The dbt project documents itself: `dbt docs generate` succeeds on the golden warehouse,
every model is described, every mart column is described, and every indicator column of a
topic mart carries its Norwegian label (`meta.label_nb`). The docs the publish step makes from
the build's manifest without running dbt are dbt's own, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.warehouse.docs import docs_manifest, kept_build_manifest, write_docs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def artifacts(golden_build):
    catalog = json.loads((golden_build.target_path / "catalog.json").read_text())
    manifest = json.loads((golden_build.target_path / "manifest.json").read_text())
    return catalog, manifest


def test_docs_generate_succeeds(golden_build):
    assert "Catalog written" in golden_build.docs_output


def test_every_model_is_described(artifacts):
    _, manifest = artifacts
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) > 40
    undescribed = [node["name"] for node in models if not node["description"].strip()]
    assert undescribed == []


def test_every_mart_column_has_a_description(artifacts):
    catalog, manifest = artifacts
    marts = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert {node["name"] for node in marts.values()} >= {
        "fct_indicators", "fct_fulltime", "fct_turnover", "fct_stability", "fct_key_positions",
        "fct_recruitment", "fct_apprentices", "fct_diversity", "fct_function_capacity",
        "fct_backlog", "fct_goal_progress", "dim_municipality", "dim_region", "dim_indicator",
        "dim_position_group",
    }  # fmt: skip
    missing = []
    for unique_id, node in marts.items():
        built_columns = catalog["nodes"][unique_id]["columns"]
        documented = {name.lower(): column for name, column in node["columns"].items()}
        for column in built_columns:
            if not documented.get(column.lower(), {}).get("description", "").strip():
                missing.append(f"{node['name']}.{column}")
    assert missing == []


def test_indicator_columns_carry_a_norwegian_label(artifacts):
    _, manifest = artifacts
    catalogue_ids = {
        "fulltime_share", "avg_position_size", "short_parttime_share", "fte", "turnover",
        "sector_turnover", "regional_retention", "internal_mobility", "retention_12m",
        "median_tenure_years", "temporary_share", "key_turnover", "key_cost_per_hire",
        "time_to_fill_days", "cost_per_hire", "apprentice_conversion_12m", "women_share",
        "age_dissimilarity", "employees_per_1000", "function_age_risk",
    }  # fmt: skip
    unlabelled = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["name"].startswith("fct_"):
            continue
        for name, column in node["columns"].items():
            if name in catalogue_ids and not column.get("meta", {}).get("label_nb"):
                unlabelled.append(f"{node['name']}.{name}")
    assert unlabelled == []


def test_docs_made_from_the_build_are_dbts_own(golden_build, tmp_path: Path):
    """Issue 16.4: the publish step makes the docs from the manifest the build kept and the
    database, without starting dbt. Apart from the run's metadata (times, invocation id) the
    three files are what `dbt docs generate --static` wrote in the same folder: the manifest
    (dbt's traces of running the tests removed), the catalog and the page."""
    dbt_dir = golden_build.target_path
    manifest = kept_build_manifest(golden_build.db_path)
    assert manifest is not None  # the golden build was complete and without vars
    write_docs(docs_manifest(manifest, dbt_dir), golden_build.db_path, tmp_path)
    texts = {}
    for name in ("manifest.json", "catalog.json"):
        ours, theirs = (json.loads((folder / name).read_text(encoding="utf-8")) for folder in (tmp_path, dbt_dir))
        assert ours["metadata"]["dbt_version"] == theirs["metadata"]["dbt_version"]
        ours["metadata"] = theirs["metadata"]  # stays first: same key order
        texts[name] = (json.dumps(ours), (tmp_path / name).read_text(encoding="utf-8"))
        assert texts[name][0] == (dbt_dir / name).read_text(encoding="utf-8"), name
    assert len(json.loads(texts["catalog.json"][0])["nodes"]) > 40
    page = (tmp_path / "static_index.html").read_text(encoding="utf-8")
    for name, (with_dbts_metadata, written) in texts.items():
        assert page.count(written) == 1, name
        page = page.replace(written, with_dbts_metadata)
    assert page == (dbt_dir / "static_index.html").read_text(encoding="utf-8")
