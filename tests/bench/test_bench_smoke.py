"""The scale benchmark's smallest scale, once, through the real harness (CI smoke test).

`workforce bench all --scales smoke`: the demo municipalities over three years at a quarter
of their headcount, real files in every dialect, the floor, every stage as a selection of
the Dagster job's assets in its own child process (real ingestion, SSB snapshot, dbt build
with the models' checks, gate, publish, release) and one real whole Dagster run. Checked: the
structure and sanity of what it measured and wrote — never how
fast it was (speed is a benchmark's business, not a test's).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.bench.harness import STAGES, run_bench
from pipelines.bench.scales import SCALES, parse_scales
from pipelines.errors import WorkforceError

MUNICIPALITIES = 14  # the demo municipalities from 2020 on (Salten and outer Lofoten)
YEARS = 3  # smoke: 2023-2025


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[Path], Path]:
    root = tmp_path_factory.mktemp("bench-smoke")
    lines: list[str] = []
    report, paths = run_bench(
        [SCALES["smoke"]], work=root / "work", results_dir=root / "results", floor_runs=1, progress=lines.append
    )
    return report, paths, root


@pytest.mark.slow
def test_every_stage_was_measured_in_its_own_process(smoke: tuple[dict, list[Path], Path]) -> None:
    report, _, _ = smoke
    [scale] = report["scales"]
    assert "error" not in scale, scale.get("error")
    assert scale["complete"] is True
    assert list(scale["stages"]) == list(STAGES)
    for name, stage in {**scale["stages"], "dagster": scale["dagster"], "floor": scale["floor"]}.items():
        assert stage["returncode"] == 0, name
        assert stage["wall_s"] > 0, name
        # a Python child importing DuckDB and polars holds tens of MB at least
        assert 30 < stage["peak_rss_mb"] < 8000, (name, stage["peak_rss_mb"])
    # dbt runs as a child of the stage's Dagster process: the tree holds more than the process
    assert scale["stages"]["dbt"]["tree_rss_mb"] > scale["stages"]["dbt"]["own_rss_mb"]
    for name, stage in {**scale["stages"], "dagster": scale["dagster"]}.items():  # Dagster runs
        assert stage["result"]["success"] is True, (name, stage["result"])
        assert stage["result"]["materialised"] > 0, name
    assert scale["stages"]["dbt"]["result"]["materialised"] > 50  # every dbt model, not a subset


@pytest.mark.slow
def test_rows_and_the_floor_agree_with_the_deliveries(smoke: tuple[dict, list[Path], Path]) -> None:
    report, _, root = smoke
    [scale] = report["scales"]
    ingest = scale["stages"]["ingest"]["result"]
    assert ingest["outcomes"] == {"loaded": scale["files"]}
    assert scale["rows_in"] == ingest["rows_read"] > 1000
    employments = ingest["rows_by_kind"]["employments"]
    floor = scale["floor"]["result"]
    assert floor["files"] == MUNICIPALITIES * YEARS
    assert floor["rows_read"] == employments  # the same files, every row
    assert floor["fulltime_rows"] == MUNICIPALITIES * YEARS
    assert floor["turnover_rows"] == MUNICIPALITIES * (YEARS - 1)
    assert floor["fulltime_valid"] == floor["fulltime_rows"]
    assert 0.02 < floor["mean_turnover"] < 0.5
    assert scale["stages"]["gate"]["result"]["failed_checks"] == []
    dbt = scale["stages"]["dbt"]["result"]["dbt"]
    assert dbt["nodes"] > 100 and dbt["statuses"].get("error", 0) == 0 and dbt["statuses"].get("fail", 0) == 0
    dagster = scale["dagster"]["result"]
    assert dagster["success"] is True and not dagster["failed_steps"]
    assert scale["ratios"]["dagster"] == pytest.approx(scale["dagster"]["wall_s"] / scale["floor"]["wall_s"], rel=0.01)
    cpu = scale["dagster"]["cpu_s"] / scale["floor"]["cpu_s"]
    assert scale["cpu_ratios"]["dagster"] == pytest.approx(cpu, rel=0.01)
    # issue 16's targets are recorded; the smoke scale measures none of them
    assert report["targets"]["demo_whole_run_cpu_vs_floor"] == {
        "value": None, "target": 15, "unit": "×", "met": None, "from": "demo"
    }
    assert not (root / "work" / "smoke" / "staged").exists()  # homes removed after measuring
    # the code location's load, measured once per benchmark run, never importing dbt-core
    load = report["code_location"]
    assert len(load["runs"]) == 3 and 0 < load["dagster_import_s"] < load["code_location_s"]
    assert load["dbt_core_imported"] is False


@pytest.mark.slow
def test_the_results_files_are_written(smoke: tuple[dict, list[Path], Path]) -> None:
    report, paths, root = smoke
    md, js, svg = paths
    assert [p.suffix for p in paths] == [".md", ".json", ".svg"]
    assert all(p.parent == root / "results" and p.stem == report["date"] for p in paths)
    assert json.loads(js.read_text())["scales"][0]["scale"] == "smoke"
    text = md.read_text()
    assert "| smoke | 3 |" in text and "whole run through Dagster" in text and svg.name in text
    assert "Code-location load" in text
    chart = svg.read_text()
    assert chart.startswith("<svg") and chart.count("<polyline") >= 8  # floor, six stages, Dagster
    # every point drawn has a legend entry (an unlabelled black `make demo` once had none)
    drawn = set(re.findall(r'<circle [^>]*fill="([^"]+)"', chart))
    legend = set(re.findall(r'<rect [^>]*width="12" height="12" fill="([^"]+)"', chart))
    assert drawn and drawn <= legend


def test_scales_are_chosen_by_name_and_unknown_ones_refused() -> None:
    assert [s.name for s in parse_scales("smoke,norway-3y")] == ["smoke", "norway-3y"]
    assert parse_scales("all")[0].name == "smoke"  # the smallest first
    with pytest.raises(WorkforceError, match="norwegia"):
        parse_scales("norwegia")


def test_every_series_of_the_chart_is_in_its_legend(tmp_path: Path) -> None:
    """The demo scale also measures `make demo`: its points once had no colour nor legend entry."""
    from pipelines.bench.chart import write_chart

    def run(wall: float) -> dict:
        return {"wall_s": wall, "peak_rss_mb": wall * 40, "result": {"rows_read": 141_020}}

    scale = {
        "scale": "demo",
        "floor_runs": [run(1.1)],
        "stages": {name: run(2.0 + i) for i, name in enumerate(STAGES)},
        "dagster": run(21.8),
        "make_demo": run(24.4),
    }
    chart = write_chart({"scales": [scale]}, tmp_path / "chart.svg").read_text()
    drawn = set(re.findall(r'<circle [^>]*fill="([^"]+)"', chart))
    legend = set(re.findall(r'<rect [^>]*width="12" height="12" fill="([^"]+)"', chart))
    assert len(drawn) == 2 + len(STAGES) + 1 and drawn <= legend
    assert "make demo" in chart
