"""The portfolio scorecard workbook (openpyxl): Summary, Charts, Accounts, Renewals, By owner.

`plan()` packs the KpiReport's numbers into plain rows; `render()` lays them out. Every number
is a value read from the KPI engine (no formulas); the only arithmetic here is presentation:
quarter-on-quarter changes, per-owner sums of the engine's money amounts (GRR/NRR per owner
from those sums, never averaged ratios) and renewal readiness checks. The workbook is written
in openpyxl's write-only mode so a 10,000-account book stays fast and small in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import BY_KEY, SUPPORTING_DEFINITIONS, WARNING_LABELS, definition_of
from qbrgen.kpis.engine import WARNING_ORDER
from qbrgen.kpis.periods import Quarter
from qbrgen.models import HIGH_SEVERITIES
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis, PortfolioKpis
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

SHEETS = ("Summary", "Charts", "Accounts", "Renewals", "Health history", "By owner")
BANDS = ("green", "yellow", "red", "unscored")


def output_path(quarter: str) -> str:
    """Where the scorecard of a review quarter goes, relative to the output folder."""
    return f"portfolio/scorecard-{quarter}.xlsx"


# --- plan: plain picklable data --------------------------------------------------------------


_PLAIN = (str, float, int, bool, type(None))


def _num(value: Any) -> Any:
    """Decimal money as float (what a cell stores); everything else unchanged."""
    if type(value) in _PLAIN:  # most values: 400,000 calls for 10,000 accounts
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _num(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_num(v) for v in value]
    return value


ACCOUNT_KPI_KEYS = (
    "status", "arr", "ending_arr", "revenue_history", "days_to_renewal", "health_score",
    "health_band", "health_trend", "health_biggest_drag", "grr", "nrr", "grr_q", "nrr_q",
    "gross_revenue_churn", "logo_churn_rate", "starting_arr", "expansion_revenue",
    "contraction_arr", "churned_arr", "renewal_rate_logos", "renewal_rate_revenue",
    "renewals_open", "upsell_conversion_rate", "pipeline", "expected_lifetime_value", "stakeholder_coverage",
    "stakeholder_roles_covered", "single_threaded", "qbr_completion_rate", "qbr_completion_rate_q",
    "follow_up_time", "seat_utilisation", "adoption_trend", "support_trend", "tickets_q",
    "escalation_time_to_resolution", "open_escalations", "nps", "csat",
)  # fmt: skip


def account_row(
    account: Account, kpis: AccountKpis, as_of: dt.date, fmt: Formatter
) -> dict[str, Any]:
    """One account's scorecard data: identity, its KPIs (read, not recomputed), open items."""
    open_actions = sorted(
        (a for a in account.actions if a.status == "open"), key=lambda a: (a.due, a.title)
    )
    next_step = open_actions[0] if open_actions else None
    support = kpis.get("support_trend")
    tickets = kpis.get("tickets_q") or {}
    own = kpis.values
    values = {key: _num(own.get(key)) for key in ACCOUNT_KPI_KEYS}
    values["support_trend"] = support.get("all") if support else None
    values["tickets_q"] = sum(tickets.values())
    return {
        "id": account.id,
        "name": account.name,
        "owner": account.owner,
        "segment": account.segment,
        "industry": account.industry,
        "region": account.region or "",
        "renewal_date": account.contract.renewal_date,
        "auto_renew": account.contract.auto_renew,
        "health_trend_text": fmt.health_trend(own)
        if own.get("health_trend") is not None
        else kpis.reason("health_trend"),
        "k": values,
        "warnings": [(w.code, w.message) for w in kpis.warnings],
        "escalations_past_target": sum(1 for e in kpis.open_escalations if e["past_target"]),
        "open_high_risks": [
            r.title for r in account.risks if r.status != "closed" and r.severity in HIGH_SEVERITIES
        ],
        "next_step": (next_step.title, next_step.due, next_step.owner) if next_step else None,
        "overdue_steps": sum(1 for a in open_actions if a.due < as_of),
        "notes": " ".join((account.notes or "").split()),
    }


def portfolio_data(portfolio: PortfolioKpis) -> dict[str, Any]:
    """The portfolio KPIs the Summary and Charts sheets show, as plain data."""
    counts: dict[str, int] = {}
    for warning in portfolio.warnings:
        counts[warning.code] = counts.get(warning.code, 0) + 1
    return {
        "values": _num(dict(portfolio.values)),
        "reasons": dict(portfolio.reasons),
        "health_distribution": dict(portfolio.health_distribution),
        "arr_by_band": _num(dict(portfolio.arr_by_band)),
        "quarterly": _num(list(portfolio.series.get("quarterly", []))),
        "warning_counts": counts,
    }


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job: the whole portfolio's scorecard for the review quarter."""
    report = run.report
    periods = report.periods
    config = run.workspace.config
    items = selection.accounts
    as_of = periods.as_of
    fmt = run.formatter
    rows = [account_row(i.account, report.accounts[i.account.id], as_of, fmt) for i in items]
    quarter = str(periods.quarter)
    sha = hashlib.sha256()
    for item in items:
        sha.update(item.input_hash.encode())
    payload = {
        "as_of": as_of,
        "quarter": quarter,
        "prev_quarter": str(periods.quarter.prev()),
        "ttm": (periods.ttm.start, periods.ttm.end),
        "renewal_horizon": Quarter.of(as_of).shift(1).end,
        "company": config.company.name,
        "currency": config.currency,
        "locale": config.locale,
        "bands": (config.health.bands.red_max, config.health.bands.yellow_max),
        "colours": config.branding.colours.model_dump(),
        "fonts": (config.branding.fonts.heading, config.branding.fonts.body),
        "portfolio": portfolio_data(report.portfolio),
        "accounts": rows,
    }
    payload["health_history"] = health_history(run, rows)
    inputs = {
        "accounts": sha.hexdigest(),
        "config": config.model_dump_json(),
        "as_of": as_of.isoformat(),
        "version": run.version,
        "history": hashlib.sha256(repr(payload["health_history"]).encode()).hexdigest()[:16],
    }
    return [Job("scorecard", "portfolio", [output_path(quarter)], payload, inputs)]


# --- health history (the KPI history) --------------------------------------------------------


def health_history(run: Run, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The health-history view's data: the dates of the last recorded runs (up to 12) and this
    run's, and per account its score on each (None where it was not recorded)."""
    points = run.history.health_points()
    as_of = run.report.as_of
    dates = sorted({day for series in points.values() for day, _, _ in series})
    scores: dict[str, list[float | None]] = {}
    for row in rows:
        recorded = {day: score for day, score, _ in points.get(row["id"], [])}
        scores[row["id"]] = [recorded.get(day) for day in dates] + [row["k"]["health_score"]]
    return {
        "dates": [*dates, as_of],
        "scores": scores,
        "where": run.history.where,
        "enabled": run.history.enabled,
        "error": run.history.error,
    }


def _health_history_sheet(wb: Any, payload: dict[str, Any], styles: _Styles) -> None:
    """One row per account, one column per recorded run (the last 13 that exist, this run
    last): health scores shown as every document shows them, coloured by band."""
    history = payload["health_history"]
    dates: list[dt.date] = history["dates"]
    columns = [
        Column("Account", lambda r: r["name"], width=30),
        Column("Owner", lambda r: r["owner"]),
        Column("Health band", lambda r: r["k"].get("health_band") or "unscored"),
    ]
    scores: dict[str, list[float | None]] = history["scores"]

    def score_on(index: int) -> Callable[[dict[str, Any]], float | None]:
        return lambda row: scores[row["id"]][index]

    for i, day in enumerate(dates):
        title = "Now " + day.isoformat() if i == len(dates) - 1 else day.isoformat()
        columns.append(Column(title, score_on(i), "health_score", width=15))
    rows = sorted(payload["accounts"], key=lambda r: (r["name"].casefold(), r["id"]))
    if len(dates) == 1:
        note = (
            "First recorded run: the history starts here."
            if history["enabled"]
            else "The KPI history is off (history.enabled)."
        )
        if history["error"]:
            note = "The KPI history could not be read."
    else:
        note = f"Last {len(dates) - 1} recorded runs and now; blank: not recorded."

    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        for column in columns[3:]:
            _band_rules(ws, col[column.header], first, last, styles, text=False)
        _band_rules(ws, col["Health band"], first, last, styles, text=True)

    _data_sheet(
        wb, "Health history", "HealthHistory", columns, rows, styles,
        ["Health history — the last 13 points that exist", note], rules,
    )  # fmt: skip


# --- render: layout --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: header, how to read its value from a row, its number kind."""

    header: str
    get: Callable[[dict[str, Any]], Any]
    kind: str = "text"
    width: int | None = None


def _k(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row["k"].get(key)


def _yes_no(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


def display_names(rows: list[dict[str, Any]], label: Callable[[Any, str], str]) -> None:
    """Add each row's display names (`row["show"]`): no key reaches a cell as it is typed in
    the account file (`mid_market` -> 'Mid-market', `executive_sponsor` -> 'Executive sponsor')."""
    for row in rows:
        k = row["k"]
        row["show"] = {
            "segment": label(row["segment"], "segments"),
            "status": label(k.get("status"), "account_statuses"),
            "band": band_name(k.get("health_band"), label),
            "drag": label(k.get("health_biggest_drag"), "components"),
            "roles": ", ".join(label(r, "roles") for r in k.get("stakeholder_roles_covered") or []),
        }


def band_name(band: str | None, label: Callable[[Any, str], str]) -> str:
    """Display name of a health band ('Unscored' when there is none)."""
    return label(band, "bands") if band else "Unscored"


def account_columns(quarter: str) -> list[Column]:
    """The Accounts sheet: one row per account, every per-account KPI."""
    q = f"({quarter})"
    return [
        Column("Account ID", lambda r: r["id"]),
        Column("Account", lambda r: r["name"], width=34),
        Column("Owner", lambda r: r["owner"]),
        Column("Segment", lambda r: r["show"]["segment"]),
        Column("Industry", lambda r: r["industry"]),
        Column("Region", lambda r: r["region"]),
        Column("Status", lambda r: r["show"]["status"]),
        Column("Health score", _k("health_score"), "health_score"),
        Column("Health band", lambda r: r["show"]["band"]),
        Column("Health trend", _k("health_trend"), "health_trend"),
        Column("Health trend compares", lambda r: r["health_trend_text"], width=40),
        Column("Biggest drag", lambda r: r["show"]["drag"]),
        Column("Current ARR", _k("arr"), "arr"),
        Column("Revenue history", lambda r: _yes_no(r["k"]["revenue_history"])),
        Column("Renewal date", lambda r: r["renewal_date"], "date"),
        Column("Days to renewal", _k("days_to_renewal"), "int"),
        Column("Next step", lambda r: r["next_step"][0] if r["next_step"] else "", width=34),
        Column("Next step due", lambda r: r["next_step"][1] if r["next_step"] else None, "date"),
        Column("Overdue next steps", lambda r: r["overdue_steps"], "int"),
        Column("Open escalations", _k("open_escalations"), "int"),
        Column("Escalations past target", lambda r: r["escalations_past_target"], "int"),
        Column("Open high risks", lambda r: len(r["open_high_risks"]), "int"),
        Column("GRR (TTM)", _k("grr"), "grr"),
        Column("NRR (TTM)", _k("nrr"), "nrr"),
        Column(f"GRR {q}", _k("grr_q"), "grr"),
        Column(f"NRR {q}", _k("nrr_q"), "nrr"),
        Column("Gross revenue churn (TTM)", _k("gross_revenue_churn"), "ratio"),
        Column("Logo churn (TTM)", _k("logo_churn_rate"), "ratio"),
        Column("Starting ARR (TTM)", _k("starting_arr"), "money"),
        Column("Expansion (TTM)", _k("expansion_revenue"), "money"),
        Column("Contraction (TTM)", _k("contraction_arr"), "money"),
        Column("Churned ARR (TTM)", _k("churned_arr"), "money"),
        Column("Ending ARR (TTM)", _k("ending_arr"), "ending_arr"),
        Column("Renewal rate, logos (TTM)", _k("renewal_rate_logos"), "ratio"),
        Column("Renewal rate, revenue (TTM)", _k("renewal_rate_revenue"), "ratio"),
        Column("Open renewals (TTM)", _k("renewals_open"), "int"),
        Column("Upsell conversion (TTM)", _k("upsell_conversion_rate"), "ratio"),
        Column("Pipeline", _k("pipeline"), "money"),
        Column("Expected lifetime value at portfolio churn", _k("expected_lifetime_value"), "money"),
        Column("Active stakeholders", _k("stakeholder_coverage"), "stakeholder_coverage"),
        Column("Key roles covered", lambda r: r["show"]["roles"], width=30),
        Column("Single-threaded", lambda r: _yes_no(r["k"]["single_threaded"])),
        Column("QBR completion (TTM)", _k("qbr_completion_rate"), "ratio"),
        Column(f"QBR held {q}", _k("qbr_completion_rate_q"), "ratio"),
        Column("Follow-up time (h)", _k("follow_up_time"), "hours"),
        Column("Seat utilisation", _k("seat_utilisation"), "seat_utilisation"),
        Column("Adoption trend", _k("adoption_trend"), "adoption_trend"),
        Column(f"Tickets {q}", _k("tickets_q"), "int"),
        Column("Support trend (tickets vs prev. quarter)", _k("support_trend"), "ratio"),
        Column("Escalation time to resolution (days, TTM)", _k("escalation_time_to_resolution"), "days"),
        Column("NPS (TTM)", _k("nps"), "nps"),
        Column("CSAT (TTM)", _k("csat"), "csat"),
        Column("Warnings", lambda r: len(r["warnings"]), "int"),
        Column("Warning details", _warning_labels, width=70),
        Column("Notes", lambda r: r["notes"], width=50),
    ]  # fmt: skip


def _warning_labels(row: dict[str, Any]) -> str:
    codes = sorted({c for c, _ in row["warnings"]}, key=WARNING_ORDER.index)
    return "; ".join(WARNING_LABELS.get(c, c) for c in codes)


READINESS_CHECKS: tuple[tuple[str, str, Callable[[dict[str, Any], dt.date], bool]], ...] = (
    ("health not red", "health red", lambda r, d: r["k"].get("health_band") != "red"),
    ("decision maker or sponsor engaged", "no decision maker or sponsor engaged",
     lambda r, d: bool({"executive_sponsor", "decision_maker"}
                       & set(r["k"]["stakeholder_roles_covered"] or []))),
    ("multi-threaded", "single-threaded", lambda r, d: not r["k"]["single_threaded"]),
    ("QBR held in the review quarter", "no QBR in the review quarter",
     lambda r, d: (r["k"].get("qbr_completion_rate_q") or 0) >= 1),
    ("no open high-severity risk", "open high-severity risk",
     lambda r, d: not r["open_high_risks"]),
    ("no open escalation", "open escalation", lambda r, d: not r["k"].get("open_escalations")),
    ("next step scheduled", "next step missing or overdue",
     lambda r, d: r["next_step"] is not None and r["next_step"][1] >= d),
)  # fmt: skip
"""Renewal readiness checks (name, gap when failed, test): readiness is the share passed."""


def readiness(row: dict[str, Any], as_of: dt.date) -> tuple[float, list[str]]:
    """Share of readiness checks passed, and the gaps (checks failed)."""
    gaps = [gap for _, gap, check in READINESS_CHECKS if not check(row, as_of)]
    return (len(READINESS_CHECKS) - len(gaps)) / len(READINESS_CHECKS), gaps


def renewal_risk(row: dict[str, Any], ready: float) -> str:
    """High / Medium / Low renewal risk from the engine's warnings, band and readiness."""
    codes = {c for c, _ in row["warnings"]}
    days = row["k"].get("days_to_renewal")
    if "renewal_at_risk" in codes or row["k"].get("health_band") == "red" or (days or 0) < 0:
        return "High"
    if row["k"].get("health_band") != "green" or row["k"]["single_threaded"] or ready < 0.6:
        return "Medium"
    return "Low"


def renewal_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Active accounts renewing from as_of to the end of next quarter (or already past due)."""
    as_of: dt.date = payload["as_of"]
    horizon: dt.date = payload["renewal_horizon"]
    out = []
    for row in payload["accounts"]:
        if row["k"]["status"] != "active" or row["renewal_date"] > horizon:
            continue
        days = row["k"]["days_to_renewal"]
        if days is None:
            continue
        ready, gaps = readiness(row, as_of)
        out.append({**row, "ready": ready, "gaps": gaps, "risk": renewal_risk(row, ready)})
    out.sort(key=lambda r: (r["renewal_date"], r["name"]))
    return out


RENEWAL_COLUMNS = [
    Column("Account", lambda r: r["name"], width=30),
    Column("Owner", lambda r: r["owner"]),
    Column("Renewal date", lambda r: r["renewal_date"], "date"),
    Column("Quarter", lambda r: str(Quarter.of(r["renewal_date"]))),
    Column("Days to renewal", _k("days_to_renewal"), "int"),
    Column("Current ARR", _k("arr"), "arr"),
    Column("Auto-renew", lambda r: _yes_no(r["auto_renew"])),
    Column("Health score", _k("health_score"), "health_score"),
    Column("Health band", lambda r: r["show"]["band"]),
    Column("Risk", lambda r: r["risk"]),
    Column("Readiness", lambda r: r["ready"], "ratio"),
    Column("Readiness gaps", lambda r: "; ".join(r["gaps"]), width=50),
    Column("Open high risks", lambda r: "; ".join(r["open_high_risks"]), width=40),
    Column("Open escalations", _k("open_escalations"), "int"),
    Column("Next step", lambda r: r["next_step"][0] if r["next_step"] else "", width=34),
    Column("Next step due", lambda r: r["next_step"][1] if r["next_step"] else None, "date"),
]


def owner_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Each account manager's book: counts, ARR and retention from summed money amounts."""
    horizon: dt.date = payload["renewal_horizon"]
    books: dict[str, dict[str, Any]] = {}
    for row in payload["accounts"]:
        k = row["k"]
        book = books.setdefault(row["owner"], {
            "owner": row["owner"], "accounts": 0, "active": 0, "arr": 0.0, "starting": 0.0,
            "expansion": 0.0, "contraction": 0.0, "churned": 0.0, "green": 0, "yellow": 0,
            "red": 0, "unscored": 0, "red_arr": 0.0, "red_names": [], "renewing": 0,
            "escalations": 0, "past_target": 0, "single_threaded": 0, "warnings": 0,
        })  # fmt: skip
        book["accounts"] += 1
        book["arr"] += k["arr"] or 0.0
        book["starting"] += k["starting_arr"] or 0.0
        book["expansion"] += k["expansion_revenue"] or 0.0
        book["contraction"] += k["contraction_arr"] or 0.0
        book["churned"] += k["churned_arr"] or 0.0
        book["warnings"] += len(row["warnings"])
        if k["status"] != "active":
            continue
        book["active"] += 1
        band = k.get("health_band") or "unscored"
        book[band] += 1
        if band == "red":
            book["red_arr"] += k["arr"] or 0.0
            book["red_names"].append(row["name"])
        if k["days_to_renewal"] is not None and row["renewal_date"] <= horizon:
            book["renewing"] += 1
        book["escalations"] += k["open_escalations"] or 0
        book["past_target"] += row["escalations_past_target"]
        book["single_threaded"] += bool(k["single_threaded"])
    for book in books.values():
        s = book["starting"]
        lost = book["contraction"] + book["churned"]
        book["grr"] = min(1.0, (s - lost) / s) if s else None
        book["nrr"] = (s + book["expansion"] - lost) / s if s else None
    return sorted(books.values(), key=lambda b: (-b["arr"], b["owner"]))


OWNER_COLUMNS = [
    Column("Owner", lambda b: b["owner"]),
    Column("Accounts", lambda b: b["accounts"], "int"),
    Column("Active", lambda b: b["active"], "int"),
    Column("Current ARR", lambda b: b["arr"], "money"),
    Column("Starting ARR (TTM)", lambda b: b["starting"], "money"),
    Column("Expansion (TTM)", lambda b: b["expansion"], "money"),
    Column("Contraction (TTM)", lambda b: b["contraction"], "money"),
    Column("Churned ARR (TTM)", lambda b: b["churned"], "money"),
    Column("GRR (TTM)", lambda b: b["grr"], "ratio"),
    Column("NRR (TTM)", lambda b: b["nrr"], "ratio"),
    Column("Green", lambda b: b["green"], "int"),
    Column("Yellow", lambda b: b["yellow"], "int"),
    Column("Red", lambda b: b["red"], "int"),
    Column("Unscored", lambda b: b["unscored"], "int"),
    Column("Red ARR", lambda b: b["red_arr"], "money"),
    Column("Renewals to next quarter end", lambda b: b["renewing"], "int"),
    Column("Open escalations", lambda b: b["escalations"], "int"),
    Column("Escalations past target", lambda b: b["past_target"], "int"),
    Column("Single-threaded", lambda b: b["single_threaded"], "int"),
    Column("Warnings", lambda b: b["warnings"], "int"),
    Column("Red accounts", lambda b: "; ".join(b["red_names"]), width=50),
]


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
    ("starting_arr", "Starting ARR (cohort)", "money", "q"),
    ("new_arr", "New-logo ARR", "money", "q"),
    ("contraction_arr", "Contraction", "money", "q"),
    ("churned_arr", "Churned ARR", "money", "q"),
    ("ending_arr", "Ending ARR", "money", "q"),
    ("ending_arr_without_history", "of which without revenue history", "money", "q"),
    ("churned_logos", "Churned logos", "int", "q"),
    ("renewals_open", "Open renewals (listed, not in rates)", "int", "q"),
    ("arpa", None, None, "ttm"),
    ("clv", None, None, "ttm"),
    ("arr", "Current ARR", "money", "now"),
)
LEADING_ROWS: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("health_score", "Health score (ARR-weighted)", "health_score", "now"),
    ("stakeholder_coverage", "Stakeholder coverage (per account)", "stakeholder_coverage", "now"),
    ("single_threaded_accounts", "Single-threaded accounts", "int", "now"),
    ("qbr_completion_rate", None, None, "ttm"),
    ("seat_utilisation", None, None, "now"),
    ("adoption_trend", "Adoption trend (median)", None, "now"),
    ("tickets", "Support tickets opened", "int", "q"),
    ("support_trend", "Support trend (tickets vs previous quarter)", "ratio", "q-only"),
    ("escalation_time_to_resolution", None, None, "q"),
    ("open_escalations", "Open escalations", "int", "now"),
    ("follow_up_time", None, None, "ttm"),
    ("pipeline", None, None, "now"),
    ("warnings", "Warnings raised", "int", "now"),
)
EXTRA_DEFINITIONS = {
    d.key: d.definition for d in SUPPORTING_DEFINITIONS
}  # the texts live in kpis/definitions.py with every other KPI text


class _Styles:
    """Fonts and fills of one workbook (openpyxl styles are shared by value)."""

    def __init__(
        self,
        colours: dict[str, str],
        currency: str,
        bands: tuple[float, float],
        fonts: tuple[str, str] = ("DejaVu Sans", "DejaVu Sans"),
        label: Callable[[Any, str], str] | None = None,
        paper: str = "A4",
        fmt: Formatter | None = None,
    ):
        from openpyxl.styles import Alignment, Font, PatternFill

        def hexc(name: str) -> str:
            return colours[name].lstrip("#").upper()

        heading, body = fonts
        self.label = label or (lambda key, kind: str(key))
        self.band_names = {b: band_name(b, self.label) for b in ("red", "yellow", "green")}
        self.colours = {name: hexc(name) for name in colours}
        self.bands = bands
        # Brand fonts on every cell: `base` is the workbook's default font (cells without a
        # style of their own), every other font names the brand family too.
        self.paper = 1 if paper == "Letter" else 9
        self.base = Font(name=body, size=10)
        self.title = Font(name=heading, bold=True, size=14, color=hexc("primary"))
        self.subtitle = Font(name=body, size=10, italic=True, color=hexc("muted"))
        self.bold = Font(name=body, size=10, bold=True)
        self.section = Font(name=heading, size=10, bold=True, color=hexc("primary"))
        self.header_font = Font(name=body, size=10, bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=hexc("primary"))
        self.section_fill = PatternFill("solid", fgColor="E8EEF6")
        self.wrap = Alignment(wrap_text=True, vertical="top", indent=1)
        self.header = Alignment(wrap_text=True, vertical="bottom", indent=1)
        self.text_cell = Alignment(indent=1, vertical="top")
        self.number_cell = Alignment(horizontal="right", vertical="top", indent=1)
        self.header_right = Alignment(
            wrap_text=True, vertical="bottom", horizontal="right", indent=1
        )
        self.muted = Font(name=body, size=10, color=hexc("muted"))
        from qbrgen.formatting import Formatter as Fmt

        fmt = fmt or Fmt(currency=currency)
        self.formats = _Formats(fmt)
        self.percent_axis = fmt.excel_percent(0)
        self.change_formats = {
            "money": fmt.signed_money_excel_format(),
            "ratio": fmt.excel_format("percentage_points"),
            "int": "+#,##0;-#,##0;0",
            "count": "+#,##0;-#,##0;0",
            "score": fmt.excel_format("score_points"),
            "days": '+0.0" d";-0.0" d";0.0" d"',
            "hours": '+0.0" h";-0.0" h";0.0" h"',
            "decimal": "+0.0;-0.0;0.0",
            "nps": "+0;-0;0",
            "csat": "+0.0;-0.0;0.0",
        }
        # A number is right-aligned against the next column's text: a trailing space the width
        # of ")" in every section keeps them apart in Excel and LibreOffice alike (LibreOffice
        # ignores an indent on right-aligned cells).
        self.change_formats = {k: pad_format(v) or v for k, v in self.change_formats.items()}


def pad_format(number_format: str | None) -> str | None:
    """`number_format` with a trailing `_)` (a space as wide as ')') in each section."""
    if not number_format or number_format == "General":
        return number_format
    return ";".join(part + "_)" for part in number_format.split(";"))


TEXT_WIDTH_FACTOR = 1.1
"""Column widths count characters of the default font's digit width; the brand font's letters
(DejaVu Sans, capitals, bold headers) run wider, so measured text gets 10% more room."""


class _Formats(dict[str, str | None]):
    """Number formats by kind or KPI key: KPIs and their kinds from the run's one formatter
    (so a cell shows what every other document writes), plain cells here."""

    LOCAL = {"int": "#,##0", "decimal": "0.0", "text": None}

    def __init__(self, fmt: Formatter):
        super().__init__()
        self.fmt = fmt

    def __missing__(self, key: str) -> str | None:
        if key == "date":
            value: str | None = self.fmt.excel_date()
        else:
            value = self.LOCAL[key] if key in self.LOCAL else self.fmt.excel_format(key)
        self[key] = pad_format(value)  # numbers kept off the text beside them (see _Styles)
        return self[key]


@dataclass
class _Block:
    rows: list[list[Any]]
    formats: list[str | None]
    text_style: dict[str, Any] | None = None
    column_text_styles: list[dict[str, Any] | None] | None = None
    number_style: dict[str, Any] | None = None


class _SheetWriter:
    """Collects a write-only sheet's rows, then writes them after widths and panes are set
    (write-only sheets must have those before the first row)."""

    def __init__(self, ws: Any, paper: int = 9):
        self.ws = ws
        self.paper = paper
        """Excel paper size code: 9 A4, 1 Letter (the workspace's plan.page_size)."""
        self.rows: list[Any] = []
        self.widths: dict[int, int] = {}
        self.heights: dict[int, float] = {}
        """Row number -> height in points (rows with wrapped text)."""

    def row_count(self) -> int:
        """Rows added so far (a block counts its rows)."""
        return sum(len(r.rows) if isinstance(r, _Block) else 1 for r in self.rows)

    def add_table_rows(
        self,
        rows: list[list[Any]],
        formats: list[str | None],
        text_style: dict[str, Any] | None = None,
        column_text_styles: list[dict[str, Any] | None] | None = None,
        number_style: dict[str, Any] | None = None,
    ) -> None:
        """A block of plain values, one number format per column (streamed fast)."""
        from qbrgen.render._xlsx import column_widths

        for col, width in enumerate(column_widths(rows, formats), start=1):
            width = math.ceil(width * TEXT_WIDTH_FACTOR)
            if width > self.widths.get(col, 0):
                self.widths[col] = width
        self.rows.append(_Block(rows, formats, text_style, column_text_styles, number_style))

    def add(self, cells: Sequence[Any]) -> int:
        """Append a row of values or (value, number_format, style) triples; returns its number."""
        row = []
        for col, item in enumerate(cells, start=1):
            value, fmt, style = item if isinstance(item, tuple) else (item, None, {})
            row.append((value, fmt, style))
            self.measure(col, value, fmt)
        self.rows.append(row)
        return len(self.rows)

    def measure(self, col: int, value: Any, fmt: str | None) -> None:
        from qbrgen.render._xlsx import display_width

        width = display_width(value, fmt)
        if isinstance(value, str):
            width = math.ceil(width * TEXT_WIDTH_FACTOR)
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def fix_width(self, col: int, width: int) -> None:
        self.widths[col] = width

    def write(
        self,
        freeze: str | None = None,
        minimum: int = 8,
        maximum: int = 60,
        header_row: int | None = None,
        pages_wide: int = 1,
        pages_tall: int = 0,
    ) -> None:
        """Set widths, panes and print setup (landscape, `pages_wide` pages across), then
        stream the rows out."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.properties import PageSetupProperties

        from qbrgen.render._xlsx import append_rows, fit_widths, make_cell, safe_text

        widths = [self.widths.get(c, 0) for c in range(1, max(self.widths, default=0) + 1)]
        fit_widths(self.ws, widths, minimum=minimum, maximum=maximum)
        if freeze:
            self.ws.freeze_panes = freeze
        if header_row:
            self.heights.setdefault(header_row, 45)
            self.ws.print_title_rows = f"{header_row}:{header_row}"
        for number, height in self.heights.items():
            self.ws.row_dimensions[number].height = height
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.paper
        self.ws.page_setup.fitToWidth = pages_wide
        self.ws.page_setup.fitToHeight = pages_tall
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.ws.print_options.gridLines = False
        self.ws.page_margins.left = self.ws.page_margins.right = 0.5
        last_col = max(len(widths), 1)
        self.ws.print_area = f"A1:{get_column_letter(last_col)}{max(self.row_count(), 1)}"
        for row in self.rows:
            if isinstance(row, _Block):
                append_rows(
                    self.ws, row.rows, row.formats, row.text_style,
                    row.column_text_styles, row.number_style,
                )  # fmt: skip
                continue
            self.ws.append([
                make_cell(self.ws, value, fmt, **style)
                if fmt or style or (isinstance(value, str) and value[:1] in "=+-@\t\r")
                else safe_text(value)
                for value, fmt, style in row
            ])  # fmt: skip
        self.rows = []


def _data_sheet(
    wb: Any,
    title: str,
    table_name: str,
    columns: list[Column],
    rows: list[dict[str, Any]],
    styles: _Styles,
    intro: list[str],
    rules: Callable[[Any, dict[str, str], int, int], None] | None = None,
    tail: list[list[Any]] | None = None,
    pages_wide: int = 1,
) -> Any:
    """A sheet holding one Excel table (filters, banded rows) under a short intro."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    ws = wb.create_sheet(title)
    ws.conditional_formatting = ConditionalFormattingList()  # write-only sheets lack one
    sheet = _SheetWriter(ws, styles.paper)
    for i, line in enumerate(intro):
        sheet.add([(line, None, {"font": styles.title if i == 0 else styles.subtitle})])
    sheet.widths.clear()  # intro lines may run across columns
    header_row = len(intro) + 1
    sheet.add(
        [
            (
                c.header,
                None,
                {
                    "font": styles.header_font,
                    "alignment": styles.header if c.kind == "text" else styles.header_right,
                    "fill": styles.header_fill,
                },
            )
            for c in columns
        ]
    )
    for col, column in enumerate(columns, start=1):
        sheet.fix_width(col, max(len(w) for w in column.header.split()) + 3)
    getters = [c.get for c in columns]
    values = [[get(row) for get in getters] for row in rows]
    wrapped = [c.kind == "text" and c.width is not None for c in columns]
    sheet.add_table_rows(
        values,
        [styles.formats[c.kind] for c in columns],
        {"alignment": styles.text_cell},
        [{"alignment": styles.wrap} if w else None for w in wrapped],
        {"alignment": styles.number_cell},
    )
    for col, column in enumerate(columns, start=1):
        if column.width:
            sheet.fix_width(col, column.width)
    _row_heights(sheet, header_row, columns, values, wrapped)
    last_row = header_row + len(rows)
    last_col = get_column_letter(len(columns))
    letters = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    if tail:
        sheet.add([])
        for extra in tail:
            sheet.add(extra)
    sheet.write(
        freeze=f"B{header_row + 1}" if rows else None,
        maximum=70,
        header_row=header_row,
        pages_wide=pages_wide,
    )
    if rows:
        ref = f"A{header_row}:{last_col}{last_row}"
        table = Table(
            displayName=table_name,
            ref=ref,
            tableStyleInfo=TableStyleInfo(name="TableStyleMedium2", showRowStripes=True),
        )
        table.tableColumns = [
            TableColumn(id=i, name=c.header) for i, c in enumerate(columns, start=1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "add table columns manually": done above
            ws.add_table(table)
        if rules is not None:
            rules(ws, letters, header_row + 1, last_row)
    return ws


def _row_heights(
    sheet: _SheetWriter,
    header_row: int,
    columns: list[Column],
    values: list[list[Any]],
    wrapped: list[bool],
) -> None:
    """Heights that show every line of the wrapped cells (spreadsheet apps do not grow a row
    for wrapped text when the file is opened), and of the wrapped header."""
    from qbrgen.render._xlsx import row_height, wrapped_lines

    width = {i: sheet.widths.get(i + 1, 8) + 2 for i in range(len(columns))}  # + fit padding
    header_lines = max(wrapped_lines(c.header, width[i]) for i, c in enumerate(columns))
    sheet.heights[header_row] = row_height(header_lines)
    cols = [i for i, w in enumerate(wrapped) if w]
    for offset, row in enumerate(values, start=header_row + 1):
        lines = max((wrapped_lines(row[i], width[i]) for i in cols if row[i]), default=1)
        if lines > 1:
            sheet.heights[offset] = row_height(lines)


def _band_rules(ws: Any, col: str, first: int, last: int, styles: _Styles, text: bool) -> None:
    """Fill a health column by band: by the band's name, or by the score thresholds."""
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font, PatternFill

    colour = styles.colours
    fills = {b: PatternFill("solid", bgColor=_tint(colour[b])) for b in ("green", "yellow", "red")}
    fonts = {b: Font(color=_shade(colour[b])) for b in ("green", "yellow", "red")}
    area = f"{col}{first}:{col}{last}"
    if text:
        for band in ("red", "yellow", "green"):
            name = styles.band_names[band].replace('"', '""')
            ws.conditional_formatting.add(
                area,
                CellIsRule(
                    operator="equal", formula=[f'"{name}"'], fill=fills[band], font=fonts[band]
                ),
            )
        return
    red_max, yellow_max = styles.bands
    # Bands apply to the score as displayed: rounded to a whole number (ROUND: halves up).
    cell = f"ROUND({col}{first},0)"
    blank = f'{col}{first}<>""'
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"AND({blank},{cell}<={red_max})"], fill=fills["red"])
    )
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f"AND({blank},{cell}>{red_max},{cell}<={yellow_max})"], fill=fills["yellow"]
        ),
    )
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"AND({blank},{cell}>{yellow_max})"], fill=fills["green"])
    )


def _tint(hex_colour: str, share: float = 0.75) -> str:
    """A light tint of a colour (mixed with white), for cell fills behind dark text."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * share):02X}" for c in rgb)


def _shade(hex_colour: str, share: float = 0.45) -> str:
    """A dark shade of a colour (mixed with black), for text on that colour's tint."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c * (1 - share)):02X}" for c in rgb)


def _overdue_rules(ws: Any, area: str, formula: str, styles: _Styles) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    red = styles.colours["red"]
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[formula],
            fill=PatternFill("solid", bgColor=_tint(red)),
            font=Font(bold=True, color=red),
        ),
    )


def _excel_date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def _accounts_rules(
    styles: _Styles, as_of: dt.date
) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill

        _band_rules(ws, col["Health band"], first, last, styles, text=True)
        _band_rules(ws, col["Health score"], first, last, styles, text=False)
        days = col["Days to renewal"]
        _overdue_rules(
            ws, f"{days}{first}:{days}{last}", f'AND({days}{first}<>"",{days}{first}<0)', styles
        )
        ws.conditional_formatting.add(
            f"{days}{first}:{days}{last}",
            FormulaRule(
                formula=[f'AND({days}{first}<>"",{days}{first}>=0,{days}{first}<=120)'],
                fill=PatternFill("solid", bgColor=_tint(styles.colours["yellow"])),
            ),
        )
        due = col["Next step due"]
        _overdue_rules(
            ws,
            f"{due}{first}:{due}{last}",
            f'AND({due}{first}<>"",{due}{first}<{_excel_date(as_of)})',
            styles,
        )
        for name in ("Overdue next steps", "Escalations past target"):
            c = col[name]
            _overdue_rules(ws, f"{c}{first}:{c}{last}", f"{c}{first}>0", styles)

    return rules


def _renewals_rules(
    styles: _Styles, as_of: dt.date
) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
        from openpyxl.styles import Font, PatternFill

        colour = styles.colours
        risk = col["Risk"]
        for level, band in (("High", "red"), ("Medium", "yellow"), ("Low", "green")):
            ws.conditional_formatting.add(
                f"{risk}{first}:{risk}{last}",
                CellIsRule(
                    operator="equal",
                    formula=[f'"{level}"'],
                    fill=PatternFill("solid", bgColor=_tint(colour[band])),
                    font=Font(bold=True, color=_shade(colour[band])),
                ),
            )
        _band_rules(ws, col["Health band"], first, last, styles, text=True)
        ready = col["Readiness"]
        ws.conditional_formatting.add(
            f"{ready}{first}:{ready}{last}",
            ColorScaleRule(
                start_type="num", start_value=0, start_color=_tint(colour["red"], 0.5),
                mid_type="num", mid_value=0.6, mid_color=_tint(colour["yellow"], 0.5),
                end_type="num", end_value=1, end_color=_tint(colour["green"], 0.5),
            ),
        )  # fmt: skip
        days = col["Days to renewal"]
        _overdue_rules(ws, f"{days}{first}:{days}{last}", f"{days}{first}<0", styles)
        due = col["Next step due"]
        _overdue_rules(
            ws,
            f"{due}{first}:{due}{last}",
            f'AND({due}{first}<>"",{due}{first}<{_excel_date(as_of)})',
            styles,
        )

    return rules


def _owner_rules(styles: _Styles) -> Callable[[Any, dict[str, str], int, int], None]:
    def rules(ws: Any, col: dict[str, str], first: int, last: int) -> None:
        for name in ("Red", "Escalations past target"):
            c = col[name]
            _overdue_rules(ws, f"{c}{first}:{c}{last}", f"{c}{first}>0", styles)

    return rules


def _summary_sheet(wb: Any, payload: dict[str, Any], styles: _Styles) -> None:
    ws = wb.create_sheet("Summary")
    sheet = _SheetWriter(ws, styles.paper)
    values: dict[str, Any] = payload["portfolio"]["values"]
    reasons: dict[str, str] = payload["portfolio"]["reasons"]
    quarter, prev = payload["quarter"], payload["prev_quarter"]
    start, end = payload["ttm"]
    sheet.add([(f"Portfolio scorecard — {payload['company']}", None, {"font": styles.title})])
    sheet.add([(
        f"Review quarter {quarter} (previous {prev}) · trailing twelve months {start + dt.timedelta(days=1)} "
        f"to {end} · numbers as of {payload['as_of']} · {values.get('accounts', 0)} accounts",
        None, {"font": styles.subtitle},
    )])  # fmt: skip
    sheet.widths.clear()
    sheet.add([])
    header = ["KPI", quarter, prev, "Change", "TTM / now", "Measured", "Note", "Definition"]
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill}) for h in header])
    fill = {"fill": styles.section_fill, "font": styles.section}
    for group, rows in (("Lagging indicators", LAGGING_ROWS), ("Leading indicators", LEADING_ROWS)):
        sheet.add([(group, None, fill)] + [("", None, fill)] * (len(header) - 1))
        for key, label, kind, measured in rows:
            sheet.add(_summary_row(key, label, kind, measured, values, reasons, styles))
    sheet.add([])
    sheet.add([("Health distribution (active accounts)", None, {"font": styles.section})])
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill})
               for h in ("Band", "Accounts", "ARR", "Share of ARR")])  # fmt: skip
    dist = payload["portfolio"]["health_distribution"]
    arr_by_band = payload["portfolio"]["arr_by_band"]
    total_arr = sum(arr_by_band.values())
    for band in BANDS:
        share = arr_by_band.get(band, 0.0) / total_arr if total_arr else None
        sheet.add([band_name(band, styles.label), (dist.get(band, 0), styles.formats["int"], {}),
                   (arr_by_band.get(band, 0.0), styles.formats["money"], {}),
                   (share, styles.formats["ratio"], {})])  # fmt: skip
    sheet.add([])
    sheet.add([("Warnings the numbers raise", None, {"font": styles.section})])
    sheet.add([(h, None, {"font": styles.header_font, "fill": styles.header_fill})
               for h in ("Warning", "Count")])  # fmt: skip
    counts = payload["portfolio"]["warning_counts"]
    for code in WARNING_ORDER:
        sheet.add(
            [WARNING_LABELS.get(code, code), (counts.get(code, 0), styles.formats["int"], {})]
        )
    sheet.fix_width(1, 40)
    sheet.fix_width(6, 18)
    sheet.fix_width(7, 28)
    sheet.fix_width(8, 60)
    _wrap_cells(sheet, {1: 40, 6: 18, 7: 28, 8: 60}, first_row=4, styles=styles)
    sheet.write(freeze="B5", maximum=100)


def _wrap_cells(
    sheet: _SheetWriter, widths: dict[int, int], first_row: int, styles: _Styles
) -> None:
    """From `first_row` on: text in the columns of `widths` wraps (row heights follow), numbers
    keep an indent off the text beside them."""
    from qbrgen.render._xlsx import row_height, wrapped_lines

    for number, row in enumerate(sheet.rows, start=1):
        if number < first_row or isinstance(row, _Block) or len(row) < 2:
            continue
        lines = 1
        for col, (value, fmt, style) in enumerate(row, start=1):
            if isinstance(value, str) and col in widths and "fill" not in style:
                row[col - 1] = (value, fmt, {**style, "alignment": styles.wrap})
                lines = max(lines, wrapped_lines(value, widths[col] + 2))
            elif fmt and isinstance(value, int | float):
                row[col - 1] = (value, fmt, {**style, "alignment": styles.number_cell})
        if lines > 1:
            sheet.heights[number] = row_height(lines)


def _summary_row(
    key: str,
    label: str | None,
    kind: str | None,
    measured: str,
    values: dict[str, Any],
    reasons: dict[str, str],
    styles: _Styles,
) -> list[Any]:
    definition = BY_KEY.get(key)
    kind = kind or (definition.kind if definition else "decimal")
    if kind == "flag":
        kind = "int"
    fmt = styles.formats[kind]
    of_key = definition_of(kind)
    kind = of_key.kind if of_key else kind  # a KPI key: its kind
    text = label or (definition.label if definition else key)
    explain = EXTRA_DEFINITIONS.get(key) or (definition.definition if definition else "")
    notes: list[str] = []

    def wrap(text: str) -> Any:
        return (text, None, {"font": styles.muted})  # wrapped by _wrap_cells

    def cell(name: str) -> Any:
        value = values.get(name)
        if name not in values:
            return ("", None, {})
        if value is None:
            notes.append(reasons.get(name, "inputs missing"))
            return ("n/a", None, {"font": styles.muted})
        return (value, fmt, {})

    if key == "tickets":
        now, before = values.get("tickets_q") or {}, values.get("tickets_prev_q") or {}
        q_cell: Any = (sum(now.values()), fmt, {})
        p_cell: Any = (sum(before.values()), fmt, {})
        change: Any = (sum(now.values()) - sum(before.values()), styles.change_formats["int"], {})
        return [text, q_cell, p_cell, change, "", "quarter", "", wrap(explain)]
    if key == "support_trend":
        trend = values.get("support_trend")
        value = (trend["all"], fmt, {}) if trend else ("n/a", None, {"font": styles.muted})
        note = "" if trend else reasons.get("support_trend", "")
        return [text, value, "", "", "", "quarter vs previous", note, wrap(explain)]
    if measured == "q":
        q_cell, p_cell, t_cell = cell(key + "_q"), cell(key + "_prev_q"), cell(key)
        change = ""
        if isinstance(q_cell[0], int | float) and isinstance(p_cell[0], int | float):
            # ratios change in percentage points
            scale = 100 if kind == "ratio" else 1
            change = ((q_cell[0] - p_cell[0]) * scale, styles.change_formats.get(kind), {})
        basis = "quarter and TTM"
        notes = list(dict.fromkeys(notes))
        return [text, q_cell, p_cell, change, t_cell, basis, "; ".join(notes), wrap(explain)]
    basis = "trailing 12 months" if measured == "ttm" else "at the as-of date"
    return [text, "", "", "", cell(key), basis, "; ".join(notes), wrap(explain)]


def _charts_sheet(wb: Any, payload: dict[str, Any], styles: _Styles) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.legend import LegendEntry
    from openpyxl.chart.marker import DataPoint
    from openpyxl.chart.shapes import GraphicalProperties

    ws = wb.create_sheet("Charts")
    sheet = _SheetWriter(ws, styles.paper)
    colour = styles.colours
    money, ratio, count = styles.formats["money"], styles.formats["ratio"], styles.formats["int"]
    portfolio = payload["portfolio"]
    values = portfolio["values"]
    head = {"font": styles.header_font, "fill": styles.header_fill}
    start, end = payload["ttm"]

    sheet.add([(f"Charts — {payload['company']}, review quarter {payload['quarter']}", None,
                {"font": styles.title})])  # fmt: skip
    sheet.add([("Chart data (values from the KPI engine)", None, {"font": styles.subtitle})])
    sheet.widths.clear()
    sheet.add([])
    # Health distribution: rows 5-8
    sheet.add([("Health band", None, head), ("Accounts", None, head), ("ARR", None, head)])
    dist, arr_by_band = portfolio["health_distribution"], portfolio["arr_by_band"]
    for band in BANDS:
        sheet.add([band_name(band, styles.label), (dist.get(band, 0), count, {}),
                   (arr_by_band.get(band, 0.0), money, {})])  # fmt: skip
    sheet.add([])
    # ARR bridge (TTM): start, new, expansion, contraction, churn, end
    bridge_header = sheet.add([(h, None, head) for h in ("ARR movement (TTM)", "Amount", "Base",
                                                          "Increase", "Decrease", "Total")])  # fmt: skip
    steps = _bridge_steps(values)
    for (name, amount, step), (_, base) in zip(steps, _bridge_levels(steps), strict=True):
        up = amount if step != "total" and amount >= 0 else 0.0
        down = -amount if step != "total" and amount < 0 else 0.0
        total = amount if step == "total" else 0.0
        sheet.add([name] + [(v, money, {}) for v in (amount, base, up, down, total)])
    bridge_last = bridge_header + len(steps)
    sheet.add([])
    quarter_header = sheet.add([(h, None, head) for h in ("Quarter", "Starting ARR", "Ending ARR",
                                                           "GRR", "NRR")])  # fmt: skip
    quarterly = portfolio["quarterly"]
    for item in quarterly:
        sheet.add([item["quarter"], (item["starting_arr"], money, {}), (item["ending_arr"], money, {}),
                   (item["grr"], ratio, {}), (item["nrr"], ratio, {})])  # fmt: skip
    quarter_last = quarter_header + len(quarterly)
    sheet.fix_width(1, 24)
    _wrap_cells(sheet, {1: 24}, first_row=4, styles=styles)
    sheet.write(pages_tall=1)  # the data and its three charts on one page
    # the charts sit to the right of the data (from column H): print them with it
    ws.print_area = f"A1:T{max(quarter_last, 58)}"

    health = BarChart()
    health.type = "col"
    health.title = "Active accounts by health band"
    health.y_axis.title = "Accounts"
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
    bridge.title = f"ARR movement, {start + dt.timedelta(days=1)} to {end}"
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
    nrr.title = "GRR and NRR by quarter"
    nrr.y_axis.numFmt = styles.percent_axis
    nrr.y_axis.title = "Retention"
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
        ("Starting ARR", start, "total"),
        ("New logos", new, "step"),
        ("Expansion", expansion, "step"),
        ("Contraction", -contraction, "step"),
        ("Churn", -churned, "step"),
    ]
    other = round(end - (start + new + expansion - contraction - churned), 2)
    if other:
        steps.append(("New logos' later changes", other, "step"))
    steps.append(("Ending ARR", end, "total"))
    return steps


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The scorecard workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    payload = job.payload
    styles = _Styles(
        payload["colours"], payload["currency"], payload["bands"],
        payload.get("fonts", ("DejaVu Sans", "DejaVu Sans")), env.formatter.label,
        env.config.plan.page_size, env.formatter,
    )  # fmt: skip
    display_names(payload["accounts"], env.formatter.label)
    as_of: dt.date = payload["as_of"]
    quarter = payload["quarter"]
    wb = Workbook(write_only=True)
    wb._fonts = IndexedList([styles.base])  # the default font: brand, not Calibri
    wb.properties.title = f"Portfolio scorecard {quarter}"
    wb.properties.creator = f"qbrgen {env.version}"
    _summary_sheet(wb, payload, styles)
    _charts_sheet(wb, payload, styles)
    accounts = sorted(
        payload["accounts"],
        key=lambda r: (r["k"]["health_score"] is None, r["k"]["health_score"] or 0.0, r["name"]),
    )
    _data_sheet(
        wb, "Accounts", "Accounts", account_columns(quarter), accounts, styles,
        [f"Accounts — {len(accounts)}, worst health first (as of {as_of})"],
        _accounts_rules(styles, as_of), pages_wide=4,
    )  # fmt: skip
    renewals = renewal_rows(payload)
    horizon: dt.date = payload["renewal_horizon"]
    _data_sheet(
        wb, "Renewals", "Renewals", RENEWAL_COLUMNS, renewals, styles,
        [f"Renewals from {as_of} to {horizon} (and past due): {len(renewals)}",
         "Readiness: share of " + ", ".join(n for n, _, _ in READINESS_CHECKS) + "."],
        _renewals_rules(styles, as_of), pages_wide=1,
    )  # fmt: skip
    _health_history_sheet(wb, payload, styles)
    owners = owner_rows(payload)
    values = payload["portfolio"]["values"]
    total = _owner_total(owners, values, styles)
    _data_sheet(
        wb, "By owner", "ByOwner", OWNER_COLUMNS, owners, styles,
        ["Books by account manager — GRR and NRR from summed money, not averaged ratios"],
        _owner_rules(styles), tail=[total],
    )  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    return {job.outputs[0]: buffer.getvalue()}


def _owner_total(
    owners: list[dict[str, Any]], values: dict[str, Any], styles: _Styles
) -> list[Any]:
    """The 'All owners' row: the portfolio's own numbers from the engine."""
    bold = {"font": styles.bold}
    fmt = styles.formats

    def total(name: str) -> int:
        return sum(o[name] for o in owners)

    def of(value: Any, kind: str) -> tuple[Any, str | None, dict[str, Any]]:
        return ("n/a" if value is None else value, fmt[kind] if value is not None else None, bold)

    return [
        ("All owners", None, bold), of(total("accounts"), "int"), of(total("active"), "int"),
        of(values.get("arr"), "money"), of(values.get("starting_arr"), "money"),
        of(values.get("expansion_revenue"), "money"), of(values.get("contraction_arr"), "money"),
        of(values.get("churned_arr"), "money"), of(values.get("grr"), "ratio"),
        of(values.get("nrr"), "ratio"),
        *(of(total(b), "int") for b in ("green", "yellow", "red", "unscored")),
        of(sum(o["red_arr"] for o in owners), "money"), of(total("renewing"), "int"),
        of(values.get("open_escalations"), "int"), of(total("past_target"), "int"),
        of(values.get("single_threaded_accounts"), "int"), of(values.get("warnings"), "int"),
    ]  # fmt: skip


register(
    Renderer(
        "scorecard",
        "Portfolio scorecard workbook (xlsx): Summary, Charts, Accounts, Renewals, By owner",
        plan,
        render,
    )
)
