"""Native, editable deck charts built from the KPI engine's series (never recomputed here).

Each chart kind is a small function from the series in the deck's render context (the
customer view holds only the customer's series) to a `ChartData`, or the plain reason there
is nothing to draw; `draw_chart` turns it into a python-pptx chart whose numbers the customer
can open and edit in PowerPoint. Severities come in the palette's order and colours, so the
deck's ticket chart reads like the account plan's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.util import Emu, Pt

from qbrgen.labels import N_
from qbrgen.palette import SEVERITY_ORDER

if TYPE_CHECKING:
    from pptx.slide import Slide

    from qbrgen.palette import Palette
    from qbrgen.templates import Formatter

Series = dict[str, Any]


@dataclass
class ChartData:
    """What one chart shows: categories, named series, how to format and colour them."""

    kind: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    number_format: str
    axis_title: str
    colours: list[str] = field(default_factory=list)
    stacked: bool = False
    horizontal: bool = False
    line: bool = False
    percent_axis: bool = False
    formats: list[str] = field(default_factory=list)
    """A number format per series, when they differ (counts and a share on one chart)."""


@dataclass
class NoChart:
    """Why a chart has nothing to show (said plainly on the slide instead)."""

    reason: str


def _floats(values: list[Any]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def arr_chart(series: Series, formatter: Formatter, palette: Palette) -> ChartData | NoChart:
    if not series.get("arr"):
        return NoChart(N_("no revenue history"))
    values = _floats(series["arr"])
    return ChartData(
        "arr",
        list(series["quarters"]),
        [(formatter.gettext("ARR"), values)],
        formatter.excel_money(),
        formatter.gettext("ARR (%(currency)s)", currency=formatter.currency),
        [palette.colours.primary],
    )


def utilisation_chart(
    series: Series, formatter: Formatter, palette: Palette
) -> ChartData | NoChart:
    if not series.get("utilisation"):
        return NoChart(N_("no usage data with licensed seats"))
    return ChartData(
        "utilisation",
        list(series["quarters"]),
        [(formatter.gettext("Seat utilisation"), _floats(series["utilisation"]))],
        formatter.excel_percent(0),
        formatter.gettext("Active users ÷ licensed seats"),
        [palette.colours.secondary],
        line=True,
        percent_axis=True,
    )


def feature_chart(series: Series, formatter: Formatter, palette: Palette) -> ChartData | NoChart:
    adoption: dict[str, float] = series.get("feature_adoption") or {}
    if not adoption:
        return NoChart(N_("no feature adoption in the latest usage period"))
    ordered = sorted(adoption.items(), key=lambda kv: (kv[1], kv[0]))  # bars read top-down
    return ChartData(
        "feature_adoption",
        [formatter.label(name, "features") for name, _ in ordered],
        [(formatter.gettext("Share of active users"), [float(v) for _, v in ordered])],
        formatter.excel_percent(0),
        formatter.gettext("Share of active users"),
        [palette.colours.primary],
        horizontal=True,
        percent_axis=True,
    )


def tickets_chart(series: Series, formatter: Formatter, palette: Palette) -> ChartData | NoChart:
    tickets: dict[str, list[int]] = series.get("tickets") or {}
    if not any(sum(v) for v in tickets.values()):
        return NoChart(N_("no support tickets opened in the last five quarters"))
    names = [s for s in SEVERITY_ORDER if s in tickets]  # worst first, as in every legend
    return ChartData(
        "tickets",
        list(series["quarters"]),
        [(formatter.label(s, "severities"), [float(v) for v in tickets[s]]) for s in names],
        "0",
        formatter.gettext("Tickets opened"),
        [palette.severity(s) for s in names],
        stacked=True,
    )


ChartBuilder = Callable[[Series, "Formatter", "Palette"], ChartData | NoChart]
CHARTS: dict[str, ChartBuilder] = {
    "arr": arr_chart,
    "utilisation": utilisation_chart,
    "feature_adoption": feature_chart,
    "tickets": tickets_chart,
}
"""Chart kind (as named in the deck template) -> builder."""
INTERNAL_CHARTS = frozenset({"arr"})
"""Chart kinds a customer deck may not draw (the customer context has no ARR history)."""


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def draw_chart(
    slide: Slide,
    data: ChartData,
    box: tuple[int, int, int, int],
    font: str,
    text_colour: str,
) -> Any:
    """Add `data` as a native chart in `box` (left, top, width, height in EMU)."""
    chart_data: Any = CategoryChartData(number_format=data.number_format)
    chart_data.categories = data.categories
    for name, values in data.series:
        chart_data.add_series(name, values)
    if data.line:
        chart_type = XL_CHART_TYPE.LINE_MARKERS
    elif data.horizontal:
        chart_type = XL_CHART_TYPE.BAR_CLUSTERED
    elif data.stacked:
        chart_type = XL_CHART_TYPE.COLUMN_STACKED
    else:
        chart_type = XL_CHART_TYPE.COLUMN_CLUSTERED
    left, top, width, height = (Emu(v) for v in box)
    frame: Any = slide.shapes.add_chart(chart_type, left, top, width, height, chart_data)
    chart = frame.chart
    chart.font.size = Pt(12)
    chart.font.name = font
    chart.font.color.rgb = _rgb(text_colour)
    chart.has_title = False
    multi = len(data.series) > 1
    chart.has_legend = multi
    if multi:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    plot = chart.plots[0]
    if not data.line:
        plot.gap_width = 60
        if data.stacked:
            plot.overlap = 100
    for index, series in enumerate(plot.series):
        colour = _rgb(data.colours[index % len(data.colours)]) if data.colours else None
        if colour is None:
            continue
        if data.line:
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(3)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
    if not multi:
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = data.number_format
        labels.number_format_is_linked = False
        labels.font.size = Pt(11)
        labels.position = XL_LABEL_POSITION.ABOVE if data.line else XL_LABEL_POSITION.OUTSIDE_END
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE7, 0xEB)
    value_axis.tick_labels.number_format = data.number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.tick_labels.font.size = Pt(11)
    value_axis.minimum_scale = 0
    if data.percent_axis:
        peak = max((v for _, vals in data.series for v in vals if v is not None), default=1.0)
        value_axis.maximum_scale = 1.0 if peak <= 1.0 else None
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = data.axis_title
    title_font = value_axis.axis_title.text_frame.paragraphs[0].runs[0].font
    title_font.size = Pt(11)
    title_font.bold = False
    title_font.name = font
    category_axis = chart.category_axis
    category_axis.tick_labels.font.size = Pt(11)
    category_axis.has_major_gridlines = False
    category_axis.format.line.color.rgb = RGBColor(0x9C, 0xA3, 0xAF)
    return chart
