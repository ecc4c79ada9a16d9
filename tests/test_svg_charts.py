"""The PDF chart layer (render/_svg.py), read back from the SVG it writes: tick labels sit on
their gridlines, ticks step 1-2-5 from zero, and every bar's top (every point) sits at its
value on the axis, on the data that used to break it (max 5, max 1.06, values near $1M)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from qbrgen.formatting import Formatter
from qbrgen.render import _svg

NS = "{http://www.w3.org/2000/svg}"
FMT = Formatter("en_US", "USD")


# --- reading an SVG back ----------------------------------------------------------------------


def parse(svg: Any) -> ET.Element:
    return ET.fromstring(str(svg))


def number_of(label: str) -> float:
    """'$1.2M' -> 1200000, '120%' -> 1.2, '1,000' -> 1000."""
    text = label.replace(",", "").replace("$", "").strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    for suffix, factor in (("K", 1e3), ("M", 1e6), ("B", 1e9)):
        if text.endswith(suffix):
            text, scale = text[:-1], factor
    return float(text) * scale


def axis_of(root: ET.Element, vertical: bool = True) -> list[tuple[float, float]]:
    """(value, position) of every tick: each label paired with its gridline, which must be at
    the label's position (3 units above a y-axis label's baseline, on an x-axis label's x)."""
    grids = root.findall(f"{NS}line[@class='grid']")
    ticks = root.findall(f"{NS}text[@class='tick']")
    assert grids and len(grids) == len(ticks), "one label per gridline"
    out = []
    for line, text in zip(grids, ticks, strict=True):
        if vertical:
            assert line.get("y1") == line.get("y2")
            position = float(line.get("y1", "nan"))
            assert float(text.get("y", "nan")) - 3 == pytest.approx(position, abs=0.01)
        else:
            assert line.get("x1") == line.get("x2")
            position = float(line.get("x1", "nan"))
            assert float(text.get("x", "nan")) == pytest.approx(position, abs=0.01)
        out.append((number_of(text.text or ""), position))
    return out


def check_scale(ticks: list[tuple[float, float]]) -> tuple[float, float]:
    """Ticks start at zero, step by 1, 2 or 5 × 10^k, evenly spaced on the page; returns the
    linear map (position of 0, units per value)."""
    values = [v for v, _ in ticks]
    assert values[0] == 0, values
    steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1, f"uneven ticks {values}"
    step = steps.pop()
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 5), f"step {step} is not 1-2-5"
    origin = ticks[0][1]
    per_unit = (ticks[1][1] - origin) / step
    for value, position in ticks:
        assert position == pytest.approx(origin + value * per_unit, abs=0.02), (value, position)
    return origin, per_unit


def title_of(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.findall(f"{NS}text[@class='chart-title']"))


# --- scales ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        ([1, 5, 2], "count", (0, 5, 1)),  # used to read 0, 1, 2, 4, 5 on lines at 1.25 steps
        ([0, 0], "count", (0, 1, 1)),
        ([3, 17], "count", (0, 20, 5)),
        ([0.4, 0.53], "percent", (0, 1, 0.2)),  # percentages run to 100%
        ([0.7, 1.06], "percent", (0, 1.2, 0.2)),  # used to read 0 / 26 / 53 / 79 / 106%
        ([980_000], "money", (0, 1_000_000, 200_000)),
        ([1_020_000, 990_000], "money", (0, 1_200_000, 200_000)),
        ([43, 88], "score", (0, 100, 20)),
        ([-3, 7], "number", (-4, 8, 2)),
    ],
)
def test_value_axis(values: list[float], kind: str, expected: tuple[float, float, float]) -> None:
    axis = _svg.value_axis(values, kind)
    assert (axis.lo, axis.hi, axis.step) == pytest.approx(expected)
    assert axis.ticks[0] == axis.lo and axis.ticks[-1] == axis.hi


def test_tick_labels_are_exact_and_distinct() -> None:
    axis = _svg.value_axis([1_020_000], "money")
    assert _svg.tick_labels(axis, FMT) == ["$0", "$200K", "$400K", "$600K", "$800K", "$1M", "$1.2M"]
    assert _svg.tick_labels(_svg.value_axis([1.06], "percent"), FMT)[-1] == "120%"
    assert _svg.tick_labels(_svg.value_axis([0.012], "percent"), FMT)[1] == "20%"  # 0-100%
    assert _svg.tick_labels(_svg.value_axis([0.9], "number"), FMT)[1] == "0.2"
    german = _svg.tick_labels(_svg.value_axis([1_020_000], "money"), Formatter("de_DE", "EUR"))
    assert len(set(german)) == len(german)


# --- chart types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stacks", "kind"),
    [
        ({"critical": [0, 1, 0, 2, 1], "high": [1, 2, 1, 3, 2], "low": [0, 1, 1, 0, 0]}, "count"),
        ({"green": [620_000, 0, 150_000], "red": [400_000, 980_000, 0]}, "money"),
    ],
)
def test_stacked_columns_reach_their_values(stacks: dict[str, list[float]], kind: str) -> None:
    quarters = ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"][
        : len(next(iter(stacks.values())))
    ]
    svg = _svg.column_chart(
        quarters, stacks, {n: "#123456" for n in stacks}, kind=kind, fmt=FMT,
        title="Tickets per quarter, 2025-Q3 to 2026-Q3 (tickets)", alt="alt",
    )  # fmt: skip
    root = parse(svg)
    origin, per_unit = check_scale(axis_of(root))
    totals = [sum(s[i] for s in stacks.values()) for i in range(len(quarters))]
    assert max(v for v, _ in axis_of(root)) >= max(totals)
    bars = root.findall(f"{NS}rect[@class='bar']")
    assert len(bars) == sum(1 for s in stacks.values() for v in s if v)
    for i, quarter in enumerate(quarters):
        level = 0.0
        for name, values in stacks.items():  # stacked in series order, from zero
            if not values[i]:
                continue
            [bar] = [
                b for b in bars
                if b.get("data-series") == name and b.get("data-category") == quarter
            ]  # fmt: skip
            top = float(bar.get("y", "nan"))
            bottom = top + float(bar.get("height", "nan"))
            assert bottom == pytest.approx(origin + level * per_unit, abs=0.05)
            level += values[i]
            assert top == pytest.approx(origin + level * per_unit, abs=0.05), (name, quarter)
    assert "(tickets)" in title_of(root)


def test_grouped_columns_start_at_zero() -> None:
    svg = _svg.column_chart(
        ["Red", "Yellow", "Green"], {"before": [1, 3, 5], "now": [2, 2, 5]},
        {"before": "#999999", "now": "#123456"}, kind="count", fmt=FMT, stacked=False,
        title="Accounts per health band (accounts)", alt="alt",
    )  # fmt: skip
    root = parse(svg)
    origin, per_unit = check_scale(axis_of(root))
    for bar in root.findall(f"{NS}rect[@class='bar']"):
        series = {"before": [1, 3, 5], "now": [2, 2, 5]}[bar.get("data-series", "")]
        value = series[["Red", "Yellow", "Green"].index(bar.get("data-category", ""))]
        top = float(bar.get("y", "nan"))
        assert top + float(bar.get("height", "nan")) == pytest.approx(origin, abs=0.05)
        assert top == pytest.approx(origin + value * per_unit, abs=0.05)


@pytest.mark.parametrize(
    ("values", "kind", "top_tick"),
    [
        ([0.62, None, 0.81, 1.06], "percent", 1.2),
        ([0.5, 0.55, 0.6], "percent", 1.0),
        ([990_000, 1_010_000, 1_060_000], "money", 1_200_000),
        ([41.5, 58.0, 77.2], "score", 100),
    ],
)
def test_line_points_sit_at_their_values(
    values: list[float | None], kind: str, top_tick: float
) -> None:
    quarters = [f"2026-Q{i}" for i in range(1, len(values) + 1)]
    svg = _svg.line_chart(
        quarters, {"s": values}, {"s": "#123456"}, kind=kind, fmt=FMT, alt="alt",
        title="Seat utilisation by quarter end, 2026-Q1 to 2026-Q4 (% of licensed seats)",
    )  # fmt: skip
    root = parse(svg)
    ticks = axis_of(root)
    origin, per_unit = check_scale(ticks)
    assert ticks[-1][0] == pytest.approx(top_tick)
    points = root.findall(f"{NS}circle[@class='point']")
    assert [p.get("data-category") for p in points] == [
        q for q, v in zip(quarters, values, strict=True) if v is not None
    ]
    known = [v for v in values if v is not None]
    for point, value in zip(points, known, strict=True):
        assert float(point.get("cy", "nan")) == pytest.approx(origin + value * per_unit, abs=0.05)
    # a gap (None) splits the line: one polyline per run of two or more known values
    runs = "".join("x" if v is not None else " " for v in values).split()
    assert len(root.findall(f"{NS}polyline")) == sum(1 for run in runs if len(run) > 1)


@pytest.mark.parametrize(
    ("rows", "kind", "top_tick"),
    [
        ([("Adoption", 100.0), ("Engagement", 55.5), ("Support", 0.0)], "score", 100),
        ([("Dashboards", 0.93), ("Alerts", 0.412), ("API", 0.05)], "percent", 1.0),
    ],
)
def test_horizontal_bars_end_at_their_values(
    rows: list[tuple[str, float]], kind: str, top_tick: float
) -> None:
    svg = _svg.bar_chart(
        [_svg.BarRow(label, value, "#123456") for label, value in rows]
        + [_svg.BarRow("Sentiment", None, "#123456", "no survey")],
        kind=kind, fmt=FMT, title="Health components as of Oct 15, 2026 (score 0 to 100)",
        alt="alt",
    )  # fmt: skip
    root = parse(svg)
    ticks = axis_of(root, vertical=False)
    origin, per_unit = check_scale(ticks)
    assert ticks[-1][0] == pytest.approx(top_tick)
    bars = {b.get("data-category"): b for b in root.findall(f"{NS}rect[@class='bar']")}
    assert set(bars) == {label for label, _ in rows}  # no bar for a value that is missing
    for label, value in rows:
        bar = bars[label]
        assert float(bar.get("x", "nan")) == pytest.approx(origin, abs=0.05)
        end = float(bar.get("x", "nan")) + float(bar.get("width", "nan"))
        assert end == pytest.approx(origin + value * per_unit, abs=0.05), label
    assert "no survey" in ET.tostring(root, encoding="unicode")


def test_every_chart_is_titled_and_labelled_accessibly() -> None:
    svg = _svg.column_chart(
        ["a"], {"x": [1]}, {}, kind="count", fmt=FMT, title="T (tickets)", alt="Alt <text> & more"
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Alt <text> & more"
    assert root.find(f"{NS}title") is not None and title_of(root) == "T (tickets)"
    empty = parse(
        _svg.line_chart([], {"x": []}, {}, kind="percent", fmt=FMT, title="Empty (%)", alt="a")
    )
    assert title_of(empty) == "Empty (%)"


def test_long_labels_are_shortened_with_one_ellipsis() -> None:
    name = "شركة الاتصالات السعودية المتقدمة للتجارة والاستثمار " * 3
    svg = _svg.bar_chart(
        [_svg.BarRow(name, 0.5, "#123456")], kind="percent", fmt=FMT, title="t", alt="a"
    )
    texts = [t.text or "" for t in parse(svg).iter(f"{NS}text")]
    shortened = [t for t in texts if t.startswith("شركة")]
    assert len(shortened) == 1 and shortened[0].count("…") == 1
    assert _svg.text_width(shortened[0], 8) <= 96
    assert re.fullmatch(r"rtl", _svg.text_direction(name))
