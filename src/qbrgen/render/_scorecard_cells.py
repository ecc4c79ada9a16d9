"""What every scorecard sheet shares: the workbook's fonts, fills and number formats, the
column model, the write-only sheet writer, the Excel-table sheet layout and the band colours."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qbrgen.render._scorecard_rows import band_name

if TYPE_CHECKING:
    from qbrgen.templates import Formatter


BANDS = ("green", "yellow", "red", "unscored")


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: header, how to read its value from a row, its number kind."""

    header: str
    """The English message id of the heading (translated when written; rules find the
    column by it)."""
    get: Callable[[dict[str, Any]], Any]
    kind: str = "text"
    width: int | None = None
    shown: str | None = None
    """The heading as written when it is not `header` translated (a date, a quarter)."""
    words: bool = False
    """The values are English message ids (yes, no, a readiness gap), or lists of them,
    written translated ('; ' between a list's items)."""
    quarter: bool = False
    """The values are quarters ('2026-Q3'), written as the language writes them ('Q3 2026',
    '2026年第3四半期': `Formatter.quarter`)."""


class Styles:
    """Fonts and fills of one workbook (openpyxl styles are shared by value)."""

    def __init__(
        self,
        colours: dict[str, str],
        currency: str,
        bands: tuple[float, float],
        fonts: tuple[str, str] = ("DejaVu Sans", "DejaVu Sans"),
        label: Callable[[Any, str], str] | None = None,
        paper: str = "A4",
        fmt: Formatter | None = None,
    ):
        from openpyxl.styles import Alignment, Font, PatternFill

        def hexc(name: str) -> str:
            return colours[name].lstrip("#").upper()

        heading, body = fonts
        self.label = label or (lambda key, kind: str(key))
        self.band_names = {b: band_name(b, self.label) for b in ("red", "yellow", "green")}
        self.colours = {name: hexc(name) for name in colours}
        self.bands = bands
        # Brand fonts on every cell: `base` is the workbook's default font (cells without a
        # style of their own), every other font names the brand family too.
        self.paper = 1 if paper == "Letter" else 9
        self.base = Font(name=body, size=10)
        self.title = Font(name=heading, bold=True, size=14, color=hexc("primary"))
        self.subtitle = Font(name=body, size=10, italic=True, color=hexc("muted"))
        self.bold = Font(name=body, size=10, bold=True)
        self.section = Font(name=heading, size=10, bold=True, color=hexc("primary"))
        self.header_font = Font(name=body, size=10, bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=hexc("primary"))
        self.section_fill = PatternFill("solid", fgColor="E8EEF6")
        self.wrap = Alignment(wrap_text=True, vertical="top", indent=1)
        self.header = Alignment(wrap_text=True, vertical="bottom", indent=1)
        self.text_cell = Alignment(indent=1, vertical="top")
        self.number_cell = Alignment(horizontal="right", vertical="top", indent=1)
        self.header_right = Alignment(
            wrap_text=True, vertical="bottom", horizontal="right", indent=1
        )
        self.muted = Font(name=body, size=10, color=hexc("muted"))
        from qbrgen.formatting import Formatter as Fmt

        fmt = fmt or Fmt(currency=currency)
        self.fmt = fmt
        """The workbook's formatter: its words in the workspace's language, its numbers."""
        from qbrgen.render._xlsx import LINE_HEIGHT_CJK_PT, LINE_HEIGHT_PT

        self.line = LINE_HEIGHT_CJK_PT if fmt.language in ("ja", "zh", "ko") else LINE_HEIGHT_PT
        """The height of a line of wrapped text (taller in a CJK language)."""
        self.formats = _Formats(fmt)
        self.percent_axis = fmt.excel_percent(0)
        self.change_formats = {
            "money": fmt.signed_money_excel_format(),
            "ratio": fmt.excel_format("percentage_points"),
            "int": "+#,##0;-#,##0;0",
            "count": "+#,##0;-#,##0;0",
            "score": fmt.excel_format("score_points"),
            "days": _signed(fmt.excel_around("%(value)s days", "0.0")),
            "hours": _signed(fmt.excel_around("%(value)s h", "0.0")),
            "decimal": "+0.0;-0.0;0.0",
            "nps": "+0;-0;0",
            "csat": "+0.0;-0.0;0.0",
        }
        # A number is right-aligned against the next column's text: a trailing space the width
        # of ")" in every section keeps them apart in Excel and LibreOffice alike (LibreOffice
        # ignores an indent on right-aligned cells).
        self.change_formats = {k: pad_format(v) or v for k, v in self.change_formats.items()}


def _signed(number_format: str) -> str:
    """A change's format from a value's: '+' before a rise, '-' before a fall."""
    return f'"+"{number_format};"-"{number_format};{number_format}'


def pad_format(number_format: str | None) -> str | None:
    """`number_format` with a trailing `_)` (a space as wide as ')') in each section."""
    if not number_format or number_format == "General":
        return number_format
    return ";".join(part + "_)" for part in number_format.split(";"))


TEXT_WIDTH_FACTOR = 1.1
"""Column widths count characters of the default font's digit width; the brand font's letters
(DejaVu Sans, capitals, bold headers) run wider, so measured text gets 10% more room."""


class _Formats(dict[str, str | None]):
    """Number formats by kind or KPI key: KPIs and their kinds from the run's one formatter
    (so a cell shows what every other document writes), plain cells here."""

    LOCAL = {"int": "#,##0", "decimal": "0.0", "text": None}

    def __init__(self, fmt: Formatter):
        super().__init__()
        self.fmt = fmt

    def __missing__(self, key: str) -> str | None:
        if key == "date":
            value: str | None = self.fmt.excel_date()
        else:
            value = self.LOCAL[key] if key in self.LOCAL else self.fmt.excel_format(key)
        self[key] = pad_format(value)  # numbers kept off the text beside them (see Styles)
        return self[key]


@dataclass
class _Block:
    rows: Iterable[list[Any]]
    """Read once, when the sheet is written."""
    count: int
    formats: list[str | None]
    text_style: dict[str, Any] | None = None
    column_text_styles: list[dict[str, Any] | None] | None = None
    number_style: dict[str, Any] | None = None


class _RowHeights(Mapping[int, Any]):
    """A write-only sheet's row dimensions, as openpyxl (and `append_rows`) look a row's up
    when they write it: made from the row's height then, not kept. Set one by one on the
    sheet, 10,000 rows' dimensions would be ~5 MB held until the workbook is saved."""

    def __init__(self, ws: Any, heights: dict[int, float]):
        self.ws = ws
        self.heights = heights

    def __getitem__(self, number: int) -> Any:
        from openpyxl.worksheet.dimensions import RowDimension

        return RowDimension(self.ws, ht=self.heights[number])

    def __iter__(self) -> Iterator[int]:
        return iter(self.heights)

    def __len__(self) -> int:
        return len(self.heights)


class SheetWriter:
    """Collects a write-only sheet's rows, then writes them after widths and panes are set
    (write-only sheets must have those before the first row)."""

    def __init__(self, ws: Any, paper: int = 9):
        self.ws = ws
        self.paper = paper
        """Excel paper size code: 9 A4, 1 Letter (the workspace's plan.page_size)."""
        self.rows: list[Any] = []
        self.widths: dict[int, int] = {}
        self.heights: dict[int, float] = {}
        """Row number -> height in points (rows with wrapped text)."""

    def row_count(self) -> int:
        """Rows added so far (a block counts its rows)."""
        return sum(r.count if isinstance(r, _Block) else 1 for r in self.rows)

    def add_table_rows(
        self,
        rows: Iterable[list[Any]],
        count: int,
        widths: list[int],
        formats: list[str | None],
        text_style: dict[str, Any] | None = None,
        column_text_styles: list[dict[str, Any] | None] | None = None,
        number_style: dict[str, Any] | None = None,
    ) -> None:
        """A block of `count` rows of plain values, one number format per column (streamed
        fast), their display widths measured (`ColumnWidths`); `rows` is read when the sheet
        is written."""
        for col, width in enumerate(widths, start=1):
            width = math.ceil(width * TEXT_WIDTH_FACTOR)
            if width > self.widths.get(col, 0):
                self.widths[col] = width
        block = _Block(rows, count, formats, text_style, column_text_styles, number_style)
        self.rows.append(block)

    def add(self, cells: Sequence[Any]) -> int:
        """Append a row of values or (value, number_format, style) triples; returns its number."""
        row = []
        for col, item in enumerate(cells, start=1):
            value, fmt, style = item if isinstance(item, tuple) else (item, None, {})
            row.append((value, fmt, style))
            self.measure(col, value, fmt)
        self.rows.append(row)
        return len(self.rows)

    def measure(self, col: int, value: Any, fmt: str | None) -> None:
        from qbrgen.render._xlsx import display_width

        width = display_width(value, fmt)
        if isinstance(value, str):
            width = math.ceil(width * TEXT_WIDTH_FACTOR)
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def fix_width(self, col: int, width: int) -> None:
        self.widths[col] = width

    def write(
        self,
        freeze: str | None = None,
        minimum: int = 8,
        maximum: int = 60,
        header_row: int | None = None,
        pages_wide: int = 1,
        pages_tall: int = 0,
    ) -> None:
        """Set widths, panes and print setup (landscape, `pages_wide` pages across), then
        stream the rows out."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.properties import PageSetupProperties

        from qbrgen.render._xlsx import (
            append_rows,
            fit_widths,
            make_cell,
            safe_text,
            start_stream,
        )

        widths = [self.widths.get(c, 0) for c in range(1, max(self.widths, default=0) + 1)]
        fit_widths(self.ws, widths, minimum=minimum, maximum=maximum)
        if freeze:
            self.ws.freeze_panes = freeze
        if header_row:
            self.heights.setdefault(header_row, 45)
            self.ws.print_title_rows = f"{header_row}:{header_row}"
        self.ws.row_dimensions = _RowHeights(self.ws, self.heights)
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.paper
        self.ws.page_setup.fitToWidth = pages_wide
        self.ws.page_setup.fitToHeight = pages_tall
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.ws.print_options.gridLines = False
        self.ws.page_margins.left = self.ws.page_margins.right = 0.5
        last_col = max(len(widths), 1)
        self.ws.print_area = f"A1:{get_column_letter(last_col)}{max(self.row_count(), 1)}"
        start_stream(self.ws)
        for row in self.rows:
            if isinstance(row, _Block):
                append_rows(
                    self.ws, row.rows, row.formats, row.text_style,
                    row.column_text_styles, row.number_style,
                )  # fmt: skip
                continue
            self.ws.append([
                make_cell(self.ws, value, fmt, **style)
                if fmt or style or (isinstance(value, str) and value[:1] in "=+-@\t\r")
                else safe_text(value)
                for value, fmt, style in row
            ])  # fmt: skip
        self.rows = []


TABLE_BATCH = 200
"""Rows of a data sheet made at a time: its cells go to a spill batch by batch, so a sheet of
10,000 accounts is written without holding every row's cells."""


def data_sheet(
    wb: Any,
    title: str,
    table_name: str,
    columns: list[Column],
    rows: Iterable[dict[str, Any]],
    styles: Styles,
    intro: list[str],
    rules: Callable[[Any, dict[str, str], int, int], None] | None = None,
    tail: list[list[Any]] | None = None,
    pages_wide: int = 1,
) -> Any:
    """A sheet holding one Excel table (filters, banded rows) under a short intro; `rows` are
    read once, in the sheet's order."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    from qbrgen.render._xlsx import ColumnWidths
    from qbrgen.spill import Spill

    ws = wb.create_sheet(styles.fmt.translate(title))
    ws.conditional_formatting = ConditionalFormattingList()  # write-only sheets lack one
    headings = [c.shown or styles.fmt.translate(c.header) for c in columns]
    sheet = SheetWriter(ws, styles.paper)
    for i, line in enumerate(intro):
        sheet.add([(line, None, {"font": styles.title if i == 0 else styles.subtitle})])
    sheet.widths.clear()  # intro lines may run across columns
    header_row = len(intro) + 1
    sheet.add(
        [
            (
                heading,
                None,
                {
                    "font": styles.header_font,
                    "alignment": styles.header if c.kind == "text" else styles.header_right,
                    "fill": styles.header_fill,
                },
            )
            for c, heading in zip(columns, headings, strict=True)
        ]
    )
    for col, heading in enumerate(headings, start=1):
        sheet.fix_width(col, _longest_word(heading) + 3)
    formats = [styles.formats[c.kind] for c in columns]
    wrapped = [c.kind == "text" and c.width is not None for c in columns]
    measure = ColumnWidths(formats)
    sheet.heights[header_row] = 0  # set below, from the final widths; the first height set
    with Spill() as cells:
        count = 0
        for batch in _batches(rows, TABLE_BATCH):
            values = _cells(columns, batch, styles.fmt)
            measure.add(values)
            _row_heights(sheet, header_row + 1 + count, values, columns, wrapped, styles.line)
            cells.put(values)
            count += len(values)
        sheet.add_table_rows(
            (row for batch in cells.values() for row in batch),
            count,
            measure.widths(),
            formats,
            {"alignment": styles.text_cell},
            [{"alignment": styles.wrap} if w else None for w in wrapped],
            {"alignment": styles.number_cell},
        )
        for col, column in enumerate(columns, start=1):
            if column.width:
                sheet.fix_width(col, column.width)
        _header_height(sheet, header_row, headings, styles.line)
        last_row = header_row + count
        last_col = get_column_letter(len(columns))
        letters = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
        if tail:
            sheet.add([])
            for extra in tail:
                sheet.add(extra)
        sheet.write(
            freeze=f"B{header_row + 1}" if count else None,
            maximum=70,
            header_row=header_row,
            pages_wide=pages_wide,
        )
    if count:
        ref = f"A{header_row}:{last_col}{last_row}"
        table = Table(
            displayName=table_name,
            ref=ref,
            tableStyleInfo=TableStyleInfo(name="TableStyleMedium2", showRowStripes=True),
        )
        table.tableColumns = [
            TableColumn(id=i, name=heading) for i, heading in enumerate(headings, start=1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "add table columns manually": done above
            ws.add_table(table)
        if rules is not None:
            rules(ws, letters, header_row + 1, last_row)
    return ws


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    items = iter(rows)
    while batch := list(itertools.islice(items, size)):
        yield batch


def _cells(
    columns: list[Column], rows: Sequence[dict[str, Any]], fmt: Formatter
) -> list[list[Any]]:
    """The cells of some rows of a data sheet: each column's value, its words translated and
    its quarters shown as the team writes them."""
    getters = [c.get for c in columns]
    values = [[get(row) for get in getters] for row in rows]
    for col in [i for i, c in enumerate(columns) if c.words]:
        translate = fmt.translate
        for cells in values:
            word = cells[col]
            if isinstance(word, list):
                cells[col] = "; ".join(translate(w) for w in word)
            elif word:
                cells[col] = translate(word)
    for col in [i for i, c in enumerate(columns) if c.quarter]:
        for cells in values:
            cells[col] = fmt.quarter(cells[col])
    return values


def _longest_word(heading: str) -> int:
    """The width a heading needs not to break inside a word: its longest word, or in a
    script without spaces (Japanese) at most 8 characters a line, counted double-width."""
    from qbrgen.render._xlsx import text_width

    return max(min(text_width(w), 16) for w in heading.split())


def _row_heights(
    sheet: SheetWriter,
    first: int,
    values: list[list[Any]],
    columns: list[Column],
    wrapped: list[bool],
    line: float,
) -> None:
    """Heights that show every line of the wrapped cells of rows `first`, `first + 1`, ...
    (spreadsheet apps do not grow a row for wrapped text when the file is opened). A wrapped
    column has its own width (`Column.width`), the sheet's final one."""
    from qbrgen.render._xlsx import row_height, wrapped_lines

    width = {i: (c.width or 8) + 2 for i, c in enumerate(columns)}  # + fit padding
    cols = [i for i, w in enumerate(wrapped) if w]
    for offset, row in enumerate(values, start=first):
        lines = max((wrapped_lines(row[i], width[i]) for i in cols if row[i]), default=1)
        if lines > 1:
            sheet.heights[offset] = row_height(lines, line)


def _header_height(sheet: SheetWriter, header_row: int, headings: list[str], line: float) -> None:
    """The wrapped header's height, from the sheet's final column widths."""
    from qbrgen.render._xlsx import row_height, wrapped_lines

    width = {i: sheet.widths.get(i + 1, 8) + 2 for i in range(len(headings))}  # + fit padding
    header_lines = max(wrapped_lines(h, width[i]) for i, h in enumerate(headings))
    sheet.heights[header_row] = row_height(header_lines, line)


def band_rules(ws: Any, col: str, first: int, last: int, styles: Styles, text: bool) -> None:
    """Fill a health column by band: by the band's name, or by the score thresholds."""
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font, PatternFill

    colour = styles.colours
    fills = {b: PatternFill("solid", bgColor=tint(colour[b])) for b in ("green", "yellow", "red")}
    fonts = {b: Font(color=shade(colour[b])) for b in ("green", "yellow", "red")}
    area = f"{col}{first}:{col}{last}"
    if text:
        for band in ("red", "yellow", "green"):
            name = styles.band_names[band].replace('"', '""')
            ws.conditional_formatting.add(
                area,
                CellIsRule(
                    operator="equal", formula=[f'"{name}"'], fill=fills[band], font=fonts[band]
                ),
            )
        return
    red_max, yellow_max = styles.bands
    # Bands apply to the score as displayed: rounded to a whole number (ROUND: halves up).
    cell = f"ROUND({col}{first},0)"
    blank = f'{col}{first}<>""'
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"AND({blank},{cell}<={red_max})"], fill=fills["red"])
    )
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f"AND({blank},{cell}>{red_max},{cell}<={yellow_max})"], fill=fills["yellow"]
        ),
    )
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"AND({blank},{cell}>{yellow_max})"], fill=fills["green"])
    )


def tint(hex_colour: str, share: float = 0.75) -> str:
    """A light tint of a colour (mixed with white), for cell fills behind dark text."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * share):02X}" for c in rgb)


def shade(hex_colour: str, share: float = 0.45) -> str:
    """A dark shade of a colour (mixed with black), for text on that colour's tint."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c * (1 - share)):02X}" for c in rgb)


def overdue_rules(ws: Any, area: str, formula: str, styles: Styles) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    red = styles.colours["red"]
    ws.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[formula],
            fill=PatternFill("solid", bgColor=tint(red)),
            font=Font(bold=True, color=red),
        ),
    )


def excel_date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def wrap_cells(sheet: SheetWriter, widths: dict[int, int], first_row: int, styles: Styles) -> None:
    """From `first_row` on: text in the columns of `widths` wraps (row heights follow), numbers
    keep an indent off the text beside them."""
    from qbrgen.render._xlsx import row_height, wrapped_lines

    for number, row in enumerate(sheet.rows, start=1):
        if number < first_row or isinstance(row, _Block) or len(row) < 2:
            continue
        lines = 1
        for col, (value, fmt, style) in enumerate(row, start=1):
            if isinstance(value, str) and col in widths and "fill" not in style:
                row[col - 1] = (value, fmt, {**style, "alignment": styles.wrap})
                lines = max(lines, wrapped_lines(value, widths[col] + 2))
            elif fmt and isinstance(value, int | float):
                row[col - 1] = (value, fmt, {**style, "alignment": styles.number_cell})
        if lines > 1:
            sheet.heights[number] = row_height(lines, styles.line)
