"""The building blocks both the per-account and the portfolio KPIs are computed from: money
sums over a window (retention), renewals decided, opportunities closed, open pipeline, reviews
held, follow-up times, tickets and escalations. Money is Decimal."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from qbrgen.kpis.periods import Quarter, Window
from qbrgen.kpis.results import KpiSet
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.labels import N_
from qbrgen.models import Account

SEVERITIES = ("low", "medium", "high", "critical")


WINDOW_SUFFIX = {"ttm": "", "q": "_q", "prev_q": "_prev_q"}


def ratio_or_none(numerator: Decimal, denominator: Decimal) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


def median_or_none(values: Iterable[float]) -> float | None:
    items = list(values)
    return float(statistics.median(items)) if items else None


@dataclass
class WindowMoney:
    """The money sums of one window, for one account or summed over the portfolio."""

    starting: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned: Decimal = ZERO
    cohort: int = 0
    churned_logos: int = 0

    def add(self, other: WindowMoney) -> None:
        self.starting += other.starting
        self.expansion += other.expansion
        self.contraction += other.contraction
        self.churned += other.churned
        self.cohort += other.cohort
        self.churned_logos += other.churned_logos


def window_money(history: RevenueHistory, window: Window) -> WindowMoney:
    """The account's money sums over `window` (computed once per window; treat as read-only)."""
    key = (window.start, window.end)
    cached = history.sums.get(key)
    if isinstance(cached, WindowMoney):
        return cached
    starting = history.arr_at(window.start)
    if starting <= 0:
        money = WindowMoney()
    else:
        money = WindowMoney(
            starting,
            history.in_window(window, "expansion", "reactivation"),
            history.in_window(window, "contraction"),
            history.in_window(window, "churn"),
            1,
            1 if history.arr_at(window.end) <= 0 else 0,
        )
    history.sums[key] = money
    return money


def put_retention(kpis: KpiSet, money: WindowMoney, suffix: str, no_cohort: str) -> None:
    s = money.starting
    if s <= 0:
        for name in ("grr", "nrr", "gross_revenue_churn", "logo_churn_rate"):
            kpis.put(name + suffix, None, no_cohort)
    else:
        kpis.put("grr" + suffix, min(1.0, float((s - money.contraction - money.churned) / s)))
        kpis.put(
            "nrr" + suffix, float((s + money.expansion - money.contraction - money.churned) / s)
        )
        kpis.put("gross_revenue_churn" + suffix, float((money.contraction + money.churned) / s))
        kpis.put("logo_churn_rate" + suffix, money.churned_logos / money.cohort)
    kpis.put("starting_arr" + suffix, s)
    kpis.put("expansion_revenue" + suffix, money.expansion)
    kpis.put("contraction_arr" + suffix, money.contraction)
    kpis.put("churned_arr" + suffix, money.churned)


@dataclass
class RenewalCounts:
    renewed: int = 0
    churned: int = 0
    arr_renewed: Decimal = ZERO
    arr_decided: Decimal = ZERO
    open: int = 0

    def add(self, other: RenewalCounts) -> None:
        self.renewed += other.renewed
        self.churned += other.churned
        self.arr_renewed += other.arr_renewed
        self.arr_decided += other.arr_decided
        self.open += other.open


def renewals_in(account: Account, window: Window) -> RenewalCounts:
    out = RenewalCounts()
    for renewal in account.renewals:
        if not window.contains(renewal.due_date):
            continue
        if renewal.outcome == "open":
            out.open += 1
            continue
        out.arr_decided += renewal.arr_before
        if renewal.outcome == "renewed":
            out.renewed += 1
            out.arr_renewed += renewal.arr_before
        else:
            out.churned += 1
    return out


def put_renewals(kpis: KpiSet, r: RenewalCounts, suffix: str) -> None:
    none_due = N_("no renewal decided in the period")
    kpis.put(
        "renewal_rate_logos" + suffix,
        ratio_or_none(Decimal(r.renewed), Decimal(r.renewed + r.churned)),
        none_due,
    )
    kpis.put("renewal_rate_revenue" + suffix, ratio_or_none(r.arr_renewed, r.arr_decided), none_due)
    kpis.put("renewals_open" + suffix, r.open)


def opportunities_closed(accounts: Iterable[Account], window: Window) -> tuple[int, int]:
    won = lost = 0
    for account in accounts:
        for opp in account.opportunities:
            if (
                opp.outcome == "open"
                or opp.close_date is None
                or not window.contains(opp.close_date)
            ):
                continue
            won += opp.outcome == "won"
            lost += opp.outcome == "lost"
    return won, lost


def open_pipeline(accounts: Iterable[Account]) -> dict[str, Decimal]:
    stages: dict[str, Decimal] = {}
    for account in accounts:
        for opp in account.opportunities:
            if opp.outcome == "open":
                stages[opp.stage] = stages.get(opp.stage, ZERO) + opp.value
    return stages


def quarters_with_arr(history: RevenueHistory, quarters: list[Quarter]) -> list[Quarter]:
    return [
        q
        for q in quarters
        if history.arr_at(q.start - dt.timedelta(days=1)) > 0 or history.arr_at(q.end) > 0
    ]


def reviews_held(account: Account, quarters: list[Quarter]) -> int:
    held = {Quarter.of(r.date) for r in account.reviews if r.kind in ("qbr", "ebr")}
    return sum(1 for q in quarters if q in held)


def follow_up_hours(account: Account, window: Window) -> list[float]:
    return [
        (i.first_reply - i.date).total_seconds() / 3600
        for i in account.interactions
        if i.kind == "request" and i.first_reply is not None and window.contains(i.date.date())
    ]


def tickets_by_quarter(account: Account) -> dict[tuple[int, int], dict[str, int]]:
    """Tickets opened per (year, quarter number) and severity, counted in one pass (the engine
    asks about seven quarters per account)."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for ticket in account.tickets:
        day = ticket.opened
        bucket = counts.setdefault((day.year, (day.month - 1) // 3 + 1), {})
        bucket[ticket.severity] = bucket.get(ticket.severity, 0) + 1
    return counts


def tickets_by_severity(
    by_quarter: dict[tuple[int, int], dict[str, int]], quarter: Quarter
) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    counts.update(by_quarter.get((quarter.year, quarter.number), {}))
    return counts


def support_trend(now: dict[str, int], before: dict[str, int]) -> dict[str, float | None]:
    trend: dict[str, float | None] = {
        s: (now[s] / before[s] if before[s] else None) for s in SEVERITIES
    }
    total_before = sum(before.values())
    trend["all"] = sum(now.values()) / total_before if total_before else None
    return trend


def put_tickets(kpis: KpiSet, now: dict[str, int], before: dict[str, int], reason: str) -> None:
    """Tickets by severity this quarter and the last, and their trend (None, for `reason`,
    when the last quarter had none)."""
    kpis.put("tickets_q", now)
    kpis.put("tickets_prev_q", before)
    trend = support_trend(now, before)
    kpis.put("support_trend", trend if trend["all"] is not None else None, reason)


def escalation_days(account: Account, window: Window) -> list[float]:
    return [
        float((t.resolved - t.opened).days)
        for t in account.tickets
        if t.escalation and t.resolved is not None and window.contains(t.resolved)
    ]
