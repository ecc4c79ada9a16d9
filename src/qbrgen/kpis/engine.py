"""The KPI engine: every number of kpi-definitions.md, computed once per run, per account and
for the portfolio. Imports no document library; money is Decimal; a KPI without inputs is
None with a reason."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbrgen.config import Workspace, gross_margin
from qbrgen.formatting import Formatter
from qbrgen.kpis.health import (
    NOISE_DIGITS,
    HealthScore,
    HealthTrend,
    active_stakeholders,
    health_at,
    health_trend,
    roles_covered,
    seat_utilisation_at,
)
from qbrgen.kpis.periods import Periods, Quarter, Window, review_quarter, shift_months
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.models import HIGH_SEVERITIES, Account

RENEWAL_RISK_DAYS = 120
SINGLE_THREAD_RENEWAL_DAYS = 180
STALE_DAYS = 30
SEVERITIES = ("low", "medium", "high", "critical")
WINDOW_SUFFIX = {"ttm": "", "q": "_q", "prev_q": "_prev_q"}
NO_REVENUE_HISTORY = "no revenue history"
"""Why an account without movements or snapshots has no retention KPIs: what moved is unknown."""
RETENTION_MONEY = ("starting_arr", "expansion_revenue", "contraction_arr", "churned_arr")


@dataclass(frozen=True)
class KpiWarning:
    """A warning the numbers raise (kpi-definitions.md, last section)."""

    code: str
    message: str
    account_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "account": self.account_id}


WARNING_ORDER = (
    "renewal_at_risk",
    "utilisation_above_seats",
    "expansion_without_health",
    "single_threaded_near_renewal",
    "renewal_hides_contraction",
    "next_step_overdue",
    "no_next_step",
    "stale_record",
)


@dataclass
class KpiSet:
    """Named KPI values with a reason for each one that is None."""

    values: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, reason: str | None = None) -> None:
        self.values[name] = value
        if value is None:
            self.reasons[name] = reason or "inputs missing"
        else:
            self.reasons.pop(name, None)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def reason(self, name: str) -> str:
        return self.reasons.get(name, "")


@dataclass
class AccountKpis(KpiSet):
    """Every per-account KPI, the health score and its trend, warnings and series."""

    account_id: str = ""
    name: str = ""
    health: HealthScore = field(default_factory=lambda: HealthScore(None, None))
    trend: HealthTrend = field(default_factory=lambda: HealthTrend(None))
    """How the health trend was compared (recorded score or like for like, and which components)."""
    warnings: list[KpiWarning] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    """Chart series by quarter: arr, utilisation, tickets by severity; latest feature adoption."""
    open_escalations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PortfolioKpis(KpiSet):
    """Portfolio KPIs, from summed money (never averaged ratios)."""

    health_distribution: dict[str, int] = field(default_factory=dict)
    arr_by_band: dict[str, Decimal] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    warnings: list[KpiWarning] = field(default_factory=list)


@dataclass
class KpiReport:
    """The one set of numbers a run uses for every document."""

    periods: Periods
    portfolio: PortfolioKpis
    accounts: dict[str, AccountKpis]

    @property
    def as_of(self) -> dt.date:
        return self.periods.as_of

    @property
    def quarter(self) -> Quarter:
        return self.periods.quarter

    def worst_first(self) -> list[AccountKpis]:
        """Accounts by health, worst first (accounts with no score last)."""
        return sorted(
            self.accounts.values(),
            key=lambda k: (k.health.score is None, k.health.score or 0.0, k.account_id),
        )


RecordedScores = dict[str, tuple[dt.date, float]]
"""Account id -> (day, health score) recorded in the KPI history for the health trend."""


# --- small helpers -------------------------------------------------------------------------


def _ratio(numerator: Decimal, denominator: Decimal) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


def _median(values: Iterable[float]) -> float | None:
    items = list(values)
    return float(statistics.median(items)) if items else None


@dataclass
class _Money:
    """The money sums of one window, for one account or summed over the portfolio."""

    starting: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned: Decimal = ZERO
    cohort: int = 0
    churned_logos: int = 0

    def add(self, other: _Money) -> None:
        self.starting += other.starting
        self.expansion += other.expansion
        self.contraction += other.contraction
        self.churned += other.churned
        self.cohort += other.cohort
        self.churned_logos += other.churned_logos


def _window_money(history: RevenueHistory, window: Window) -> _Money:
    """The account's money sums over `window` (computed once per window; treat as read-only)."""
    key = (window.start, window.end)
    cached = history.sums.get(key)
    if isinstance(cached, _Money):
        return cached
    starting = history.arr_at(window.start)
    if starting <= 0:
        money = _Money()
    else:
        money = _Money(
            starting,
            history.in_window(window, "expansion", "reactivation"),
            history.in_window(window, "contraction"),
            history.in_window(window, "churn"),
            1,
            1 if history.arr_at(window.end) <= 0 else 0,
        )
    history.sums[key] = money
    return money


def _put_retention(kpis: KpiSet, money: _Money, suffix: str, no_cohort: str) -> None:
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
class _Renewals:
    renewed: int = 0
    churned: int = 0
    arr_renewed: Decimal = ZERO
    arr_decided: Decimal = ZERO
    open: int = 0

    def add(self, other: _Renewals) -> None:
        self.renewed += other.renewed
        self.churned += other.churned
        self.arr_renewed += other.arr_renewed
        self.arr_decided += other.arr_decided
        self.open += other.open


def _renewals(account: Account, window: Window) -> _Renewals:
    out = _Renewals()
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


def _put_renewals(kpis: KpiSet, r: _Renewals, suffix: str) -> None:
    none_due = "no renewal decided in the period"
    kpis.put(
        "renewal_rate_logos" + suffix,
        _ratio(Decimal(r.renewed), Decimal(r.renewed + r.churned)),
        none_due,
    )
    kpis.put("renewal_rate_revenue" + suffix, _ratio(r.arr_renewed, r.arr_decided), none_due)
    kpis.put("renewals_open" + suffix, r.open)


def _conversion(accounts: Iterable[Account], window: Window) -> tuple[int, int]:
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


def _pipeline(accounts: Iterable[Account]) -> dict[str, Decimal]:
    stages: dict[str, Decimal] = {}
    for account in accounts:
        for opp in account.opportunities:
            if opp.outcome == "open":
                stages[opp.stage] = stages.get(opp.stage, ZERO) + opp.value
    return stages


def _quarters_with_arr(history: RevenueHistory, quarters: list[Quarter]) -> list[Quarter]:
    return [
        q
        for q in quarters
        if history.arr_at(q.start - dt.timedelta(days=1)) > 0 or history.arr_at(q.end) > 0
    ]


def _reviews_held(account: Account, quarters: list[Quarter]) -> int:
    held = {Quarter.of(r.date) for r in account.reviews if r.kind in ("qbr", "ebr")}
    return sum(1 for q in quarters if q in held)


def _follow_up_hours(account: Account, window: Window) -> list[float]:
    return [
        (i.first_reply - i.date).total_seconds() / 3600
        for i in account.interactions
        if i.kind == "request" and i.first_reply is not None and window.contains(i.date.date())
    ]


def _tickets_by_quarter(account: Account) -> dict[tuple[int, int], dict[str, int]]:
    """Tickets opened per (year, quarter number) and severity, counted in one pass (the engine
    asks about seven quarters per account)."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for ticket in account.tickets:
        day = ticket.opened
        bucket = counts.setdefault((day.year, (day.month - 1) // 3 + 1), {})
        bucket[ticket.severity] = bucket.get(ticket.severity, 0) + 1
    return counts


def _tickets_by_severity(
    by_quarter: dict[tuple[int, int], dict[str, int]], quarter: Quarter
) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    counts.update(by_quarter.get((quarter.year, quarter.number), {}))
    return counts


def _support_trend(now: dict[str, int], before: dict[str, int]) -> dict[str, float | None]:
    trend: dict[str, float | None] = {
        s: (now[s] / before[s] if before[s] else None) for s in SEVERITIES
    }
    total_before = sum(before.values())
    trend["all"] = sum(now.values()) / total_before if total_before else None
    return trend


def _escalation_days(account: Account, window: Window) -> list[float]:
    return [
        float((t.resolved - t.opened).days)
        for t in account.tickets
        if t.escalation and t.resolved is not None and window.contains(t.resolved)
    ]


def _last_activity(account: Account) -> dt.date | None:
    dates: list[dt.date] = [d for d in (account.updated,) if d]
    if dates:
        return dates[0]
    dates += [r.date for r in account.reviews]
    dates += [i.date.date() for i in account.interactions]
    dates += [s.last_contact for s in account.stakeholders if s.last_contact]
    dates += [a.completed for a in account.actions if a.completed]
    return max(dates) if dates else None


# --- per account ---------------------------------------------------------------------------


def account_kpis(
    account: Account,
    config: Workspace,
    periods: Periods,
    history: RevenueHistory,
    fmt: Formatter,
    recorded: tuple[dt.date, float] | None = None,
) -> AccountKpis:
    """Every per-account KPI, following kpi-definitions.md. `recorded` is the health score the
    KPI history holds for about one quarter earlier, when it holds one (for the trend)."""
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
            _put_retention(kpis, _Money(), suffix, NO_REVENUE_HISTORY)
            for key in RETENTION_MONEY:
                kpis.put(key + suffix, None, NO_REVENUE_HISTORY)
        else:
            _put_retention(
                kpis,
                _window_money(history, window),
                suffix,
                "new logo: no ARR at the start of the window",
            )
        _put_renewals(kpis, _renewals(account, window), suffix)
        won, lost = _conversion([account], window)
        kpis.put(
            "upsell_conversion_rate" + suffix,
            _ratio(Decimal(won), Decimal(won + lost)),
            "no opportunity won or lost in the period",
        )
        esc = _escalation_days(account, window)
        kpis.put(
            "escalation_time_to_resolution" + suffix,
            _median(esc),
            "no escalation resolved in the period",
        )

    pipeline = _pipeline([account])
    kpis.put("pipeline", sum(pipeline.values(), ZERO))
    kpis.put("pipeline_by_stage", pipeline)

    # Expected lifetime value at portfolio churn: set by the portfolio pass (it needs the
    # portfolio's logo churn rate).
    kpis.put("expected_lifetime_value", None, "no churn in window")

    # Engagement
    active = active_stakeholders(account, as_of)
    covered = roles_covered(account, active)
    kpis.put("stakeholder_coverage", len(active))
    kpis.put("stakeholder_roles_covered", covered)
    kpis.put("active_stakeholders", active)
    has_executive = any(role in covered for role in ("decision_maker", "executive_sponsor"))
    kpis.put("single_threaded", len(active) < 2 or not has_executive)

    due_quarters = _quarters_with_arr(history, [periods.quarter.shift(-i) for i in range(4)])
    kpis.put("qbr_due", len(due_quarters))
    kpis.put("qbr_held", _reviews_held(account, due_quarters))
    kpis.put(
        "qbr_completion_rate",
        _ratio(Decimal(kpis["qbr_held"]), Decimal(len(due_quarters))),
        "no quarter with ARR in the window",
    )
    q_due = _quarters_with_arr(history, [periods.quarter])
    kpis.put(
        "qbr_completion_rate_q",
        _ratio(Decimal(_reviews_held(account, q_due)), Decimal(len(q_due))),
        "no ARR in the quarter",
    )
    kpis.put(
        "follow_up_time",
        _median(_follow_up_hours(account, periods.ttm)),
        "no request with a logged first reply in the window",
    )

    # Health and risk
    utilisation, usage_end = seat_utilisation_at(account, as_of)
    kpis.put(
        "seat_utilisation",
        utilisation,
        "no usage data with licensed seats"
        if not account.usage
        else "no licensed seats to divide by",
    )
    kpis.put(
        "adoption_trend",
        *_adoption_trend(account, as_of, utilisation, usage_end, kpis.reason("seat_utilisation")),
    )
    tickets = _tickets_by_quarter(account)
    tickets_now = _tickets_by_severity(tickets, periods.quarter)
    tickets_before = _tickets_by_severity(tickets, periods.quarter.prev())
    kpis.put("tickets_q", tickets_now)
    kpis.put("tickets_prev_q", tickets_before)
    trend = _support_trend(tickets_now, tickets_before)
    kpis.put(
        "support_trend",
        trend if trend["all"] is not None else None,
        "no tickets in the previous quarter to compare with",
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
        "no component below 100" if kpis.health.score is not None else no_health,
    )
    kpis.trend = health_trend(account, as_of, config.health, kpis.health, recorded)
    kpis.put("health_trend", kpis.trend.value, kpis.trend.reason)
    kpis.put("health_trend_basis", kpis.trend.basis, kpis.trend.reason)
    kpis.put("health_trend_since", kpis.trend.since)
    kpis.put("health_trend_components", kpis.trend.compared)
    kpis.put("health_trend_left_out", kpis.trend.left_out)

    days = (account.contract.renewal_date - as_of).days
    kpis.put("days_to_renewal", None if churned_now else days, "account churned")
    nps = [r.score for r in account.surveys if r.kind == "nps" and periods.ttm.contains(r.date)]
    kpis.put("nps", _nps(nps), "no NPS response in the window")
    csat = [r.score for r in account.surveys if r.kind == "csat" and periods.ttm.contains(r.date)]
    kpis.put("csat", statistics.fmean(csat) if csat else None, "no CSAT response in the window")

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
        return None, f"no usage period ending on or before {earlier.isoformat()}"
    if before_end == usage_end:
        return None, (
            f"no usage period since {earlier.isoformat()}: both dates fall on the period "
            f"ending {usage_end.isoformat()}"
        )
    if before is None:
        return None, f"no licensed seats for the period ending {before_end.isoformat()}"
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
    per_quarter = [_tickets_by_severity(tickets, q) for q in quarters]
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

    def warn(code: str, message: str) -> None:
        out.append(KpiWarning(code, message, account.id))

    utilisation = kpis.get("seat_utilisation")
    if utilisation is not None and utilisation > 1:
        latest = max(
            (u for u in account.usage if u.period_end <= as_of), key=lambda u: u.period_end
        )
        seats = latest.licensed_seats or account.contract.licensed_seats or 0
        warn(
            "utilisation_above_seats",
            f"more active users than licensed seats: {fmt.plural(latest.active_users, 'active user')} on {fmt.plural(seats, 'seat')} ({fmt.kpi(utilisation, 'ratio')}) in the period ending {fmt.date(latest.period_end)}: a data error or an expansion signal",
        )
    if kpis.health.band == "red":
        for opp in account.opportunities:
            if opp.outcome == "open" or (
                opp.outcome == "won"
                and opp.close_date
                and opp.close_date > shift_months(as_of, -12)
            ):
                warn(
                    "expansion_without_health",
                    f"expansion without health context: '{opp.title}' is {opp.outcome} on a red account (health {fmt.kpi(kpis.health.score, 'score')})",
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
                f"renewal rate hides contraction: renewed on {fmt.date(renewal.due_date)} but ARR fell from {fmt.money(renewal.arr_before)} to {fmt.money(renewal.arr_after)}",
            )
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
            what = "; ".join(
                [f"risk '{t}'" for t in high_risks] + [f"escalation '{t}'" for t in escalations]
            )
            warn(
                "renewal_at_risk",
                f"renewal in {fmt.plural(days, 'day')} with open high-severity items: {what}",
            )
    if kpis["single_threaded"] and 0 <= days <= SINGLE_THREAD_RENEWAL_DAYS:
        warn(
            "single_threaded_near_renewal",
            f"single-threaded ({fmt.plural(kpis['stakeholder_coverage'], 'active stakeholder')}, roles: {', '.join(r.replace('_', ' ') for r in kpis['stakeholder_roles_covered']) or 'none'}) with renewal in {fmt.plural(days, 'day')}",
        )
    open_actions = [a for a in account.actions if a.status == "open"]
    overdue = [a for a in open_actions if a.due < as_of]
    if not open_actions:
        warn("no_next_step", "no next step: the mutual action plan has no open action")
    for action in overdue:
        warn(
            "next_step_overdue",
            f"next step overdue: '{action.title}' ({action.owner}) was due {fmt.date(action.due)}",
        )
    last = _last_activity(account)
    if last is None or (as_of - last).days > STALE_DAYS:
        when = (
            f"last updated {fmt.date(last)} ({fmt.plural((as_of - last).days, 'day')} ago)"
            if last
            else "no update date recorded"
        )
        warn("stale_record", f"stale record: {when}")
    return out


# --- portfolio -----------------------------------------------------------------------------


def compute(
    accounts: list[Account],
    config: Workspace,
    as_of: dt.date | None = None,
    recorded: RecordedScores | None = None,
) -> KpiReport:
    """The KPI report of one run: one as_of, one set of numbers for every document.
    `recorded` holds health scores from the KPI history for about one quarter earlier."""
    day = as_of or config.as_of or dt.date.today()
    periods = Periods(day, review_quarter(day, config.quarter))
    histories = {a.id: RevenueHistory.of(a) for a in accounts}
    fmt = Formatter.for_config(config)
    recorded = recorded or {}
    per_account = {
        a.id: account_kpis(a, config, periods, histories[a.id], fmt, recorded.get(a.id))
        for a in accounts
    }
    portfolio = _portfolio(accounts, config, periods, histories, per_account)
    return KpiReport(periods, portfolio, per_account)


def _portfolio(
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
        money = _Money()
        for account in recorded:
            money.add(_window_money(histories[account.id], window))
        _put_retention(kpis, money, suffix, "no account had ARR at the start of the window")
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
        renewals = _Renewals()
        for account in accounts:
            renewals.add(_renewals(account, window))
        _put_renewals(kpis, renewals, suffix)
        won, lost = _conversion(accounts, window)
        kpis.put(
            "upsell_conversion_rate" + suffix,
            _ratio(Decimal(won), Decimal(won + lost)),
            "no opportunity won or lost in the period",
        )
        esc = [d for a in accounts for d in _escalation_days(a, window)]
        kpis.put(
            "escalation_time_to_resolution" + suffix,
            _median(esc),
            "no escalation resolved in the period",
        )

    pipeline = _pipeline(accounts)
    kpis.put("pipeline", sum(pipeline.values(), ZERO))
    kpis.put("pipeline_by_stage", pipeline)

    end = periods.ttm.end
    arr_end = {a.id: histories[a.id].arr_at(end) for a in accounts}
    paying = [v for v in arr_end.values() if v > 0]
    arpa = sum(paying, ZERO) / len(paying) if paying else None
    kpis.put("arr", sum((k["arr"] for k in per_account.values()), ZERO))
    kpis.put("arpa", arpa, "no account with ARR at the end of the window")
    churn = kpis.get("logo_churn_rate")
    margin = gross_margin(config)
    if arpa is None:
        kpis.put("clv", None, "no account with ARR at the end of the window")
    elif churn is None:
        kpis.put("clv", None, kpis.reason("logo_churn_rate"))
    elif churn == 0:
        kpis.put("clv", None, "no churn in window")
    else:
        kpis.put("clv", (arpa * margin / Decimal(str(churn))).quantize(Decimal("0.01")))
    for account in accounts:
        own = per_account[account.id]
        history = histories[account.id]
        if history.churned_by(end):
            own.put("expected_lifetime_value", None, "churned")
        elif arr_end[account.id] <= 0:
            own.put("expected_lifetime_value", None, "no ARR in window")
        elif churn is None or churn == 0:
            own.put(
                "expected_lifetime_value",
                None,
                "no churn in window" if churn == 0 else kpis.reason("logo_churn_rate"),
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
        "no active account",
    )
    held = sum(k["qbr_held"] for k in per_account.values())
    due = sum(k["qbr_due"] for k in per_account.values())
    kpis.put(
        "qbr_completion_rate",
        _ratio(Decimal(held), Decimal(due)),
        "no quarter with ARR in the window",
    )
    hours = [h for a in accounts for h in _follow_up_hours(a, periods.ttm)]
    kpis.put("follow_up_time", _median(hours), "no request with a logged first reply in the window")
    trends = [k["adoption_trend"] for k in per_account.values() if k["adoption_trend"] is not None]
    kpis.put(
        "adoption_trend",
        statistics.median(trends) if trends else None,
        "no account has usage for two quarters",
    )
    seats = _portfolio_utilisation(accounts, periods.as_of)
    kpis.put("seat_utilisation", seats, "no usage data with licensed seats")
    now = {s: sum(k["tickets_q"][s] for k in per_account.values()) for s in SEVERITIES}
    before = {s: sum(k["tickets_prev_q"][s] for k in per_account.values()) for s in SEVERITIES}
    kpis.put("tickets_q", now)
    kpis.put("tickets_prev_q", before)
    trend = _support_trend(now, before)
    kpis.put(
        "support_trend",
        trend if trend["all"] is not None else None,
        "no tickets in the previous quarter",
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
        "no scored account with ARR",
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
        money = _Money()
        for account in accounts:
            money.add(_window_money(histories[account.id], window))
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
