"""Revenue history as movements, whichever form the input gave it in."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
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
    """Oldest first (sorted on creation; same-day movements keep their order)."""
    recorded: bool
    """False when the account gave no history and ARR comes from the contract alone."""
    _dates: list[dt.date] = field(init=False, repr=False)
    _running: list[Decimal] = field(init=False, repr=False)
    """ARR after each movement: arr_at is a binary search (the engine asks ~40 times per account)."""
    sums: dict[tuple[dt.date, dt.date], object] = field(default_factory=dict, repr=False)
    """The engine's money sums per window, kept so the portfolio pass reuses the account's."""

    def __post_init__(self) -> None:
        self.movements = sorted(self.movements, key=lambda m: m.date)
        self._dates = [m.date for m in self.movements]
        total = ZERO
        self._running = []
        for move in self.movements:
            total += move.signed
            self._running.append(total)

    @classmethod
    def of(cls, account: Account) -> RevenueHistory:
        if account.arr_movements:
            moves = [Movement(m.date, m.type, m.amount) for m in account.arr_movements]
            return cls(moves, True)
        if account.arr_snapshots:
            snaps = [(Quarter.parse(s.quarter), s.arr) for s in account.arr_snapshots]
            return cls(movements_from_snapshots(snaps), True)
        # No history: the contract is the evidence, ARR = contract.arr from its start date on.
        contract = account.contract
        return cls([Movement(contract.start_date, "new", contract.arr)], False)

    @property
    def first_arr_day(self) -> dt.date | None:
        """The first day the account had ARR above zero (None if it never had)."""
        for day, total in zip(self._dates, self._running, strict=True):
            if total > 0:
                return day
        return None

    def churned_by(self, day: dt.date) -> bool:
        """True when the account had ARR and it had fallen to zero by the end of `day`."""
        first = self.first_arr_day
        return first is not None and first <= day and self.arr_at(day) <= 0

    def arr_at(self, day: dt.date) -> Decimal:
        """ARR at the end of `day`: the sum of movements up to and including it."""
        index = bisect_right(self._dates, day)
        return self._running[index - 1] if index else ZERO

    def in_window(self, window: Window, *types: str) -> Decimal:
        """Sum of movements of the given types dated inside `window`."""
        total = ZERO
        start, end = window.start, window.end
        for move in self.movements[bisect_right(self._dates, start) :]:
            if move.date > end:
                break
            if move.type in types:
                total += move.amount
        return total
