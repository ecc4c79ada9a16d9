"""The one chart layer of the PDFs (plan, digest): vector charts as SVG, drawn by qbrgen itself.

Every chart tells the truth at a glance:

- value axes come from `value_axis()`: ticks in 1-2-5 steps computed from the data, the
  gridlines and their labels at the same values, count axes in whole numbers, percentage axes
  0–100% unless a value needs more, bars always from zero (money included);
- every chart carries a title naming what is drawn, its period and its unit;
- every label is the display name of its key (`Labels`), every colour the run's `Palette`.

Each function returns `Markup` ready to drop into an autoescaped template (or to save as an
.svg file). Every chart has `role="img"`, an `aria-label` and a `<title>` with its alt text
(WeasyPrint uses the `<title>` as the /Alt of the tagged Figure). All text is escaped here.

Elements carry classes a reader (and the tests) can find them by: `grid` lines and `tick`
labels of the value axis, `bar` rectangles (`data-series`, `data-category`), the `line`
polylines and `point` circles of a line chart, and the `chart-title`.

Why hand-made and not a chart library: on the 40 charts of the sample plans, matplotlib 3.11's
SVG backend (text kept as text) took ~370 ms per chart against ~4.5 ms here (80x), wrote
10.0 KB per chart against 3.7 KB (2.7x), and its import costs 1.6 s of CPU in every build
worker; its SVG would still need the alt text, classes and palette added afterwards. These
charts need only rectangles, lines and text; the part that must be right is the scale, and
that is small and tested (tests/test_svg_charts.py).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from qbrgen.labels import N_
from qbrgen.render._pptx_text import CJK_FALLBACK

if TYPE_CHECKING:
    from qbrgen.formatting import Formatter

FONT = f"DejaVu Sans, Noto Sans, {CJK_FALLBACK}, Noto Sans Arabic, sans-serif"
"""Fonts of chart text. Emoji come from fontconfig's fallback (Noto Color Emoji): naming the
emoji font here would make Pango draw digits and spaces with it (they are emoji bases)."""
GRID = "#D9DEE5"
AXIS = "#6B7280"
INK = "#1E1E1E"
TRACK = "#EEF1F5"

KINDS = ("count", "percent", "money", "score", "number")
"""Value kinds an axis can have: whole counts, fractions shown as %, money, 0-100 scores,
plain numbers."""
STEPS = (1, 2, 5)
"""Tick steps are 1, 2 or 5 times a power of ten."""
MAX_INTERVALS = 6
"""At most this many intervals between ticks on an axis."""


# --- scales -------------------------------------------------------------------------------------


def nice_step(span: float, max_intervals: int = MAX_INTERVALS, minimum: float = 0.0) -> float:
    """The smallest 1-2-5 step that covers `span` in at most `max_intervals` intervals."""
    span = abs(span) or 1.0
    raw = span / max_intervals
    exponent = math.floor(math.log10(raw))
    for power in (exponent, exponent + 1, exponent + 2):
        for base in STEPS:
            step = base * 10.0**power
            if step >= raw * (1 - 1e-9) and step >= minimum:
                return _clean(step)
    return _clean(max(raw, minimum))


def _clean(value: float) -> float:
    """`value` without float noise (0.30000000000000004 -> 0.3)."""
    return float(f"{value:.12g}")


@dataclass(frozen=True)
class Axis:
    """A value axis from `lo` to `hi` with a tick every `step` (both ends are ticks)."""

    kind: str
    lo: float
    hi: float
    step: float

    @property
    def ticks(self) -> list[float]:
        count = round((self.hi - self.lo) / self.step)
        return [_clean(self.lo + i * self.step) for i in range(count + 1)]

    def fraction(self, value: float) -> float:
        """Where `value` sits between lo (0) and hi (1)."""
        return (value - self.lo) / (self.hi - self.lo)


def value_axis(
    values: Sequence[float | None],
    kind: str,
    *,
    max_intervals: int = MAX_INTERVALS,
    include: Sequence[float] = (),
) -> Axis:
    """The axis for `values` of a `kind` (see KINDS): always includes zero; counts step by
    whole numbers; percentages (fractions) run to 100% unless a value is above it; scores run
    0-100. `include` adds values the axis must reach (e.g. a target line)."""
    if kind not in KINDS:
        raise ValueError(f"unknown axis kind {kind!r}; expected one of {', '.join(KINDS)}")
    known = [float(v) for v in [*values, *include] if v is not None]
    if kind == "score" and all(0 <= v <= 100 for v in known):
        return Axis(kind, 0.0, 100.0, 20.0)
    lo = min([0.0, *known])
    hi = max([0.0, *known])
    if kind == "percent":
        hi = max(hi, 1.0)
    minimum = 1.0 if kind == "count" else 0.0
    step = nice_step(hi - lo, max_intervals, minimum)
    lo = _clean(math.floor(lo / step - 1e-9) * step) if lo < 0 else 0.0
    hi = _clean(math.ceil(hi / step - 1e-9) * step)
    if hi <= lo:
        hi = _clean(lo + step)
    return Axis(kind, lo, hi, step)


def _decimals(value: float) -> int:
    """Decimal places `value` needs to be written exactly (up to 3)."""
    for digits in range(4):
        if abs(round(value, digits) - value) < 1e-9 * max(1.0, abs(value)):
            return digits
    return 3


def tick_labels(axis: Axis, fmt: Formatter) -> list[str]:
    """The label of every tick of `axis`, exact and in the workspace locale: '0', '20%',
    '$1.2M'. Labels use as many decimals as the step needs, so no two ticks read the same."""
    ticks = axis.ticks
    if axis.kind == "percent":
        digits = max(_decimals(t * 100) for t in ticks)
        return [fmt.percent(t, digits) for t in ticks]
    if axis.kind == "money":
        return [_money_tick(t, ticks, fmt) for t in ticks]
    digits = 0 if axis.kind == "count" else max(_decimals(t) for t in ticks)
    return [fmt.number(int(t) if digits == 0 else t, digits) for t in ticks]


def _money_tick(value: float, ticks: Sequence[float], fmt: Formatter) -> str:
    from babel.numbers import format_compact_currency

    if abs(max(ticks, key=abs)) < 10_000:
        return fmt.money(value)
    unit = next((u for u in (1e9, 1e6, 1e3) if abs(value) >= u), 1.0)
    digits = _decimals(value / unit)
    return format_compact_currency(
        value, fmt.currency, locale=fmt.locale, fraction_digits=max(digits, 0)
    )


# --- text ---------------------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """Width of `text` in SVG units at font `size`, from DejaVu Sans's metrics (generous for
    characters it lacks: CJK, emoji), so labels are shortened before they overflow."""
    from qbrgen.render._pptx_text import metrics

    return metrics("DejaVu Sans").text_width(text, size)


def shorten(text: str, size: float, width: float) -> str:
    """`text` on one line of at most `width` units: shortened with one ellipsis if needed."""
    from qbrgen.render._pptx_text import ellipsize, metrics

    return ellipsize(text, metrics("DejaVu Sans"), size, width)


def text_direction(text: str) -> str:
    """'rtl' when the first strong character of `text` is right-to-left (Arabic, Hebrew)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _wrap_title(title: str, size: float, width: float) -> list[str]:
    """A chart title on at most two lines."""
    from qbrgen.render._pptx_text import metrics, wrap

    lines = wrap(title, metrics("DejaVu Sans", bold=True), size, width)
    if len(lines) > 2:
        lines = [lines[0], shorten(" ".join(lines[1:]), size, width)]
    return lines


# --- drawing ------------------------------------------------------------------------------------


def _open(width: float, height: float, alt: str) -> list[str]:
    label = escape(alt)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{label}" '
        f'font-family="{FONT}" font-size="10">',
        f"<title>{label}</title>",
    ]


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = 10,
    fill: str = AXIS,
    weight: str = "normal",
    cls: str = "",
) -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text{klass} x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{size:g}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _title(parts: list[str], title: str, width: float) -> float:
    """Draw the chart title; returns the height it took."""
    if not title:
        return 0.0
    lines = _wrap_title(title, 8.5, width - 4)
    for i, line in enumerate(lines):
        parts.append(
            _text(2, 10 + i * 11, line, size=8.5, fill=INK, weight="bold", cls="chart-title")
        )
    return 4 + 11 * len(lines)


def _empty(width: float, height: float, alt: str, title: str, message: str) -> Markup:
    parts = _open(width, height, alt)
    top = _title(parts, title, width)
    parts.append(
        f'<rect x="0.5" y="{top + 0.5:.1f}" width="{width - 1:g}" height="{height - top - 1:.1f}" '
        f'fill="#F5F7FA" stroke="{GRID}"/>'
    )
    parts.append(_text(width / 2, top + (height - top) / 2 + 4, message, anchor="middle", size=9))
    return _close(parts)


def _y_axis(
    parts: list[str], axis: Axis, fmt: Formatter, left: float, right: float, y_of: Callable
) -> None:
    """Horizontal gridlines and their labels, at exactly the tick values."""
    for tick, label in zip(axis.ticks, tick_labels(axis, fmt), strict=True):
        y = y_of(tick)
        stroke = AXIS if tick == 0 else GRID
        parts.append(
            f'<line class="grid" x1="{left:.2f}" y1="{y:.2f}" x2="{right:.2f}" y2="{y:.2f}" '
            f'stroke="{stroke}" stroke-width="{0.8 if tick == 0 else 0.5}"/>'
        )
        parts.append(_text(left - 4, y + 3, label, anchor="end", size=7.5, cls="tick"))


def _y_label_width(axis: Axis, fmt: Formatter) -> float:
    return max(text_width(label, 7.5) for label in tick_labels(axis, fmt)) + 8


def _category_labels(
    parts: list[str], categories: Sequence[str], x_of: Callable[[int], float], y: float, slot: float
) -> None:
    """Category labels under the plot; every other one when they would collide."""
    widest = max((text_width(c, 7.5) for c in categories), default=0)
    every = max(1, math.ceil((widest + 4) / max(slot, 1)))
    for i, cat in enumerate(categories):
        if i % every:
            continue
        parts.append(
            _text(x_of(i), y, shorten(cat, 7.5, slot * every - 2), anchor="middle", size=7.5)
        )


def _legend(
    parts: list[str], items: Sequence[tuple[str, str]], x: float, y: float, width: float
) -> float:
    """Swatches and names in the given order (wrapping); returns the height used."""
    start, line = x, 0
    for name, colour in items:
        need = 14 + text_width(name, 7.5) + 10
        if x + need > start + width and x > start:
            x, line = start, line + 1
        yy = y + line * 11
        parts.append(
            f'<rect class="swatch" x="{x:.1f}" y="{yy - 7:.1f}" width="8" height="8" fill="{colour}"/>'
        )
        parts.append(_text(x + 11, yy, name, size=7.5, fill=INK))
        x += need
    return 11 * (line + 1)


def _legend_height(items: Sequence[tuple[str, str]], width: float) -> float:
    x, lines = 0.0, 1
    for name, _ in items:
        need = 14 + text_width(name, 7.5) + 10
        if x + need > width and x > 0:
            x, lines = 0.0, lines + 1
        x += need
    return 11.0 * lines


# --- chart types --------------------------------------------------------------------------------


def _frame(
    axis: Axis,
    legend: Sequence[tuple[str, str]],
    fmt: Formatter,
    title: str,
    alt: str,
    width: float,
    height: float,
    gap: float,
    right: float,
) -> tuple[list[str], float, float, float, float]:
    """Open a chart with a value axis on the left: (parts, plot top, plot left, plot width,
    plot height), leaving room for the title, the tick labels, the categories and a legend."""
    parts = _open(width, height, alt)
    top = _title(parts, title, width) + gap
    left = _y_label_width(axis, fmt)
    legend_h = _legend_height(legend, width - left) if len(legend) > 1 else 0
    bottom = 16 + legend_h
    return parts, top, left, width - left - right, height - top - bottom


def column_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    colours: Mapping[str, str],
    *,
    kind: str,
    title: str,
    alt: str,
    fmt: Formatter,
    labels: Mapping[str, str] | None = None,
    stacked: bool = True,
    width: float = 330,
    height: float = 200,
    empty_message: str = "no data",
    totals: bool = True,
) -> Markup:
    """Columns per category: one series, several stacked (tickets by severity per quarter,
    ARR renewing by band per week) or side by side (`stacked=False`). Bars start at zero;
    the value axis is `value_axis(..., kind)`. `labels` names the series in the legend."""
    names = list(series)
    count = len(categories)
    if stacked:
        heights = [sum(float(series[n][i] or 0) for n in names) for i in range(count)]
    else:
        heights = [float(series[n][i] or 0) for n in names for i in range(count)]
    if not categories or not any(heights):
        return _empty(width, height, alt, title, empty_message)
    axis = value_axis(heights, kind)
    legend = [((labels or {}).get(n, n), colours.get(n, AXIS)) for n in names]
    parts, top, left, plot_w, plot_h = _frame(axis, legend, fmt, title, alt, width, height, 6, 6)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - axis.fraction(value))

    _y_axis(parts, axis, fmt, left, left + plot_w, y_of)
    slot = plot_w / count
    group_w = min(slot * 0.7, 44 if stacked else 60)
    bar_w = group_w if stacked else group_w / len(names)

    def x_of(i: int) -> float:
        return left + slot * i + slot / 2

    for i, category in enumerate(categories):
        x0 = x_of(i) - group_w / 2
        level = 0.0
        for j, name in enumerate(names):
            value = float(series[name][i] or 0)
            if not value:
                continue
            base = level if stacked else 0.0
            y_top, y_base = y_of(base + value), y_of(base)
            x = x0 if stacked else x0 + j * bar_w
            parts.append(
                f'<rect class="bar" data-series="{escape(name)}" data-category="{escape(category)}" '
                f'x="{x:.2f}" y="{y_top:.2f}" width="{bar_w:.2f}" height="{y_base - y_top:.2f}" '
                f'fill="{colours.get(name, AXIS)}"/>'
            )
            if not stacked and totals:
                parts.append(_value_label(x + bar_w / 2, y_top - 2.5, value, kind, fmt))
            if stacked:
                level += value
        if stacked and totals and level:
            parts.append(_value_label(x_of(i), y_of(level) - 2.5, level, kind, fmt))
    _category_labels(parts, categories, x_of, top + plot_h + 10, slot)
    return _close_with_legend(parts, legend, left, top + plot_h + 24, width - left)


def _value_label(x: float, y: float, value: float, kind: str, fmt: Formatter) -> str:
    """The value written above a bar or point."""
    return _text(
        x, y, _value_text(value, kind, fmt), anchor="middle", size=7, fill=INK, cls="value"
    )


def _close_with_legend(
    parts: list[str], legend: Sequence[tuple[str, str]], x: float, y: float, width: float
) -> Markup:
    """Close a chart, with its legend when it has more than one series."""
    if len(legend) > 1:
        _legend(parts, legend, x, y, width)
    return _close(parts)


def _value_text(value: float, kind: str, fmt: Formatter) -> str:
    if kind == "percent":
        return fmt.percent(value)
    if kind == "money":
        return fmt.money(value, compact=True)
    if kind == "count":
        return fmt.number(int(round(value)))
    return fmt.number(value)


def line_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    colours: Mapping[str, str],
    *,
    kind: str,
    title: str,
    alt: str,
    fmt: Formatter,
    labels: Mapping[str, str] | None = None,
    zones: Sequence[tuple[float, float, str]] = (),
    width: float = 330,
    height: float = 200,
    empty_message: str = "no data",
) -> Markup:
    """One or more series over categories (quarters, weeks); None leaves a gap. The value axis
    follows the same rules as the bar charts (zero included, 1-2-5 ticks, percentages to 100%,
    scores 0-100). `zones` shades value ranges behind the lines, e.g. the health bands:
    (from, to, colour)."""
    names = list(series)
    known = [v for n in names for v in series[n] if v is not None]
    if not categories or not known:
        return _empty(width, height, alt, title, empty_message)
    axis = value_axis(known, kind)
    legend = [((labels or {}).get(n, n), colours.get(n, AXIS)) for n in names]
    parts, top, left, plot_w, plot_h = _frame(axis, legend, fmt, title, alt, width, height, 8, 14)
    count = len(categories)
    slot = plot_w / count

    def x_of(i: int) -> float:
        return left + slot * i + slot / 2

    def y_of(value: float) -> float:
        return top + plot_h * (1 - axis.fraction(value))

    for lo, hi, colour in zones:
        lo, hi = max(lo, axis.lo), min(hi, axis.hi)
        if hi > lo:
            parts.append(
                f'<rect class="zone" x="{left:.2f}" y="{y_of(hi):.2f}" width="{plot_w:.2f}" '
                f'height="{y_of(lo) - y_of(hi):.2f}" fill="{colour}" fill-opacity="0.12"/>'
            )
    _y_axis(parts, axis, fmt, left, left + plot_w, y_of)
    for name in names:
        colour = colours.get(name, AXIS)
        values = series[name]
        segment: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline class="line" data-series="{escape(name)}" fill="none" '
                        f'stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            segment.append(f"{x_of(i):.2f},{y_of(v):.2f}")
        for i, v in enumerate(values):
            if v is None:
                continue
            parts.append(
                f'<circle class="point" data-series="{escape(name)}" data-category="{escape(categories[i])}" '
                f'cx="{x_of(i):.2f}" cy="{y_of(v):.2f}" r="2.8" fill="{colour}"/>'
            )
            if len(names) == 1:
                parts.append(_value_label(x_of(i), y_of(v) - 5, v, kind, fmt))
    _category_labels(parts, categories, x_of, top + plot_h + 10, slot)
    return _close_with_legend(parts, legend, left, top + plot_h + 24, width - left)


@dataclass(frozen=True)
class BarRow:
    """One horizontal bar: its label, value (None: not measured, `note` says why) and colour."""

    label: str
    value: float | None
    colour: str
    note: str = ""


def bar_chart(
    rows: Sequence[BarRow],
    *,
    kind: str,
    title: str,
    alt: str,
    fmt: Formatter,
    width: float = 330,
    label_width: float = 96,
    empty_message: str = "no data",
) -> Markup:
    """Horizontal bars from zero on a value axis along the bottom (health components 0-100,
    feature adoption 0-100%). Each bar ends at its value; the value is written after it."""
    if not rows:
        return _empty(width, 70, alt, title, empty_message)
    axis = value_axis([r.value for r in rows], kind)
    row_h = 18
    parts: list[str] = []
    top = _title(parts, title, width) + 4
    height = top + row_h * len(rows) + 18
    head = _open(width, height, alt)
    parts = head + parts
    left, right = label_width, 34
    plot_w = width - left - right

    def x_of(value: float) -> float:
        return left + plot_w * axis.fraction(value)

    bottom = top + row_h * len(rows)
    for tick, label in zip(axis.ticks, tick_labels(axis, fmt), strict=True):
        x = x_of(tick)
        parts.append(
            f'<line class="grid" x1="{x:.2f}" y1="{top:.2f}" x2="{x:.2f}" y2="{bottom:.2f}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="{0.8 if tick == 0 else 0.5}"/>'
        )
        parts.append(_text(x, bottom + 10, label, anchor="middle", size=7, cls="tick"))
    for i, row in enumerate(rows):
        y = top + i * row_h
        parts.append(
            _text(left - 5, y + 12, shorten(row.label, 8, left - 8), anchor="end", size=8, fill=INK)
        )
        if row.value is None:
            parts.append(_text(left + 4, y + 12, shorten(row.note or "n/a", 7, plot_w), size=7))
            continue
        end = x_of(row.value)
        parts.append(
            f'<rect class="bar" data-category="{escape(row.label)}" x="{x_of(0):.2f}" y="{y + 4:.2f}" '
            f'width="{end - x_of(0):.2f}" height="10" fill="{row.colour}"/>'
        )
        parts.append(
            _text(end + 3, y + 12, _value_text(row.value, kind, fmt), size=7, fill=INK, cls="value")
        )
    return _close(parts)


# --- stakeholder map ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """One stakeholder on the influence × sentiment grid."""

    number: int
    name: str
    influence: str  # high | medium | low
    sentiment: str  # negative | neutral | positive
    colour: str
    active: bool


INFLUENCE = ("high", "medium", "low")
SENTIMENT = ("negative", "neutral", "positive")


GRID_WORDS = {
    "high influence": N_("High influence"),
    "medium influence": N_("Medium influence"),
    "low influence": N_("Low influence"),
    "negative sentiment": N_("Negative sentiment"),
    "neutral sentiment": N_("Neutral sentiment"),
    "positive sentiment": N_("Positive sentiment"),
    "key": N_("● filled: contacted in the last 90 days   ○ hollow: not contacted recently"),
}
"""The stakeholder grid's headings in a translated document (English keeps the labels)."""


def stakeholder_grid(
    points: Sequence[MapPoint],
    *,
    alt: str,
    width: int = 640,
    cell_tint: dict[str, str] | None = None,
    label: Callable[[str, str], str] | None = None,
    translate: Callable[[str], str] | None = None,
) -> Markup:
    """Influence (rows) × sentiment (columns) grid; each stakeholder a numbered marker, solid
    when active in the last 90 days, hollow when not. Names are shown when a cell has room.
    `label(key, kind)` gives the display names of the levels; `translate` (a catalog) writes
    the row and column headings and the key in another language than English."""
    name_of = label or (lambda key, kind: key.capitalize())

    def heading(key: str, kind: str, noun: str) -> str:
        if translate is not None:
            return translate(GRID_WORDS[f"{key} {noun}"])
        return f"{name_of(key, kind)} {noun}"

    # the row headings' column: as wide as the widest heading (bold 9, 'Influence moyenne')
    widest = max(text_width(heading(inf, "influence", "influence"), 9) * 1.08 for inf in INFLUENCE)
    left, top, head = max(96, math.ceil(widest + 8)), 4, 18
    cell_w = (width - left - 4) / 3
    per_row = max(1, int((cell_w - 8) // 26))
    cells: dict[tuple[str, str], list[MapPoint]] = {}
    for p in points:
        cells.setdefault((p.influence, p.sentiment), []).append(p)
    named = all(len(v) <= 4 for v in cells.values())
    row_heights = []
    for inf in INFLUENCE:
        most = max((len(cells.get((inf, s), [])) for s in SENTIMENT), default=0)
        lines = most if named else -(-most // per_row)
        row_heights.append(max(52, 12 + lines * (20 if named else 24)))
    height = int(top + head + sum(row_heights) + 24)
    tint = cell_tint or {"negative": "#FCEDEB", "neutral": "#F5F7FA", "positive": "#EAF5EE"}
    parts = _open(width, height, alt)
    for j, sent in enumerate(SENTIMENT):
        parts.append(
            _text(
                left + cell_w * j + cell_w / 2,
                top + 12,
                heading(sent, "sentiments", "sentiment"),
                anchor="middle",
                size=9,
                weight="bold",
            )
        )
    y = float(top + head)
    for i, inf in enumerate(INFLUENCE):
        rh = row_heights[i]
        parts.append(
            _text(
                left - 6,
                y + rh / 2 + 3,
                heading(inf, "influence", "influence"),
                anchor="end",
                size=9,
                weight="bold",
            )
        )
        for j, sent in enumerate(SENTIMENT):
            x = left + cell_w * j
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w:.1f}" height="{rh}" fill="{tint[sent]}" stroke="#FFFFFF" stroke-width="2"/>'
            )
            for k, p in enumerate(cells.get((inf, sent), [])):
                if named:
                    cx, cy = x + 14, y + 14 + k * 20
                else:
                    cx, cy = x + 14 + (k % per_row) * 26, y + 14 + (k // per_row) * 24
                fill = p.colour if p.active else "#FFFFFF"
                text_fill = "#FFFFFF" if p.active else p.colour
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="{fill}" stroke="{p.colour}" stroke-width="1.5"/>'
                )
                parts.append(
                    _text(
                        cx,
                        cy + 3,
                        str(p.number),
                        anchor="middle",
                        size=8,
                        fill=text_fill,
                        weight="bold",
                    )
                )
                if named:
                    name = shorten(p.name, 8.5, cell_w - 30)
                    parts.append(_text(cx + 13, cy + 3, name, size=8.5, fill=INK))
        y += rh
    parts.append(
        _text(
            left,
            height - 8,
            (translate or str)(GRID_WORDS["key"]),
            size=8,
        )
    )
    return _close(parts)
