"""The scorecard's Charts sheet: health distribution, ARR by band, the quarterly trend and the
ARR bridge (start → new → expansion → contraction → churn → end)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qbrgen.labels import N_
from qbrgen.render._scorecard_cells import BANDS, SheetWriter, Styles, wrap_cells
from qbrgen.render._scorecard_rows import band_name


def charts_sheet(wb: Any, payload: dict[str, Any], styles: Styles) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.legend import LegendEntry
    from openpyxl.chart.marker import DataPoint
    from openpyxl.chart.shapes import GraphicalProperties

    fmt = styles.fmt
    _ = fmt.gettext
    ws = wb.create_sheet(_("Charts"))
    sheet = SheetWriter(ws, styles.paper)
    colour = styles.colours
    money, ratio, count = styles.formats["money"], styles.formats["ratio"], styles.formats["int"]
    portfolio = payload["portfolio"]
    values = portfolio["values"]
    head = {"font": styles.header_font, "fill": styles.header_fill}
    start, end = payload["ttm"]

    sheet.add([(_("Charts — %(company)s, review quarter %(quarter)s",
                  company=payload["company"], quarter=fmt.quarter(payload["quarter"])), None,
                {"font": styles.title})])  # fmt: skip
    sheet.add([(_("Chart data (values from the KPI engine)"), None, {"font": styles.subtitle})])
    sheet.widths.clear()
    sheet.add([])
    # Health distribution: rows 5-8
    sheet.add([(_("Health band"), None, head), (_("Accounts"), None, head), ("ARR", None, head)])
    dist, arr_by_band = portfolio["health_distribution"], portfolio["arr_by_band"]
    for band in BANDS:
        sheet.add([band_name(band, styles.label), (dist.get(band, 0), count, {}),
                   (arr_by_band.get(band, 0.0), money, {})])  # fmt: skip
    sheet.add([])
    # ARR bridge (TTM): start, new, expansion, contraction, churn, end
    bridge_header = sheet.add([(_(h), None, head) for h in (N_("ARR movement (TTM)"), N_("Amount"), N_("Base"),
                                                             N_("Increase"), N_("Decrease"), N_("Total"))])  # fmt: skip
    steps = [(_(name), amount, step) for name, amount, step in _bridge_steps(values)]
    for (name, amount, step), (_name, base) in zip(steps, _bridge_levels(steps), strict=True):
        up = amount if step != "total" and amount >= 0 else 0.0
        down = -amount if step != "total" and amount < 0 else 0.0
        total = amount if step == "total" else 0.0
        sheet.add([name] + [(v, money, {}) for v in (amount, base, up, down, total)])
    bridge_last = bridge_header + len(steps)
    sheet.add([])
    quarter_header = sheet.add([(_(h), None, head) for h in (N_("Quarter"), N_("Starting ARR"),
                                                              N_("Ending ARR"), "GRR", "NRR")])  # fmt: skip
    quarterly = portfolio["quarterly"]
    for item in quarterly:
        sheet.add([fmt.quarter(item["quarter"]), (item["starting_arr"], money, {}), (item["ending_arr"], money, {}),
                   (item["grr"], ratio, {}), (item["nrr"], ratio, {})])  # fmt: skip
    quarter_last = quarter_header + len(quarterly)
    sheet.fix_width(1, 24)
    wrap_cells(sheet, {1: 24}, first_row=4, styles=styles)
    sheet.write(pages_tall=1)  # the data and its three charts on one page
    # the charts sit to the right of the data (from column H): print them with it
    ws.print_area = f"A1:T{max(quarter_last, 58)}"

    health = BarChart()
    health.type = "col"
    health.title = _("Active accounts by health band")
    health.y_axis.title = _("Accounts")
    health.y_axis.numFmt = "0"
    health.legend = None
    data = Reference(ws, min_col=2, min_row=4, max_row=8)
    health.add_data(data, titles_from_data=True)
    health.set_categories(Reference(ws, min_col=1, min_row=5, max_row=8))
    series = health.series[0]
    for idx, band in enumerate(BANDS):
        point = DataPoint(idx=idx)
        point.graphicalProperties.solidFill = colour.get(band, colour["muted"])
        series.dPt.append(point)
    series.dLbls = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    _size(health)
    ws.add_chart(health, "H2")

    bridge = BarChart()
    bridge.type = "col"
    bridge.grouping = "stacked"
    bridge.overlap = 100
    bridge.title = _(
        "ARR movement, %(start)s to %(end)s",
        start=fmt.date(start + dt.timedelta(days=1)), end=fmt.date(end),
    )  # fmt: skip
    bridge.y_axis.numFmt = money
    bridge.y_axis.title = payload["currency"]
    bridge.add_data(
        Reference(ws, min_col=3, max_col=6, min_row=bridge_header, max_row=bridge_last),
        titles_from_data=True,
    )
    bridge.set_categories(Reference(ws, min_col=1, min_row=bridge_header + 1, max_row=bridge_last))
    fills = (None, colour["green"], colour["red"], colour["primary"])
    for series, fill in zip(bridge.series, fills, strict=True):
        if fill is None:  # the invisible base that floats each step
            series.graphicalProperties = GraphicalProperties(noFill=True)
            series.graphicalProperties.line.noFill = True
        else:
            series.graphicalProperties.solidFill = fill
            series.graphicalProperties.line.solidFill = fill
    bridge.legend.position = "b"
    bridge.legend.legendEntry = [LegendEntry(idx=0, delete=True)]  # hide the "Base" entry
    # From zero: a bridge whose axis starts at 85% of the smallest bar made a 5% change look
    # like a doubling. The invisible base series floats each step at its running level.
    bridge.y_axis.scaling.min = 0
    bridge.gapWidth = 60
    _size(bridge)
    ws.add_chart(bridge, "H21")

    nrr = LineChart()
    nrr.title = _("GRR and NRR by quarter")
    nrr.y_axis.numFmt = styles.percent_axis
    nrr.y_axis.title = _("Retention")
    nrr.add_data(
        Reference(ws, min_col=4, max_col=5, min_row=quarter_header, max_row=quarter_last),
        titles_from_data=True,
    )
    nrr.set_categories(Reference(ws, min_col=1, min_row=quarter_header + 1, max_row=quarter_last))
    for series, fill in zip(nrr.series, (colour["muted"], colour["primary"]), strict=True):
        series.graphicalProperties.line.solidFill = fill
        series.graphicalProperties.line.width = 28575
        series.marker.symbol = "circle"
        series.marker.graphicalProperties = GraphicalProperties(solidFill=fill)
        series.smooth = False
    nrr.legend.position = "b"
    _size(nrr)
    ws.add_chart(nrr, "H40")


def _bridge_levels(steps: list[tuple[str, float, str]]) -> list[tuple[str, float]]:
    """The invisible base under each bar of the bridge (0 under the totals)."""
    out = []
    level = 0.0
    for name, amount, step in steps:
        if step == "total":
            out.append((name, 0.0))
            level = amount
        elif amount >= 0:
            out.append((name, level))
            level += amount
        else:
            level += amount
            out.append((name, level))
    return out


def _size(chart: Any) -> None:
    chart.width = 20
    chart.height = 9
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _bridge_steps(values: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Start → new → expansion → contraction → churn → end, from the engine's TTM sums.

    New logos' own movements after they were won (e.g. an expansion in their first year) are
    outside the retention cohort; when there are any they show as one reconciling step so the
    bridge lands on the engine's ending ARR.
    """
    start = values.get("starting_arr") or 0.0
    new = values.get("new_arr") or 0.0
    expansion = values.get("expansion_revenue") or 0.0
    contraction = values.get("contraction_arr") or 0.0
    churned = values.get("churned_arr") or 0.0
    end = values.get("ending_arr") or 0.0
    steps = [
        (N_("Starting ARR"), start, "total"),
        (N_("New logos"), new, "step"),
        (N_("Expansion"), expansion, "step"),
        (N_("Contraction"), -contraction, "step"),
        (N_("Churn"), -churned, "step"),
    ]
    other = round(end - (start + new + expansion - contraction - churned), 2)
    if other:
        steps.append((N_("New logos' later changes"), other, "step"))
    steps.append((N_("Ending ARR"), end, "total"))
    return steps
