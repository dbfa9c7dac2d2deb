"""The results files: `<date>.json` (everything measured), `<date>.md` (the tables) and
`<date>.svg` (the chart), in benchmarks/results/ (git-ignored)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pipelines.bench.chart import write_chart

STAGE_LABELS = {
    "ingest": "ingest",
    "ssb": "SSB (snapshot)",
    "dbt": "dbt build and the models' checks",
    "gate": "quality gate (verdict)",
    "publish": "publish",
    "release": "release",
}
TARGET_LABELS = {
    "national_10y_whole_run_wall_s": "national 10 years, whole run through Dagster, wall",
    "national_10y_whole_run_peak_mb": "national 10 years, whole run through Dagster, peak memory",
    "ingestion_cpu_vs_floor_nordland": "ingestion CPU vs floor CPU (Nordland)",
    "ingestion_cpu_vs_floor_national": "ingestion CPU vs floor CPU (national)",
    "one_municipality_extract_vs_full_national_build": "one municipality's yearly extract vs a full build",
    "demo_whole_run_cpu_vs_floor": "demo scale, whole run through Dagster, CPU vs floor",
    "make_demo_after_install_s": "`make demo` after install",
}


def targets_table(report: dict) -> list[str]:
    """Issue 16's targets (reported, never asserted), from this run's measurements."""
    found = report.get("targets") or {}
    lines = [
        "Targets (issue 16; reported, not asserted):",
        "",
        "| figure | measured | target | met |",
        "| --- | ---: | ---: | --- |",
    ]
    for key, label in TARGET_LABELS.items():
        t = found.get(key)
        if not t:
            continue
        value = "not run" if t["value"] is None else f"{t['value']:g} {t['unit']}"
        met = {True: "yes", False: "no", None: "–"}[t["met"]]
        lines.append(f"| {label} ({t['from']}) | {value} | {t['target']:g} {t['unit']} | {met} |")
    return lines


def code_location_line(report: dict) -> list[str]:
    """The code-location load (target < 2 s), when this run measured it."""
    load = report.get("code_location")
    if not load:
        return []
    return [
        "",
        f"Code-location load (a fresh interpreter importing the definitions): {load['code_location_s']:.2f} s, "
        f"of which `import dagster` {load['dagster_import_s']:.2f} s (median of {len(load['runs'])}; target < "
        f"{load['target_s']:g} s; dbt-core imported: {load['dbt_core_imported']}).",
    ]


def write_results(report: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / report["date"]
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    svg_path = write_chart(report, stem.with_suffix(".svg"))
    md_path = stem.with_suffix(".md")
    md_path.write_text(markdown(report, svg_path.name), encoding="utf-8")
    return [md_path, json_path, svg_path]


def _n(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}".replace(",", " ")


def _load(values: list[float] | tuple[float, ...] | None) -> str:
    return "/".join(f"{v:.1f}" for v in values[:1]) if values else "–"


def rows_in(scale: dict) -> int | None:
    return scale.get("stages", {}).get("ingest", {}).get("result", {}).get("rows_read")


def floor_s(scale: dict) -> float | None:
    runs = scale.get("floor_runs") or []
    return min(run["wall_s"] for run in runs) if runs else None


def measured(scale: dict) -> dict[str, dict]:
    """Everything measured so far for a scale: floor, stages, whole run (any may be missing)."""
    runs = scale.get("floor_runs") or []
    found = {"floor": min(runs, key=lambda r: r["wall_s"])} if runs else {}
    whole = {k: scale[k] for k in ("dagster", "make_demo") if k in scale}
    return found | scale.get("stages", {}) | whole


def summary_table(report: dict) -> list[str]:
    lines = [
        "| scale | years | files | rows in | floor s | staged total s | whole run (Dagster) s | whole / floor "
        "| peak MB (stages) | peak MB (Dagster) | rows/s (Dagster) | load 1 min before/after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for s in report["scales"]:
        if not s.get("complete"):
            done = ", ".join(measured(s)) or "nothing"
            state = f"FAILED: {s['error'].splitlines()[0]}" if "error" in s else "INCOMPLETE"
            if "incomplete" in s:  # stopped on purpose (a deadline), with the reason
                state = f"INCOMPLETE: {s['incomplete']}"
            lines.append(f"| {s.get('scale')} | {s.get('years', '–')} | {_n(s.get('files'))} | {_n(rows_in(s))} "
                         f"| {_n(floor_s(s), 1)} | {state} (measured so far: {done}) |")
            continue
        d = s["dagster"]
        blocked = "" if d["result"].get("success", True) else " †"
        lines.append(
            f"| {s['scale']} | {s['years']} | {_n(s['files'])} | {_n(s['rows_in'])} | {_n(s['floor']['wall_s'], 1)} "
            f"| {_n(s['staged_total_s'], 1)} | {_n(d['wall_s'], 1)}{blocked} | {s['ratios']['dagster']:.1f} "
            f"| {_n(s['staged_peak_rss_mb'])} | {_n(d['peak_rss_mb'])} | {_n(s['rows_in'] / d['wall_s'])} "
            f"| {_load(s['load_before'])} / {_load(s['load_after'])} |"
        )
    if any(not s.get("dagster", {}).get("result", {}).get("success", True) for s in report["scales"]):
        lines += ["", "† the Dagster run ended unsuccessfully: the quality gate blocked publication (see below)."]
    return lines


def _against_floor(m: dict, figure: str, floor: float | None, why: str = "") -> str:
    """A stage's figure as a multiple of the floor's (when there is one), and whether the stage refused."""
    ratio = f" / {m[figure] / floor:.1f}×" if floor else ""
    refused = f" (refused{': ' + why if why else ''})" if m.get("result", {}).get("refused") else ""
    return ratio + refused


def _stage_rows(scales: list[dict], labels: dict[str, str], cell: Callable[[dict, str], str | None]) -> list[str]:
    """One table row per stage, one cell per scale; '–' where that scale has no figure for it."""
    rows = []
    for key, label in labels.items():
        cells = [cell(s, key) or "–" for s in scales]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def stage_table(report: dict) -> list[str]:
    ok = [s for s in report["scales"] if measured(s)]
    head = "| stage | " + " | ".join(s["scale"] for s in ok) + " |"
    lines = [
        "Wall seconds / peak MB / ratio to the floor, per stage:",
        "",
        head,
        "| --- |" + " ---: |" * len(ok),
    ]
    labels = {"floor": "floor (DuckDB on the files)", **STAGE_LABELS, "dagster": "whole run through Dagster"}

    def cell(s: dict, key: str) -> str | None:
        m, floor = measured(s).get(key), floor_s(s)
        if m is None:
            return None
        shown = f"{_n(m['wall_s'], 1)} s / {_n(m['peak_rss_mb'])} MB"
        return shown + _against_floor(m, "wall_s", floor, "gate blocked")

    return lines + _stage_rows(ok, labels, cell)


def cpu_table(report: dict) -> list[str]:
    """CPU seconds (user + system, the stage's process and what it started): on a shared
    machine the figure that does not depend on how many others were running."""
    ok = [s for s in report["scales"] if any("cpu_s" in m for m in measured(s).values())]
    if not ok:
        return []
    labels = {"floor": "floor", **STAGE_LABELS, "dagster": "whole run through Dagster", "make_demo": "`make demo`"}
    lines = [
        "CPU seconds per stage (user + system; independent of the machine's load) and ratio to the floor's:",
        "",
        "| stage | " + " | ".join(s["scale"] for s in ok) + " |",
        "| --- |" + " ---: |" * len(ok),
    ]

    def cell(s: dict, key: str) -> str | None:
        m, floor = measured(s).get(key), measured(s).get("floor", {}).get("cpu_s")
        if not m or "cpu_s" not in m:
            return None
        return _n(m["cpu_s"], 1) + _against_floor(m, "cpu_s", floor)

    return lines + _stage_rows(ok, labels, cell)


def growth_table(report: dict) -> list[str]:
    """Log-log slope of wall time against rows between consecutive scales, per stage:
    1 is linear, below 1 fixed costs still dominate, above 1 superlinear."""
    import itertools
    import math

    ok = sorted((s for s in report["scales"] if rows_in(s)), key=rows_in)
    pairs = list(itertools.pairwise(ok))
    if not pairs:
        return []
    labels = {"floor": "floor", **STAGE_LABELS, "dagster": "whole run (Dagster)"}
    lines = [
        "Cost growth: slope of log(CPU seconds) against log(rows in) between consecutive scales — "
        "wall time where CPU was not recorded, marked (wall) — (1 = linear; below 1, fixed costs "
        "still dominate; above 1, superlinear):",
        "",
        "| stage | "
        + " | ".join(f"{a['scale']} → {b['scale']} (×{rows_in(b) / rows_in(a):.1f} rows)" for a, b in pairs)
        + " |",
        "| --- |" + " ---: |" * len(pairs),
    ]
    for key, label in labels.items():
        cells = []
        for a, b in pairs:
            ma, mb = measured(a).get(key), measured(b).get(key)
            if any(m and m.get("result", {}).get("refused") for m in (ma, mb)):
                ma = mb = None  # a refused release did not do the work
            metric = "cpu_s" if ma and mb and ma.get("cpu_s") and mb.get("cpu_s") else "wall_s"
            if ma and mb and ma.get(metric, 0) > 0 and mb.get(metric, 0) > 0 and rows_in(b) != rows_in(a):
                slope = math.log(mb[metric] / ma[metric]) / math.log(rows_in(b) / rows_in(a))
                cells.append(f"{slope:.2f}" + (" (wall)" if metric == "wall_s" else ""))
            else:
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def mermaid(report: dict) -> list[str]:
    """Mermaid `xychart-beta` blocks (render on GitHub): seconds and peak MB per scale."""
    ok = [s for s in report["scales"] if s.get("complete")]
    if not ok:
        return []
    axis = "[" + ", ".join(f'"{s["scale"]} ({s["rows_in"] / 1e6:.2g} M rows)"' for s in ok) + "]"

    def block(title: str, unit: str, bars: list[float], line: list[float]) -> list[str]:
        return [
            "```mermaid",
            "xychart-beta",
            f'    title "{title}"',
            f"    x-axis {axis}",
            f'    y-axis "{unit}"',
            "    bar [" + ", ".join(f"{v:.0f}" for v in bars) + "]",
            "    line [" + ", ".join(f"{v:.0f}" for v in line) + "]",
            "```",
        ]

    return [
        *block("Whole run through Dagster (bars) and the floor (line), seconds", "seconds",
               [s["dagster"]["wall_s"] for s in ok], [s["floor"]["wall_s"] for s in ok]),
        "",
        *block("Peak memory: whole run (bars), largest single stage (line), MB", "MB",
               [s["dagster"]["peak_rss_mb"] for s in ok], [s["staged_peak_rss_mb"] for s in ok]),
    ]  # fmt: skip


def markdown(report: dict, svg_name: str) -> str:
    machine = report["machine"]
    lines = [
        f"# Scale benchmark {report['date']}",
        "",
        f"Machine: {machine['cpus']} CPUs, {machine['memory_gb']} GB, Python {machine['python']}; "
        f"started {report['started']}, finished {report.get('finished', '(running)')}. "
        f"The machine is shared: see the load averages. Floor: best of {report['floor_runs']} runs.",
        "",
        *summary_table(report),
        "",
        *stage_table(report),
        "",
        *cpu_table(report),
        "",
        *growth_table(report),
        "",
        *targets_table(report),
        *code_location_line(report),
        "",
        f"![wall time and peak memory against rows]({svg_name})",
        "",
        *mermaid(report),
        "",
    ]
    for s in report["scales"]:
        extra = []
        if "generate" in s:
            g = s["generate"]
            extra.append(f"generated in {g['wall_s']:.0f} s, {g['peak_rss_mb']:.0f} MB")
        if "held_back" in s:
            extra.append(f"held back for the incremental measurement: {s['held_back']}")
        if "incremental" in s:
            extra.append(f"incremental: {json.dumps(s['incremental'], default=str)[:400]}")
        if s.get("stages", {}).get("dbt"):
            dbt = s["stages"]["dbt"]["result"]
            dbt = dbt.get("dbt", dbt)
            extra.append(f"dbt: {dbt.get('statuses')}, slowest {dbt.get('slowest')}")
        if s.get("stages", {}).get("gate"):
            gate = s["stages"]["gate"]["result"]
            extra.append(f"gate: passed={gate.get('success')}, failed checks {gate.get('failed_checks')}")
        release = s.get("stages", {}).get("release", {}).get("result", {})
        if release.get("refused"):
            extra.append(f"release refused (gate blocked): {release['reason']}")
        dagster = s.get("dagster", {}).get("result", {})
        if dagster and not dagster.get("success", True):
            extra.append(f"Dagster run unsuccessful: failed steps {dagster.get('failed_steps')}")
        if extra:
            lines += [f"- **{s['scale']}**: " + "; ".join(extra)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # re-render the .md and .svg from a results .json
    import sys

    source = Path(sys.argv[1])
    for path in write_results(json.loads(source.read_text(encoding="utf-8")), source.parent):
        print(path)
