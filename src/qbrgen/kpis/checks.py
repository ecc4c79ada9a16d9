"""Checks that need the KPI engine's reading of an account: warnings `validate` reports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from qbrgen.errors import Problem, ProblemList
from qbrgen.kpis.revenue import RevenueHistory

if TYPE_CHECKING:
    from qbrgen.config import Workspace
    from qbrgen.formatting import Formatter
    from qbrgen.loading import Portfolio, SourcedAccount


def check_contract_arr(portfolio: Portfolio, as_of: dt.date, fmt: Formatter) -> int:
    """Warn where `contract.arr` differs from the revenue history's ARR at `as_of` (the
    history wins in every document, kpi-definitions.md "Revenue movements"). Returns how many
    warnings were added."""
    added = 0
    for item in portfolio.accounts:
        problems = contract_arr_problems(item, as_of, fmt)
        portfolio.problems.items.extend(problems)
        added += len(problems)
    return added


def contract_arr_problems(
    item: SourcedAccount, as_of: dt.date, fmt: Formatter, history: RevenueHistory | None = None
) -> list[Problem]:
    """`check_contract_arr`'s warning for one account (none, or one)."""
    account = item.account
    history = history or RevenueHistory.of(account)
    if not history.recorded:
        return []
    from_history = history.arr_at(as_of)
    if from_history == account.contract.arr:
        return []
    form = "arr_movements" if account.arr_movements else "arr_snapshots"
    where = item.locate((form,))
    line = f", line {where.line}" if where.line else ""
    found = ProblemList()
    found.warn(
        item.locate(("contract", "arr")),
        f"contract ARR {fmt.money(account.contract.arr)} differs from the revenue history's "
        f"ARR at {as_of.isoformat()}, {fmt.money(from_history)} ({form}{line}); every "
        "document uses the history's",
        "contract.arr",
        hint="correct contract.arr, or add the missing movement to the history",
    )
    return found.items


class ContractArrCheck:
    """`contract_arr_problems` as a lean load's step (`load_summaries`): picklable, for the
    worker processes; the summary it keeps of an account is nothing."""

    def __init__(self, config: Workspace, as_of: dt.date):
        self.config = config
        self.as_of = as_of
        self._fmt: Formatter | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"config": self.config, "as_of": self.as_of}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _fmt=None)

    def __call__(self, item: SourcedAccount) -> tuple[list[Problem], None]:
        if self._fmt is None:
            from qbrgen.formatting import Formatter

            self._fmt = Formatter.for_config(self.config)
        return contract_arr_problems(item, self.as_of, self._fmt), None
