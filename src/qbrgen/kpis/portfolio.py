"""The portfolio's KPIs: the accounts' money summed (retention from sums, never averaged
ratios), medians, distributions, utilisation and the quarterly series.

They are computed in two steps: `portfolio_part` takes from one account (and its KPIs) what
the portfolio's numbers need of it, a few sums and lists (picklable: made where the account
is loaded, a worker process when files are many); `combine` adds the parts up, in the
accounts' order, exactly as the numbers were always added, one part at a time
(`PortfolioSums`). A run that keeps every account (`portfolio_kpis`) and one that keeps only
each account's part, on disk until it is added (a lean run, for the scorecard), get the same
numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from array import array
from collections import Counter
from collections.abc import Iterable
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
    put_tickets,
    ratio_or_none,
    renewals_in,
    window_money,
)
from qbrgen.kpis.periods import Periods, Window
from qbrgen.kpis.results import WARNING_ORDER, AccountKpis, KpiWarning, PortfolioKpis
from qbrgen.kpis.revenue import ZERO, RevenueHistory
from qbrgen.labels import N_
from qbrgen.models import Account
from qbrgen.spill import Spill, SpilledList

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
    return lifetime_of(part.ending_arr[0], part.churned_by_end, kpis, config)


def lifetime_of(
    arr_end: Decimal, churned_by_end: bool, kpis: PortfolioKpis, config: Workspace
) -> tuple[Decimal | None, str | None]:
    """`lifetime_value` from what it needs of the part: the account's ARR at the end of the
    TTM window and whether it had churned by then."""
    churn = kpis.get("logo_churn_rate")
    if churned_by_end:
        return None, "churned"
    if arr_end <= 0:
        return None, N_("no ARR in window")
    if churn is None or churn == 0:
        return None, N_("no churn in window") if churn == 0 else kpis.reason("logo_churn_rate")
    margin = gross_margin(config)
    return (arr_end * margin / Decimal(str(churn))).quantize(Decimal("0.01")), None


def combine(parts: Iterable[PortfolioPart], config: Workspace, periods: Periods) -> PortfolioKpis:
    """The portfolio's KPIs from every account's part (in the accounts' order)."""
    sums = PortfolioSums(periods)
    for part in parts:
        sums.add(part)
    return sums.kpis(config, periods)


class PortfolioSums:
    """`combine` one part at a time: what the portfolio's KPIs add up (in the accounts'
    order, exactly as they were always added) and the few lists its medians need, so the parts
    need not all be held at once (a lean run reads them back one by one). With a `spill`, the
    parts' warnings go there as they are added (the parts then come in id order, as a lean
    run's do) and the KPIs' `warnings` are read from it."""

    def __init__(self, periods: Periods, spill: Spill | None = None):
        windows = len(_windows(periods))
        named = len(WINDOWS)
        self.count = 0
        self.unrecorded: list[str] = []
        self.money = [WindowMoney() for _ in range(windows)]
        """Per window (WINDOWS, then the series' quarters): summed over recorded accounts."""
        self.new_arr = [ZERO] * named
        self.ending_arr = [ZERO] * windows
        """Per window: ARR at its end over every account (WINDOWS), or over the recorded ones
        (the series' quarters)."""
        self.ending_unrecorded = [ZERO] * named
        self.renewals = [RenewalCounts() for _ in range(named)]
        self.won = [0] * named
        self.lost = [0] * named
        self.escalations: list[list[float]] = [[] for _ in range(named)]
        self.pipeline: dict[str, Decimal] = {}
        self.paying = ZERO
        self.paying_count = 0
        self.arr = ZERO
        self.single_threaded = 0
        self.coverage: list[Any] = []
        self.held = 0
        self.due = 0
        self.hours: list[float] = []
        self.trends: list[Any] = []
        self.active_users = 0
        self.seats = 0
        self.tickets_q = dict.fromkeys(SEVERITIES, 0)
        self.tickets_prev_q = dict.fromkeys(SEVERITIES, 0)
        self.open_escalations = 0
        self.bands: Counter[str] = Counter()
        self.arr_by_band = dict.fromkeys(("green", "yellow", "red", "unscored"), ZERO)
        self.scored_arr = ZERO
        self.scored_weight = ZERO
        self.unscored: list[str] = []
        self.warnings: list[KpiWarning] = []
        self.spill = spill
        self.spilled: dict[str, tuple[str, array[int]]] = {}
        """Per warning code, with a spill: the last account id and the warnings' records."""

    def add(self, part: PortfolioPart) -> None:
        """Add one account's part (the next in the accounts' order)."""
        self.count += 1
        named = len(WINDOWS)
        if part.recorded:
            for index, money in enumerate(part.money):
                self.money[index].add(money)
            for index in range(named):
                self.new_arr[index] += part.new_arr[index]
            for index in range(named, len(self.ending_arr)):
                self.ending_arr[index] += part.ending_arr[index]
        else:
            self.unrecorded.append(part.account_id)
        for index in range(named):
            # Ending ARR sums every account, those without revenue history included.
            self.ending_arr[index] += part.ending_arr[index]
            if not part.recorded:
                self.ending_unrecorded[index] += part.ending_arr[index]
            self.renewals[index].add(part.renewals[index])
            self.won[index] += part.closed[index][0]
            self.lost[index] += part.closed[index][1]
            self.escalations[index].extend(part.escalations[index])
        for stage, value in part.pipeline.items():  # in the order stages first appear
            self.pipeline[stage] = self.pipeline.get(stage, ZERO) + value
        if part.ending_arr[0] > 0:
            self.paying += part.ending_arr[0]
            self.paying_count += 1
        self.arr += part.arr
        active = part.status == "active"
        if active:
            self.single_threaded += bool(part.single_threaded)
            self.coverage.append(part.stakeholder_coverage)
        self.held += part.qbr_held
        self.due += part.qbr_due
        self.hours.extend(part.follow_up)
        if part.adoption_trend is not None:
            self.trends.append(part.adoption_trend)
        if part.seats is not None:
            self.active_users += part.seats[0]
            self.seats += part.seats[1]
        for severity in SEVERITIES:
            self.tickets_q[severity] += part.tickets_q[severity]
            self.tickets_prev_q[severity] += part.tickets_prev_q[severity]
        self.open_escalations += part.open_escalations
        if active:
            band = part.band or "unscored"
            self.bands[band] += 1
            self.arr_by_band[band] += part.arr
            if part.score is not None:
                self.scored_arr += Decimal(part.arr)
                self.scored_weight += Decimal(repr(part.score)) * part.arr
            else:
                self.unscored.append(part.account_id)
        if self.spill is None:
            self.warnings.extend(part.warnings)
            return
        for warning in part.warnings:
            last, numbers = self.spilled.setdefault(warning.code, ("", array("q")))
            if warning.account_id < last:
                raise ValueError("a spill's warnings come from parts added in id order")
            numbers.append(self.spill.put(warning))
            self.spilled[warning.code] = warning.account_id, numbers

    def kpis(self, config: Workspace, periods: Periods) -> PortfolioKpis:
        """The portfolio's KPIs from the parts added."""
        kpis = PortfolioKpis()
        kpis.put("accounts", self.count)
        kpis.put("accounts_without_revenue_history", len(self.unrecorded))
        kpis.put("accounts_without_revenue_history_ids", list(self.unrecorded))
        for index, name in enumerate(WINDOWS):
            suffix = WINDOW_SUFFIX[name]
            money = self.money[index]
            put_retention(kpis, money, suffix, N_("no account had ARR at the start of the window"))
            kpis.put("cohort_size" + suffix, money.cohort)
            kpis.put("churned_logos" + suffix, money.churned_logos)
            kpis.put("new_arr" + suffix, self.new_arr[index])
            kpis.put("ending_arr" + suffix, self.ending_arr[index])
            kpis.put("ending_arr_without_history" + suffix, self.ending_unrecorded[index])
            put_renewals(kpis, self.renewals[index], suffix)
            won, lost = self.won[index], self.lost[index]
            kpis.put(
                "upsell_conversion_rate" + suffix,
                ratio_or_none(Decimal(won), Decimal(won + lost)),
                N_("no opportunity won or lost in the period"),
            )
            kpis.put(
                "escalation_time_to_resolution" + suffix,
                median_or_none(self.escalations[index]),
                N_("no escalation resolved in the period"),
            )
        kpis.put("pipeline", sum(self.pipeline.values(), ZERO))
        kpis.put("pipeline_by_stage", dict(self.pipeline))

        arpa = self.paying / self.paying_count if self.paying_count else None
        kpis.put("arr", self.arr)
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
        kpis.put("single_threaded_accounts", self.single_threaded)
        coverage = self.coverage
        kpis.put(
            "stakeholder_coverage",
            statistics.fmean(coverage) if coverage else None,
            N_("no active account"),
        )
        kpis.put(
            "qbr_completion_rate",
            ratio_or_none(Decimal(self.held), Decimal(self.due)),
            N_("no quarter with ARR in the window"),
        )
        kpis.put(
            "follow_up_time",
            median_or_none(self.hours),
            N_("no request with a logged first reply in the window"),
        )
        kpis.put(
            "adoption_trend",
            statistics.median(self.trends) if self.trends else None,
            N_("no account has usage for two quarters"),
        )
        kpis.put(
            "seat_utilisation",
            self.active_users / self.seats if self.seats else None,
            N_("no usage data with licensed seats"),
        )
        put_tickets(
            kpis,
            dict(self.tickets_q),
            dict(self.tickets_prev_q),
            N_("no tickets in the previous quarter"),
        )
        kpis.put("open_escalations", self.open_escalations)

        kpis.health_distribution = {b: self.bands.get(b, 0) for b in self.arr_by_band}
        kpis.arr_by_band = dict(self.arr_by_band)
        kpis.put("health_distribution", kpis.health_distribution)
        kpis.put(
            "health_score",
            float(self.scored_weight / self.scored_arr) if self.scored_arr else None,
            N_("no scored account with ARR"),
        )
        kpis.put("unscored_accounts", sorted(self.unscored))
        if self.spill is None:
            kpis.warnings = sorted(
                self.warnings, key=lambda w: (WARNING_ORDER.index(w.code), w.account_id)
            )
        else:  # by code, each code's in id order: as sorted
            ordered = array("q")
            for code in sorted(self.spilled, key=WARNING_ORDER.index):
                ordered.extend(self.spilled[code][1])
            kpis.warnings = SpilledList(self.spill, ordered)
        kpis.put("warnings", len(kpis.warnings))
        kpis.series = self._series(periods)
        return kpis

    def _series(self, periods: Periods) -> dict[str, Any]:
        rows = []
        for index, quarter in enumerate(periods.recent_quarters(5), start=len(WINDOWS)):
            money = self.money[index]
            s = money.starting
            rows.append(
                {
                    "quarter": str(quarter),
                    "starting_arr": s,
                    "ending_arr": self.ending_arr[index],
                    "grr": min(1.0, float((s - money.contraction - money.churned) / s))
                    if s
                    else None,
                    "nrr": float((s + money.expansion - money.contraction - money.churned) / s)
                    if s
                    else None,
                }
            )
        return {"quarterly": rows}


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
