"""Tables on slides: measured, cut into pages, drawn as DrawingML.

A table is laid out before it is drawn (`layout_table`): column widths from the template's
shares, every cell wrapped with the body font's metrics, rows paginated to the slide's room.
No cell is ever shortened: a row taller than a whole page continues on the next one. Each
page is then drawn (`draw_table`) as table XML written directly, with roomier rows for a short
table so that it does not leave the slide half empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.util import Emu

from qbrgen.render._pptx_draw import CELL_X, CELL_Y, A, Rect, Style, add_paragraph, emu, pt
from qbrgen.render._pptx_text import Box, Para, line_height, metrics, para_lines

if TYPE_CHECKING:
    from pptx.slide import Slide

    from qbrgen.render._deck_template import TableSpec


@dataclass
class TableLayout:
    """A table cut into pages: each page the rows (cell texts) and their heights in points.

    No cell is ever shortened: text wraps, and a row taller than a whole page continues on
    the next page (its cells split between lines)."""

    widths: list[int]
    header_height: float
    pages: list[list[tuple[list[str], float]]]
    size: float
    headers: list[str]

    def height(self, page: int) -> float:
        return self.header_height + sum(h for _, h in self.pages[page])


def _cell_lines(
    text: str, width_pt: float, font: str, size: float, bold: bool = False
) -> list[str]:
    box = Box(width_pt - 2 * CELL_X, 1e6, 0.0, 0.0)
    return para_lines(Para(text, 0, False, bold), box, metrics(font, bold), size)


def _lines_height(lines: list[str], font: str, size: float, bold: bool = False) -> float:
    face = metrics(font, bold)
    return sum(line_height(face, size, line) for line in lines)


def layout_table(spec: TableSpec, rect: Rect, font: str, size: float = 12.0) -> TableLayout:
    """Column widths and measured row heights, paginated to `rect`."""
    total = sum(c.width for c in spec.columns) or 1.0
    widths = [int(rect.width * c.width / total) for c in spec.columns]
    widths[-1] = rect.width - sum(widths[:-1])
    headers = [c.header for c in spec.columns]
    header_height = (
        max(
            _lines_height(_cell_lines(h, pt(w), font, size, True), font, size, True)
            for h, w in zip(headers, widths, strict=True)
        )
        + 2 * CELL_Y
    )
    available = pt(rect.height) - header_height
    pages: list[list[tuple[list[str], float]]] = [[]]
    used = 0.0
    for row in spec.rows:
        cells = [_cell_lines(t, pt(w), font, size) for t, w in zip(row, widths, strict=True)]
        height = max(_lines_height(c, font, size) for c in cells) + 2 * CELL_Y
        if used + height <= available:
            pages[-1].append((list(row), height))
            used += height
            continue
        if pages[-1] and height <= available:
            pages.append([(list(row), height)])
            used = height
            continue
        # A row taller than the room left: it continues on the next page, split by lines.
        taken = [0] * len(cells)
        while any(t < len(c) for t, c in zip(taken, cells, strict=True)):
            room = available - used - 2 * CELL_Y
            if pages[-1] and room < line_height(metrics(font), size) * 2:
                pages.append([])
                used, room = 0.0, available - 2 * CELL_Y
            chunk: list[str] = []
            chunk_height = 0.0
            for index, lines in enumerate(cells):
                start, stop, height_so_far = taken[index], taken[index], 0.0
                while stop < len(lines):
                    step = _lines_height([lines[stop]], font, size)
                    if height_so_far + step > room and stop > start:
                        break
                    height_so_far += step
                    stop += 1
                chunk.append("\n".join(lines[start:stop]))
                chunk_height = max(chunk_height, height_so_far)
                taken[index] = stop
            pages[-1].append((chunk, chunk_height + 2 * CELL_Y))
            used += chunk_height + 2 * CELL_Y
    return TableLayout(widths, header_height, pages, size, headers)


def stretch_rows(rows: list[tuple[list[str], float]], extra: float, cap: float) -> list[float]:
    """Row heights with `extra` points shared out evenly, no row above `cap` points (short
    tables are drawn with roomier rows instead of leaving the slide half empty)."""
    heights = [h for _, h in rows]
    if not heights or extra <= 0:
        return heights
    each = extra / len(heights)
    return [max(h, min(cap, h + each)) for h in heights]


def draw_table(
    slide: Slide,
    rect: Rect,
    layout: TableLayout,
    page: int,
    aligns: list[str],
    style: Style,
    min_height: float = 0.0,
) -> Any:
    """Add one page of a laid-out table, at least `min_height` points tall when its rows can
    grow to it. Rows are written as DrawingML directly: python-pptx's per-cell proxies cost
    ~1 ms a cell, which a 40-row risk register notices."""
    rows = layout.pages[page]
    natural = layout.height(page)
    # Roomier rows for a short table, up to six lines' height each (more for one or two rows,
    # so that even a one-row table uses the slide rather than leaving it empty).
    cap = max(layout.size * 6, (min_height - layout.header_height) / max(len(rows), 1))
    heights = stretch_rows(rows, min_height - natural, cap=cap)
    height = layout.header_height + sum(heights)
    shape = slide.shapes.add_table(
        1, len(layout.headers), Emu(rect.left), Emu(rect.top), Emu(rect.width), emu(height)
    )
    tbl = shape.table._tbl
    tbl.get_or_add_tblPr().set("bandRow", "0")
    for col, width in zip(tbl.tblGrid.findall(f"{{{A}}}gridCol"), layout.widths, strict=True):
        col.set("w", str(width))
    for old in tbl.findall(f"{{{A}}}tr"):
        tbl.remove(old)
    text_colour = style.colours["text"].lstrip("#").upper()
    header_fill = style.colours["primary"].lstrip("#").upper()
    body = [(layout.headers, layout.header_height, True)] + [
        (cells, h, False) for (cells, _), h in zip(rows, heights, strict=True)
    ]
    for index, (cells, row_height, header) in enumerate(body):
        tr = etree.SubElement(tbl, f"{{{A}}}tr", h=str(int(emu(row_height))))
        fill = header_fill if header else ("F3F4F6" if index % 2 == 0 else "FFFFFF")
        for text, align in zip(cells, aligns, strict=True):
            tr.append(
                _cell(
                    text,
                    align,
                    header,
                    fill,
                    "FFFFFF" if header else text_colour,
                    layout.size,
                    style.body_font,
                )
            )
    return shape


def _cell(
    text: str, align: str, header: bool, fill: str, colour: str, size: float, font: str
) -> Any:
    tc = etree.Element(f"{{{A}}}tc")
    body = etree.SubElement(tc, f"{{{A}}}txBody")
    etree.SubElement(body, f"{{{A}}}bodyPr", wrap="square")
    etree.SubElement(body, f"{{{A}}}lstStyle")
    for line in text.split("\n"):  # a row split over slides keeps its lines apart
        add_paragraph(
            body, Para(line, bullet=False, bold=header), size, 0.0, font, colour, None,
            "r" if align == "right" else "l",
        )  # fmt: skip
    tcpr = etree.SubElement(
        tc,
        f"{{{A}}}tcPr",
        marL=str(int(emu(CELL_X))),
        marR=str(int(emu(CELL_X))),
        marT=str(int(emu(CELL_Y))),
        marB=str(int(emu(CELL_Y))),
        anchor="ctr",
    )
    etree.SubElement(etree.SubElement(tcpr, f"{{{A}}}solidFill"), f"{{{A}}}srgbClr", val=fill)
    return tc
