"""Vector charts as inline SVG, drawn by qbrgen itself (no matplotlib, no network).

Each function returns `Markup` ready to drop into an autoescaped HTML template. Every chart
carries `role="img"`, an `aria-label` and a `<title>` holding its alt text (WeasyPrint uses the
`<title>` as the /Alt of the tagged Figure). Every piece of account text is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "DejaVu Sans, Noto Sans, sans-serif"
GRID = "#D9DEE5"
AXIS = "#6B7280"


def _open(width: int, height: int, alt: str) -> list[str]:
    label = escape(alt)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'font-family="{FONT}" font-size="10">',
        f"<title>{label}</title>",
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = 10,
    fill: str = AXIS,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _empty(width: int, height: int, alt: str, message: str) -> Markup:
    parts = _open(width, height, alt)
    parts.append(
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#F5F7FA" stroke="{GRID}"/>'
    )
    parts.append(_text(width / 2, height / 2, message, anchor="middle", size=11))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()


def line_chart(
    categories: Sequence[str],
    values: Sequence[float | None],
    *,
    alt: str,
    colour: str,
    fmt: Callable[[float], str],
    y_max: float | None = None,
    width: int = 330,
    height: int = 190,
    empty_message: str = "no data",
) -> Markup:
    """One series over categories (e.g. quarters); None values leave a gap."""
    known = [v for v in values if v is not None]
    if not categories or not known:
        return _empty(width, height, alt, empty_message)
    left, right, top, bottom = 44, 24, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(y_max or 0, max(known) * 1.15, 1e-9)
    step = plot_w / max(len(categories) - 1, 1)

    def x_of(i: int) -> float:
        return left + (i * step if len(categories) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h

    parts = _open(width, height, alt)
    for i in range(5):
        tick = top_value * i / 4
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 3, fmt(tick), anchor="end", size=8))
    for i, cat in enumerate(categories):
        parts.append(_text(x_of(i), height - bottom + 14, cat, anchor="middle", size=8))
    segment: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
                )
            segment = []
            continue
        segment.append(f"{x_of(i):.1f},{y_of(v):.1f}")
    if len(segment) > 1:
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
        )
    for i, v in enumerate(values):
        if v is None:
            continue
        parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{colour}"/>')
        anchor = "start" if i == 0 and len(categories) > 1 else "middle"
        parts.append(
            _text(
                x_of(i) + (2 if anchor == "start" else 0),
                y_of(v) - 6,
                fmt(v),
                anchor=anchor,
                size=8,
                fill="#1E1E1E",
            )
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()


def stacked_bars(
    categories: Sequence[str],
    stacks: dict[str, Sequence[int]],
    colours: dict[str, str],
    *,
    alt: str,
    width: int = 330,
    height: int = 190,
    empty_message: str = "no tickets",
) -> Markup:
    """Counts per category, stacked by series (e.g. tickets by severity per quarter), with a legend."""
    totals = [sum(series[i] for series in stacks.values()) for i in range(len(categories))]
    if not categories or not any(totals):
        return _empty(width, height, alt, empty_message)
    left, right, top, bottom = 30, 12, 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(max(totals), 1)
    ticks = min(top_value, 4)
    slot = plot_w / len(categories)
    bar_w = min(slot * 0.6, 40)
    parts = _open(width, height, alt)
    for i in range(ticks + 1):
        tick = top_value * i / ticks
        y = top + plot_h - tick / top_value * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 3, f"{tick:.0f}", anchor="end", size=8))
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base = float(top + plot_h)
        for name, series in stacks.items():
            count = series[i]
            if not count:
                continue
            h = count / top_value * plot_h
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colours.get(name, AXIS)}"/>'
            )
        if totals[i]:
            parts.append(
                _text(
                    x + bar_w / 2, base - 3, str(totals[i]), anchor="middle", size=8, fill="#1E1E1E"
                )
            )
        parts.append(_text(x + bar_w / 2, top + plot_h + 12, cat, anchor="middle", size=8))
    legend_x = left
    legend_y = height - 12
    for name in stacks:
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y - 7}" width="8" height="8" fill="{colours.get(name, AXIS)}"/>'
        )
        parts.append(_text(legend_x + 11, legend_y, name, size=8))
        legend_x += 14 + 6 * len(name) + 8
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()


def hbars(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    alt: str,
    colour_of: Callable[[float], str],
    fmt: Callable[[float], str],
    max_value: float = 100,
    width: int = 330,
    label_width: int = 110,
    empty_message: str = "no data",
) -> Markup:
    """Horizontal bars (label, value, note) on a 0..max_value scale, e.g. health components."""
    if not rows:
        return _empty(width, 60, alt, empty_message)
    row_h = 22
    height = row_h * len(rows) + 10
    plot_w = width - label_width - 64
    parts = _open(width, height, alt)
    for i, (label, value, note) in enumerate(rows):
        y = 5 + i * row_h
        parts.append(_text(label_width - 6, y + 13, label, anchor="end", size=9, fill="#1E1E1E"))
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{plot_w}" height="12" fill="#EEF1F5"/>'
        )
        if value is None:
            parts.append(_text(label_width + 4, y + 13, note or "n/a", size=8))
            continue
        w = max(0.0, min(value, max_value)) / max_value * plot_w
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="12" fill="{colour_of(value)}"/>'
        )
        parts.append(
            _text(
                label_width + plot_w + 4,
                y + 13,
                fmt(value) + (f" {note}" if note else ""),
                size=8,
                fill="#1E1E1E",
            )
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()


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


def stakeholder_grid(
    points: Sequence[MapPoint],
    *,
    alt: str,
    width: int = 640,
    cell_tint: dict[str, str] | None = None,
) -> Markup:
    """Influence (rows) × sentiment (columns) grid; each stakeholder a numbered marker, solid
    when active in the last 90 days, hollow when not. Names are shown when a cell has room."""
    left, top, head = 96, 4, 18
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
                f"{sent} sentiment",
                anchor="middle",
                size=9,
                weight="bold",
            )
        )
    y = top + head
    for i, inf in enumerate(INFLUENCE):
        rh = row_heights[i]
        parts.append(
            _text(left - 6, y + rh / 2 + 3, f"{inf} influence", anchor="end", size=9, weight="bold")
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
                    label = p.name if len(p.name) <= 28 else p.name[:27] + "…"
                    parts.append(_text(cx + 13, cy + 3, label, size=8.5, fill="#1E1E1E"))
        y += rh
    parts.append(
        _text(
            left,
            height - 8,
            "● filled: contacted in the last 90 days   ○ hollow: not contacted recently",
            size=8,
        )
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text piece went through escape()
