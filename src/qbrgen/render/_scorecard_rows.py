"""The scorecard's data, as plain picklable rows (built in the parent, laid out in a worker):
one row per account read from the KPI engine, the health history, and the presentation
arithmetic of the Renewals and By owner sheets (readiness checks, per-owner sums)."""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import WARNING_LABELS
from qbrgen.kpis.results import WARNING_ORDER
from qbrgen.labels import N_
from qbrgen.models import HIGH_SEVERITIES

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis, PortfolioKpis
    from qbrgen.kpis.engine import LeanData
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


def lean_row(row: dict[str, Any], lifetime: Decimal | None) -> dict[str, Any]:
    """A lean run's row (`account_row`, made where the account was loaded) with the account's
    expected lifetime value, known once the portfolio's churn was."""
    row["k"]["expected_lifetime_value"] = _num(lifetime)
    return row


class AccountRows:
    """The scorecard's account rows, by id: a full run's in memory, or a lean run's read from
    its spill one at a time (`LeanData`), so a sheet of 10,000 accounts is written without
    holding them. Picklable either way (a lean run's spill goes as its path)."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, lean: LeanData | None = None):
        self.rows = rows
        self.lean = lean

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.lean or ())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.at(range(len(self)))

    def at(self, order: Iterable[int]) -> Iterator[dict[str, Any]]:
        """The rows at these positions (in id order), in the order given."""
        for index in order:
            if self.rows is not None:
                yield self.rows[index]
            elif self.lean is not None:
                yield lean_row(*self.lean.read(index))


def arrange(
    rows: AccountRows, horizon: dt.date, history: dict[str, Any]
) -> tuple[dict[str, array[int]], list[dict[str, Any]], str]:
    """One pass over the rows, by id: the order of each sheet's rows (positions: Accounts
    worst health first, Renewals by date, Health history by name), the owners' books
    (`owner_rows`) and the digest of the health history's data (`history_digest`)."""
    health: list[tuple[bool, float, str]] = []
    names: list[tuple[str, str]] = []
    renewing: list[tuple[dt.date, str, int]] = []
    books: dict[str, dict[str, Any]] = {}
    digest = _HistoryDigest(history)
    for index, row in enumerate(rows):
        score = row["k"]["health_score"]
        health.append((score is None, score or 0.0, row["name"]))
        names.append((row["name"].casefold(), row["id"]))
        if is_renewing(row, horizon):
            renewing.append((row["renewal_date"], row["name"], index))
        add_to_book(books, row, horizon)
        digest.add(row)
    order = {
        "accounts": array("i", sorted(range(len(health)), key=health.__getitem__)),
        "renewals": array("i", [index for _, _, index in sorted(renewing)]),
        "names": array("i", sorted(range(len(names)), key=names.__getitem__)),
    }
    return order, owner_rows(books), digest.hexdigest()


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


def health_history(run: Run) -> dict[str, Any]:
    """The health-history view's data: the dates of the last recorded runs (up to 12) and this
    run's, and the scores recorded per account (`health_scores` gives an account's on each)."""
    points = run.history.health_points()
    as_of = run.report.as_of
    dates = sorted({day for series in points.values() for day, _, _ in series})
    return {
        "dates": [*dates, as_of],
        "points": points,
        "where": run.history.where,
        "enabled": run.history.enabled,
        "error": run.history.error,
    }


def health_scores(history: dict[str, Any], row: dict[str, Any]) -> list[float | None]:
    """An account's health score on each date of the health history (None where it was not
    recorded), this run's last."""
    recorded = {day: score for day, score, _ in history["points"].get(row["id"], [])}
    return [recorded.get(day) for day in history["dates"][:-1]] + [row["k"]["health_score"]]


class _HistoryDigest:
    """sha256 of the health history as a dict of every account's scores would print (dates,
    scores by id, where, enabled, error), made one row at a time (a document's inputs)."""

    def __init__(self, history: dict[str, Any]):
        self.history = history
        self.sha = hashlib.sha256(f"{{'dates': {history['dates']!r}, 'scores': {{".encode())
        self.first = True

    def add(self, row: dict[str, Any]) -> None:
        comma = "" if self.first else ", "
        self.sha.update(f"{comma}{row['id']!r}: {health_scores(self.history, row)!r}".encode())
        self.first = False

    def hexdigest(self) -> str:
        h = self.history
        self.sha.update(
            f"}}, 'where': {h['where']!r}, 'enabled': {h['enabled']!r}, "
            f"'error': {h['error']!r}}}".encode()
        )
        return self.sha.hexdigest()


def display_names(
    rows: Iterable[dict[str, Any]], label: Callable[[Any, str], str]
) -> Iterator[dict[str, Any]]:
    """Each row with its display names added (`row["show"]`): no key reaches a cell as it is
    typed in the account file (`mid_market` -> 'Mid-market', `executive_sponsor` ->
    'Executive sponsor')."""
    for row in rows:
        k = row["k"]
        row["show"] = {
            "segment": label(row["segment"], "segments"),
            "status": label(k.get("status"), "account_statuses"),
            "band": band_name(k.get("health_band"), label),
            "drag": label(k.get("health_biggest_drag"), "components"),
            "roles": ", ".join(label(r, "roles") for r in k.get("stakeholder_roles_covered") or []),
        }
        yield row


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


def is_renewing(row: dict[str, Any], horizon: dt.date) -> bool:
    """An active account renewing from as_of to the end of next quarter (or past due): a row
    of the Renewals sheet."""
    k = row["k"]
    return (
        k["status"] == "active"
        and row["renewal_date"] <= horizon
        and (k["days_to_renewal"] is not None)
    )


def renewal_rows(rows: Iterable[dict[str, Any]], as_of: dt.date) -> Iterator[dict[str, Any]]:
    """The Renewals sheet's rows (`rows` renewing, see `is_renewing`), with their readiness,
    gaps and risk."""
    for row in rows:
        ready, gaps = readiness(row, as_of)
        yield {**row, "ready": ready, "gaps": gaps, "risk": renewal_risk(row, ready)}


def add_to_book(books: dict[str, dict[str, Any]], row: dict[str, Any], horizon: dt.date) -> None:
    """Add an account to its manager's book (`owner_rows`), in id order."""
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
        return
    book["active"] += 1
    band = k.get("health_band") or "unscored"
    book[band] += 1
    if band == "red":
        book["red_arr"] += k["arr"] or 0.0
        book["red_names"].append(row["name"])
    book["renewing"] += is_renewing(row, horizon)
    book["escalations"] += k["open_escalations"] or 0
    book["past_target"] += row["escalations_past_target"]
    book["single_threaded"] += bool(k["single_threaded"])


def owner_rows(books: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each account manager's book (`add_to_book`): counts, ARR and retention from summed
    money amounts."""
    for book in books.values():
        s = book["starting"]
        lost = book["contraction"] + book["churned"]
        book["grr"] = min(1.0, (s - lost) / s) if s else None
        book["nrr"] = (s + book["expansion"] - lost) / s if s else None
    return sorted(books.values(), key=lambda b: (-b["arr"], b["owner"]))
