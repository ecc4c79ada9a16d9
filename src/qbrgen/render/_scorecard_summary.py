"""The scorecard's Summary sheet: lagging and leading KPIs, this quarter vs the previous one
and the trailing twelve months, each with its definition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qbrgen.kpis.definitions import BY_KEY, SUPPORTING_DEFINITIONS, WARNING_LABELS, definition_of
from qbrgen.kpis.results import WARNING_ORDER
from qbrgen.labels import N_
from qbrgen.render._scorecard_cells import BANDS, SheetWriter, Styles, wrap_cells
from qbrgen.render._scorecard_rows import band_name

# Summary rows: (key, label override, kind override, measured: "q" | "ttm" | "now")
LAGGING_ROWS: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("grr", None, None, "q"),
    ("nrr", None, None, "q"),
    ("gross_revenue_churn", None, None, "q"),
    ("logo_churn_rate", None, None, "q"),
    ("renewal_rate_logos", None, None, "q"),
    ("renewal_rate_revenue", None, None, "q"),
    ("expansion_revenue", None, None, "q"),
    ("upsell_conversion_rate", None, None, "q"),
    ("starting_arr", N_("Starting ARR (cohort)"), "money", "q"),
    ("new_arr", N_("New-logo ARR"), "money", "q"),
    ("contraction_arr", N_("Contraction"), "money", "q"),
    ("churned_arr", N_("Churned ARR"), "money", "q"),
    ("ending_arr", N_("Ending ARR"), "money", "q"),
    ("ending_arr_without_history", N_("of which without revenue history"), "money", "q"),
    ("churned_logos", N_("Churned logos"), "int", "q"),
    ("renewals_open", N_("Open renewals (listed, not in rates)"), "int", "q"),
    ("arpa", None, None, "ttm"),
    ("clv", None, None, "ttm"),
    ("arr", N_("Current ARR"), "money", "now"),
)


LEADING_ROWS: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("health_score", N_("Health score (ARR-weighted)"), "health_score", "now"),
    (
        "stakeholder_coverage",
        N_("Stakeholder coverage (per account)"),
        "stakeholder_coverage",
        "now",
    ),
    ("single_threaded_accounts", N_("Single-threaded accounts"), "int", "now"),
    ("qbr_completion_rate", None, None, "ttm"),
    ("seat_utilisation", None, None, "now"),
    ("adoption_trend", N_("Adoption trend (median)"), None, "now"),
    ("tickets", N_("Support tickets opened"), "int", "q"),
    ("support_trend", N_("Support trend (tickets vs previous quarter)"), "ratio", "q-only"),
    ("escalation_time_to_resolution", None, None, "q"),
    ("open_escalations", N_("Open escalations"), "int", "now"),
    ("follow_up_time", None, None, "ttm"),
    ("pipeline", None, None, "now"),
    ("warnings", N_("Warnings raised"), "int", "now"),
)


EXTRA_DEFINITIONS = {
    d.key: d.definition for d in SUPPORTING_DEFINITIONS
}  # the texts live in kpis/definitions.py with every other KPI text


def summary_sheet(wb: Any, payload: dict[str, Any], styles: Styles) -> None:
    fmt = styles.fmt
    _ = fmt.gettext
    ws = wb.create_sheet(_("Summary"))
    sheet = SheetWriter(ws, styles.paper)
    values: dict[str, Any] = payload["portfolio"]["values"]
    reasons: dict[str, str] = payload["portfolio"]["reasons"]
    quarter, prev = fmt.quarter(payload["quarter"]), fmt.quarter(payload["prev_quarter"])
    start, end = payload["ttm"]
    sheet.add([(_("Portfolio scorecard — %(company)s", company=payload["company"]), None,
                {"font": styles.title})])  # fmt: skip
    sheet.add([(
        _(
            "Review quarter %(quarter)s (previous %(prev)s) · trailing twelve months %(start)s "
            "to %(end)s · numbers as of %(date)s · %(accounts)s",
            quarter=quarter, prev=prev, start=fmt.date(start + dt.timedelta(days=1)),
            end=fmt.date(end), date=fmt.date(payload["as_of"]),
            accounts=fmt.ngettext("%(num)s account", "%(num)s accounts",
                                  values.get("accounts", 0)),
        ),
        None, {"font": styles.subtitle},
    )])  # fmt: skip
    sheet.widths.clear()
    sheet.add([])
    header = [_("KPI"), quarter, prev, _("Change"), _("TTM / now"), _("Measured"), _("Note"),
              _("Definition")]  # fmt: skip
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill}) for h in header])
    fill = {"fill": styles.section_fill, "font": styles.section}
    for group, rows in (
        (_("Lagging indicators"), LAGGING_ROWS), (_("Leading indicators"), LEADING_ROWS)
    ):  # fmt: skip
        sheet.add([(group, None, fill)] + [("", None, fill)] * (len(header) - 1))
        for key, label, kind, measured in rows:
            sheet.add(_summary_row(key, label, kind, measured, values, reasons, styles))
    sheet.add([])
    sheet.add([(_("Health distribution (active accounts)"), None, {"font": styles.section})])
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill})
               for h in (_("Band"), _("Accounts"), "ARR", _("Share of ARR"))])  # fmt: skip
    dist = payload["portfolio"]["health_distribution"]
    arr_by_band = payload["portfolio"]["arr_by_band"]
    total_arr = sum(arr_by_band.values())
    for band in BANDS:
        share = arr_by_band.get(band, 0.0) / total_arr if total_arr else None
        sheet.add([band_name(band, styles.label), (dist.get(band, 0), styles.formats["int"], {}),
                   (arr_by_band.get(band, 0.0), styles.formats["money"], {}),
                   (share, styles.formats["ratio"], {})])  # fmt: skip
    sheet.add([])
    sheet.add([(_("Warnings the numbers raise"), None, {"font": styles.section})])
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill})
               for h in (_("Warning"), _("Count"))])  # fmt: skip
    counts = payload["portfolio"]["warning_counts"]
    for code in WARNING_ORDER:
        sheet.add(
            [fmt.translate(WARNING_LABELS.get(code, code)),
             (counts.get(code, 0), styles.formats["int"], {})]
        )  # fmt: skip
    sheet.fix_width(1, 40)
    sheet.fix_width(6, 18)
    sheet.fix_width(7, 28)
    sheet.fix_width(8, 60)
    wrap_cells(sheet, {1: 40, 6: 18, 7: 28, 8: 60}, first_row=4, styles=styles)
    sheet.write(freeze="B5", maximum=100)


def _summary_row(
    key: str,
    label: str | None,
    kind: str | None,
    measured: str,
    values: dict[str, Any],
    reasons: dict[str, str],
    styles: Styles,
) -> list[Any]:
    definition = BY_KEY.get(key)
    kind = kind or (definition.kind if definition else "decimal")
    if kind == "flag":
        kind = "int"
    fmt = styles.formats[kind]
    of_key = definition_of(kind)
    kind = of_key.kind if of_key else kind  # a KPI key: its kind
    _ = styles.fmt.translate
    text = _(label or (definition.label if definition else key))
    explain = _(EXTRA_DEFINITIONS.get(key) or (definition.definition if definition else ""))
    notes: list[str] = []

    def wrap(text: str) -> Any:
        return (text, None, {"font": styles.muted})  # wrapped by wrap_cells

    def cell(name: str) -> Any:
        value = values.get(name)
        if name not in values:
            return ("", None, {})
        if value is None:
            notes.append(_(reasons.get(name) or "inputs missing"))
            return (_("n/a"), None, {"font": styles.muted})
        return (value, fmt, {})

    if key == "tickets":
        now, before = values.get("tickets_q") or {}, values.get("tickets_prev_q") or {}
        q_cell: Any = (sum(now.values()), fmt, {})
        p_cell: Any = (sum(before.values()), fmt, {})
        change: Any = (sum(now.values()) - sum(before.values()), styles.change_formats["int"], {})
        return [text, q_cell, p_cell, change, "", _("quarter"), "", wrap(explain)]
    if key == "support_trend":
        trend = values.get("support_trend")
        value = (trend["all"], fmt, {}) if trend else (_("n/a"), None, {"font": styles.muted})
        reason = reasons.get("support_trend")
        note = _(reason) if reason and not trend else ""
        return [text, value, "", "", "", _("quarter vs previous"), note, wrap(explain)]
    if measured == "q":
        q_cell, p_cell, t_cell = cell(key + "_q"), cell(key + "_prev_q"), cell(key)
        change = ""
        if isinstance(q_cell[0], int | float) and isinstance(p_cell[0], int | float):
            # ratios change in percentage points
            scale = 100 if kind == "ratio" else 1
            change = ((q_cell[0] - p_cell[0]) * scale, styles.change_formats.get(kind), {})
        basis = _("quarter and TTM")
        notes = list(dict.fromkeys(notes))
        return [text, q_cell, p_cell, change, t_cell, basis, "; ".join(notes), wrap(explain)]
    basis = _("trailing 12 months") if measured == "ttm" else _("at the as-of date")
    return [text, "", "", "", cell(key), basis, "; ".join(notes), wrap(explain)]
