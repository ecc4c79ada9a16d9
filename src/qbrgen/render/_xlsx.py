"""Shared openpyxl helpers: injection-safe cell writing, number formats and column fitting.

Every spreadsheet qbrgen writes goes through `write_cell` (or `make_cell` in write-only
sheets), so text that came from an account file can never become a formula: a string that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return is stored as a text cell (and
flagged with Excel's quote prefix, so editing the cell keeps it text). See OWASP "CSV
injection".
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet client treat text as a formula."""


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


def text_width(text: str) -> int:
    """Character cells `text` takes: wide (CJK) characters count two, as they are drawn."""
    if text.isascii():
        return len(text)
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def display_width(value: Any, number_format: str | None = None) -> int:
    """Roughly how many characters `value` takes when Excel shows it with `number_format`."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (int, float)):
        # Literal text in the format ("$", " pts", " active stakeholders"): the widest section.
        literal = 0
        if number_format and '"' in number_format:
            literal = max(
                sum(len(q) for q in re.findall(r'"([^"]*)"', part))
                for part in number_format.split(";")
            )
        if number_format and "%" in number_format:
            return len(f"{value * 100:.1f}%") + literal
        if number_format and "#,##0" in number_format:
            text = f"{value:,.0f}"
            return len(text) + max(literal, 2 if '"' in number_format else 0) + 1
        if number_format and "0.0" in number_format:
            return len(f"{abs(value):.1f}") + 1 + literal
        return len(f"{value:g}") + literal
    text = str(value)
    return max((text_width(line) for line in text.splitlines()), default=0)


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


ROW_HOOK = True
"""Hand rows to openpyxl's row writer as ready cells (see `append_rows`)."""

ROW_XML = True
"""Hand rows to openpyxl's sheet stream as ready XML elements (see `append_rows`)."""


def append_rows(
    ws: Any,
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None],
    text_style: dict[str, Any] | None = None,
    column_text_styles: Sequence[dict[str, Any] | None] | None = None,
    number_style: dict[str, Any] | None = None,
) -> int:
    """Stream many rows into a write-only sheet, one number format per column; returns how many.

    `text_style` (font, alignment, ...) applies to text cells, or `column_text_styles[i]` to
    the text cells of column i where given (e.g. wrapped columns); `number_style` to every
    non-text cell (e.g. an indent that keeps numbers off the text beside them). Text is never
    a formula: text that looks like one is a text cell with Excel's quote prefix, as
    `make_cell` writes it.

    A 10,000-account sheet is half a million cells, and openpyxl's `append` handles a styled
    cell by first trying it as a value and formatting the error (~9 of its ~17 µs per cell),
    then writes each cell through lxml's incremental writer, one context manager per element
    (~11 µs per cell). So rows are turned into cells here, one reusable cell per column and
    styles resolved once; with lxml (`ROW_XML`), each row is then written as the XML text
    openpyxl's cell writer would produce for it, parsed with openpyxl's own parser and handed
    to the sheet's stream as one element (~2 µs per cell). The hooks are openpyxl's
    (`_values_to_row`, the writer's `write_row`, 3.1); where a version lacks them (or the
    switches are off), copies of the same cells go through the public `append`. A test pins
    that every way writes the same bytes.
    """
    cells = _ColumnCells(ws, formats, text_style, column_text_styles, number_style)
    if not (ROW_HOOK and hasattr(ws, "_values_to_row")):
        count = 0
        for values in rows:
            out: list[Any] = [None] * len(values)
            for cell in cells.cells_of(values, 0):
                out[cell.column - 1] = _public_cell(cell)
            ws.append(out)
            count += 1
        return count
    writer = _xml_writer(ws) if ROW_XML else None
    ws._values_to_row = cells.cells_of if writer is None else _pass_values
    if writer is not None:
        writer.write_row = _RowXml(cells, writer.write_row, getattr(writer, "raw_file", None)).write
    count = 0
    try:
        for values in rows:
            ws.append(values)
            count += 1
    finally:
        del ws._values_to_row  # back to openpyxl's own for the rows after the block
        if writer is not None:
            del writer.write_row
    return count


class _StreamCell(Cell):
    """A cell whose style id and coordinate are set, not computed: openpyxl's writer reads
    both for every cell, and looking the style up by hash was a fifth of the sheet's time."""

    __slots__ = ("style_id", "has_style", "coordinate")


class _ColumnCells:
    """Turns a row of values into cells: one cell object per column, reused row after row
    (openpyxl writes each cell before it asks for the next)."""

    def __init__(
        self,
        ws: Any,
        formats: Sequence[str | None],
        text_style: dict[str, Any] | None,
        column_text_styles: Sequence[dict[str, Any] | None] | None = None,
        number_style: dict[str, Any] | None = None,
    ):
        from openpyxl.styles.cell_style import StyleArray

        registry = ws.parent._cell_styles  # what Cell.style_id looks styles up in

        def style_of(number_format: str | None, quote: bool = False, **style: Any) -> Any:
            cell = WriteOnlyCell(ws)
            if number_format:
                cell.number_format = number_format
            for name, item in style.items():
                setattr(cell, name, item)
            if quote:
                cell.quotePrefix = True
            array = cell._style if cell.has_style else StyleArray()
            return array, registry.add(array), any(array)

        text = text_style or {}
        number = number_style or {}
        self.number_styles = [style_of(fmt, **number) for fmt in formats]
        self.text_style = style_of(None, **text)
        self.quoted_style = style_of(None, True, **text)
        own: list[dict[str, Any]] = [style or {} for style in column_text_styles or []]
        self.text_styles = [
            (style_of(None, **own[i]), style_of(None, True, **own[i]))
            if i < len(own) and own[i]
            else (self.text_style, self.quoted_style)
            for i in range(len(formats))
        ]
        self.blank = style_of(None)
        self.ws = ws
        self.cells: list[_StreamCell] = []
        self.letters: list[str] = []

    def _grow(self, count: int) -> None:
        while len(self.cells) < count:
            cell = _StreamCell(self.ws, column=len(self.cells) + 1)
            self.cells.append(cell)
            self.letters.append(get_column_letter(cell.column))
            if len(self.number_styles) < len(self.cells):
                self.number_styles.append(self.blank)
            if len(self.text_styles) < len(self.cells):
                self.text_styles.append((self.text_style, self.quoted_style))

    def cells_of(self, values: Sequence[Any], row_idx: int) -> Iterator[Cell]:
        if len(values) > len(self.cells):
            self._grow(len(values))
        cells, letters, number_styles = self.cells, self.letters, self.number_styles
        text_styles = self.text_styles
        row = str(row_idx)
        for col, value in enumerate(values):
            if value is None:
                continue
            cell = cells[col]
            cell.row = row_idx
            cell.coordinate = letters[col] + row
            kind = type(value)
            if kind is str:
                text = safe_text(value)[:32767]  # openpyxl's own cap on a cell's text
                cell._value = text
                cell.data_type = "s"
                plain, quoted = text_styles[col]
                style = quoted if is_formula_like(text) else plain
            else:
                if kind is int or kind is float:
                    cell._value = value
                    cell.data_type = "n"
                else:
                    if isinstance(value, dt.datetime):
                        value = value.replace(tzinfo=None)
                    cell.value = value  # openpyxl's own typing for dates, bools, Decimals
                style = number_styles[col]
            cell._style, cell.style_id, cell.has_style = style
            yield cell


def start_stream(ws: Any) -> None:
    """Start a write-only sheet's stream (its properties, views, columns and print settings
    set) so that `append_rows` can write rows' XML text to it, even after rows appended by
    openpyxl's own `append`."""
    if ROW_HOOK and ROW_XML:
        _xml_writer(ws)


def _xml_writer(ws: Any) -> Any:
    """The sheet's openpyxl writer when rows can go to it as XML (lxml), else None. A sheet
    not yet started gets a writer whose stream writes to a file object of ours
    (`raw_file`), so rows can be written to it as ready XML text."""
    import openpyxl

    if not openpyxl.LXML or not hasattr(ws, "_get_writer"):
        return None
    if getattr(ws, "_writer", None) is None and RAW_ROWS:
        ws._writer = _file_writer()(ws)  # what `_get_writer` does, with our writer
        ws._writer.write_top()
    ws._get_writer()
    writer = getattr(ws, "_writer", None)
    return writer if writer is not None and hasattr(writer, "write_row") else None


RAW_ROWS = True
"""Write rows' XML text to the sheet's file as it is (see `_file_writer`), not parsed into an
element for lxml to write out again."""


@functools.cache
def _file_writer() -> type:
    """openpyxl's sheet writer, its stream (lxml's incremental writer) writing to a file
    object of ours on the writer's temporary file instead of lxml opening the file itself:
    after `flush()` of the stream, a row's XML text is written to that file object directly,
    in its place (openpyxl still reads the file by its name, `out`)."""
    from openpyxl.worksheet._writer import WorksheetWriter

    class FileWriter(WorksheetWriter):
        raw_file: Any = None
        out: Any

        def get_stream(self) -> Any:
            path = self.out
            self.raw_file = self.out = open(path, "wb")  # noqa: SIM115 - closed with the stream
            stream = super().get_stream()
            try:
                next(stream)  # openpyxl's stream opened on our file object
            finally:
                self.out = path
            try:
                yield from stream
            finally:
                self.raw_file.close()

    return FileWriter


def _pass_values(values: Sequence[Any], row_idx: int) -> Sequence[Any]:
    return values


def _xml_text(text: str) -> str:
    """`text` as XML character data that parses back to exactly `text` (a carriage return
    would otherwise be read as a line feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class _RowXml:
    """Writes a row of values as one element: the XML openpyxl's cell writer (`write_cell`)
    would write for the cells `_ColumnCells` makes of them, built as text and parsed by
    openpyxl's parser. A value of a kind written here only through openpyxl's own cell
    logic (dates, booleans, Decimals) is converted by it; a row with a value it would write
    in some other way (a formula, an empty number) goes to openpyxl's writer unchanged."""

    def __init__(self, cells: _ColumnCells, write_row: Callable[..., None], raw_file: Any = None):
        from openpyxl.xml.functions import fromstring

        self.cells = cells
        self.fallback = write_row
        self.raw_file = raw_file
        """The sheet stream's file, when rows' XML text can be written to it as it is."""
        self.parse = fromstring
        self.dims = cells.ws.row_dimensions
        self.converted: dict[tuple[type, Any], tuple[str, str] | None] = {}
        # Per column, the text around the row number of a cell: '<c r="B', then '" s="3"
        # t="inlineStr"><is><t>' (plain, quoted and space-preserving variants) or the number's.
        self.opening: list[str] = []
        self.texts: list[tuple[str, str, str, str]] = []
        self.numbers: list[str] = []

    def _columns(self, count: int) -> None:
        cells = self.cells
        if count > len(cells.cells):
            cells._grow(count)

        def styled(style: tuple[Any, int, bool]) -> str:
            return f' s="{style[1]}"' if style[2] else ""

        for col in range(len(self.opening), count):
            self.opening.append(f'<c r="{cells.letters[col]}')
            plain, quoted = cells.text_styles[col]
            self.texts.append(
                tuple(  # type: ignore[arg-type]
                    f'"{styled(style)} t="inlineStr"><is><t{space}>'
                    for style in (plain, quoted)
                    for space in ("", ' xml:space="preserve"')
                )
            )
            self.numbers.append(f'"{styled(cells.number_styles[col])} t=')

    def write(self, xf: Any, values: Sequence[Any], row_idx: int) -> None:
        text, empty = self.row_xml(values, row_idx)
        if text is None:
            self.fallback(xf, self.cells.cells_of(values, row_idx), row_idx)
            return
        if self.raw_file is not None:  # the text is what lxml would write for its element
            xf.flush()  # (openpyxl's stream writes ASCII, other characters as references)
            self.raw_file.write(text.encode("ascii", "xmlcharrefreplace"))
            return
        element = self.parse(text.encode())  # bytes: a third faster to parse than str
        for index in empty:
            element[index].text = ""  # written as <c ...></c>, as openpyxl's writer does
        xf.write(element)

    def row_xml(self, values: Sequence[Any], row_idx: int) -> tuple[str | None, list[int]]:
        if len(values) > len(self.opening):
            self._columns(len(values))
        opening, texts, numbers = self.opening, self.texts, self.numbers
        row = str(row_idx)
        dimension = self.dims.get(row_idx)
        if dimension is None:
            parts = [f'<row r="{row}">']
        else:
            extra = "".join(f' {key}="{_xml_text(value)}"' for key, value in dimension)
            parts = [f'<row r="{row}"{extra}>']
        empty: list[int] = []
        for col, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                text = safe_text(value)
                if len(text) > 32767:
                    text = text[:32767]  # openpyxl's own cap on a cell's text
                variants = texts[col]
                if not text:
                    empty.append(len(parts) - 1)
                    head = variants[0].split(">", 1)[0]  # the attributes alone
                    parts.append(f"{opening[col]}{row}{head}></c>")
                    continue
                index = 2 if is_formula_like(text) else 0
                if text != text.strip():
                    index += 1
                parts.append(f"{opening[col]}{row}{variants[index]}{_xml_text(text)}</t></is></c>")
                continue
            if kind is int or kind is float:
                if value != value or value in (math.inf, -math.inf):
                    return None, []  # openpyxl writes these as empty cells
                number, data_type = f"{value:.16g}", "n"
            else:
                key = (kind, value)
                if key in self.converted:
                    converted = self.converted[key]
                else:
                    converted = self._converted(values, row_idx, col)
                    if kind is dt.date or kind is bool:  # the same value, the same text
                        self.converted[key] = converted
                if converted is None:
                    return None, []
                number, data_type = converted
            parts.append(f'{opening[col]}{row}{numbers[col]}"{data_type}"><v>{number}</v></c>')
        parts.append("</row>")
        return "".join(parts), empty

    def _converted(self, values: Sequence[Any], row_idx: int, col: int) -> tuple[str, str] | None:
        """(text, type) of a value openpyxl types itself, as its cell writer writes it; None
        for a value it would write other than as a number or a boolean. For a date or a
        boolean, a function of the value alone (the style is the column's): kept per value."""
        from openpyxl.cell._writer import _set_attributes
        from openpyxl.compat import safe_string

        cells = self.cells
        cell = cells.cells[col]
        cell.row = row_idx
        cell.coordinate = cells.letters[col] + str(row_idx)
        value = values[col]
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None)
        cell.value = value  # openpyxl's own typing, as `_ColumnCells.cells_of` does
        cell._style, cell.style_id, cell.has_style = cells.number_styles[col]
        value, attributes = _set_attributes(cell, cell.has_style)
        data_type = attributes.get("t")
        if data_type not in ("n", "b") or value is None or value == "":
            return None
        text = safe_string(value)
        return (text, data_type) if text else None


def _public_cell(cell: Cell) -> Cell:
    copy = WriteOnlyCell(cell.parent)
    copy._value, copy.data_type = cell._value, cell.data_type
    copy._style = cell._style
    return copy


def wrapped_lines(text: Any, width: float) -> int:
    """Lines a wrapped cell of `width` characters needs for `text` (words kept whole)."""
    if text is None or text == "":
        return 1
    room = max((width - 2) / 1.1, 4)  # indent and padding; 10% for wide letters
    text = str(text)
    if "\n" not in text and text_width(text) <= room:
        return 1  # the words and the spaces between them fit on one line
    lines = 0
    for paragraph in text.split("\n"):
        line = 0.0
        lines += 1
        for word in paragraph.split(" "):
            size = text_width(word)
            need = size + (1 if line else 0)
            if line and line + need > room:
                lines += 1
                line, need = 0, size
            line += need
            while line > room:  # longer than a line (CJK text, a URL): it breaks inside
                lines += 1
                line -= room
    return max(lines, 1)


LINE_HEIGHT_PT = 13.0
"""Height of one line of 10 pt text in a row (Excel and LibreOffice), with a little air."""
LINE_HEIGHT_CJK_PT = 16.0
"""The same for Chinese, Japanese or Korean text: its fallback font's lines are taller."""


def row_height(lines: int, line: float = LINE_HEIGHT_PT) -> float:
    """Row height in points that shows `lines` lines of wrapped 10 pt text (`line`: the
    height of one, taller for CJK text, see LINE_HEIGHT_CJK_PT)."""
    return round(line * max(lines, 1) + 2.0, 1)


def column_widths(rows: Sequence[Sequence[Any]], formats: Sequence[str | None]) -> list[int]:
    """Display width per column of `rows` (measured in bulk: the longest text, the largest
    number)."""
    measure = ColumnWidths(formats)
    measure.add(rows)
    return measure.widths()


class ColumnWidths:
    """`column_widths` of rows added a batch at a time (a sheet too big to hold at once):
    the same widths as of all the rows together, in the order added."""

    def __init__(self, formats: Sequence[str | None]):
        self.formats = list(formats)
        self.texts = [0] * len(formats)
        self.others = [0] * len(formats)
        self.biggest: list[int | float | None] = [None] * len(formats)
        """Per column: the number of largest size, the first of those added."""

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        for col, fmt in enumerate(self.formats):
            values = [row[col] for row in rows if col < len(row) and row[col] is not None]
            texts = max((len(v) for v in values if type(v) is str), default=0)
            biggest = max((v for v in values if type(v) in (int, float)), key=abs, default=None)
            others = max(
                (display_width(v, fmt) for v in values if type(v) not in (str, int, float)),
                default=0,
            )
            self.texts[col] = max(self.texts[col], texts)
            self.others[col] = max(self.others[col], others)
            before = self.biggest[col]
            if biggest is not None and (before is None or abs(biggest) > abs(before)):
                self.biggest[col] = biggest

    def widths(self) -> list[int]:
        return [
            max(texts, others, display_width(big, fmt) + 1 if big is not None else 0)
            for texts, others, big, fmt in zip(
                self.texts, self.others, self.biggest, self.formats, strict=True
            )
        ]
