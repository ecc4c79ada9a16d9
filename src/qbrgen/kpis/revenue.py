"""Revenue history as movements, whichever form the input gave it in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from qbrgen.kpis.periods import Quarter, Window
from qbrgen.models import Account

ZERO = Decimal(0)
_UP = ("new", "expansion", "reactivation")


@dataclass(frozen=True)
class Movement:
    """One ARR change: positive amount, direction from the type."""

    date: dt.date
    type: str
    amount: Decimal

    @property
    def signed(self) -> Decimal:
        return self.amount if self.type in _UP else -self.amount


def movements_from_snapshots(snapshots: list[tuple[Quarter, Decimal]]) -> list[Movement]:
    """Per the definitions: a rise is expansion (new for the first ARR, reactivation after
    a churn), a fall to a positive value is contraction, a fall to zero is churn. Each
    movement is dated at the end of the quarter whose snapshot shows it."""
    moves: list[Movement] = []
    previous = ZERO
    churned = False
    for quarter, arr in sorted(snapshots):
        day = quarter.end
        if arr > previous:
            kind = ("reactivation" if churned else "new") if previous == ZERO else "expansion"
            moves.append(Movement(day, kind, arr - previous))
        elif arr < previous:
            if arr == ZERO:
                moves.append(Movement(day, "churn", previous))
                churned = True
            else:
                moves.append(Movement(day, "contraction", previous - arr))
        previous = arr
    return moves


@dataclass
class RevenueHistory:
    """An account's ARR movements, and whether they came from real history."""

    movements: list[Movement]
    recorded: bool
    """False when the account gave no history and ARR comes from the contract alone."""

    @classmethod
    def of(cls, account: Account) -> RevenueHistory:
        if account.arr_movements:
            moves = [Movement(m.date, m.type, m.amount) for m in account.arr_movements]
            return cls(sorted(moves, key=lambda m: m.date), True)
        if account.arr_snapshots:
            snaps = [(Quarter.parse(s.quarter), s.arr) for s in account.arr_snapshots]
            return cls(movements_from_snapshots(snaps), True)
        contract = account.contract
        return cls([Movement(contract.start_date, "new", contract.arr)], False)

    def arr_at(self, day: dt.date) -> Decimal:
        """ARR at the end of `day`: the sum of movements up to and including it."""
        return sum((m.signed for m in self.movements if m.date <= day), ZERO)

    def in_window(self, window: Window, *types: str) -> Decimal:
        """Sum of movements of the given types dated inside `window`."""
        return sum(
            (m.amount for m in self.movements if m.type in types and window.contains(m.date)),
            ZERO,
        )
