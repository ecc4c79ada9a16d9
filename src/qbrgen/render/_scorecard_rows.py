"""The scorecard's data, as plain picklable rows (built in the parent, laid out in a worker):
one row per account read from the KPI engine, the health history, and the presentation
arithmetic of the Renewals and By owner sheets (readiness checks, per-owner sums)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import WARNING_LABELS
from qbrgen.kpis.results import WARNING_ORDER
from qbrgen.labels import N_
from qbrgen.models import HIGH_SEVERITIES

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis, PortfolioKpis
    from qbrgen.kpis.engine import LeanAccount
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter


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
        else fmt.translate(kpis.reason("health_trend")),
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


def lean_row(account: LeanAccount) -> dict[str, Any]:
    """A lean run's row (`account_row`, made where the account was loaded) with the account's
    expected lifetime value, known once the portfolio's churn was."""
    row: dict[str, Any] = account.data
    row["k"]["expected_lifetime_value"] = _num(account.lifetime[0])
    return row


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
    return label(band if band and band != "unscored" else "unscored", "bands")


def warning_labels(row: dict[str, Any]) -> list[str]:
    """The titles of an account's warnings (English message ids), in the warnings' order."""
    codes = sorted({c for c, _ in row["warnings"]}, key=WARNING_ORDER.index)
    return [WARNING_LABELS.get(c, c) for c in codes]


READINESS_CHECKS: tuple[tuple[str, str, Callable[[dict[str, Any], dt.date], bool]], ...] = (
    (N_("health not red"), N_("health red"), lambda r, d: r["k"].get("health_band") != "red"),
    (N_("decision maker or sponsor engaged"), N_("no decision maker or sponsor engaged"),
     lambda r, d: bool({"executive_sponsor", "decision_maker"}
                       & set(r["k"]["stakeholder_roles_covered"] or []))),
    (N_("multi-threaded"), N_("single-threaded"), lambda r, d: not r["k"]["single_threaded"]),
    (N_("QBR held in the review quarter"), N_("no QBR in the review quarter"),
     lambda r, d: (r["k"].get("qbr_completion_rate_q") or 0) >= 1),
    (N_("no open high-severity risk"), N_("open high-severity risk"),
     lambda r, d: not r["open_high_risks"]),
    (N_("no open escalation"), N_("open escalation"),
     lambda r, d: not r["k"].get("open_escalations")),
    (N_("next step scheduled"), N_("next step missing or overdue"),
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
