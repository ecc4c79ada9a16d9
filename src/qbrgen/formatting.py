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


_DECIMALS: dict[tuple[type, str, int, str], str] = {}
"""Numbers already written, by (type, text, digits, locale): babel takes ~100 µs a number, and
a 10,000-account scorecard writes as many health trends from a few thousand values."""


def _decimal(value: float | int | Decimal, digits: int, locale: str) -> str:
    key = (type(value), str(value), digits, locale)  # the text keeps -0.0 apart from 0.0
    text = _DECIMALS.get(key)
    if text is None:
        from babel.numbers import format_decimal

        pattern = locale_pattern("decimal", locale, digits)
        text = format_decimal(value, format=pattern, locale=locale)
        if len(_DECIMALS) < 50_000:
            _DECIMALS[key] = text
    return text


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


@lru_cache(maxsize=256)
def _quarter(year: int, number: int, language: str, locale: str) -> str:
    from babel.dates import format_skeleton

    skeleton = "yQQQQ" if language == "ja" else "yQQQ"
    return format_skeleton(skeleton, dt.date(year, 3 * number - 2, 1), locale=locale)


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


@lru_cache(maxsize=256)
def locale_pattern(kind: str, locale: str, digits: int) -> str:
    """The locale's CLDR pattern for `kind` ("money", "percent" or "decimal") with exactly
    `digits` fraction digits: '#,##0.00 ¤' -> '#,##0 ¤' (de_DE money, whole units),
    '#,##0 %' -> '#,##0.0 %' (de_DE percent, one decimal), '#,##,##0.###' -> '#,##,##0.0'."""
    from babel import Locale

    data = Locale.parse(locale)
    if kind == "money":
        standard = data.currency_formats["standard"].pattern
    elif kind == "percent":
        standard = data.percent_formats[None].pattern
    else:
        standard = data.decimal_formats[None].pattern
    return _babel_pattern(standard, digits)


def _excel_literal(text: str) -> str:
    """Literal text inside an Excel number format."""
    return '"' + text.replace('"', "") + '"' if text else ""


def _excel_affix(text: str, symbol: str) -> str:
    """A pattern's prefix or suffix as Excel format text: the currency sign (¤) replaced by
    `symbol`, % kept as Excel's percent sign (it scales by 100 as CLDR's does), the rest quoted."""
    parts = re.split(r"(%)", text.replace("¤", symbol))
    return "".join(part if part == "%" else _excel_literal(part) for part in parts)


def excel_number_format(pattern: str, symbol: str = "", negative: str = "minus") -> str:
    """The Excel number format that shows a number as the CLDR `pattern` does, the one place
    a babel pattern becomes an Excel format (scorecard cells, kit trackers, deck chart axes).

    Digits, grouping and fraction digits come from the pattern, the currency sign (¤) becomes
    `symbol`, other affixes are quoted. Excel format codes always write ',' for grouping and
    '.' for decimals, so the affixes carry the locale. `negative`: "minus" writes the
    pattern's own negative form ('-142.500 €', 'CHF-1'), "red" the same in red, "signed" a
    '+' before positive changes. Indian grouping (CLDR '#,##,##0', lakh and crore) has no
    Excel digit pattern, so it becomes two conditions (>= 1 crore, >= 1 lakh) and the rest.
    """
    from babel.numbers import parse_pattern

    parsed = parse_pattern(pattern)
    primary, secondary = parsed.grouping
    fraction = "." + "0" * parsed.frac_prec[0] if parsed.frac_prec[0] else ""
    prefix, negative_prefix = parsed.prefix
    suffix, negative_suffix = (_excel_affix(a, symbol) for a in parsed.suffix)
    if primary == 3 and secondary == 2 and not parsed.scale:
        before = _excel_affix(prefix, symbol)
        sections = [
            f"[>=10000000]{before}##\\,##\\,##\\,##0{fraction}{suffix}",
            f"[>=100000]{before}##\\,##\\,##0{fraction}{suffix}",
            f"{before}#,##0{fraction}{suffix}",
        ]
        return ";".join(sections)
    digits = ("#,##0" if primary < 1000 else "0") + fraction
    positive = f"{_excel_affix(prefix, symbol)}{digits}{suffix}"
    minus = f"{_excel_affix(negative_prefix, symbol)}{digits}{negative_suffix}"
    if negative == "red":
        return f"{positive};[Red]{minus}"
    if negative == "signed":
        return f"{_excel_affix('+' + prefix, symbol)}{digits}{suffix};{minus};{positive}"
    if negative_prefix == "-" + prefix and negative_suffix == suffix:
        return positive  # Excel's own minus sign is the pattern's
    return f"{positive};{minus}"


_EXCEL_DATE_FIELDS = {"y": "yyyy", "M": "m", "MM": "mm", "d": "d", "dd": "dd"}


@lru_cache(maxsize=64)
def excel_date_format(locale: str) -> str:
    """The Excel format of a date as the locale writes it in figures (CLDR's short date with
    a four-digit year): 'm/d/yyyy' (en_US), 'dd\\.mm\\.yyyy' (de_DE), 'yyyy\\/mm\\/dd' (ja_JP).
    Separators are escaped so Excel shows them as written, not as the viewer's date separator."""
    from babel import Locale

    pattern = Locale.parse(locale).date_formats["short"].pattern
    out = []
    for token in re.findall(r"'[^']*'|y+|M+|d+|L+|.", pattern):
        if token[0] in "yMdL":
            key = "y" if token[0] == "y" else token.replace("L", "M")
            out.append(_EXCEL_DATE_FIELDS.get(key, key.lower()))
        elif token.startswith("'"):
            out.append(_excel_literal(token.strip("'")))
        else:
            out.append("\\" + token)
    return "".join(out)


class Formatter:
    """Money, numbers, percentages and dates for the workspace locale and currency (babel),
    display names for keys (`labels`), and the one display rule of every KPI (`kpi`).

    Every renderer (deck, plan, scorecard, digest, CLI) formats KPIs here, and the scorecard
    takes its number formats from `excel_format`, so a value reads the same in every document.
    """

    def __init__(
        self,
        locale: str = "en_US",
        currency: str = "USD",
        labels: Labels | None = None,
        language: str = "en",
    ):
        self.locale = locale
        self.currency = currency
        self.labels = labels or Labels()
        self.language = language
        """The language of the words (ISO 639-1); `locale` sets the numbers and dates."""

    @property
    def language_tag(self) -> str:
        """BCP 47 tag of the text's language, for the PDF /Lang, <html lang> and the deck's
        runs: the locale's tag when the locale speaks that language ('de-DE'), else the
        language alone ('en' for English text with German numbers)."""
        if self.locale.split("_")[0] == self.language:
            return self.locale.replace("_", "-")
        return self.language

    @classmethod
    def for_config(cls, config: Workspace, language: str | None = None) -> Formatter:
        """The formatter of a workspace: its locale, currency and label overrides, for text in
        `language` (default the workspace's `language`, that of its internal documents)."""
        from qbrgen.i18n import locale_for

        language = language or config.language
        return cls(
            locale_for(config.locale, language), config.currency, Labels(config.labels), language
        )

    # --- words ---------------------------------------------------------------------------------

    @property
    def translations(self) -> Any:
        """The compiled catalog of the formatter's language (loaded on first use)."""
        from qbrgen.i18n import translations

        return translations(self.language)

    def translate(self, message: str) -> str:
        """`message` (an English message id) from the catalog, placeholders left in; a
        reason with values (`qbrgen.kpis.reasons.Reason`) written in the language, values
        filled in."""
        localized = getattr(message, "localized", None)
        if localized is not None:
            return str(localized(self))
        if self.language == "en" or not message:  # '' would be the catalog's header
            return message
        return str(self.translations.gettext(message))

    def translate_plural(self, singular: str, plural: str, count: int) -> str:
        """The catalog's plural form of a message for `count`, placeholders left in."""
        if self.language == "en":
            return singular if count == 1 else plural
        return self.translations.ngettext(singular, plural, count)

    def translate_context(self, context: str, message: str) -> str:
        """`message` as the catalog translates it in `context` (pgettext: the same English
        word meaning two things, a week number beside 'this week')."""
        if self.language == "en":
            return message
        return str(self.translations.pgettext(context, message))

    def gettext(self, message: str, **values: Any) -> str:
        """`message` (English) in the document's language, `values` filled in by name."""
        text = self.translate(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The catalog's plural form for `count` ('%(num)s risk' / '%(num)s risks'); `num` is
        the count in the locale's figures."""
        text = self.translate_plural(singular, plural, count)
        return text % {"num": self.number(count), **values}

    def label(self, key: object, kind: str | None = None) -> str:
        """Display name of a key ('mid_market' -> 'Mid-market'); see qbrgen.labels."""
        return self.labels(key, kind, self.translate)

    # --- locale patterns ---------------------------------------------------------------------

    @property
    def _money_pattern(self) -> str:
        return locale_pattern("money", self.locale, 0)

    @property
    def _percent_pattern(self) -> str:
        return locale_pattern("percent", self.locale, 1)

    # --- plain values --------------------------------------------------------------------------

    def money(self, value: Decimal | float | int | None, compact: bool = False) -> str:
        """Whole currency units in the locale's pattern ('$142,500'; '142.500 $' in de_DE)."""
        from babel.numbers import format_compact_currency, format_currency

        if value is None:
            return self.gettext("n/a")
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
        """A ratio as a percentage in the locale's pattern ('61%'; '61 %' in de_DE)."""
        from babel.numbers import format_percent

        if value is None:
            return self.gettext("n/a")
        pattern = locale_pattern("percent", self.locale, digits)
        return format_percent(round_half_up(value, digits + 2), format=pattern, locale=self.locale)

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return self.gettext("n/a")
        if isinstance(value, int) and -10_000 < value < 10_000:
            return _small_int(value, self.locale)  # day counts and the like: cached
        return _decimal(round_half_up(value, digits), digits, self.locale)

    def points(self, value: float | None, digits: int = 1, unit: str = "pts") -> str:
        """A change with its sign: '+4.2 pts', '−3.0 pts', '±0.0 pts' (the sign is the raw
        value's, the magnitude rounded halves up: what a spreadsheet shows for the same value)."""
        if value is None:
            return self.gettext("n/a")
        sign = _SIGNS[0] if value > 0 else (_SIGNS[1] if value < 0 else _SIGNS[2])
        return f"{sign}{self.number(abs(value), digits)} {unit}"

    def date(self, value: dt.date | None, form: str = "medium") -> str:
        if value is None:
            return self.gettext("n/a")
        if type(value) is dt.date:
            return _date(value, form, self.locale)
        from babel.dates import format_date

        return format_date(value, format=form, locale=self.locale)

    def month(self, value: dt.date) -> str:
        """A month as the locale writes it: 'Oct 2026', 'Okt. 2026', '2026年10月'."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMM", value, locale=self.locale)

    def quarter(self, value: object) -> str:
        """A quarter ('2026-Q3', or a Quarter) as the language writes it, from CLDR's quarter
        formats: 'Q3 2026' (de), 'T3 2026' (fr, es), '2026年第3四半期' (ja: CLDR's short
        form '2026/Q3' is not what a Japanese reader writes, so the long one). English keeps
        qbrgen's '2026-Q3', as in file names; text that is not a quarter is returned as is."""
        text = str(value)
        found = re.fullmatch(r"(\d{4})-Q([1-4])", text)
        if self.language == "en" or found is None:
            return text
        return _quarter(int(found.group(1)), int(found.group(2)), self.language, self.locale)

    def day_month(self, value: dt.date, weekday: bool = False) -> str:
        """A day without its year as the locale writes it ('12. Okt.', 'Mo., 12. Okt.',
        '10月12日(月)'); English keeps 'Oct 12' and 'Mon 12 Oct' as before."""
        if self.language == "en":
            return self.date(value, "EEE d MMM" if weekday else "MMM d")
        from babel.dates import format_skeleton

        return format_skeleton("MMMEd" if weekday else "MMMd", value, locale=self.locale)

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
            return self.gettext("n/a")
        if kind == "ratio":
            return format_percent_1(self, value)
        if kind == "money":
            return self.money(value)
        if kind == "score":
            return self.number(value, 0)
        if kind == "score_points":
            return self.points(value, 1, self.gettext("pts"))
        if kind == "percentage_points":
            return self.points(value, 1, self.gettext("pp"))
        if kind == "count":
            if unit:
                digits = 0 if isinstance(value, int) else 1
                if self.language != "en":  # the catalog's words and plural forms
                    text = self.translate_plural(
                        f"%(num)s {unit}", f"%(num)s {_plural_unit(unit)}", int(value)
                    )
                    return text % {"num": self.number(value, digits)}
                word = unit if value == 1 else _plural_unit(unit)
                return f"{self.number(value, digits)} {word}"
            return self.number(value)
        if kind == "days":
            return self.gettext("%(value)s days", value=self.number(value, 1))
        if kind == "hours":
            return self.gettext("%(value)s h", value=self.number(value, 1))
        if kind == "nps":
            return self.number(value, 0)
        if kind == "csat":
            return self.gettext("%(value)s of 5", value=self.number(value, 1))
        if kind == "flag":
            return self.gettext("yes") if value else self.gettext("no")
        return self.number(value) if isinstance(value, int | float | Decimal) else str(value)

    def excel_format(self, kind_or_key: str, unit: str | None = None) -> str | None:
        """The Excel number format that displays a stored value exactly as `kpi` writes it
        (for the scorecard, which stores numbers, never text)."""
        kind, unit = _rule(kind_or_key, unit)
        if kind == "ratio":
            return self.excel_percent(1)
        if kind == "money":
            return self.excel_money("red")
        if kind in ("score", "nps"):
            return "0"
        if kind in ("score_points", "percentage_points"):
            unit = self.gettext("pts") if kind == "score_points" else self.gettext("pp")
            suffix = _excel_literal(" " + unit)
            signs = [_excel_literal(s) for s in _SIGNS]
            return ";".join(f"{sign}0.0{suffix}" for sign in signs)
        if kind == "count":
            if unit:
                return self._excel_counted(f"%(num)s {unit}", f"%(num)s {_plural_unit(unit)}")
            return "#,##0"
        if kind == "days":
            return self.excel_around("%(value)s days", "0.0")
        if kind == "hours":
            return self.excel_around("%(value)s h", "0.0")
        if kind == "csat":
            return self.excel_around("%(value)s of 5", "0.0")
        return None

    def excel_around(self, message: str, digits: str, name: str = "value") -> str:
        """An Excel format writing a number as the translated `message` does around its
        placeholder: '%(value)s days' -> '0.0" Tage"' (de), '0.0"日"' (ja)."""
        before, _, after = self.translate(message).partition(f"%({name})s")
        return f"{_excel_literal(before)}{digits}{_excel_literal(after)}"

    def _excel_counted(self, singular: str, plural: str) -> str:
        """A count with its noun in the catalog's plural forms for 0, 1 and more (two Excel
        conditions at most: 'one' as [=1] or, where 0 is singular too (French), [<2])."""
        forms = [self.translate_plural(singular, plural, n) for n in (0, 1, 2)]
        one = self.excel_around(forms[1], "0", "num")
        many = self.excel_around(forms[2], "#,##0", "num")
        if forms[1] == forms[2]:
            return self.excel_around(forms[2], "#,##0", "num")
        if forms[0] == forms[1]:
            return f"[<2]{one};{many}"
        return f"[=1]{one};{many}"

    def signed_money_excel_format(self) -> str:
        """An Excel format for a change in money: '+$1,200', '-$300'."""
        return self.excel_money("signed")

    def excel_money(self, negative: str = "minus") -> str:
        """The Excel format of whole amounts in the workspace currency and locale ('"$"#,##0',
        '#,##0" €"'): the scorecard's money cells and the deck's money axes alike."""
        from babel.numbers import get_currency_symbol

        symbol = get_currency_symbol(self.currency, locale=self.locale)
        return excel_number_format(self._money_pattern, symbol, negative)

    def excel_percent(self, digits: int = 0) -> str:
        """The Excel format of a ratio as the locale writes percentages ('0%', '0 %')."""
        return excel_number_format(locale_pattern("percent", self.locale, digits))

    def excel_date(self) -> str:
        """The Excel format of a date in the locale's figures (see `excel_date_format`)."""
        return excel_date_format(self.locale)

    def health_trend(self, values: dict[str, Any]) -> str:
        """The health trend as documents write it, naming what it compared:
        '+4.2 pts vs 15 Jul 2026 (adoption, sentiment, support compared)' or
        '−3.0 pts vs the score recorded on 13 Jul 2026'; 'n/a (reason)' without one."""
        trend = values.get("health_trend")
        if trend is None:
            return self.gettext("n/a")
        since = self.date(values.get("health_trend_since"))
        text = self.kpi(trend, "score_points")
        if values.get("health_trend_basis") == "recorded":
            return self.gettext(
                "%(change)s vs the score recorded on %(date)s", change=text, date=since
            )
        compared = self.join(
            [
                self.lower_first(self.label(c, "components"))
                for c in values.get("health_trend_components") or []
            ]
        )
        return self.gettext(
            "%(change)s vs %(date)s (%(components)s compared)",
            change=text,
            date=since,
            components=compared,
        )

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
            "lower_first": self.lower_first,
            "quarter": self.quarter,
        }

    def sentences(self, *parts: str) -> str:
        """Sentences one after another: a space between them, none in Japanese (its full stop
        。 ends a sentence without one)."""
        return ("" if self.language == "ja" else " ").join(part for part in parts if part)

    def join(self, items: list[str]) -> str:
        """Items of a list in a sentence: 'a, b, c' in English (as before), the language's own
        list pattern otherwise (CLDR: 'a, b und c', 'a、b、c')."""
        if self.language == "en" or len(items) < 2:
            return ", ".join(items)
        from babel.lists import format_list

        return format_list(items, locale=self.locale)

    def lower_first(self, text: str) -> str:
        """`text` to continue a sentence: its first letter lower-cased where the language
        does that ('Data export' -> 'data export'); German nouns and scripts without case
        keep theirs."""
        if not text or self.language in ("de", "ja"):
            return text
        return text[:1].lower() + text[1:]


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
