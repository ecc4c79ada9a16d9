"""Money, numbers, percentages and dates for the workspace locale and currency (babel).

Used by the KPI engine for its warning texts and by every template, so a number reads the same
in every document.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
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


def round_half_up(value: float | int | Decimal, digits: int = 0) -> Decimal:
    """`value` rounded to `digits` decimals, halves away from zero (35.5 -> 36), as a
    spreadsheet shows it: a float is first read to 15 significant digits, like Excel and
    LibreOffice do, so 0.604 / 0.8 × 100 (75.49999999999999 in binary) is the half it means."""
    exponent = Decimal(1).scaleb(-digits)
    if isinstance(value, float):
        number = Decimal(format(value, ".15g"))
    else:
        number = value if isinstance(value, Decimal) else Decimal(value)
    return number.quantize(exponent, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def _small_int(value: int, locale: str) -> str:
    return _decimal(value, 0, locale)


@lru_cache(maxsize=8192)
def _date(value: dt.date, form: str, locale: str) -> str:
    # Warnings of a 10,000-account book name a few hundred distinct dates many times over.
    from babel.dates import format_date

    return format_date(value, format=form, locale=locale)


KINDS = (
    "ratio",
    "money",
    "score",
    "score_points",
    "percentage_points",
    "count",
    "days",
    "hours",
    "nps",
    "csat",
    "flag",
    "text",
)
"""The kinds of KPI value; each has one display rule (kpi-definitions.md, Display)."""

_SIGNS = ("+", "\u2212", "±")
"""Plus, minus (U+2212) and plus-minus for a zero change: the sign of every trend."""


def _babel_pattern(pattern: str, decimals: int) -> str:
    """A locale's number pattern with exactly `decimals` fraction digits."""
    body = re.sub(r"\.[0#]+", "", pattern)
    if decimals:
        body = re.sub(r"(#,##0|0)(?![0#,])", lambda m: m.group(1) + "." + "0" * decimals, body)
    return body


def _excel_literal(text: str) -> str:
    """Literal text inside an Excel number format."""
    return '"' + text.replace('"', "") + '"' if text else ""


class Formatter:
    """Money, numbers, percentages and dates for the workspace locale and currency (babel),
    display names for keys (`labels`), and the one display rule of every KPI (`kpi`).

    Every renderer (deck, plan, scorecard, digest, CLI) formats KPIs here, and the scorecard
    takes its number formats from `excel_format`, so a value reads the same in every document.
    """

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

    # --- locale patterns ---------------------------------------------------------------------

    @property
    def _money_pattern(self) -> str:
        pattern = _LOCALE_PATTERNS.get(("money", self.locale))
        if pattern is None:
            from babel import Locale

            standard = Locale.parse(self.locale).currency_formats["standard"].pattern
            pattern = _LOCALE_PATTERNS[("money", self.locale)] = _babel_pattern(standard, 0)
        return pattern

    @property
    def _percent_pattern(self) -> str:
        pattern = _LOCALE_PATTERNS.get(("percent", self.locale))
        if pattern is None:
            from babel import Locale

            standard = Locale.parse(self.locale).percent_formats[None].pattern
            pattern = _LOCALE_PATTERNS[("percent", self.locale)] = _babel_pattern(standard, 1)
        return pattern

    # --- plain values --------------------------------------------------------------------------

    def money(self, value: Decimal | float | int | None, compact: bool = False) -> str:
        """Whole currency units in the locale's pattern ('$142,500'; '142.500 $' in de_DE)."""
        from babel.numbers import format_compact_currency, format_currency

        if value is None:
            return "n/a"
        if compact and abs(float(value)) >= 10_000:
            return format_compact_currency(
                value, self.currency, locale=self.locale, fraction_digits=1
            )
        return format_currency(
            round_half_up(value, 0),
            self.currency,
            locale=self.locale,
            format=self._money_pattern,
            currency_digits=False,
        )

    def percent(self, value: float | None, digits: int = 0) -> str:
        from babel.numbers import format_percent

        if value is None:
            return "n/a"
        pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
        return format_percent(round_half_up(value, digits + 2), format=pattern, locale=self.locale)

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return "n/a"
        if isinstance(value, int) and -10_000 < value < 10_000:
            return _small_int(value, self.locale)  # day counts and the like: cached
        return _decimal(round_half_up(value, digits), digits, self.locale)

    def points(self, value: float | None, digits: int = 1, unit: str = "pts") -> str:
        """A change with its sign: '+4.2 pts', '−3.0 pts', '±0.0 pts' (the sign is the raw
        value's, the magnitude rounded halves up: what a spreadsheet shows for the same value)."""
        if value is None:
            return "n/a"
        sign = _SIGNS[0] if value > 0 else (_SIGNS[1] if value < 0 else _SIGNS[2])
        return f"{sign}{self.number(abs(value), digits)} {unit}"

    def date(self, value: dt.date | None, form: str = "medium") -> str:
        if value is None:
            return "n/a"
        if type(value) is dt.date:
            return _date(value, form, self.locale)
        from babel.dates import format_date

        return format_date(value, format=form, locale=self.locale)

    def plural(self, count: int, singular: str, plural: str | None = None) -> str:
        """'1 risk', '2 risks' (or the given plural form), with the count localised."""
        word = singular if count == 1 else (plural or singular + "s")
        return f"{self.number(count)} {word}"

    # --- KPIs ----------------------------------------------------------------------------------

    def kpi(self, value: Any, kind_or_key: str, unit: str | None = None) -> str:
        """A KPI value by its display rule: give the KPI key ('health_score', 'grr_q') or a kind
        (see KINDS). Health as a whole number, ratios as % with one decimal, trends with a sign
        and one decimal (pp for percentage points, pts for score points), money in whole
        units, counts with their unit."""
        kind, unit = _rule(kind_or_key, unit)
        if value is None:
            return "n/a"
        if kind == "ratio":
            return format_percent_1(self, value)
        if kind == "money":
            return self.money(value)
        if kind == "score":
            return self.number(value, 0)
        if kind == "score_points":
            return self.points(value, 1, "pts")
        if kind == "percentage_points":
            return self.points(value, 1, "pp")
        if kind == "count":
            if unit:
                word = unit if value == 1 else _plural_unit(unit)
                return f"{self.number(value, 0 if isinstance(value, int) else 1)} {word}"
            return self.number(value)
        if kind == "days":
            return f"{self.number(value, 1)} days"
        if kind == "hours":
            return f"{self.number(value, 1)} h"
        if kind == "nps":
            return self.number(value, 0)
        if kind == "csat":
            return f"{self.number(value, 1)} of 5"
        if kind == "flag":
            return "yes" if value else "no"
        return self.number(value) if isinstance(value, int | float | Decimal) else str(value)

    def excel_format(self, kind_or_key: str, unit: str | None = None) -> str | None:
        """The Excel number format that displays a stored value exactly as `kpi` writes it
        (for the scorecard, which stores numbers, never text)."""
        kind, unit = _rule(kind_or_key, unit)
        if kind == "ratio":
            return _excel_number(self._percent_pattern)
        if kind == "money":
            from babel.numbers import get_currency_symbol

            symbol = get_currency_symbol(self.currency, locale=self.locale)
            return _excel_number(self._money_pattern, symbol, red_negative=True)
        if kind in ("score", "nps"):
            return "0"
        if kind in ("score_points", "percentage_points"):
            suffix = _excel_literal(" pts" if kind == "score_points" else " pp")
            signs = [_excel_literal(s) for s in _SIGNS]
            return ";".join(f"{sign}0.0{suffix}" for sign in signs)
        if kind == "count":
            if unit:
                return (
                    f"[=1]0{_excel_literal(' ' + unit)};"
                    f"#,##0{_excel_literal(' ' + _plural_unit(unit))}"
                )
            return "#,##0"
        if kind == "days":
            return "0.0" + _excel_literal(" days")
        if kind == "hours":
            return "0.0" + _excel_literal(" h")
        if kind == "csat":
            return "0.0" + _excel_literal(" of 5")
        return None

    def signed_money_excel_format(self) -> str:
        """An Excel format for a change in money: '+$1,200', '-$300'."""
        plain = (self.excel_format("money") or "").split(";")[0]
        return f"+{plain};-{plain};{plain}"

    def health_trend(self, values: dict[str, Any]) -> str:
        """The health trend as documents write it, naming what it compared:
        '+4.2 pts vs 15 Jul 2026 (adoption, sentiment, support compared)' or
        '−3.0 pts vs the score recorded on 13 Jul 2026'; 'n/a (reason)' without one."""
        trend = values.get("health_trend")
        if trend is None:
            return "n/a"
        since = self.date(values.get("health_trend_since"))
        text = self.kpi(trend, "score_points")
        if values.get("health_trend_basis") == "recorded":
            return f"{text} vs the score recorded on {since}"
        compared = ", ".join(
            self.label(c, "components").lower() for c in values.get("health_trend_components") or []
        )
        return f"{text} vs {since} ({compared} compared)"

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


_LOCALE_PATTERNS: dict[tuple[str, str], str] = {}


def _plural_unit(unit: str) -> str:
    """'active stakeholder' -> 'active stakeholders', 'open escalation' -> 'open escalations'."""
    return unit[:-1] + "ies" if unit.endswith("y") and unit[-2:-1] not in "aeiou" else unit + "s"


def _rule(kind_or_key: str, unit: str | None) -> tuple[str, str | None]:
    """(kind, unit) for a KPI key (its definition's) or a kind given directly."""
    if kind_or_key in KINDS:
        return kind_or_key, unit
    from qbrgen.kpis.definitions import definition_of

    definition = definition_of(kind_or_key)
    if definition is None:
        return "text", unit
    return definition.kind, unit or definition.unit


def format_percent_1(fmt: Formatter, value: float) -> str:
    """A ratio as a percentage with one decimal in the locale's pattern ('12.3%')."""
    from babel.numbers import format_percent

    return format_percent(round_half_up(value, 3), format=fmt._percent_pattern, locale=fmt.locale)


def _excel_number(pattern: str, symbol: str = "", red_negative: bool = False) -> str:
    """A babel number pattern (positive part) as an Excel number format: digits, separators and
    % kept, the currency sign replaced by its symbol, any other text quoted."""
    positive = pattern.split(";")[0]
    out: list[str] = []
    literal = ""
    for char in positive:
        if char in "#0,.%":
            if literal:
                out.append(_excel_literal(literal))
                literal = ""
            out.append(char)
        elif char == "¤":
            literal += symbol
        else:
            literal += char
    if literal:
        out.append(_excel_literal(literal))
    text = "".join(out)
    if red_negative:
        return f"{text};[Red]-{text}"
    return text
