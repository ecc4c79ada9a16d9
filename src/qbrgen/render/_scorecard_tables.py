"""The scorecard's table sheets: Accounts, Renewals, Health history and By owner: their
columns and conditional-format rules (the sheets themselves are laid out by `data_sheet`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.periods import Quarter
from qbrgen.labels import N_
from qbrgen.render._scorecard_cells import (
    Column,
    Styles,
    band_rules,
    data_sheet,
    excel_date,
    overdue_rules,
    shade,
    tint,
)
from qbrgen.render._scorecard_rows import band_name, health_scores, warning_labels

if TYPE_CHECKING:
    from qbrgen.formatting import Formatter


def _k(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row["k"].get(key)


def _yes_no(value: Any) -> str:
    """A yes/no cell's English word (translated as the sheets are written, see `_words`)."""
    return "" if value is None else ("yes" if value else "no")


YES_NO = (N_("yes"), N_("no"))


def health_history_sheet(
    wb: Any, payload: dict[str, Any], rows: Iterable[dict[str, Any]], styles: Styles
) -> None:
    """One row per account (`rows`, by name), one column per recorded run (the last 13 that
    exist, this run last): health scores shown as every document shows them, coloured by band."""
    history = payload["health_history"]
    dates: list[dt.date] = history["dates"]
    columns = [
        Column(N_("Account"), lambda r: r["name"], width=30),
        Column(N_("Owner"), lambda r: r["owner"]),
        Column(N_("Health band"), lambda r: band_name(r["k"].get("health_band"), styles.label)),
    ]

    def score_on(index: int) -> Callable[[dict[str, Any]], float | None]:
        return lambda row: row["scores"][index]

    fmt = styles.fmt
    for i, day in enumerate(dates):
        shown = fmt.date(day)
        if i == len(dates) - 1:
            shown = fmt.gettext("Now %(date)s", date=shown)
        columns.append(Column(day.isoformat(), score_on(i), "health_score", width=15, shown=shown))
    if len(dates) == 1:
        note = (
            fmt.gettext("First recorded run: the history starts here.")
            if history["enabled"]
            else fmt.gettext("The KPI history is off (history.enabled).")
        )
        if history["error"]:
            note = fmt.gettext("The KPI history could not be read.")
    else:
        note = fmt.ngettext(
            "The last recorded run and now; blank: not recorded.",
            "Last %(num)s recorded runs and now; blank: not recorded.",
            len(dates) - 1,
        )

    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        for column in columns[3:]:
            band_rules(ws, col[column.header], first, last, styles, text=False)
        band_rules(ws, col["Health band"], first, last, styles, text=True)

    def scored() -> Iterator[dict[str, Any]]:
        for row in rows:
            yield {**row, "scores": health_scores(history, row)}

    data_sheet(
        wb, N_("Health history"), "HealthHistory", columns, scored(), styles,
        [fmt.gettext("Health history — the last 13 points that exist"), note], rules,
    )  # fmt: skip


def account_columns(quarter: str, fmt: Formatter) -> list[Column]:
    """The Accounts sheet: one row per account, every per-account KPI."""

    def q(message: str) -> str:
        return fmt.gettext(message, quarter=quarter)

    return [
        Column(N_("Account ID"), lambda r: r["id"]),
        Column(N_("Account"), lambda r: r["name"], width=34),
        Column(N_("Owner"), lambda r: r["owner"]),
        Column(N_("Segment"), lambda r: r["show"]["segment"]),
        Column(N_("Industry"), lambda r: r["industry"]),
        Column(N_("Region"), lambda r: r["region"]),
        Column(N_("Status"), lambda r: r["show"]["status"]),
        Column(N_("Health score"), _k("health_score"), "health_score"),
        Column(N_("Health band"), lambda r: r["show"]["band"]),
        Column(N_("Health trend"), _k("health_trend"), "health_trend"),
        Column(N_("Health trend compares"), lambda r: r["health_trend_text"], width=40),
        Column(N_("Biggest drag"), lambda r: r["show"]["drag"]),
        Column(N_("Current ARR"), _k("arr"), "arr"),
        Column(N_("Revenue history"), lambda r: _yes_no(r["k"]["revenue_history"]), words=True),
        Column(N_("Renewal date"), lambda r: r["renewal_date"], "date"),
        Column(N_("Days to renewal"), _k("days_to_renewal"), "int"),
        Column(N_("Next step"), lambda r: r["next_step"][0] if r["next_step"] else "", width=34),
        Column(N_("Next step due"), lambda r: r["next_step"][1] if r["next_step"] else None, "date"),
        Column(N_("Overdue next steps"), lambda r: r["overdue_steps"], "int"),
        Column(N_("Open escalations"), _k("open_escalations"), "int"),
        Column(N_("Escalations past target"), lambda r: r["escalations_past_target"], "int"),
        Column(N_("Open high risks"), lambda r: len(r["open_high_risks"]), "int"),
        Column(N_("GRR (TTM)"), _k("grr"), "grr"),
        Column(N_("NRR (TTM)"), _k("nrr"), "nrr"),
        Column("GRR (quarter)", _k("grr_q"), "grr", shown=q(N_("GRR (%(quarter)s)"))),
        Column("NRR (quarter)", _k("nrr_q"), "nrr", shown=q(N_("NRR (%(quarter)s)"))),
        Column(N_("Gross revenue churn (TTM)"), _k("gross_revenue_churn"), "ratio"),
        Column(N_("Logo churn (TTM)"), _k("logo_churn_rate"), "ratio"),
        Column(N_("Starting ARR (TTM)"), _k("starting_arr"), "money"),
        Column(N_("Expansion (TTM)"), _k("expansion_revenue"), "money"),
        Column(N_("Contraction (TTM)"), _k("contraction_arr"), "money"),
        Column(N_("Churned ARR (TTM)"), _k("churned_arr"), "money"),
        Column(N_("Ending ARR (TTM)"), _k("ending_arr"), "ending_arr"),
        Column(N_("Renewal rate, logos (TTM)"), _k("renewal_rate_logos"), "ratio"),
        Column(N_("Renewal rate, revenue (TTM)"), _k("renewal_rate_revenue"), "ratio"),
        Column(N_("Open renewals (TTM)"), _k("renewals_open"), "int"),
        Column(N_("Upsell conversion (TTM)"), _k("upsell_conversion_rate"), "ratio"),
        Column(N_("Pipeline"), _k("pipeline"), "money"),
        Column(N_("Expected lifetime value at portfolio churn"), _k("expected_lifetime_value"), "money"),
        Column(N_("Active stakeholders"), _k("stakeholder_coverage"), "stakeholder_coverage"),
        Column(N_("Key roles covered"), lambda r: r["show"]["roles"], width=30),
        Column(N_("Single-threaded"), lambda r: _yes_no(r["k"]["single_threaded"]), words=True),
        Column(N_("QBR completion (TTM)"), _k("qbr_completion_rate"), "ratio"),
        Column("QBR held (quarter)", _k("qbr_completion_rate_q"), "ratio",
               shown=q(N_("QBR held (%(quarter)s)"))),
        Column(N_("Follow-up time (h)"), _k("follow_up_time"), "hours"),
        Column(N_("Seat utilisation"), _k("seat_utilisation"), "seat_utilisation"),
        Column(N_("Adoption trend"), _k("adoption_trend"), "adoption_trend"),
        Column("Tickets (quarter)", _k("tickets_q"), "int", shown=q(N_("Tickets (%(quarter)s)"))),
        Column(N_("Support trend (tickets vs prev. quarter)"), _k("support_trend"), "ratio"),
        Column(N_("Escalation time to resolution (days, TTM)"), _k("escalation_time_to_resolution"), "days"),
        Column(N_("NPS (TTM)"), _k("nps"), "nps"),
        Column(N_("CSAT (TTM)"), _k("csat"), "csat"),
        Column(N_("Warnings"), lambda r: len(r["warnings"]), "int"),
        Column(N_("Warning details"), warning_labels, width=70, words=True),
        Column(N_("Notes"), lambda r: r["notes"], width=50),
    ]  # fmt: skip


RENEWAL_COLUMNS = [
    Column(N_("Account"), lambda r: r["name"], width=30),
    Column(N_("Owner"), lambda r: r["owner"]),
    Column(N_("Renewal date"), lambda r: r["renewal_date"], "date"),
    Column(N_("Quarter"), lambda r: str(Quarter.of(r["renewal_date"])), quarter=True),
    Column(N_("Days to renewal"), _k("days_to_renewal"), "int"),
    Column(N_("Current ARR"), _k("arr"), "arr"),
    Column(N_("Auto-renew"), lambda r: _yes_no(r["auto_renew"]), words=True),
    Column(N_("Health score"), _k("health_score"), "health_score"),
    Column(N_("Health band"), lambda r: r["show"]["band"]),
    Column(N_("Risk"), lambda r: r["risk"]),
    Column(N_("Readiness"), lambda r: r["ready"], "ratio"),
    Column(N_("Readiness gaps"), lambda r: r["gaps"], width=50, words=True),
    Column(N_("Open high risks"), lambda r: "; ".join(r["open_high_risks"]), width=40),
    Column(N_("Open escalations"), _k("open_escalations"), "int"),
    Column(N_("Next step"), lambda r: r["next_step"][0] if r["next_step"] else "", width=34),
    Column(N_("Next step due"), lambda r: r["next_step"][1] if r["next_step"] else None, "date"),
]


OWNER_COLUMNS = [
    Column(N_("Owner"), lambda b: b["owner"]),
    Column(N_("Accounts"), lambda b: b["accounts"], "int"),
    Column(N_("Active"), lambda b: b["active"], "int"),
    Column(N_("Current ARR"), lambda b: b["arr"], "money"),
    Column(N_("Starting ARR (TTM)"), lambda b: b["starting"], "money"),
    Column(N_("Expansion (TTM)"), lambda b: b["expansion"], "money"),
    Column(N_("Contraction (TTM)"), lambda b: b["contraction"], "money"),
    Column(N_("Churned ARR (TTM)"), lambda b: b["churned"], "money"),
    Column(N_("GRR (TTM)"), lambda b: b["grr"], "ratio"),
    Column(N_("NRR (TTM)"), lambda b: b["nrr"], "ratio"),
    Column(N_("Green"), lambda b: b["green"], "int"),
    Column(N_("Yellow"), lambda b: b["yellow"], "int"),
    Column(N_("Red"), lambda b: b["red"], "int"),
    Column(N_("Unscored"), lambda b: b["unscored"], "int"),
    Column(N_("Red ARR"), lambda b: b["red_arr"], "money"),
    Column(N_("Renewals to next quarter end"), lambda b: b["renewing"], "int"),
    Column(N_("Open escalations"), lambda b: b["escalations"], "int"),
    Column(N_("Escalations past target"), lambda b: b["past_target"], "int"),
    Column(N_("Single-threaded"), lambda b: b["single_threaded"], "int"),
    Column(N_("Warnings"), lambda b: b["warnings"], "int"),
    Column(N_("Red accounts"), lambda b: "; ".join(b["red_names"]), width=50),
]


def _next_step_overdue(
    ws: Any, due: str, first: int, last: int, as_of: dt.date, styles: Styles
) -> None:
    """Mark a next step due before as-of (column `due`, rows first..last) as overdue."""
    overdue_rules(
        ws,
        f"{due}{first}:{due}{last}",
        f'AND({due}{first}<>"",{due}{first}<{excel_date(as_of)})',
        styles,
    )


def accounts_rules(
    styles: Styles, as_of: dt.date
) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill

        band_rules(ws, col["Health band"], first, last, styles, text=True)
        band_rules(ws, col["Health score"], first, last, styles, text=False)
        days = col["Days to renewal"]
        overdue_rules(
            ws, f"{days}{first}:{days}{last}", f'AND({days}{first}<>"",{days}{first}<0)', styles
        )
        ws.conditional_formatting.add(
            f"{days}{first}:{days}{last}",
            FormulaRule(
                formula=[f'AND({days}{first}<>"",{days}{first}>=0,{days}{first}<=120)'],
                fill=PatternFill("solid", bgColor=tint(styles.colours["yellow"])),
            ),
        )
        _next_step_overdue(ws, col["Next step due"], first, last, as_of, styles)
        for name in ("Overdue next steps", "Escalations past target"):
            c = col[name]
            overdue_rules(ws, f"{c}{first}:{c}{last}", f"{c}{first}>0", styles)

    return rules


def renewals_rules(
    styles: Styles, as_of: dt.date
) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
        from openpyxl.styles import Font, PatternFill

        colour = styles.colours
        risk = col["Risk"]
        for level, band in (("high", "red"), ("medium", "yellow"), ("low", "green")):
            word = styles.label(level, "severities").replace('"', '""')
            ws.conditional_formatting.add(
                f"{risk}{first}:{risk}{last}",
                CellIsRule(
                    operator="equal",
                    formula=[f'"{word}"'],
                    fill=PatternFill("solid", bgColor=tint(colour[band])),
                    font=Font(bold=True, color=shade(colour[band])),
                ),
            )
        band_rules(ws, col["Health band"], first, last, styles, text=True)
        ready = col["Readiness"]
        ws.conditional_formatting.add(
            f"{ready}{first}:{ready}{last}",
            ColorScaleRule(
                start_type="num", start_value=0, start_color=tint(colour["red"], 0.5),
                mid_type="num", mid_value=0.6, mid_color=tint(colour["yellow"], 0.5),
                end_type="num", end_value=1, end_color=tint(colour["green"], 0.5),
            ),
        )  # fmt: skip
        days = col["Days to renewal"]
        overdue_rules(ws, f"{days}{first}:{days}{last}", f"{days}{first}<0", styles)
        _next_step_overdue(ws, col["Next step due"], first, last, as_of, styles)

    return rules


def owner_rules(styles: Styles) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        for name in ("Red", "Escalations past target"):
            c = col[name]
            overdue_rules(ws, f"{c}{first}:{c}{last}", f"{c}{first}>0", styles)

    return rules


def owner_total(owners: list[dict[str, Any]], values: dict[str, Any], styles: Styles) -> list[Any]:
    """The 'All owners' row: the portfolio's own numbers from the engine."""
    bold = {"font": styles.bold}
    fmt = styles.formats

    def total(name: str) -> int:
        return sum(o[name] for o in owners)

    def of(value: Any, kind: str) -> tuple[Any, str | None, dict[str, Any]]:
        if value is None:
            return (styles.fmt.gettext("n/a"), None, bold)
        return (value, fmt[kind], bold)

    return [
        (styles.fmt.gettext("All owners"), None, bold), of(total("accounts"), "int"), of(total("active"), "int"),
        of(values.get("arr"), "money"), of(values.get("starting_arr"), "money"),
        of(values.get("expansion_revenue"), "money"), of(values.get("contraction_arr"), "money"),
        of(values.get("churned_arr"), "money"), of(values.get("grr"), "ratio"),
        of(values.get("nrr"), "ratio"),
        *(of(total(b), "int") for b in ("green", "yellow", "red", "unscored")),
        of(sum(o["red_arr"] for o in owners), "money"), of(total("renewing"), "int"),
        of(values.get("open_escalations"), "int"), of(total("past_target"), "int"),
        of(values.get("single_threaded_accounts"), "int"), of(values.get("warnings"), "int"),
    ]  # fmt: skip
