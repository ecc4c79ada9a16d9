"""Calendar quarters and the windows KPIs are measured over."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@lru_cache(maxsize=512)
def _bounds(year: int, number: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter (cached: the engine asks millions of times)."""
    month = 3 * number
    return dt.date(year, month - 2, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. 2026-Q3."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text)
        if not match:
            raise ValueError(f"expected a quarter like '2026-Q3', got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return _bounds(self.year, self.number)[0]

    @property
    def end(self) -> dt.date:
        return _bounds(self.year, self.number)[1]

    def shift(self, quarters: int) -> Quarter:
        return _shifted(self, quarters)

    def prev(self) -> Quarter:
        return self.shift(-1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@lru_cache(maxsize=4096)
def _shifted(quarter: Quarter, quarters: int) -> Quarter:
    index = quarter.year * 4 + (quarter.number - 1) + quarters
    return Quarter(index // 4, index % 4 + 1)


@dataclass(frozen=True)
class Window:
    """A half-open period (start, end]: movements dated after `start` up to and including `end`."""

    name: str
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start < day <= self.end


def review_quarter(as_of: dt.date, configured: str | None = None) -> Quarter:
    """The configured quarter, else the latest complete quarter ending on or before `as_of`."""
    if configured:
        return Quarter.parse(configured)
    current = Quarter.of(as_of)
    return current if as_of == current.end else current.prev()


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Periods:
    """All the dates one run measures against: as_of, Q, the TTM window W, and Q-1."""

    as_of: dt.date
    quarter: Quarter

    # Computed once per run (the engine reads them tens of thousands of times).
    @cached_property
    def ttm(self) -> Window:
        return Window("ttm", self.quarter.shift(-4).end, self.quarter.end)

    @cached_property
    def q(self) -> Window:
        return Window("q", self.quarter.prev().end, self.quarter.end)

    @cached_property
    def prev_q(self) -> Window:
        return Window("prev_q", self.quarter.shift(-2).end, self.quarter.prev().end)

    def recent_quarters(self, count: int = 5) -> list[Quarter]:
        """The review quarter and the ones before it, oldest first."""
        return list(_recent(self.quarter, count))


@lru_cache(maxsize=64)
def _recent(quarter: Quarter, count: int) -> tuple[Quarter, ...]:
    return tuple(quarter.shift(-i) for i in range(count - 1, -1, -1))
