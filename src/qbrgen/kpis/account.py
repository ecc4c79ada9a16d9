"""One account's KPIs (kpi-definitions.md, per account): retention, renewals, health, support,
engagement and adoption, with the time series the documents chart and the warnings they raise."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal
from typing import Any

from qbrgen.config import Workspace
from qbrgen.formatting import Formatter
from qbrgen.kpis.health import (
    NOISE_DIGITS,
    active_stakeholders,
    health_at,
    health_trend,
    roles_covered,
    seat_utilisation_at,
)
from qbrgen.kpis.measures import (
    SEVERITIES,
    WINDOW_SUFFIX,
    WindowMoney,
    escalation_days,
    follow_up_hours,
    median_or_none,
    open_pipeline,
    opportunities_closed,
    put_renewals,
    put_retention,
    put_tickets,
    quarters_with_arr,
    ratio_or_none,
    renewals_in,
    reviews_held,
    tickets_by_quarter,
    tickets_by_severity,
    window_money,
)
from qbrgen.kpis.periods import Periods, shift_months
from qbrgen.kpis.reasons import Reason
from qbrgen.kpis.results import AccountKpis, KpiWarning, Param
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.labels import N_, NP_
from qbrgen.models import HIGH_SEVERITIES, Account

RENEWAL_RISK_DAYS = 120


SINGLE_THREAD_RENEWAL_DAYS = 180


STALE_DAYS = 30


NO_REVENUE_HISTORY = N_("no revenue history")
"""Why an account without movements or snapshots has no retention KPIs: what moved is unknown."""


RETENTION_MONEY = ("starting_arr", "expansion_revenue", "contraction_arr", "churned_arr")


def _last_activity(account: Account) -> dt.date | None:
    dates: list[dt.date] = [d for d in (account.updated,) if d]
    if dates:
        return dates[0]
    dates += [r.date for r in account.reviews]
    dates += [i.date.date() for i in account.interactions]
    dates += [s.last_contact for s in account.stakeholders if s.last_contact]
    dates += [a.completed for a in account.actions if a.completed]
    return max(dates) if dates else None


def account_kpis(
    account: Account,
    config: Workspace,
    periods: Periods,
    history: RevenueHistory,
    fmt: Formatter,
    recorded: tuple[dt.date, float] | None = None,
    series: bool = True,
) -> AccountKpis:
    """Every per-account KPI, following kpi-definitions.md. `recorded` is the health score the
    KPI history holds for about one quarter earlier, when it holds one (for the trend).
    `series=False` leaves out the chart series (`kpis.series`), for a run that charts none."""
    as_of = periods.as_of
    kpis = AccountKpis(account_id=account.id, name=account.name)
    windows = {"ttm": periods.ttm, "q": periods.q, "prev_q": periods.prev_q}

    # One ARR for every output: "current ARR" at as_of, "ending ARR" at the end of W; an
    # account without revenue history has its contract ARR from the contract start on.
    arr_now = history.arr_at(as_of)
    kpis.put("arr", arr_now)
    kpis.put("ending_arr", history.arr_at(periods.ttm.end))
    kpis.put("revenue_history", history.recorded)
    churned_now = history.churned_by(as_of)
    kpis.put("status", "churned" if churned_now else "active")

    for name, window in windows.items():
        suffix = WINDOW_SUFFIX[name]
        if not history.recorded:
            put_retention(kpis, WindowMoney(), suffix, NO_REVENUE_HISTORY)
            for key in RETENTION_MONEY:
                kpis.put(key + suffix, None, NO_REVENUE_HISTORY)
        else:
            put_retention(
                kpis,
                window_money(history, window),
                suffix,
                N_("new logo: no ARR at the start of the window"),
            )
        put_renewals(kpis, renewals_in(account, window), suffix)
        won, lost = opportunities_closed([account], window)
        kpis.put(
            "upsell_conversion_rate" + suffix,
            ratio_or_none(Decimal(won), Decimal(won + lost)),
            N_("no opportunity won or lost in the period"),
        )
        esc = escalation_days(account, window)
        kpis.put(
            "escalation_time_to_resolution" + suffix,
            median_or_none(esc),
            N_("no escalation resolved in the period"),
        )

    pipeline = open_pipeline([account])
    kpis.put("pipeline", sum(pipeline.values(), ZERO))
    kpis.put("pipeline_by_stage", pipeline)

    # Expected lifetime value at portfolio churn: set by the portfolio pass (it needs the
    # portfolio's logo churn rate).
    kpis.put("expected_lifetime_value", None, N_("no churn in window"))

    # Engagement
    active = active_stakeholders(account, as_of)
    covered = roles_covered(account, active)
    kpis.put("stakeholder_coverage", len(active))
    kpis.put("stakeholder_roles_covered", covered)
    kpis.put("active_stakeholders", active)
    has_executive = any(role in covered for role in ("decision_maker", "executive_sponsor"))
    kpis.put("single_threaded", len(active) < 2 or not has_executive)

    due_quarters = quarters_with_arr(history, [periods.quarter.shift(-i) for i in range(4)])
    kpis.put("qbr_due", len(due_quarters))
    kpis.put("qbr_held", reviews_held(account, due_quarters))
    kpis.put(
        "qbr_completion_rate",
        ratio_or_none(Decimal(kpis["qbr_held"]), Decimal(len(due_quarters))),
        N_("no quarter with ARR in the window"),
    )
    q_due = quarters_with_arr(history, [periods.quarter])
    kpis.put(
        "qbr_completion_rate_q",
        ratio_or_none(Decimal(reviews_held(account, q_due)), Decimal(len(q_due))),
        N_("no ARR in the quarter"),
    )
    kpis.put(
        "follow_up_time",
        median_or_none(follow_up_hours(account, periods.ttm)),
        N_("no request with a logged first reply in the window"),
    )

    # Health and risk
    utilisation, usage_end = seat_utilisation_at(account, as_of)
    kpis.put(
        "seat_utilisation",
        utilisation,
        N_("no usage data with licensed seats")
        if not account.usage
        else N_("no licensed seats to divide by"),
    )
    kpis.put(
        "adoption_trend",
        *_adoption_trend(account, as_of, utilisation, usage_end, kpis.reason("seat_utilisation")),
    )
    tickets = tickets_by_quarter(account)
    tickets_now = tickets_by_severity(tickets, periods.quarter)
    tickets_before = tickets_by_severity(tickets, periods.quarter.prev())
    put_tickets(
        kpis, tickets_now, tickets_before, N_("no tickets in the previous quarter to compare with")
    )

    for ticket in account.tickets:
        if (
            ticket.escalation
            and ticket.opened <= as_of
            and (ticket.resolved is None or ticket.resolved > as_of)
        ):
            target = ticket.target_days or config.escalation_target_days
            age = (as_of - ticket.opened).days
            kpis.open_escalations.append(
                {
                    "id": ticket.id,
                    "subject": ticket.subject,
                    "severity": ticket.severity,
                    "opened": ticket.opened,
                    "age_days": age,
                    "target_days": target,
                    "past_target": age > target,
                }
            )
    kpis.put("open_escalations", len(kpis.open_escalations))

    kpis.health = health_at(account, as_of, config.health)
    no_health = "no health component has inputs: " + "; ".join(kpis.health.missing.values())
    kpis.put("health_score", kpis.health.score, no_health)
    kpis.put("health_band", kpis.health.band, no_health)
    kpis.put("health_components", kpis.health.components)
    kpis.put("health_weights", kpis.health.weights)
    kpis.put("health_missing", kpis.health.missing)
    kpis.put(
        "health_biggest_drag",
        kpis.health.biggest_drag,
        N_("no component below 100") if kpis.health.score is not None else no_health,
    )
    kpis.trend = health_trend(account, as_of, config.health, kpis.health, recorded)
    kpis.put("health_trend", kpis.trend.value, kpis.trend.reason)
    kpis.put("health_trend_basis", kpis.trend.basis, kpis.trend.reason)
    kpis.put("health_trend_since", kpis.trend.since)
    kpis.put("health_trend_components", kpis.trend.compared)
    kpis.put("health_trend_left_out", kpis.trend.left_out)

    days = (account.contract.renewal_date - as_of).days
    kpis.put("days_to_renewal", None if churned_now else days, N_("account churned"))
    nps = [r.score for r in account.surveys if r.kind == "nps" and periods.ttm.contains(r.date)]
    kpis.put("nps", _nps(nps), N_("no NPS response in the window"))
    csat = [r.score for r in account.surveys if r.kind == "csat" and periods.ttm.contains(r.date)]
    kpis.put("csat", statistics.fmean(csat) if csat else None, N_("no CSAT response in the window"))

    if series:
        kpis.series = _account_series(account, periods, history, tickets)
    kpis.warnings = _warnings(account, kpis, as_of, churned_now, fmt)
    return kpis


def _adoption_trend(
    account: Account,
    as_of: dt.date,
    utilisation: float | None,
    usage_end: dt.date | None,
    no_utilisation: str,
) -> tuple[float | None, str]:
    """Utilisation at as_of minus one quarter earlier (as_of − 3 months), in percentage points,
    each from the latest usage period ending on or before its date."""
    earlier = shift_months(as_of, -3)
    if utilisation is None or usage_end is None:
        return None, no_utilisation
    before, before_end = seat_utilisation_at(account, earlier)
    if before_end is None:
        return None, Reason(N_("no usage period ending on or before %(date)s"), date=earlier)
    if before_end == usage_end:
        return None, Reason(
            N_("no usage period since %(date)s: both dates fall on the period ending %(end)s"),
            date=earlier,
            end=usage_end,
        )
    if before is None:
        return None, Reason(N_("no licensed seats for the period ending %(date)s"), date=before_end)
    return round((utilisation - before) * 100, NOISE_DIGITS), ""


def _nps(scores: list[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return (promoters - detractors) / len(scores) * 100


def _account_series(
    account: Account,
    periods: Periods,
    history: RevenueHistory,
    tickets: dict[tuple[int, int], dict[str, int]],
) -> dict[str, Any]:
    quarters = periods.recent_quarters(5)
    utilisation: list[float | None] = []
    for q in quarters:
        in_q = [u for u in account.usage if q.start <= u.period_end <= q.end]
        if not in_q:
            utilisation.append(None)
            continue
        value, _ = seat_utilisation_at(account, max(u.period_end for u in in_q))
        utilisation.append(value)
    latest = max(
        (u for u in account.usage if u.period_end <= periods.as_of),
        key=lambda u: u.period_end,
        default=None,
    )
    per_quarter = [tickets_by_severity(tickets, q) for q in quarters]
    return {
        "quarters": [str(q) for q in quarters],
        "arr": [history.arr_at(q.end) for q in quarters] if history.recorded else None,
        "utilisation": utilisation if any(v is not None for v in utilisation) else None,
        "tickets": {s: [counts[s] for counts in per_quarter] for s in SEVERITIES},
        "feature_adoption": dict(latest.feature_adoption) if latest else {},
    }


def _warnings(
    account: Account, kpis: AccountKpis, as_of: dt.date, churned: bool, fmt: Formatter
) -> list[KpiWarning]:
    """The warnings of kpi-definitions.md, worded once (in the workspace locale) for every document."""
    out: list[KpiWarning] = []

    def warn(code: str, template: str, **params: Param) -> None:
        """A warning's English sentence (the engine's formatter writes its values) and its
        template and raw values, for documents in other languages."""
        english = Formatter(fmt.locale, fmt.currency, fmt.labels)
        message = template % {k: p.text(english) for k, p in params.items()}
        out.append(KpiWarning(code, message, account.id, template, tuple(params.items())))

    def count(value: int | float, one: str, many: str) -> Param:
        return Param("count", value, (one, many))

    days_forms = NP_("%(num)s day", "%(num)s days")
    utilisation = kpis.get("seat_utilisation")
    if utilisation is not None and utilisation > 1:
        latest = max(
            (u for u in account.usage if u.period_end <= as_of), key=lambda u: u.period_end
        )
        seats = latest.licensed_seats or account.contract.licensed_seats or 0
        warn(
            "utilisation_above_seats",
            N_("more active users than licensed seats: %(users)s on %(seats)s (%(ratio)s) in the "
               "period ending %(date)s: a data error or an expansion signal"),
            users=count(latest.active_users, *NP_("%(num)s active user", "%(num)s active users")),
            seats=count(seats, *NP_("%(num)s seat", "%(num)s seats")),
            ratio=Param("ratio", utilisation),
            date=Param("date", latest.period_end),
        )  # fmt: skip
    if kpis.health.band == "red":
        for opp in account.opportunities:
            if opp.outcome == "open" or (
                opp.outcome == "won"
                and opp.close_date
                and opp.close_date > shift_months(as_of, -12)
            ):
                template = (
                    N_("expansion without health context: '%(title)s' is open on a red account "
                       "(health %(score)s)")
                    if opp.outcome == "open"
                    else N_("expansion without health context: '%(title)s' is won on a red "
                            "account (health %(score)s)")
                )  # fmt: skip
                warn(
                    "expansion_without_health",
                    template,
                    title=Param("text", opp.title),
                    score=Param("score", kpis.health.score),
                )
    for renewal in account.renewals:
        if (
            renewal.outcome == "renewed"
            and renewal.arr_after is not None
            and renewal.arr_after < renewal.arr_before
            and renewal.due_date > shift_months(as_of, -12)
        ):
            warn(
                "renewal_hides_contraction",
                N_("renewal rate hides contraction: renewed on %(date)s but ARR fell from "
                   "%(before)s to %(after)s"),
                date=Param("date", renewal.due_date),
                before=Param("money", renewal.arr_before),
                after=Param("money", renewal.arr_after),
            )  # fmt: skip
    if churned:
        return out
    days = (account.contract.renewal_date - as_of).days
    if 0 <= days <= RENEWAL_RISK_DAYS:
        high_risks = [
            r.title for r in account.risks if r.status != "closed" and r.severity in HIGH_SEVERITIES
        ]
        escalations = [
            e["subject"] for e in kpis.open_escalations if e["severity"] in HIGH_SEVERITIES
        ]
        if high_risks or escalations:
            items = [(N_("risk '%(title)s'"), t) for t in high_risks]
            items += [(N_("escalation '%(title)s'"), t) for t in escalations]
            warn(
                "renewal_at_risk",
                N_("renewal in %(days)s with open high-severity items: %(items)s"),
                days=count(days, *days_forms),
                items=Param("quoted", tuple(items)),
            )
    if kpis["single_threaded"] and 0 <= days <= SINGLE_THREAD_RENEWAL_DAYS:
        roles = tuple(kpis["stakeholder_roles_covered"])
        warn(
            "single_threaded_near_renewal",
            N_("single-threaded (%(coverage)s, roles: %(roles)s) with renewal in %(days)s"),
            coverage=count(
                kpis["stakeholder_coverage"],
                *NP_("%(num)s active stakeholder", "%(num)s active stakeholders"),
            ),
            roles=Param("label", roles, ("roles",)),
            days=count(days, *days_forms),
        )
    open_actions = [a for a in account.actions if a.status == "open"]
    overdue = [a for a in open_actions if a.due < as_of]
    if not open_actions:
        warn("no_next_step", N_("no next step: the mutual action plan has no open action"))
    for action in overdue:
        warn(
            "next_step_overdue",
            N_("next step overdue: '%(title)s' (%(owner)s) was due %(date)s"),
            title=Param("text", action.title),
            owner=Param("text", action.owner),
            date=Param("date", action.due),
        )
    last = _last_activity(account)
    if last is None or (as_of - last).days > STALE_DAYS:
        if last:
            warn(
                "stale_record",
                N_("stale record: last updated %(date)s (%(days)s ago)"),
                date=Param("date", last),
                days=count((as_of - last).days, *days_forms),
            )
        else:
            warn("stale_record", N_("stale record: no update date recorded"))
    return out
