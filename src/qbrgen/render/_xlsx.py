"""Shared openpyxl helpers: injection-safe cell writing, number formats and column fitting.

Every spreadsheet qbrgen writes goes through `write_cell` (or `make_cell` in write-only
sheets), so text that came from an account file can never become a formula: a string that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return is stored as a text cell (and
flagged with Excel's quote prefix, so editing the cell keeps it text). See OWASP "CSV
injection".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet client treat text as a formula."""

MONEY_FORMAT = '"$"#,##0;[Red]-"$"#,##0'
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}


def money_format(currency: str = "USD") -> str:
    """An Excel number format for whole amounts of `currency` (negative amounts in red)."""
    symbol = _CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    quoted = f'"{symbol}"'
    return f"{quoted}#,##0;[Red]-{quoted}#,##0"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet client would read `text` as a formula (or DDE payload)."""
    return text.startswith(FORMULA_TRIGGERS)


def safe_text(value: Any) -> Any:
    """`value` made safe to store in a cell: strings lose XML-illegal control characters.

    Non-strings pass through unchanged. Formula-looking text is kept as written (the reader
    should see exactly what the account file says); `write_cell`/`make_cell` then store it
    as a text cell, never as a formula.
    """
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _fill(cell: Cell, value: Any, number_format: str | None) -> Cell:
    value = safe_text(value)
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    cell.value = value
    if isinstance(value, str) and value and (value.startswith("=") or is_formula_like(value)):
        # openpyxl turns any str starting with "=" into a formula; force a plain string cell.
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


def write_cell(
    ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None
) -> Cell:
    """Write `value` to (row, col) of a normal worksheet; text is never a formula."""
    cell: Cell = ws.cell(row=row, column=col)
    return _fill(cell, value, number_format)


def write_formula(
    ws: Worksheet, row: int, col: int, formula: str, number_format: str | None = None
) -> Cell:
    """Write a formula qbrgen itself built (never account text) to (row, col)."""
    if not formula.startswith("="):
        raise ValueError(f"formula must start with '=': {formula!r}")
    cell: Cell = ws.cell(row=row, column=col)
    cell.value = formula
    if number_format:
        cell.number_format = number_format
    return cell


def make_cell(ws: Any, value: Any, number_format: str | None = None, **style: Any) -> Cell:
    """A cell for `ws.append([...])` in a write-only worksheet; text is never a formula.

    `style` may set `font`, `fill`, `alignment`, `border` on the cell.
    """
    cell = WriteOnlyCell(ws)
    _fill(cell, value, number_format)
    for name, item in style.items():
        setattr(cell, name, item)
    return cell


def write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[Any],
    formats: Sequence[str | None] | None = None,
    start_col: int = 1,
) -> list[Cell]:
    """Write a row of values (with optional per-column number formats) from `start_col`."""
    cells = []
    for offset, value in enumerate(values):
        fmt = formats[offset] if formats and offset < len(formats) else None
        cells.append(write_cell(ws, row, start_col + offset, value, fmt))
    return cells


def display_width(value: Any, number_format: str | None = None) -> int:
    """Roughly how many characters `value` takes when Excel shows it with `number_format`."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (int, float)):
        if number_format and "%" in number_format:
            return len(f"{value * 100:.1f}%")
        if number_format and "#,##0" in number_format:
            text = f"{value:,.0f}"
            if '"' in number_format:
                text += "  "  # currency symbol
            return len(text) + 1
        return len(f"{value:g}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def fit_widths(
    ws: Any,
    widths: Iterable[int] | None = None,
    minimum: int = 6,
    maximum: int = 60,
    padding: int = 2,
) -> None:
    """Set column widths that fit their content.

    With `widths` (character counts per column from col A) the widths are used as given
    (write-only sheets must pass them, since their cells cannot be read back). Otherwise
    the sheet's cells are measured.
    """
    if widths is None:
        measured: dict[int, int] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or type(cell).__name__ == "MergedCell":
                    continue
                width = display_width(cell.value, cell.number_format)
                if width > measured.get(cell.column, 0):
                    measured[cell.column] = width
        items = sorted(measured.items())
    else:
        items = list(enumerate(widths, start=1))
    for column, width in items:
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = max(minimum, min(maximum, width + padding))


def append_rows(
    ws: Any,
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None],
    text_style: dict[str, Any] | None = None,
) -> int:
    """Stream many rows into a write-only sheet, one number format per column; returns how many.

    Fast path for big tables: one styled cell per column is reused for every row (openpyxl
    writes each cell before it reads the next), so a 10,000-row sheet does not build half a
    million cell objects. `text_style` (font, alignment, ...) applies to text cells. Text is
    still never a formula.
    """
    templates = [make_cell(ws, None, fmt) if fmt else None for fmt in formats]
    text_templates = [make_cell(ws, None, **text_style) if text_style else None for _ in formats]
    count = 0
    for values in rows:
        out: list[Any] = []
        for value, template, text_template in zip(values, templates, text_templates, strict=False):
            if value is None:
                out.append(None)
            elif isinstance(value, str):
                text = safe_text(value)
                if is_formula_like(text):
                    out.append(make_cell(ws, text, **(text_style or {})))
                elif text_template is not None:
                    text_template.value = text
                    out.append(text_template)
                else:
                    out.append(text)
            elif template is not None:
                if type(value) in (int, float):
                    # the type is known: skip openpyxl's value checks, its slowest step here
                    template._value = value
                    template.data_type = "n"
                else:
                    template.value = value
                out.append(template)
            else:
                out.append(value)
        ws.append(out)
        count += 1
    return count


def column_widths(rows: Sequence[Sequence[Any]], formats: Sequence[str | None]) -> list[int]:
    """Display width per column of `rows` (measured in bulk: the longest text, the largest
    number)."""
    widths = [0] * len(formats)
    for col, fmt in enumerate(formats):
        texts = 0
        biggest: Any = None
        for row in rows:
            value = row[col] if col < len(row) else None
            if value is None:
                continue
            if isinstance(value, str):
                texts = max(texts, len(value))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                if biggest is None or abs(value) > abs(biggest):
                    biggest = value
            else:
                texts = max(texts, display_width(value, fmt))
        widths[col] = max(texts, display_width(biggest, fmt) + 1 if biggest is not None else 0)
    return widths
