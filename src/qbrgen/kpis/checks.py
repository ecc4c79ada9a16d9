"""Checks that need the KPI engine's reading of an account: warnings `validate` reports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from qbrgen.kpis.revenue import RevenueHistory

if TYPE_CHECKING:
    from qbrgen.formatting import Formatter
    from qbrgen.loading import Portfolio


def check_contract_arr(portfolio: Portfolio, as_of: dt.date, fmt: Formatter) -> int:
    """Warn where `contract.arr` differs from the revenue history's ARR at `as_of` (the
    history wins in every document, kpi-definitions.md "Revenue movements"). Returns how many
    warnings were added."""
    added = 0
    for item in portfolio.accounts:
        account = item.account
        history = RevenueHistory.of(account)
        if not history.recorded:
            continue
        from_history = history.arr_at(as_of)
        if from_history == account.contract.arr:
            continue
        form = "arr_movements" if account.arr_movements else "arr_snapshots"
        where = item.locate((form,))
        line = f", line {where.line}" if where.line else ""
        portfolio.problems.warn(
            item.locate(("contract", "arr")),
            f"contract ARR {fmt.money(account.contract.arr)} differs from the revenue history's "
            f"ARR at {as_of.isoformat()}, {fmt.money(from_history)} ({form}{line}); every "
            "document uses the history's",
            "contract.arr",
            hint="correct contract.arr, or add the missing movement to the history",
        )
        added += 1
    return added
