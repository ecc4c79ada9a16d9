"""The KPI engine: every number of kpi-definitions.md, computed once per run, per account and
for the portfolio. Imports no document library; money is Decimal; a KPI without inputs is
None with a reason.

`compute()` runs it; the rest lives by part: `results` (the KpiSet/KpiReport types handed
out), `measures` (money, renewals, tickets... over a window: what KPIs are computed from),
`account` (one account's KPIs, series and warnings) and `portfolio` (the portfolio's KPIs).
"""

from __future__ import annotations

import datetime as dt

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
    "KpiReport",
    "KpiSet",
    "KpiWarning",
    "PortfolioKpis",
    "RecordedScores",
    "account_kpis",
    "compute",
]


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
    portfolio = portfolio_kpis(accounts, config, periods, histories, per_account)
    return KpiReport(periods, portfolio, per_account)
