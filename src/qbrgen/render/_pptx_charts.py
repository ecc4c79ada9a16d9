"""Native, editable deck charts built from the KPI engine's series (never recomputed here).

Each chart kind is a small function from the series in the deck's render context (the
customer view holds only the customer's series) to a `ChartData`, or the plain reason there
is nothing to draw; `draw_chart` turns it into a python-pptx chart whose numbers the customer
can open and edit in PowerPoint. Severities come in the palette's order and colours, so the
deck's ticket chart reads like the account plan's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.util import Pt

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
        [formatter.quarter(q) for q in series["quarters"]],
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
        [formatter.quarter(q) for q in series["quarters"]],
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
        [formatter.quarter(q) for q in series["quarters"]],
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
    stamp: dt.datetime,
) -> Any:
    """Add `data` as a native chart in `box` (left, top, width, height in EMU); its workbook
    (what PowerPoint's "Edit Data" opens) is dated `stamp`."""
    from qbrgen.render._pptx_parts import add_chart

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
    chart = add_chart(slide, chart_type, chart_data, box, chart_workbook(data, stamp))
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


# --- the chart's workbook ----------------------------------------------------------------------

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]")
_FIXED_PARTS: dict[tuple[str, dt.datetime], list[Any]] = {}


def _fixed_parts(number_format: str, stamp: dt.datetime) -> list[Any]:
    """The parts of a chart workbook that do not depend on its numbers, deflated once per
    number format: content types, relationships, workbook, styles, core properties."""
    from qbrgen.render._zip import deflated

    key = (number_format, stamp)
    if key in _FIXED_PARTS:
        return _FIXED_PARTS[key]
    when = stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/><Relationship '
            'Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_SHEET_NS}" xmlns:r="{_DOC_REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
            f'Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_SHEET_NS}"><numFmts count="1"><numFmt numFmtId="164" '
            f'formatCode="{escape(number_format, {chr(34): "&quot;"})}"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
            '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
            "<left/><right/><top/><bottom/><diagonal/></border></borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" '
            'xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle '
            'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
    }
    made = [deflated(name, (_XML + xml).encode()) for name, xml in parts.items()]
    _FIXED_PARTS[key] = made
    return made


def _column(number: int) -> str:
    """Column letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, text: str) -> str:
    clean = escape(_ILLEGAL.sub("", text))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{clean}</t></is></c>'


def chart_workbook(data: ChartData, stamp: dt.datetime) -> bytes:
    """The chart's numbers as the workbook PowerPoint opens with "Edit Data", laid out where
    the chart's XML looks for them (python-pptx's layout): categories in column A from row 2,
    a column per series with its name in row 1. Only the sheet is written per chart; the
    other parts are made once per number format."""
    from qbrgen.render._zip import deflated, write_zip

    columns = [_column(2 + index) for index in range(len(data.series))]
    rows = ["<row r=\"1\">" + "".join(
        _text_cell(f"{col}1", name) for col, (name, _) in zip(columns, data.series, strict=True)
    ) + "</row>"]  # fmt: skip
    for index, category in enumerate(data.categories):
        r = index + 2
        cells = [_text_cell(f"A{r}", str(category))]
        for col, (_, values) in zip(columns, data.series, strict=True):
            value = values[index] if index < len(values) else None
            if value is not None:
                cells.append(f'<c r="{col}{r}" s="1"><v>{float(value)!r}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (
        f'{_XML}<worksheet xmlns="{_SHEET_NS}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    )
    entries = [*_fixed_parts(data.number_format, stamp), deflated("xl/worksheets/sheet1.xml",
                                                                   sheet.encode())]  # fmt: skip
    package = write_zip(entries, stamp)
    assert package is not None  # a chart's handful of numbers is far from Zip64
    return package
