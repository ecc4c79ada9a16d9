"""Locale-correct numbers: money, percentages, numbers and dates from the CLDR patterns (Babel),
and the Excel number formats derived from the same patterns, read back through LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import soffice_convert
from qbrgen.formatting import Formatter, excel_date_format, excel_number_format

NBSP, NNBSP = "\u00a0", "\u202f"

SHIPPED = [("en_US", "USD"), ("de_DE", "EUR"), ("fr_FR", "EUR"), ("es_ES", "EUR"), ("ja_JP", "JPY")]
CURRENCIES = [("de_CH", "CHF"), ("en_GB", "GBP"), ("en_IN", "INR"), ("ja_JP", "JPY")]


@pytest.mark.parametrize(
    ("locale", "currency", "money", "negative", "ratio", "percent", "number"),
    [
        ("en_US", "USD", "$142,500", "-$142,500", "60.8%", "61%", "1,234,567.5"),
        ("de_DE", "EUR", f"142.500{NBSP}€", f"-142.500{NBSP}€", f"60,8{NBSP}%", f"61{NBSP}%",
         "1.234.567,5"),
        ("fr_FR", "EUR", f"142{NNBSP}500{NBSP}€", f"-142{NNBSP}500{NBSP}€", f"60,8{NBSP}%",
         f"61{NBSP}%", f"1{NNBSP}234{NNBSP}567,5"),
        ("es_ES", "EUR", f"142.500{NBSP}€", f"-142.500{NBSP}€", f"60,8{NBSP}%", f"61{NBSP}%",
         "1.234.567,5"),
        ("ja_JP", "JPY", "￥142,500", "-￥142,500", "60.8%", "61%", "1,234,567.5"),
        ("de_CH", "CHF", f"CHF{NBSP}142’500", "CHF-142’500", "60.8%", "61%", "999’999.5"),
        ("en_GB", "GBP", "£142,500", "-£142,500", "60.8%", "61%", "1,234,567.5"),
        ("en_IN", "INR", "₹1,42,500", "-₹1,42,500", "60.8%", "61%", "12,34,567.5"),
    ],
)  # fmt: skip
def test_text_follows_the_cldr_patterns(
    locale: str, currency: str, money: str, negative: str, ratio: str, percent: str, number: str
) -> None:
    fmt = Formatter(locale, currency)
    assert fmt.money(Decimal("142500.40")) == money.replace("’", _group(locale))
    assert fmt.money(-142500) == negative.replace("’", _group(locale))
    assert fmt.kpi(0.6075, "ratio") == ratio  # halves up: 60.75 -> 60.8
    assert fmt.percent(0.605) == percent
    value = 999_999.5 if locale == "de_CH" else 1_234_567.5  # Babel drops de_CH's millions groups
    assert fmt.number(value, 1) == number.replace("’", _group(locale))


def _group(locale: str) -> str:
    from babel.numbers import get_group_symbol

    return get_group_symbol(locale)


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("en_US", "USD", '"$"#,##0;[Red]"-$"#,##0'),
        ("de_DE", "EUR", f'#,##0"{NBSP}€";[Red]"-"#,##0"{NBSP}€"'),
        ("fr_FR", "EUR", f'#,##0"{NBSP}€";[Red]"-"#,##0"{NBSP}€"'),
        ("es_ES", "EUR", f'#,##0"{NBSP}€";[Red]"-"#,##0"{NBSP}€"'),
        ("ja_JP", "JPY", '"￥"#,##0;[Red]"-￥"#,##0'),
        ("de_CH", "CHF", f'"CHF{NBSP}"#,##0;[Red]"CHF-"#,##0'),
        ("en_GB", "GBP", '"£"#,##0;[Red]"-£"#,##0'),
        ("en_IN", "INR", '[>=10000000]"₹"##\\,##\\,##\\,##0;[>=100000]"₹"##\\,##\\,##0;"₹"#,##0'),
    ],
)
def test_the_excel_money_format_is_the_cldr_pattern(
    locale: str, currency: str, expected: str
) -> None:
    fmt = Formatter(locale, currency)
    assert fmt.excel_format("money") == expected
    assert fmt.excel_money("red") == expected


def test_one_excel_format_for_the_scorecard_and_the_deck_axes() -> None:
    from qbrgen.config import Workspace
    from qbrgen.palette import Palette
    from qbrgen.render._pptx_charts import arr_chart, utilisation_chart

    fmt = Formatter("de_DE", "EUR")
    palette = Palette(Workspace().branding.colours)
    series = {"quarters": ["Q1", "Q2"], "arr": [100.0, 120.0], "utilisation": [0.5, 0.6]}
    arr = arr_chart(series, fmt, palette)
    utilisation = utilisation_chart(series, fmt, palette)
    assert arr.number_format == fmt.excel_money() == f'#,##0"{NBSP}€"'  # type: ignore[union-attr]
    assert utilisation.number_format == f'#,##0"{NBSP}"%'  # type: ignore[union-attr]
    assert fmt.excel_format("ratio") == f'#,##0.0"{NBSP}"%'


@pytest.mark.parametrize(("locale", "currency"), SHIPPED + CURRENCIES)
def test_the_excel_percent_format_is_the_cldr_pattern(locale: str, currency: str) -> None:
    fmt = Formatter(locale, currency)
    space = f'"{NBSP}"' if locale in ("de_DE", "fr_FR", "es_ES") else ""  # 61 %; CHF: 61%
    assert fmt.excel_percent(0) == f"#,##0{space}%"
    assert fmt.excel_format("ratio") == f"#,##0.0{space}%"


@pytest.mark.parametrize(
    ("language", "locale", "kind", "expected"),
    [
        ("de", "de_DE", "days", '0.0" Tage"'),
        ("fr", "fr_FR", "csat", '0.0" sur 5"'),
        ("ja", "ja_JP", "days", '0.0"日"'),
        ("de", "de_DE", "open_escalations",
         '[=1]0" offene Eskalation";#,##0" offene Eskalationen"'),
        ("fr", "fr_FR", "open_escalations",  # 0 and 1 take the singular in French
         '[<2]0" escalade en cours";#,##0" escalades en cours"'),
        ("ja", "ja_JP", "open_escalations", '"未解決のエスカレーション"#,##0"件"'),
        ("en", "en_US", "open_escalations", '[=1]0" open escalation";#,##0" open escalations"'),
    ],
)  # fmt: skip
def test_excel_units_are_the_catalogs_words(
    language: str, locale: str, kind: str, expected: str
) -> None:
    """A cell's unit reads as the document's text does: the catalog's words and plural forms."""
    fmt = Formatter(locale, "EUR", language=language)
    assert fmt.excel_format(kind) == expected
    literal = "".join(expected.split('"')[1::2])  # the quoted words of every section
    assert fmt.kpi(2, kind).replace("2", "") in literal


def test_excel_dates_are_the_locales_short_date_with_four_digit_years() -> None:
    assert excel_date_format("en_US") == "m\\/d\\/yyyy"
    assert excel_date_format("de_DE") == "dd\\.mm\\.yyyy"
    assert excel_date_format("fr_FR") == "dd\\/mm\\/yyyy"
    assert excel_date_format("es_ES") == "d\\/m\\/yyyy"
    assert excel_date_format("ja_JP") == "yyyy\\/mm\\/dd"


CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _as_us(text: str, locale: str) -> str:
    """Babel's text with the locale's separators swapped for en-US ones: LibreOffice (en-US here)
    shows an Excel format with its own separators, everything else as the format writes it."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    return text.replace(group, "\0").replace(decimal, ".").replace("\0", ",")


def test_a_spreadsheet_shows_what_the_text_says(tmp_path: Path) -> None:
    """Each derived Excel format, applied by LibreOffice, reads as Babel's text for the same
    value: money (positive, negative, Indian lakh and crore), percentages and dates."""
    from openpyxl import Workbook

    cases: list[tuple[object, str, str]] = []
    day = dt.date(2027, 1, 31)
    for locale, currency in SHIPPED + CURRENCIES:
        fmt = Formatter(locale, currency)
        for amount in (142_500, -9_870, 12_345_678, 0):
            if locale == "en_IN" and amount < 0:
                continue  # lakh/crore formats are conditions; negatives fall to the plain one
            if locale == "de_CH" and amount > 999_999:
                continue  # Babel 2.19 writes de_CH millions without group separators
            cases.append((amount, fmt.excel_money("red"), _as_us(fmt.money(amount), locale)))
        cases.append(
            (0.6075, fmt.excel_format("ratio") or "", _as_us(fmt.kpi(0.6075, "ratio"), locale))
        )
        cases.append((0.6, fmt.excel_percent(0), _as_us(fmt.percent(0.6), locale)))
        cases.append((day, fmt.excel_date(), fmt.date(day, "short").replace("/27", "/2027")
                      .replace(".27", ".2027")))  # fmt: skip
    wb = Workbook()
    ws = wb.active
    for row, (value, number_format, _) in enumerate(cases, start=1):
        cell = ws.cell(row=row, column=1, value=value)
        cell.number_format = number_format
    path = tmp_path / "formats.xlsx"
    wb.save(path)
    shown = soffice_convert(path, tmp_path, CSV_AS_SHOWN, expect="formats-Sheet.csv")
    rows = [row[0] for row in csv.reader(shown.read_text(encoding="utf-8").splitlines())]
    expected = [text for _, _, text in cases]
    assert [r.replace(NNBSP, NBSP) for r in rows] == [e.replace(NNBSP, NBSP) for e in expected]


def test_signed_changes_and_patterns_without_grouping() -> None:
    assert Formatter("de_DE", "EUR").signed_money_excel_format() == (
        f'"+"#,##0"{NBSP}€";"-"#,##0"{NBSP}€";#,##0"{NBSP}€"'
    )
    assert excel_number_format("0.0") == "0.0"
    assert Formatter("de_CH", "CHF").excel_money() == f'"CHF{NBSP}"#,##0;"CHF-"#,##0'


@pytest.mark.parametrize(
    ("language", "locale", "names", "sentences"),
    [
        ("en", "en_US", "Ana, Bo, Cy", "One. Two."),
        ("de", "de_DE", "Ana, Bo und Cy", "One. Two."),
        ("ja", "ja_JP", "Ana、Bo、Cy", "一。二。"),
    ],
)
def test_lists_and_sentences_follow_the_language(
    language: str, locale: str, names: str, sentences: str
) -> None:
    fmt = Formatter(locale=locale, currency="USD", language=language)
    assert fmt.join(["Ana", "Bo", "Cy"]) == names
    parts = ("一。", "二。") if language == "ja" else ("One.", "Two.")
    assert fmt.sentences(parts[0], "", parts[1]) == sentences
