"""Money, numbers, percentages and dates for the workspace locale and currency (babel).

Used by the KPI engine for its warning texts and by every template, so a number reads the same
in every document.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qbrgen.labels import Labels

if TYPE_CHECKING:
    from qbrgen.config import Workspace


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 account', '3 accounts': a count and its noun, for command-line messages."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _decimal(value: float | int | Decimal, digits: int, locale: str) -> str:
    from babel.numbers import format_decimal

    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=locale)


@lru_cache(maxsize=4096)
def _small_int(value: int, locale: str) -> str:
    return _decimal(value, 0, locale)


@lru_cache(maxsize=8192)
def _date(value: dt.date, form: str, locale: str) -> str:
    # Warnings of a 10,000-account book name a few hundred distinct dates many times over.
    from babel.dates import format_date

    return format_date(value, format=form, locale=locale)


class Formatter:
    """Money, numbers, percentages and dates for the workspace locale and currency (babel),
    and display names for keys (`labels`)."""

    def __init__(self, locale: str = "en_US", currency: str = "USD", labels: Labels | None = None):
        self.locale = locale
        self.currency = currency
        self.labels = labels or Labels()

    @classmethod
    def for_config(cls, config: Workspace) -> Formatter:
        """The formatter of a workspace: its locale, currency and label overrides."""
        return cls(config.locale, config.currency, Labels(config.labels))

    def label(self, key: object, kind: str | None = None) -> str:
        """Display name of a key ('mid_market' -> 'Mid-market'); see qbrgen.labels."""
        return self.labels(key, kind)

    def money(self, value: Decimal | float | int | None, compact: bool = False) -> str:
        from babel.numbers import format_compact_currency, format_currency

        if value is None:
            return "n/a"
        if compact and abs(float(value)) >= 10_000:
            return format_compact_currency(
                value, self.currency, locale=self.locale, fraction_digits=1
            )
        return format_currency(
            value, self.currency, locale=self.locale, format="¤#,##0", currency_digits=False
        )

    def percent(self, value: float | None, digits: int = 0) -> str:
        from babel.numbers import format_percent

        if value is None:
            return "n/a"
        pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
        return format_percent(value, format=pattern, locale=self.locale)

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return "n/a"
        if isinstance(value, int) and -10_000 < value < 10_000:
            return _small_int(value, self.locale)  # day counts and the like: cached
        return _decimal(value, digits, self.locale)

    def points(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "n/a"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return f"{sign}{self.number(abs(value), digits)} pts"

    def date(self, value: dt.date | None, form: str = "medium") -> str:
        if value is None:
            return "n/a"
        if type(value) is dt.date:
            return _date(value, form, self.locale)
        from babel.dates import format_date

        return format_date(value, format=form, locale=self.locale)

    def kpi(self, value: Any, kind: str) -> str:
        """Format a KPI value by its kind (see kpis.definitions)."""
        if value is None:
            return "n/a"
        if kind == "ratio":
            return self.percent(value, 1 if isinstance(value, float) and abs(value) < 10 else 0)
        if kind == "money":
            return self.money(value)
        if kind == "days":
            return f"{self.number(value, 1)} days"
        if kind == "hours":
            return f"{self.number(value, 1)} h"
        if kind == "points":
            return self.points(value)
        if kind == "flag":
            return "yes" if value else "no"
        if kind == "score":
            return self.number(value, 0)
        return self.number(value) if isinstance(value, int | float | Decimal) else str(value)

    def plural(self, count: int, singular: str, plural: str | None = None) -> str:
        """'1 risk', '2 risks' (or the given plural form), with the count localised."""
        word = singular if count == 1 else (plural or singular + "s")
        return f"{self.number(count)} {word}"

    def filters(self) -> dict[str, Any]:
        return {
            "plural": self.plural,
            "money": self.money,
            "percent": self.percent,
            "number": self.number,
            "points": self.points,
            "date": self.date,
            "kpi": self.kpi,
            "label": self.label,
        }
