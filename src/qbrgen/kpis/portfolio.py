"""The portfolio's KPIs: the accounts' money summed (retention from sums, never averaged
ratios), medians, distributions, utilisation and the quarterly series."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
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
from qbrgen.kpis.results import WARNING_ORDER, AccountKpis, PortfolioKpis
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.labels import N_
from qbrgen.models import Account


def portfolio_kpis(
    accounts: list[Account],
    config: Workspace,
    periods: Periods,
    histories: dict[str, RevenueHistory],
    per_account: dict[str, AccountKpis],
) -> PortfolioKpis:
    kpis = PortfolioKpis()
    recorded = [a for a in accounts if histories[a.id].recorded]
    kpis.put("accounts", len(accounts))
    kpis.put("accounts_without_revenue_history", len(accounts) - len(recorded))
    kpis.put(
        "accounts_without_revenue_history_ids",
        [a.id for a in accounts if not histories[a.id].recorded],
    )
    windows = {"ttm": periods.ttm, "q": periods.q, "prev_q": periods.prev_q}
    for name, window in windows.items():
        suffix = WINDOW_SUFFIX[name]
        money = WindowMoney()
        for account in recorded:
            money.add(window_money(histories[account.id], window))
        put_retention(kpis, money, suffix, N_("no account had ARR at the start of the window"))
        kpis.put("cohort_size" + suffix, money.cohort)
        kpis.put("churned_logos" + suffix, money.churned_logos)
        kpis.put(
            "new_arr" + suffix,
            sum((histories[a.id].in_window(window, "new") for a in recorded), ZERO),
        )
        # Ending ARR sums every account, those without revenue history included.
        kpis.put(
            "ending_arr" + suffix, sum((histories[a.id].arr_at(window.end) for a in accounts), ZERO)
        )
        kpis.put(
            "ending_arr_without_history" + suffix,
            sum(
                (
                    histories[a.id].arr_at(window.end)
                    for a in accounts
                    if not histories[a.id].recorded
                ),
                ZERO,
            ),
        )
        renewals = RenewalCounts()
        for account in accounts:
            renewals.add(renewals_in(account, window))
        put_renewals(kpis, renewals, suffix)
        won, lost = opportunities_closed(accounts, window)
        kpis.put(
            "upsell_conversion_rate" + suffix,
            ratio_or_none(Decimal(won), Decimal(won + lost)),
            N_("no opportunity won or lost in the period"),
        )
        esc = [d for a in accounts for d in escalation_days(a, window)]
        kpis.put(
            "escalation_time_to_resolution" + suffix,
            median_or_none(esc),
            N_("no escalation resolved in the period"),
        )

    pipeline = open_pipeline(accounts)
    kpis.put("pipeline", sum(pipeline.values(), ZERO))
    kpis.put("pipeline_by_stage", pipeline)

    end = periods.ttm.end
    arr_end = {a.id: histories[a.id].arr_at(end) for a in accounts}
    paying = [v for v in arr_end.values() if v > 0]
    arpa = sum(paying, ZERO) / len(paying) if paying else None
    kpis.put("arr", sum((k["arr"] for k in per_account.values()), ZERO))
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
    for account in accounts:
        own = per_account[account.id]
        history = histories[account.id]
        if history.churned_by(end):
            own.put("expected_lifetime_value", None, "churned")
        elif arr_end[account.id] <= 0:
            own.put("expected_lifetime_value", None, N_("no ARR in window"))
        elif churn is None or churn == 0:
            own.put(
                "expected_lifetime_value",
                None,
                N_("no churn in window") if churn == 0 else kpis.reason("logo_churn_rate"),
            )
        else:
            own.put(
                "expected_lifetime_value",
                (arr_end[account.id] * margin / Decimal(str(churn))).quantize(Decimal("0.01")),
            )

    # Engagement and health, across the book
    kpis.put(
        "single_threaded_accounts",
        sum(1 for k in per_account.values() if k["single_threaded"] and k["status"] == "active"),
    )
    coverage = [k["stakeholder_coverage"] for k in per_account.values() if k["status"] == "active"]
    kpis.put(
        "stakeholder_coverage",
        statistics.fmean(coverage) if coverage else None,
        N_("no active account"),
    )
    held = sum(k["qbr_held"] for k in per_account.values())
    due = sum(k["qbr_due"] for k in per_account.values())
    kpis.put(
        "qbr_completion_rate",
        ratio_or_none(Decimal(held), Decimal(due)),
        N_("no quarter with ARR in the window"),
    )
    hours = [h for a in accounts for h in follow_up_hours(a, periods.ttm)]
    kpis.put(
        "follow_up_time",
        median_or_none(hours),
        N_("no request with a logged first reply in the window"),
    )
    trends = [k["adoption_trend"] for k in per_account.values() if k["adoption_trend"] is not None]
    kpis.put(
        "adoption_trend",
        statistics.median(trends) if trends else None,
        N_("no account has usage for two quarters"),
    )
    seats = _portfolio_utilisation(accounts, periods.as_of)
    kpis.put("seat_utilisation", seats, N_("no usage data with licensed seats"))
    now = {s: sum(k["tickets_q"][s] for k in per_account.values()) for s in SEVERITIES}
    before = {s: sum(k["tickets_prev_q"][s] for k in per_account.values()) for s in SEVERITIES}
    kpis.put("tickets_q", now)
    kpis.put("tickets_prev_q", before)
    trend = support_trend(now, before)
    kpis.put(
        "support_trend",
        trend if trend["all"] is not None else None,
        N_("no tickets in the previous quarter"),
    )
    kpis.put("open_escalations", sum(k["open_escalations"] for k in per_account.values()))

    bands = Counter(
        k.health.band or "unscored" for k in per_account.values() if k["status"] == "active"
    )
    kpis.health_distribution = {b: bands.get(b, 0) for b in ("green", "yellow", "red", "unscored")}
    arr_by_band: dict[str, Decimal] = {b: ZERO for b in kpis.health_distribution}
    for k in per_account.values():
        if k["status"] == "active":
            arr_by_band[k.health.band or "unscored"] += k["arr"]
    kpis.arr_by_band = arr_by_band
    kpis.put("health_distribution", kpis.health_distribution)
    scored = [
        (k.health.score, k["arr"])
        for k in per_account.values()
        if k.health.score is not None and k["status"] == "active"
    ]
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
        sorted(
            k.account_id
            for k in per_account.values()
            if k.health.score is None and k["status"] == "active"
        ),
    )
    kpis.warnings = sorted(
        (w for k in per_account.values() for w in k.warnings),
        key=lambda w: (WARNING_ORDER.index(w.code), w.account_id),
    )
    kpis.put("warnings", len(kpis.warnings))
    kpis.series = _portfolio_series(recorded, periods, histories)
    return kpis


def _portfolio_utilisation(accounts: list[Account], as_of: dt.date) -> float | None:
    active = seats = 0
    for account in accounts:
        periods = [u for u in account.usage if u.period_end <= as_of]
        if not periods:
            continue
        latest = max(periods, key=lambda u: u.period_end)
        licensed = (
            latest.licensed_seats
            if latest.licensed_seats is not None
            else account.contract.licensed_seats
        )
        if licensed:
            active += latest.active_users
            seats += licensed
    return active / seats if seats else None


def _portfolio_series(
    accounts: list[Account], periods: Periods, histories: dict[str, RevenueHistory]
) -> dict[str, Any]:
    rows = []
    for quarter in periods.recent_quarters(5):
        window = Window(str(quarter), quarter.prev().end, quarter.end)
        money = WindowMoney()
        for account in accounts:
            money.add(window_money(histories[account.id], window))
        s = money.starting
        rows.append(
            {
                "quarter": str(quarter),
                "starting_arr": s,
                "ending_arr": sum((histories[a.id].arr_at(quarter.end) for a in accounts), ZERO),
                "grr": min(1.0, float((s - money.contraction - money.churned) / s)) if s else None,
                "nrr": float((s + money.expansion - money.contraction - money.churned) / s)
                if s
                else None,
            }
        )
    return {"quarterly": rows}
