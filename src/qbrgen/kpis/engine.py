"""The KPI engine: every number of kpi-definitions.md, computed once per run, per account and
for the portfolio. Imports no document library; money is Decimal; a KPI without inputs is
None with a reason.

`compute()` runs it; the rest lives by part: `results` (the KpiSet/KpiReport types handed
out), `measures` (money, renewals, tickets... over a window: what KPIs are computed from),
`account` (one account's KPIs, series and warnings) and `portfolio` (the portfolio's KPIs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from qbrgen.config import Workspace
from qbrgen.formatting import Formatter
from qbrgen.kpis.account import account_kpis
from qbrgen.kpis.periods import Periods, review_quarter
from qbrgen.kpis.portfolio import portfolio_kpis
from qbrgen.kpis.results import (
    WARNING_ORDER,
    AccountKpis,
    KpiReport,
    KpiSet,
    KpiWarning,
    PortfolioKpis,
    RecordedScores,
)
from qbrgen.kpis.revenue import RevenueHistory
from qbrgen.models import Account

__all__ = [
    "WARNING_ORDER",
    "AccountKpis",
    "AccountKpisMaker",
    "KpiReport",
    "KpiSet",
    "KpiWarning",
    "PortfolioKpis",
    "RecordedScores",
    "account_kpis",
    "compute",
]


class AccountKpisMaker:
    """One account's KPIs as `compute` makes them for a run (config, as_of, the recorded
    scores): a picklable step for the processes where accounts are loaded, so a run's
    per-account KPIs are computed beside the parsing, on every core, not all in the parent."""

    def __init__(self, config: Workspace, as_of: dt.date, recorded: RecordedScores | None = None):
        self.config = config
        self.as_of = as_of
        self.recorded = recorded or {}
        self._made: tuple[Periods, Formatter] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"config": self.config, "as_of": self.as_of, "recorded": self.recorded}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _made=None)

    def periods_and_format(self) -> tuple[Periods, Formatter]:
        if self._made is None:
            periods = Periods(self.as_of, review_quarter(self.as_of, self.config.quarter))
            self._made = periods, Formatter.for_config(self.config)
        return self._made

    def __call__(self, account: Account, history: RevenueHistory | None = None) -> AccountKpis:
        periods, fmt = self.periods_and_format()
        history = history or RevenueHistory.of(account)
        recorded = self.recorded.get(account.id)
        return account_kpis(account, self.config, periods, history, fmt, recorded)


def compute(
    accounts: list[Account],
    config: Workspace,
    as_of: dt.date | None = None,
    recorded: RecordedScores | None = None,
    known: Sequence[AccountKpis | None] = (),
) -> KpiReport:
    """The KPI report of one run: one as_of, one set of numbers for every document.
    `recorded` holds health scores from the KPI history for about one quarter earlier.
    `known[i]`, where given, is `accounts[i]`'s KPIs already made by an `AccountKpisMaker`
    of the same config, as_of and recorded scores (where the accounts were loaded)."""
    day = as_of or config.as_of or dt.date.today()
    maker = AccountKpisMaker(config, day, recorded)
    periods, _ = maker.periods_and_format()
    histories = {a.id: RevenueHistory.of(a) for a in accounts}
    made = list(known) + [None] * (len(accounts) - len(known))
    per_account: dict[str, AccountKpis] = {}
    for account, given in zip(accounts, made, strict=True):
        per_account[account.id] = (
            given if given is not None else maker(account, histories[account.id])
        )
    portfolio = portfolio_kpis(accounts, config, periods, histories, per_account)
    return KpiReport(periods, portfolio, per_account)
