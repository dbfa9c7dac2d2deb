"""The results chart as plain SVG (no plotting dependency): wall time and peak memory
against rows in, both axes logarithmic, one line per stage, a dashed line of slope 1
(linear cost) through the whole run's smallest point for comparison."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

WIDTH, HEIGHT, MARGIN = 460, 340, 58
LEGEND_COLUMNS = 5
COLOURS = {
    "floor": "#555555",
    "ingest": "#1f77b4",
    "dbt": "#ff7f0e",
    "gate": "#2ca02c",
    "ssb": "#9467bd",
    "publish": "#8c564b",
    "release": "#e377c2",
    "dagster": "#d62728",
    "make_demo": "#000000",
}
LABELS = {
    "dagster": "whole run (Dagster)",
    "dbt": "dbt build",
    "gate": "quality gate",
    "ssb": "SSB snapshot",
    "make_demo": "make demo",
}


def _series(report: dict, metric: str) -> dict[str, list[tuple[float, float]]]:
    from pipelines.bench.report import measured, rows_in

    series: dict[str, list[tuple[float, float]]] = {}
    for s in report["scales"]:
        rows = rows_in(s)
        if not rows:
            continue
        for name, m in measured(s).items():
            if (m.get(metric) or 0) > 0 and not m.get("result", {}).get("refused"):
                series.setdefault(name, []).append((float(rows), float(m[metric])))
    return {k: sorted(v) for k, v in series.items()}


def _ticks(low: float, high: float) -> list[float]:
    return [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def _panel(
    series: dict[str, list[tuple[float, float]]], x0: float, title: str, unit: str, *, reference: bool = False
) -> list[str]:
    points = [p for line in series.values() for p in line]
    if not points:
        return []
    xs = _ticks(min(p[0] for p in points), max(p[0] for p in points))
    ys = _ticks(min(p[1] for p in points), max(p[1] for p in points))
    lx, hx, ly, hy = math.log10(xs[0]), math.log10(xs[-1]), math.log10(ys[0]), math.log10(ys[-1])
    w, h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def px(x: float) -> float:
        return x0 + MARGIN + (math.log10(x) - lx) / max(hx - lx, 1e-9) * w

    def py(y: float) -> float:
        return MARGIN + h - (math.log10(y) - ly) / max(hy - ly, 1e-9) * h

    out = [
        f'<text x="{x0 + WIDTH / 2}" y="24" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{x0 + MARGIN}" y="{MARGIN}" width="{w}" height="{h}" fill="none" stroke="#999"/>',
        f'<text x="{x0 + WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">rows in (log)</text>',
        f'<text x="{x0 + 14}" y="{HEIGHT / 2}" transform="rotate(-90 {x0 + 14} {HEIGHT / 2})" '
        f'text-anchor="middle">{escape(unit)} (log)</text>',
    ]
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" y1="{MARGIN}" x2="{px(x):.1f}" y2="{MARGIN + h}" stroke="#eee"/>')
        out.append(f'<text x="{px(x):.1f}" y="{MARGIN + h + 16}" text-anchor="middle" font-size="10">{x:.0e}</text>')
    for y in ys:
        out.append(f'<line x1="{x0 + MARGIN}" y1="{py(y):.1f}" x2="{x0 + MARGIN + w}" y2="{py(y):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 + MARGIN - 4}" y="{py(y) + 3:.1f}" text-anchor="end" font-size="10">{y:g}</text>')
    if reference and "dagster" in series:  # slope 1 through the whole run's first point: linear cost
        (rx, ry) = series["dagster"][0]
        end_x = xs[-1]
        end_y = min(ry * end_x / rx, ys[-1])
        end_x = rx * end_y / ry
        out.append(
            f'<line x1="{px(rx):.1f}" y1="{py(ry):.1f}" x2="{px(end_x):.1f}" y2="{py(end_y):.1f}" '
            'stroke="#d62728" stroke-dasharray="4 4" stroke-width="1"/>'
        )
    for name, line in series.items():
        colour = COLOURS[name]  # every measured series has its colour and legend entry
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{colour}"/>' for x, y in line]
    return out


def write_chart(report: dict, path: Path) -> Path:
    body = _panel(_series(report, "wall_s"), 0, "Wall time", "seconds", reference=True)
    body += _panel(_series(report, "peak_rss_mb"), WIDTH, "Peak memory", "MB")
    legend_y = HEIGHT + 8
    for i, (name, colour) in enumerate(COLOURS.items()):
        x, y = 20 + (i % LEGEND_COLUMNS) * 170, legend_y + (i // LEGEND_COLUMNS) * 18
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 16}" y="{y + 10}" font-size="11">{escape(LABELS.get(name, name))}</text>')
    body.append(
        f'<text x="20" y="{legend_y + 48}" font-size="11">dashed: slope 1 (cost linear in rows) through the '
        "whole run's smallest scale</text>"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT + 70}" '
        f'font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )
    path.write_text(svg, encoding="utf-8")
    return path
