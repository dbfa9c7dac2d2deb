"""Small SVG charts, drawn in pure Python, to embed in the report.

The report must open without a network — on a county laptop, in an e-mail attachment,
printed — so charts are inline SVG strings: no JavaScript, no CDN, no fonts to fetch.
Three kinds cover the report: line charts of a trend (with gaps and a ':' marker where a
figure is suppressed), horizontal bar charts of a breakdown, and a goal chart (baseline →
latest → target over the years). Each chart carries a <title> and <desc> for screen
readers, and each point a <title> that shows its value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import count

from pipelines.release.labels import format_axis, format_value

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F")
MUTED = "#9AA5B1"
GRID = "#E3E8EE"
AXIS = "#5B6670"
TEXT = "#1F2933"
SUPPRESSED = "#B03A2E"
AXIS_FONT = 11
HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'  # labels stay legible on lines
LABEL_FONT = 12

_ids = count(1)


def reset_ids() -> None:
    """Restart element ids, so a re-rendered report is byte-identical."""
    global _ids
    _ids = count(1)


@dataclass
class Point:
    year: int
    value: float | None
    suppressed: bool = False


@dataclass
class Series:
    label: str
    points: list[Point]
    color: str = PALETTE[0]
    emphasis: bool = True


@dataclass
class Bar:
    label: str
    value: float | None
    suppressed: bool = False
    note: str = ""


@dataclass
class Frame:
    width: float
    height: float
    left: float = 52
    right: float = 16
    top: float = 14
    bottom: float = 30
    extra: list[str] = field(default_factory=list)

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


def nice_ticks(low: float, high: float, target: int = 4) -> list[float]:
    """Round tick values covering [low, high] (Heckbert's "nice numbers")."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 12:
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _value_range(values: Sequence[float], unit: str) -> tuple[float, float]:
    low, high = min(values), max(values)
    if unit in {"share", "count", "days", "nok", "per_1000", "years"} and low >= 0:
        # Start at zero unless the values sit high above it (then the trend would flatten).
        if low <= 0.45 * high or high == 0:
            low = 0.0
        else:
            pad = (high - low) * 0.3 or abs(high) * 0.1
            low = max(0.0, low - pad)
    if unit == "share":
        high = min(1.0, high + (high - low) * 0.1) if high < 1 else 1.0
    return low, high


def _open_svg(frame: Frame, title: str, desc: str, css_class: str) -> tuple[str, str]:
    ident = f"c{next(_ids)}"
    head = (
        f'<svg class="chart {css_class}" viewBox="0 0 {frame.width:g} {frame.height:g}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return ident, head


def _y_axis(frame: Frame, ticks: list[float], unit: str, scale) -> list[str]:
    step = (ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line x1="{frame.left:g}" x2="{frame.width - frame.right:g}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{frame.left - 6:g}" y="{y + 4:.1f}" text-anchor="end" font-size="{AXIS_FONT}" '
            f'fill="{AXIS}">{escape(format_axis(tick, unit, step))}</text>'
        )
    return parts


def empty_chart(title: str, message: str = "Ingen tall å vise", width: float = 360, height: float = 80) -> str:
    frame = Frame(width, height)
    _, head = _open_svg(frame, title, message, "chart-empty")
    return (
        f'{head}<rect x="0.5" y="0.5" width="{width - 1:g}" height="{height - 1:g}" rx="6" fill="#F7F9FB" '
        f'stroke="{GRID}"/><text x="{width / 2:g}" y="{height / 2 + 4:g}" text-anchor="middle" font-size="12" '
        f'fill="{AXIS}">{escape(message)}</text></svg>'
    )


def line_chart(
    series: Sequence[Series],
    unit: str,
    *,
    title: str,
    width: float = 360,
    height: float = 190,
    show_legend: bool = True,
) -> str:
    """A trend over years; suppressed points break the line and show ':' at the axis."""
    years = sorted({p.year for s in series for p in s.points})
    values = [p.value for s in series for p in s.points if p.value is not None]
    if not years or not values:
        hidden = any(p.suppressed for s in series for p in s.points)
        return empty_chart(title, "Alle tall er prikket (:)" if hidden else "Ingen tall å vise", width)
    legend_rows = 1 if show_legend and len(series) > 1 else 0
    frame = Frame(width, height + 16 * legend_rows)
    frame.bottom = 30 + 16 * legend_rows
    low, high = _value_range(values, unit)
    ticks = nice_ticks(low, high)
    y_low, y_high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return frame.top + frame.plot_height * (1 - (value - y_low) / ((y_high - y_low) or 1))

    def x_of(year: int) -> float:
        if len(years) == 1:
            return frame.left + frame.plot_width / 2
        return frame.left + 8 + (frame.plot_width - 16) * (years.index(year) / (len(years) - 1))

    desc_parts = []
    for s in series:
        shown = ", ".join(
            f"{p.year}: {format_value(p.value, unit, symbol=':' if p.suppressed else '..')}" for p in s.points
        )
        desc_parts.append(f"{s.label} – {shown}")
    _, head = _open_svg(frame, title, "; ".join(desc_parts), "chart-line")
    parts = [head, *_y_axis(frame, ticks, unit, y_of)]
    label_every = max(1, math.ceil(len(years) / 8))
    for i, year in enumerate(years):
        if i % label_every == 0 or i == len(years) - 1:
            parts.append(
                f'<text x="{x_of(year):.1f}" y="{frame.top + frame.plot_height + 16:.1f}" text-anchor="middle" '
                f'font-size="{AXIS_FONT}" fill="{AXIS}">{year}</text>'
            )
    suppressed_years: set[int] = set()
    for s in sorted(series, key=lambda s: s.emphasis):  # emphasised series drawn last, on top
        stroke = s.color if s.emphasis else MUTED
        width_px = 2.4 if s.emphasis else 1.6
        segments: list[list[Point]] = [[]]
        for p in sorted(s.points, key=lambda p: p.year):
            if p.value is None:
                if p.suppressed and s.emphasis:
                    suppressed_years.add(p.year)
                segments.append([])
            else:
                segments[-1].append(p)
        for segment in segments:
            if len(segment) >= 2:
                path = " ".join(
                    f"{'M' if i == 0 else 'L'}{x_of(p.year):.1f},{y_of(p.value):.1f}"  # type: ignore[arg-type]
                    for i, p in enumerate(segment)
                )
                dash = "" if s.emphasis else ' stroke-dasharray="4 3"'
                parts.append(
                    f'<path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width_px}" '
                    f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
                )
            for p in segment:
                label = f"{s.label} {p.year}: {format_value(p.value, unit)}"
                parts.append(
                    f'<circle cx="{x_of(p.year):.1f}" cy="{y_of(p.value):.1f}" r="{3 if s.emphasis else 2.2}" '  # type: ignore[arg-type]
                    f'fill="{stroke}" stroke="#fff" stroke-width="1"><title>{escape(label)}</title></circle>'
                )
        last = next((p for p in sorted(s.points, key=lambda p: -p.year) if p.value is not None), None)
        if s.emphasis and last is not None:
            x = x_of(last.year)
            anchor = "end" if x > frame.left + frame.plot_width * 0.6 else "start"
            dx = -6 if anchor == "end" else 6
            y = y_of(last.value)  # type: ignore[arg-type]
            label_y = y - 7 if y - 7 > frame.top + 9 else y + 16  # below the point near the top edge
            parts.append(
                f'<text x="{x + dx:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" '
                f'font-size="{LABEL_FONT}" '
                f'font-weight="600" fill="{TEXT}" {HALO}>{escape(format_value(last.value, unit))}</text>'
            )
    for year in sorted(suppressed_years):
        parts.append(
            f'<text class="suppressed-mark" x="{x_of(year):.1f}" y="{frame.top + frame.plot_height - 4:.1f}" '
            f'text-anchor="middle" font-size="13" font-weight="700" fill="{SUPPRESSED}">:'
            f"<title>{year}: prikket av personvernhensyn</title></text>"
        )
    parts.append(
        f'<line x1="{frame.left:g}" x2="{frame.width - frame.right:g}" y1="{frame.top + frame.plot_height:.1f}" '
        f'y2="{frame.top + frame.plot_height:.1f}" stroke="{AXIS}" stroke-width="1"/>'
    )
    if legend_rows:
        x = frame.left
        y = frame.height - 8
        for s in series:
            color = s.color if s.emphasis else MUTED
            dash = "" if s.emphasis else ' stroke-dasharray="4 3"'
            parts.append(
                f'<line x1="{x:.1f}" x2="{x + 16:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" stroke="{color}" '
                f'stroke-width="{2.4 if s.emphasis else 1.6}"{dash}/>'
                f'<text x="{x + 20:.1f}" y="{y:.1f}" font-size="{LABEL_FONT - 0.5}" '
                f'fill="{TEXT}">{escape(s.label)}</text>'
            )
            x += 30 + 6.8 * len(s.label)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(bars: Sequence[Bar], unit: str, *, title: str, width: float = 360, color: str = PALETTE[0]) -> str:
    """Horizontal bars for the values of one breakdown; ':' where a bar is suppressed. Negative
    values (a replacement gap's surplus) grow leftwards from a zero line."""
    values = [b.value for b in bars if b.value is not None]
    if not bars:
        return empty_chart(title, width=width)
    # Labels beside the bars while they fit; long ones ("Ikke ansatt i noen kommune i dataene")
    # go above their bar at full width instead of being cut off at the chart's left edge.
    wanted = 7.2 * max(len(b.label) for b in bars)
    above = wanted > 170.0
    row = 34 if above else 22
    label_width = 0.0 if above else max(60.0, wanted)
    frame = Frame(width, 12 + row * len(bars) + 6, left=label_width + 8, right=64, top=8, bottom=6)
    bar_top = 16 if above else 4  # where the bar starts within its row
    high = max(values) if values else 1.0
    if unit == "share" and high <= 1:
        high = max(high, 0.05)
    low = min([0.0, *values])
    scale_max = nice_ticks(0, high or 1.0)[-1] if high > 0 or not low else 0.0
    scale_min = -nice_ticks(0, -low)[-1] if low < 0 else 0.0
    span = (scale_max - scale_min) or 1.0
    zero = frame.left + frame.plot_width * -scale_min / span  # frame.left when nothing is negative

    def w_of(value: float) -> float:
        return frame.plot_width * abs(value) / span

    desc = "; ".join(f"{b.label}: {format_value(b.value, unit, symbol=':' if b.suppressed else '..')}" for b in bars)
    _, head = _open_svg(frame, title, desc, "chart-bar")
    parts = [head]
    for i, b in enumerate(bars):
        y = frame.top + i * row
        if above:
            parts.append(
                f'<text x="{frame.left:.1f}" y="{y + 11:.1f}" font-size="{LABEL_FONT}" '
                f'fill="{TEXT}">{escape(b.label)}</text>'
            )
            y += bar_top - 4  # the bar and its value sit under the label
        else:
            parts.append(
                f'<text x="{frame.left - 8:.1f}" y="{y + 14:.1f}" text-anchor="end" font-size="{LABEL_FONT}" '
                f'fill="{TEXT}">{escape(b.label)}</text>'
            )
        if b.value is None:
            text = ":" if b.suppressed else ".."
            note = "prikket av personvernhensyn" if b.suppressed else "tall mangler"
            parts.append(
                f'<text x="{zero + 4:.1f}" y="{y + 14:.1f}" font-size="12" font-weight="700" '
                f'fill="{SUPPRESSED if b.suppressed else AXIS}">{text}<title>{escape(b.label)}: {note}</title></text>'
            )
            continue
        bar_width = w_of(b.value)
        label = format_value(b.value, unit)
        x = zero - bar_width if b.value < 0 else zero
        text_x = zero + 5 if b.value < 0 else zero + bar_width + 5  # a surplus's value right of the zero line
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{max(bar_width, 1):.1f}" height="14" rx="2" '
            f'fill="{color}"><title>{escape(b.label)}: {escape(label)}</title></rect>'
            f'<text x="{text_x:.1f}" y="{y + 14:.1f}" font-size="{LABEL_FONT - 0.5}" '
            f'fill="{TEXT}">{escape(label)}{escape(b.note)}</text>'
        )
    if not above:  # the axis would run through labels written above their bars
        parts.append(
            f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{frame.top - 2:.1f}" '
            f'y2="{frame.top + row * len(bars):.1f}" stroke="{AXIS}" stroke-width="1"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def goal_chart(
    *,
    title: str,
    unit: str,
    baseline_year: int | None,
    baseline: float | None,
    latest_year: int | None,
    latest: float | None,
    target_year: int | None,
    target: float | None,
    width: float = 360,
    height: float = 170,
) -> str:
    """Baseline → latest (solid) against the straight path from baseline to target (dashed)."""
    points = [
        (y, v)
        for y, v in ((baseline_year, baseline), (latest_year, latest), (target_year, target))
        if y is not None and v is not None
    ]
    if baseline is None or latest is None or target is None or len(points) < 3:
        return empty_chart(title, "Prikket eller mangler – framdrift kan ikke vises (:)", width)
    assert baseline_year is not None and latest_year is not None and target_year is not None
    frame = Frame(width, height + 16)
    frame.bottom = 46
    low, high = _value_range([v for _, v in points], unit)
    ticks = nice_ticks(low, high)
    first, last = min(baseline_year, latest_year), max(target_year, latest_year)

    def x_of(year: float) -> float:
        return frame.left + 10 + (frame.plot_width - 20) * ((year - first) / ((last - first) or 1))

    def y_of(value: float) -> float:
        return frame.top + frame.plot_height * (1 - (value - ticks[0]) / ((ticks[-1] - ticks[0]) or 1))

    desc = (
        f"Basis {baseline_year}: {format_value(baseline, unit)}; siste {latest_year}: {format_value(latest, unit)}; "
        f"mål {target_year}: {format_value(target, unit)}"
    )
    _, head = _open_svg(frame, title, desc, "chart-goal")
    parts = [head, *_y_axis(frame, ticks, unit, y_of)]
    for year in sorted({baseline_year, latest_year, target_year}):
        parts.append(
            f'<text x="{x_of(year):.1f}" y="{frame.top + frame.plot_height + 16:.1f}" text-anchor="middle" '
            f'font-size="{AXIS_FONT}" fill="{AXIS}">{year}</text>'
        )
    parts.append(
        f'<path d="M{x_of(baseline_year):.1f},{y_of(baseline):.1f} L{x_of(target_year):.1f},{y_of(target):.1f}" '
        f'stroke="{PALETTE[2]}" stroke-width="1.8" stroke-dasharray="5 4" fill="none"/>'
        f'<path d="M{x_of(baseline_year):.1f},{y_of(baseline):.1f} L{x_of(latest_year):.1f},{y_of(latest):.1f}" '
        f'stroke="{PALETTE[0]}" stroke-width="2.6" fill="none"/>'
    )
    for year, value, color, name in (
        (baseline_year, baseline, AXIS, "Basis"),
        (latest_year, latest, PALETTE[0], "Siste"),
        (target_year, target, PALETTE[2], "Mål"),
    ):
        label = f"{name} {year}: {format_value(value, unit)}"
        x, y = x_of(year), y_of(value)
        shape = (
            f'<path d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z" '
            f'fill="{color}">'
            if name == "Mål"
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{color}">'
        )
        closing = "</path>" if name == "Mål" else "</circle>"
        parts.append(f"{shape}<title>{escape(label)}</title>{closing}")
        anchor = "start" if x < frame.left + frame.plot_width * 0.75 else "end"
        parts.append(
            f'<text x="{x + (8 if anchor == "start" else -8):.1f}" y="{y - 8:.1f}" text-anchor="{anchor}" '
            f'font-size="{LABEL_FONT - 0.5}" font-weight="600" fill="{TEXT}" {HALO}>'
            f"{escape(format_value(value, unit))}</text>"
        )
    y = frame.height - 8
    x = frame.left
    for label, color, dashed in (("Utvikling", PALETTE[0], False), ("Vei til målet", PALETTE[2], True)):
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(
            f'<line x1="{x:.1f}" x2="{x + 16:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" stroke="{color}" '
            f'stroke-width="2.2"{dash}/><text x="{x + 20:.1f}" y="{y:.1f}" font-size="{LABEL_FONT - 0.5}" '
            f'fill="{TEXT}">{label}</text>'
        )
        x += 110
    parts.append("</svg>")
    return "".join(parts)

