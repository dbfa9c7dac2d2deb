"""One contract between the marts and the release: named columns, loud when one is missing.

Every test here reads a real dbt build of the demo (tests/release/conftest.py), so renaming
a mart column the release reads fails here, not silently in the county's files.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.release.disclosure import DisclosureRule
from pipelines.release.errors import ReleaseError
from pipelines.release.inputs import READS, load_inputs
from pipelines.release.make import make_release
from pipelines.settings import Settings
from tests.release.conftest import query, warehouse_copy


def test_the_release_reads_every_column_it_names_from_the_real_build(warehouse: Path):
    for (schema, table), columns in READS.items():
        present = {
            row[0]
            for row in query(
                warehouse,
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table],
            )
        }
        assert set(columns) <= present, (schema, table, sorted(set(columns) - present))
    inputs = load_inputs(warehouse)
    assert inputs.indicators.height > 10_000
    assert {"salten", "outer_lofoten", "lofoten", "nordland"} <= set(inputs.regions)
    assert len(inputs.regions["nordland"].members) == 41
    assert inputs.municipality_names["1856"] == "Røst"
    fulltime = inputs.indicator_meta["fulltime_share"]
    assert (fulltime["indicator_name"], fulltime["topic"]) == ("Heltidsandel", "fulltime")
    assert {g["goal_id"] for g in inputs.goals} >= {"outer_lofoten_key_cost", "salten_fulltime"}


@pytest.mark.parametrize(
    ("table", "column", "renamed"),
    [
        ("dim_indicator", "indicator_name", "name_nb"),
        ("dim_indicator", "topic", "family"),
        ("fct_goal_progress", "is_target_met", "on_track"),
        ("fct_indicators", "municipalities_with_data", "coverage"),
        ("dim_region", "member_codes", "members"),
        ("dim_label", "label_nb", "label"),
    ],
)
def test_a_renamed_mart_column_fails_the_release_naming_mart_and_column(
    warehouse: Path, tmp_path: Path, table: str, column: str, renamed: str
):
    statement = f"alter table marts.{table} rename {column} to {renamed}"
    db = warehouse_copy(warehouse, tmp_path / "renamed.duckdb", statement)
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ReleaseError) as error:
        make_release(settings, db, rule=DisclosureRule())
    assert f"marts.{table}" in str(error.value) and column in str(error.value)
    assert not settings.releases_dir.exists()


def test_a_missing_mart_is_a_clear_error(warehouse: Path, tmp_path: Path):
    db = warehouse_copy(warehouse, tmp_path / "nogoals.duckdb", "drop table marts.fct_goal_progress")
    with pytest.raises(ReleaseError, match=r"mangler tabellen marts\.fct_goal_progress"):
        load_inputs(db)


def test_every_published_figure_has_its_indicator_in_the_catalogue(release_dir: Path):
    published = pl.read_parquet(release_dir / "indicators.parquet")
    assert published.filter(pl.col("indicator_name") == pl.col("indicator_id")).height == 0
    assert published["family"].null_count() == 0 and published["indicator_name"].null_count() == 0


def test_labels_are_the_marts_own_and_a_missing_label_is_a_clear_error(warehouse: Path, tmp_path: Path):
    """The release keeps no copy of the Norwegian labels: it says what marts.dim_label says."""
    [(age_label,)] = query(
        warehouse, "select label_nb from marts.dim_label where kind = 'age_band' and code = '62_plus'"
    )
    assert load_inputs(warehouse).labels.value("age_band", "62_plus") == age_label == "62 år og eldre"
    db = warehouse_copy(
        warehouse, tmp_path / "labels.duckdb",
        "update marts.dim_label set label_nb = 'Seniorer' where kind = 'age_band' and code = '62_plus'",
        "delete from marts.dim_label where kind = 'unit' and code = 'fte'",
    )
    labels = load_inputs(db).labels
    assert labels.value("age_band", "62_plus") == "Seniorer"
    with pytest.raises(ReleaseError, match=r"marts\.dim_label har ingen etikett for unit = 'fte'"):
        labels.unit("fte")
