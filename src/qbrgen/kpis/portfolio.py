"""The portfolio's KPIs: the accounts' money summed (retention from sums, never averaged
ratios), medians, distributions, utilisation and the quarterly series.

They are computed in two steps: `portfolio_part` takes from one account (and its KPIs) what
the portfolio's numbers need of it, a few sums and lists (picklable: made where the account
is loaded, a worker process when files are many); `combine` adds the parts up, in the
accounts' order, exactly as the numbers were always added. A run that keeps every account
(`portfolio_kpis`) and one that keeps only each account's part (a lean run, for the
scorecard) get the same numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbrgen.config import Workspace, gross_margin
from qbrgen.kpis.measures import (
    SEVERITIES,
    WINDOW_SUFFIX,
    RenewalCounts,
    WindowMoney,
    escalation_days,
    follow_up_hours,
    median_or_none,
    open_pipeline,
    opportunities_closed,
    put_renewals,
    put_retention,
    ratio_or_none,
    renewals_in,
    support_trend,
    window_money,
)
from qbrgen.kpis.periods import Periods, Window
from qbrgen.kpis.results import WARNING_ORDER, AccountKpis, KpiWarning, PortfolioKpis
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.labels import N_
from qbrgen.models import Account

WINDOWS = ("ttm", "q", "prev_q")


@dataclass(slots=True)
class PortfolioPart:
    """What the portfolio KPIs need of one account: its money per window (windows by name, then
    the series' quarters by index), renewals, closed opportunities, escalation and follow-up
    times, open pipeline, seats, and the few per-account KPIs the portfolio counts."""

    account_id: str
    recorded: bool
    money: list[WindowMoney]
    """Per window (WINDOWS, then the series' quarters): the account's money (recorded only)."""
    new_arr: list[Decimal]
    """Per window (WINDOWS): new ARR (recorded only)."""
    ending_arr: list[Decimal]
    """ARR at each window's end (WINDOWS, then the series' quarters)."""
    renewals: list[RenewalCounts]
    closed: list[tuple[int, int]]
    escalations: list[list[float]]
    pipeline: dict[str, Decimal]
    churned_by_end: bool
    follow_up: list[float]
    seats: tuple[int, int] | None
    status: str
    arr: Decimal
    single_threaded: bool
    stakeholder_coverage: Any
    qbr_held: int
    qbr_due: int
    adoption_trend: Any
    tickets_q: dict[str, int]
    tickets_prev_q: dict[str, int]
    open_escalations: int
    band: str | None
    score: float | None
    warnings: list[KpiWarning]


def _windows(periods: Periods) -> list[Window]:
    named = {"ttm": periods.ttm, "q": periods.q, "prev_q": periods.prev_q}
    quarters = [
        Window(str(quarter), quarter.prev().end, quarter.end)
        for quarter in periods.recent_quarters(5)
    ]
    return [named[name] for name in WINDOWS] + quarters


def portfolio_part(
    account: Account, periods: Periods, history: RevenueHistory, own: AccountKpis
) -> PortfolioPart:
    """One account's share of the portfolio KPIs (`own`: its KPIs, made with `periods`)."""
    windows = _windows(periods)
    named = windows[: len(WINDOWS)]
    recorded = history.recorded
    return PortfolioPart(
        account_id=account.id,
        recorded=recorded,
        money=[window_money(history, w) for w in windows] if recorded else [],
        new_arr=[history.in_window(w, "new") for w in named] if recorded else [],
        ending_arr=[history.arr_at(w.end) for w in windows],
        renewals=[renewals_in(account, w) for w in named],
        closed=[opportunities_closed([account], w) for w in named],
        escalations=[escalation_days(account, w) for w in named],
        pipeline=open_pipeline([account]),
        churned_by_end=history.churned_by(periods.ttm.end),
        follow_up=follow_up_hours(account, periods.ttm),
        seats=_seats(account, periods.as_of),
        status=own["status"],
        arr=own["arr"],
        single_threaded=own["single_threaded"],
        stakeholder_coverage=own["stakeholder_coverage"],
        qbr_held=own["qbr_held"],
        qbr_due=own["qbr_due"],
        adoption_trend=own["adoption_trend"],
        tickets_q=own["tickets_q"],
        tickets_prev_q=own["tickets_prev_q"],
        open_escalations=own["open_escalations"],
        band=own.health.band,
        score=own.health.score,
        warnings=own.warnings,
    )


def portfolio_kpis(
    accounts: list[Account],
    config: Workspace,
    periods: Periods,
    histories: dict[str, RevenueHistory],
    per_account: dict[str, AccountKpis],
) -> PortfolioKpis:
    """The portfolio's KPIs from every account, and each account's expected lifetime value
    (which needs the portfolio's logo churn) put on its KPIs."""
    parts = [portfolio_part(a, periods, histories[a.id], per_account[a.id]) for a in accounts]
    kpis = combine(parts, config, periods)
    for part in parts:
        per_account[part.account_id].put(
            "expected_lifetime_value", *lifetime_value(part, kpis, config)
        )
    return kpis


def lifetime_value(
    part: PortfolioPart, kpis: PortfolioKpis, config: Workspace
) -> tuple[Decimal | None, str | None]:
    """An account's expected lifetime value and, when there is none, the reason."""
    churn = kpis.get("logo_churn_rate")
    arr_end = part.ending_arr[0]  # at the end of the TTM window
    if part.churned_by_end:
        return None, "churned"
    if arr_end <= 0:
        return None, N_("no ARR in window")
    if churn is None or churn == 0:
        return None, N_("no churn in window") if churn == 0 else kpis.reason("logo_churn_rate")
    margin = gross_margin(config)
    return (arr_end * margin / Decimal(str(churn))).quantize(Decimal("0.01")), None


def combine(parts: list[PortfolioPart], config: Workspace, periods: Periods) -> PortfolioKpis:
    """The portfolio's KPIs from every account's part (in the accounts' order)."""
    kpis = PortfolioKpis()
    recorded = [p for p in parts if p.recorded]
    kpis.put("accounts", len(parts))
    kpis.put("accounts_without_revenue_history", len(parts) - len(recorded))
    kpis.put(
        "accounts_without_revenue_history_ids", [p.account_id for p in parts if not p.recorded]
    )
    for index, name in enumerate(WINDOWS):
        suffix = WINDOW_SUFFIX[name]
        money = WindowMoney()
        for part in recorded:
            money.add(part.money[index])
        put_retention(kpis, money, suffix, N_("no account had ARR at the start of the window"))
        kpis.put("cohort_size" + suffix, money.cohort)
        kpis.put("churned_logos" + suffix, money.churned_logos)
        kpis.put("new_arr" + suffix, sum((p.new_arr[index] for p in recorded), ZERO))
        # Ending ARR sums every account, those without revenue history included.
        kpis.put("ending_arr" + suffix, sum((p.ending_arr[index] for p in parts), ZERO))
        kpis.put(
            "ending_arr_without_history" + suffix,
            sum((p.ending_arr[index] for p in parts if not p.recorded), ZERO),
        )
        renewals = RenewalCounts()
        for part in parts:
            renewals.add(part.renewals[index])
        put_renewals(kpis, renewals, suffix)
        won = sum(p.closed[index][0] for p in parts)
        lost = sum(p.closed[index][1] for p in parts)
        kpis.put(
            "upsell_conversion_rate" + suffix,
            ratio_or_none(Decimal(won), Decimal(won + lost)),
            N_("no opportunity won or lost in the period"),
        )
        esc = [d for p in parts for d in p.escalations[index]]
        kpis.put(
            "escalation_time_to_resolution" + suffix,
            median_or_none(esc),
            N_("no escalation resolved in the period"),
        )

    pipeline: dict[str, Decimal] = {}
    for part in parts:  # stage by stage in the order they first appear, as open_pipeline adds
        for stage, value in part.pipeline.items():
            pipeline[stage] = pipeline.get(stage, ZERO) + value
    kpis.put("pipeline", sum(pipeline.values(), ZERO))
    kpis.put("pipeline_by_stage", pipeline)

    paying = [p.ending_arr[0] for p in parts if p.ending_arr[0] > 0]
    arpa = sum(paying, ZERO) / len(paying) if paying else None
    kpis.put("arr", sum((p.arr for p in parts), ZERO))
    kpis.put("arpa", arpa, N_("no account with ARR at the end of the window"))
    churn = kpis.get("logo_churn_rate")
    margin = gross_margin(config)
    if arpa is None:
        kpis.put("clv", None, N_("no account with ARR at the end of the window"))
    elif churn is None:
        kpis.put("clv", None, kpis.reason("logo_churn_rate"))
    elif churn == 0:
        kpis.put("clv", None, N_("no churn in window"))
    else:
        kpis.put("clv", (arpa * margin / Decimal(str(churn))).quantize(Decimal("0.01")))

    # Engagement and health, across the book
    kpis.put(
        "single_threaded_accounts",
        sum(1 for p in parts if p.single_threaded and p.status == "active"),
    )
    coverage = [p.stakeholder_coverage for p in parts if p.status == "active"]
    kpis.put(
        "stakeholder_coverage",
        statistics.fmean(coverage) if coverage else None,
        N_("no active account"),
    )
    held = sum(p.qbr_held for p in parts)
    due = sum(p.qbr_due for p in parts)
    kpis.put(
        "qbr_completion_rate",
        ratio_or_none(Decimal(held), Decimal(due)),
        N_("no quarter with ARR in the window"),
    )
    hours = [h for p in parts for h in p.follow_up]
    kpis.put(
        "follow_up_time",
        median_or_none(hours),
        N_("no request with a logged first reply in the window"),
    )
    trends = [p.adoption_trend for p in parts if p.adoption_trend is not None]
    kpis.put(
        "adoption_trend",
        statistics.median(trends) if trends else None,
        N_("no account has usage for two quarters"),
    )
    active = seats = 0
    for part in parts:
        if part.seats is not None:
            active += part.seats[0]
            seats += part.seats[1]
    kpis.put(
        "seat_utilisation",
        active / seats if seats else None,
        N_("no usage data with licensed seats"),
    )
    now = {s: sum(p.tickets_q[s] for p in parts) for s in SEVERITIES}
    before = {s: sum(p.tickets_prev_q[s] for p in parts) for s in SEVERITIES}
    kpis.put("tickets_q", now)
    kpis.put("tickets_prev_q", before)
    trend = support_trend(now, before)
    kpis.put(
        "support_trend",
        trend if trend["all"] is not None else None,
        N_("no tickets in the previous quarter"),
    )
    kpis.put("open_escalations", sum(p.open_escalations for p in parts))

    bands = Counter(p.band or "unscored" for p in parts if p.status == "active")
    kpis.health_distribution = {b: bands.get(b, 0) for b in ("green", "yellow", "red", "unscored")}
    arr_by_band: dict[str, Decimal] = {b: ZERO for b in kpis.health_distribution}
    for part in parts:
        if part.status == "active":
            arr_by_band[part.band or "unscored"] += part.arr
    kpis.arr_by_band = arr_by_band
    kpis.put("health_distribution", kpis.health_distribution)
    scored = [(p.score, p.arr) for p in parts if p.score is not None and p.status == "active"]
    total_arr = sum((Decimal(arr) for _, arr in scored), ZERO)
    kpis.put(
        "health_score",
        float(sum((Decimal(repr(s)) * arr for s, arr in scored), ZERO) / total_arr)
        if total_arr
        else None,
        N_("no scored account with ARR"),
    )
    kpis.put(
        "unscored_accounts",
        sorted(p.account_id for p in parts if p.score is None and p.status == "active"),
    )
    kpis.warnings = sorted(
        (w for p in parts for w in p.warnings),
        key=lambda w: (WARNING_ORDER.index(w.code), w.account_id),
    )
    kpis.put("warnings", len(kpis.warnings))
    kpis.series = _portfolio_series(recorded, periods)
    return kpis


def _seats(account: Account, as_of: dt.date) -> tuple[int, int] | None:
    """The account's active users and licensed seats in its latest usage period up to as_of
    (None without one, or without licensed seats)."""
    periods = [u for u in account.usage if u.period_end <= as_of]
    if not periods:
        return None
    latest = max(periods, key=lambda u: u.period_end)
    licensed = (
        latest.licensed_seats
        if latest.licensed_seats is not None
        else account.contract.licensed_seats
    )
    return (latest.active_users, licensed) if licensed else None


def _portfolio_series(recorded: list[PortfolioPart], periods: Periods) -> dict[str, Any]:
    rows = []
    for index, quarter in enumerate(periods.recent_quarters(5), start=len(WINDOWS)):
        money = WindowMoney()
        for part in recorded:
            money.add(part.money[index])
        s = money.starting
        rows.append(
            {
                "quarter": str(quarter),
                "starting_arr": s,
                "ending_arr": sum((p.ending_arr[index] for p in recorded), ZERO),
                "grr": min(1.0, float((s - money.contraction - money.churned) / s)) if s else None,
                "nrr": float((s + money.expansion - money.contraction - money.churned) / s)
                if s
                else None,
            }
        )
    return {"quarterly": rows}
