"""The KPI engine: every number of kpi-definitions.md, computed once per run, per account and
for the portfolio. Imports no document library; money is Decimal; a KPI without inputs is
None with a reason.

`compute()` runs it; the rest lives by part: `results` (the KpiSet/KpiReport types handed
out), `measures` (money, renewals, tickets... over a window: what KPIs are computed from),
`account` (one account's KPIs, series and warnings) and `portfolio` (the portfolio's KPIs).
"""

from __future__ import annotations

import datetime as dt
import pickle
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.config import Workspace
from qbrgen.formatting import Formatter
from qbrgen.kpis.account import account_kpis
from qbrgen.kpis.checks import contract_arr_problems
from qbrgen.kpis.periods import Periods, review_quarter
from qbrgen.kpis.portfolio import (
    PortfolioPart,
    PortfolioSums,
    lifetime_of,
    portfolio_kpis,
    portfolio_part,
)
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
from qbrgen.spill import Spill

if TYPE_CHECKING:
    from qbrgen.errors import Problem
    from qbrgen.loading import SourcedAccount

__all__ = [
    "WARNING_ORDER",
    "AccountKpis",
    "AccountKpisMaker",
    "KpiReport",
    "LeanAccount",
    "LeanData",
    "LeanKpis",
    "KpiSet",
    "KpiWarning",
    "PortfolioKpis",
    "RecordedScores",
    "account_kpis",
    "compute",
    "compute_lean",
]


class AccountKpisMaker:
    """One account's KPIs as `compute` makes them for a run (config, as_of, the recorded
    scores): a picklable step for the processes where accounts are loaded, so a run's
    per-account KPIs are computed beside the parsing, on every core, not all in the parent."""

    def __init__(
        self,
        config: Workspace,
        as_of: dt.date,
        recorded: RecordedScores | None = None,
        series: bool = True,
    ):
        self.config = config
        self.as_of = as_of
        self.recorded = recorded or {}
        self.series = series
        """False: no chart series (`account_kpis(series=False)`)."""
        self._made: tuple[Periods, Formatter] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {
            "config": self.config,
            "as_of": self.as_of,
            "recorded": self.recorded,
            "series": self.series,
        }

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
        return account_kpis(account, self.config, periods, history, fmt, recorded, self.series)


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


AccountData = Callable[[Account, AccountKpis, dt.date, Formatter], Any]
"""What a lean run keeps of an account for its documents, made from the account and its KPIs
(with as_of and the run's formatter) where it is loaded: picklable, and so is its result."""


@dataclass(slots=True)
class LeanAccount:
    """What a lean run's step makes of an account where it is loaded: its share of the
    portfolio KPIs (until they are added up) and what the run's `AccountData` step made of it,
    pickled (it is only carried, to the run's spill, until a document reads it)."""

    part: PortfolioPart | None
    data: bytes


class LeanKpis:
    """A lean load's step (`loading.load_summaries`) for a run: an account's warning about
    its contract ARR (as `check_contract_arr`), its KPIs as `compute` makes them, its share of
    the portfolio KPIs and its `AccountData`; picklable, for the worker processes."""

    def __init__(
        self,
        config: Workspace,
        as_of: dt.date,
        recorded: RecordedScores | None,
        data: AccountData | None = None,
    ):
        self.maker = AccountKpisMaker(config, as_of, recorded, series=False)  # nothing charted
        self.data = data

    def __call__(self, item: SourcedAccount) -> tuple[list[Problem], LeanAccount]:
        account = item.account
        periods, fmt = self.maker.periods_and_format()
        history = RevenueHistory.of(account)
        found = contract_arr_problems(item, periods.as_of, fmt, history)
        kpis = self.maker(account, history)
        part = portfolio_part(account, periods, history, kpis)
        data = self.data(account, kpis, periods.as_of, fmt) if self.data is not None else None
        return found, LeanAccount(part, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


@dataclass
class LeanData:
    """What a lean run keeps of its accounts once their KPIs are added up, by id: each one's
    `AccountData` in the run's spill (its record number in `records`) and its expected
    lifetime value (None when it has none), known once the portfolio's logo churn is."""

    spill: Spill
    records: array[int]
    lifetimes: list[Decimal | None]

    def __len__(self) -> int:
        return len(self.lifetimes)

    def read(self, index: int) -> tuple[Any, Decimal | None]:
        """Account `index`'s data (read from the spill) and its expected lifetime value."""
        return self.spill.get(self.records[index]), self.lifetimes[index]


def compute_lean(
    records: Sequence[int], step: LeanKpis, spill: Spill
) -> tuple[KpiReport, LeanData]:
    """The KPI report of a lean run from its accounts' `LeanAccount`s in `spill` (`records`,
    in id order): the portfolio's KPIs as `compute` makes them, added up one account at a
    time, no per-account KPIs; and the accounts' `LeanData`, their data copied to the end of
    the spill (each read back without its part), the portfolio's warnings too."""
    maker = step.maker
    periods, _ = maker.periods_and_format()
    sums = PortfolioSums(periods, spill)
    kept = array("q")
    ends: list[tuple[Decimal, bool] | None] = []
    for number in records:
        account: LeanAccount = spill.get(number)
        part = account.part
        if part is not None:
            sums.add(part)
        ends.append(None if part is None else (part.ending_arr[0], part.churned_by_end))
        kept.append(spill.append(account.data))
    portfolio = sums.kpis(maker.config, periods)
    lifetimes = [
        None if end is None else lifetime_of(*end, portfolio, maker.config)[0] for end in ends
    ]
    return KpiReport(periods, portfolio, {}), LeanData(spill, kept, lifetimes)
