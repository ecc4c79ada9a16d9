"""Drawing on slides: fitted text frames, paginated tables, number cards, the footer.

Every text frame gets explicit font sizes, margins, line spacing and bullet indents, and is
filled only with text that `_pptx_text` measured to fit its shape; nothing relies on
PowerPoint's auto-fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Pt

from qbrgen.render._pptx_text import (
    ELLIPSIS,
    Box,
    FitResult,
    Para,
    fit,
    line_height,
    metrics,
    para_lines,
)

if TYPE_CHECKING:
    from pptx.slide import Slide
    from pptx.text.text import TextFrame

    from qbrgen.render._deck_template import TableSpec

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
EMU_PER_PT = 12700
MARGIN_X = 6.0  # text frame inner margins, points
MARGIN_Y = 3.0
CELL_X = 5.0
CELL_Y = 3.0
BULLET_INDENT = 18.0
SPACE_BEFORE = 0.35


def pt(emu: int) -> float:
    return emu / EMU_PER_PT


def emu(points: float) -> Emu:
    return Emu(int(round(points * EMU_PER_PT)))


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


@dataclass(frozen=True)
class Rect:
    """A rectangle on the slide in EMU."""

    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def right(self) -> int:
        return self.left + self.width

    def emus(self) -> tuple[Emu, Emu, Emu, Emu]:
        """left, top, width, height as python-pptx lengths."""
        return Emu(self.left), Emu(self.top), Emu(self.width), Emu(self.height)


@dataclass(frozen=True)
class Style:
    """Fonts and colours the deck draws with (from the workspace branding)."""

    heading_font: str
    body_font: str
    colours: dict[str, str]
    colour_titles: bool
    """Colour titles and body text with the brand colours (built-in theme); a corporate
    master keeps its own."""
    set_fonts: bool = True
    """Write the font name on every run (built-in theme, or `branding.fonts` set); otherwise
    text keeps the template's theme fonts, which are then the ones measured."""

    @property
    def builtin(self) -> bool:
        return self.colour_titles

    def text_colour(self) -> str | None:
        return self.colours["text"] if self.colour_titles else None


def frame_box(rect: Rect) -> Box:
    return Box(
        pt(rect.width) - 2 * MARGIN_X,
        pt(rect.height) - 2 * MARGIN_Y,
        BULLET_INDENT,
        SPACE_BEFORE,
    )


def setup_frame(
    frame: TextFrame,
    anchor: MSO_ANCHOR | None = MSO_ANCHOR.TOP,
    mx: float = MARGIN_X,
    my: float = MARGIN_Y,
) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = emu(mx)
    frame.margin_top = frame.margin_bottom = emu(my)
    if anchor is not None:
        frame.vertical_anchor = anchor


def _ppr(paragraph: Any) -> Any:
    return paragraph._p.get_or_add_pPr()


def _set_spacing(paragraph: Any, space_before: float) -> None:
    ppr = _ppr(paragraph)
    for tag in ("lnSpc", "spcBef", "spcAft"):
        for old in ppr.findall(f"{{{A}}}{tag}"):
            ppr.remove(old)
    # Children of a:pPr must come in schema order: lnSpc, spcBef, spcAft, bullets...
    ln = etree.SubElement(ppr, f"{{{A}}}lnSpc")
    etree.SubElement(ln, f"{{{A}}}spcPct").set("val", "100000")
    before = etree.SubElement(ppr, f"{{{A}}}spcBef")
    etree.SubElement(before, f"{{{A}}}spcPts").set("val", str(int(round(space_before * 100))))
    after = etree.SubElement(ppr, f"{{{A}}}spcAft")
    etree.SubElement(after, f"{{{A}}}spcPts").set("val", "0")
    _reorder(ppr)


PPR_ORDER = [
    "lnSpc", "spcBef", "spcAft", "buClrTx", "buClr", "buSzTx", "buSzPct", "buSzPts",
    "buFontTx", "buFont", "buNone", "buAutoNum", "buChar", "buBlip", "tabLst", "defRPr", "extLst",
]  # fmt: skip


def _reorder(ppr: Any) -> None:
    """Put a:pPr children back in schema order (PowerPoint rejects files otherwise)."""
    rank = {f"{{{A}}}{tag}": index for index, tag in enumerate(PPR_ORDER)}
    children = sorted(ppr, key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        ppr.remove(child)
        ppr.append(child)


def _set_bullet(paragraph: Any, para: Para, colour: str | None) -> None:
    ppr = _ppr(paragraph)
    for tag in ("buNone", "buChar", "buAutoNum", "buFont", "buClr", "buSzPct"):
        for old in ppr.findall(f"{{{A}}}{tag}"):
            ppr.remove(old)
    indent = BULLET_INDENT * (para.level + 1) if para.bullet else BULLET_INDENT * para.level
    ppr.set("marL", str(int(indent * EMU_PER_PT)))
    ppr.set("lvl", "0")
    if para.bullet:
        ppr.set("indent", str(int(-BULLET_INDENT * EMU_PER_PT)))
        if colour:
            clr = etree.SubElement(ppr, f"{{{A}}}buClr")
            etree.SubElement(clr, f"{{{A}}}srgbClr").set("val", colour.lstrip("#").upper())
        etree.SubElement(ppr, f"{{{A}}}buFont").set("typeface", "Arial")
        etree.SubElement(ppr, f"{{{A}}}buChar").set("char", "•" if para.level == 0 else "–")
    else:
        ppr.set("indent", "0")
        etree.SubElement(ppr, f"{{{A}}}buNone")
    _reorder(ppr)


def write_paragraphs(
    frame: TextFrame,
    result: FitResult,
    font: str,
    colour: str | None,
    bullet_colour: str | None = None,
    align: PP_ALIGN | None = None,
    set_font: bool = True,
) -> None:
    """Put fitted paragraphs into a text frame with explicit size, font and spacing."""
    frame.clear()
    for index, para in enumerate(result.paragraphs):
        size = result.size * para.scale
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _set_spacing(paragraph, SPACE_BEFORE * size if index else 0.0)
        _set_bullet(paragraph, para, bullet_colour)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = para.text
        run.font.size = Pt(round(size * 2) / 2)
        if set_font:
            run.font.name = font
        run.font.bold = para.bold
        if para.colour or colour:
            run.font.color.rgb = rgb(para.colour or colour or "")
    if not result.paragraphs:
        frame.paragraphs[0].text = ""


def fit_into(
    frame: TextFrame,
    rect: Rect,
    paras: list[Para],
    font: str,
    max_size: float,
    min_size: float,
    colour: str | None = None,
    bullet_colour: str | None = None,
    align: PP_ALIGN | None = None,
    anchor: MSO_ANCHOR | None = MSO_ANCHOR.TOP,
    max_lines: int | None = None,
    set_font: bool = True,
) -> FitResult:
    """Fit `paras` into the frame of a shape at `rect`; returns what was written."""
    setup_frame(frame, anchor)
    result = fit(paras, frame_box(rect), font, max_size, min_size, max_lines)
    write_paragraphs(frame, result, font, colour, bullet_colour, align, set_font)
    return result


def add_text(
    slide: Slide,
    rect: Rect,
    paras: list[Para],
    font: str,
    max_size: float,
    min_size: float,
    colour: str | None = None,
    **kwargs: Any,
) -> FitResult:
    box = slide.shapes.add_textbox(*rect.emus())
    return fit_into(box.text_frame, rect, paras, font, max_size, min_size, colour, **kwargs)


# --- tables --------------------------------------------------------------------------------


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
    for line in text.split("\n"):
        paragraph = etree.SubElement(body, f"{{{A}}}p")
        ppr = etree.SubElement(
            paragraph, f"{{{A}}}pPr", algn="r" if align == "right" else "l", marL="0", indent="0"
        )
        etree.SubElement(etree.SubElement(ppr, f"{{{A}}}lnSpc"), f"{{{A}}}spcPct", val="100000")
        etree.SubElement(etree.SubElement(ppr, f"{{{A}}}spcBef"), f"{{{A}}}spcPts", val="0")
        etree.SubElement(ppr, f"{{{A}}}buNone")
        run = etree.SubElement(paragraph, f"{{{A}}}r")
        rpr = etree.SubElement(
            run,
            f"{{{A}}}rPr",
            lang="en-US",
            sz=str(int(round(size * 100))),
            b="1" if header else "0",
            dirty="0",
        )
        etree.SubElement(etree.SubElement(rpr, f"{{{A}}}solidFill"), f"{{{A}}}srgbClr", val=colour)
        etree.SubElement(rpr, f"{{{A}}}latin", typeface=font)
        etree.SubElement(rpr, f"{{{A}}}cs", typeface=font)
        etree.SubElement(run, f"{{{A}}}t").text = line
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


# --- number cards ----------------------------------------------------------------------------


def draw_card(
    slide: Slide,
    rect: Rect,
    label: str,
    value: str,
    caption: str,
    band_colour: str | None,
    style: Style,
    progress: float | None = None,
    sizes: tuple[float, float] = (12, 30),
) -> None:
    """A big number with its label, a caption and, given a fraction, a progress bar, in a
    light rounded box. `sizes` caps the label and value sizes (a row of cards shares them,
    see `card_sizes`)."""
    box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *rect.emus())
    box.adjustments[0] = 0.08
    box.fill.solid()
    box.fill.fore_color.rgb = rgb("#F3F4F6")
    box.line.color.rgb = rgb(band_colour or "#E5E7EB")
    box.line.width = Pt(2.5 if band_colour else 1)
    plain(box)
    box.text_frame.text = ""
    pad = emu(CARD_PAD)
    inner = Rect(rect.left + pad, rect.top + pad, rect.width - 2 * pad, rect.height - 2 * pad)
    label_pt, value_pt = card_rows(pt(inner.height))
    label_h, value_h = int(emu(label_pt)), int(emu(value_pt))
    add_text(
        slide,
        Rect(inner.left, inner.top, inner.width, label_h),
        [Para(label, bullet=False)],
        style.body_font,
        sizes[0],
        7,
        style.colours["muted"],
        max_lines=1,
        anchor=MSO_ANCHOR.BOTTOM,
    )
    add_text(
        slide,
        Rect(inner.left, inner.top + label_h, inner.width, value_h),
        [Para(value, bullet=False, bold=True)],
        style.heading_font,
        sizes[1],
        10,
        band_colour or style.colours["primary"],
        max_lines=1,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    rest = inner.height - label_h - value_h
    if progress is not None:
        bar_h = int(emu(7))
        bar = Rect(
            inner.left + int(emu(6)),
            inner.top + label_h + value_h,
            inner.width - int(emu(12)),
            bar_h,
        )
        draw_bar(slide, bar, progress, band_colour or style.colours["secondary"])
        label_h += bar_h + int(emu(4))
        rest -= bar_h + int(emu(4))
    if caption and rest > emu(14):
        add_text(
            slide,
            Rect(inner.left, inner.top + label_h + value_h, inner.width, rest),
            [Para(caption, bullet=False)],
            style.body_font,
            11,
            7,
            style.colours["text"],
            max_lines=2,
        )


CARD_PAD = 8.0
CARD_LABEL = 28.0


def card_rows(inner_height: float) -> tuple[float, float]:
    """Heights (points) of a card's label and value rows; the caption gets the rest."""
    return min(CARD_LABEL, inner_height * 0.26), inner_height * 0.42


def card_sizes(
    labels: list[str], values: list[str], width: int, height: int, style: Style
) -> tuple[float, float]:
    """The label and value sizes at which every card of a row fits on one line: one size for
    the whole row, so the numbers read as a set."""
    inner_w = pt(width) - 2 * CARD_PAD - 2 * MARGIN_X
    label_h, value_h = card_rows(pt(height) - 2 * CARD_PAD)
    label_box = Box(inner_w, label_h - 2 * MARGIN_Y, 0, 0)
    value_box = Box(inner_w, value_h - 2 * MARGIN_Y, 0, 0)
    label = min(
        (fit([Para(t, bullet=False)], label_box, style.body_font, 12, 7, 1).size for t in labels),
        default=12.0,
    )
    value = min(
        (
            fit([Para(t, bullet=False, bold=True)], value_box, style.heading_font, 30, 10, 1).size
            for t in values
        ),
        default=30.0,
    )
    return label, value


def draw_bar(slide: Slide, rect: Rect, share: float, colour: str, track: str = "#E5E7EB") -> None:
    """A horizontal progress bar: a light track, filled to `share` (0-1) in `colour`."""
    base = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *rect.emus())
    base.adjustments[0] = 0.5
    _flat(base, track)
    share = max(0.0, min(1.0, share))
    if share > 0:
        width = max(int(rect.width * share), rect.height)
        done = slide.shapes.add_shape(
            MSO_SHAPE.ROUNDED_RECTANGLE, *Rect(rect.left, rect.top, width, rect.height).emus()
        )
        done.adjustments[0] = 0.5
        _flat(done, colour)


def _flat(shape: Any, colour: str) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb(colour)
    shape.line.fill.background()
    plain(shape)
    shape.text_frame.text = ""


def plain(shape: Any) -> None:
    """Drop an autoshape's theme style reference: its shadow (effectRef) would otherwise
    show in LibreOffice, and its white default text colour is never wanted."""
    shape.shadow.inherit = False
    style = shape._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}style")
    if style is not None:
        shape._element.remove(style)


# --- footer --------------------------------------------------------------------------------

FOOTER_SIZE = 9.0
SLIDE_NUMBER_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"


def slide_number(
    paragraph: Any, number: int, size: float, font: str | None, colour: str | None
) -> None:
    """A slide-number field (PowerPoint renumbers it when slides move), showing `number`."""
    fld = etree.SubElement(paragraph._p, f"{{{A}}}fld", id=SLIDE_NUMBER_FIELD, type="slidenum")
    rpr = etree.SubElement(fld, f"{{{A}}}rPr", lang="en-US", sz=str(int(size * 100)), dirty="0")
    if colour:
        fill = etree.SubElement(rpr, f"{{{A}}}solidFill")
        etree.SubElement(fill, f"{{{A}}}srgbClr", val=colour.lstrip("#").upper())
    if font:
        etree.SubElement(rpr, f"{{{A}}}latin", typeface=font)
    etree.SubElement(fld, f"{{{A}}}t").text = str(number)


def _one_line(
    frame: TextFrame, rect: Rect, words: str, style: Style, align: PP_ALIGN | None
) -> None:
    colour = style.colours["muted"] if style.colour_titles else None
    fit_into(
        frame, rect, [Para(words, bullet=False)], style.body_font, FOOTER_SIZE, 7, colour,
        align=align, anchor=None, max_lines=1, set_font=style.set_fonts,
    )  # fmt: skip


def footer_in_placeholders(
    slide: Slide, placeholders: dict[str, Any], left: str, date: str, number: int, style: Style
) -> list[Any]:
    """Fill the layout's own footer, date and slide-number placeholders (cloned onto the
    slide, as PowerPoint does when footers are switched on); returns the shapes."""
    shapes = []
    texts = {"footer": left, "date": date}
    if "footer" not in placeholders:
        texts["date"] = f"{left} · {date}"
    elif "date" not in placeholders:
        texts["footer"] = f"{left} · {date}"
    for kind in ("footer", "date", "number"):
        layout_ph = placeholders.get(kind)
        if layout_ph is None:
            continue
        slide.shapes.clone_placeholder(layout_ph)
        shape = slide.placeholders[layout_ph.placeholder_format.idx]
        shape.name = f"qbrgen footer {kind}"
        rect = Rect(int(shape.left), int(shape.top), int(shape.width), int(shape.height))
        align = None
        if style.colour_titles:  # the built-in theme: text on the left, date and number right
            align = PP_ALIGN.LEFT if kind == "footer" else PP_ALIGN.RIGHT
        if kind == "number":
            frame = shape.text_frame
            setup_frame(frame, None)
            frame.clear()
            slide_number(
                frame.paragraphs[0], number, FOOTER_SIZE,
                style.body_font if style.set_fonts else None,
                style.colours["muted"] if style.colour_titles else None,
            )  # fmt: skip
            if align is not None:
                frame.paragraphs[0].alignment = align
        else:
            _one_line(shape.text_frame, rect, texts[kind], style, align)
        shapes.append(shape)
    return shapes


def draw_footer(slide: Slide, rect: Rect, text: str, number: int | None, style: Style) -> list[Any]:
    """qbrgen's own footer line (for layouts without footer placeholders): the text on the
    left, the slide number on the right, unless the template prints its own."""
    number_width = 0
    if number is not None:
        number_width = int(
            emu(metrics(style.body_font).text_width("888", FOOTER_SIZE) + 2 * MARGIN_X + 6)
        )
    left = Rect(rect.left, rect.top, rect.width - number_width, rect.height)
    shapes = []
    box = slide.shapes.add_textbox(*left.emus())
    box.name = "qbrgen footer"
    setup_frame(box.text_frame, MSO_ANCHOR.MIDDLE)
    _one_line(box.text_frame, left, text, style, PP_ALIGN.LEFT)
    shapes.append(box)
    if number is not None:
        where = Rect(left.right, rect.top, number_width, rect.height)
        box = slide.shapes.add_textbox(*where.emus())
        box.name = "qbrgen footer number"
        setup_frame(box.text_frame, MSO_ANCHOR.MIDDLE)
        box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
        slide_number(
            box.text_frame.paragraphs[0], number, FOOTER_SIZE, style.body_font,
            style.colours["muted"],
        )  # fmt: skip
        shapes.append(box)
    return shapes


def shortened_note(texts: list[str]) -> str:
    """Speaker-note text giving in full what a slide had to shorten."""
    if not texts:
        return ""
    lines = "\n".join(f"• {t}" for t in texts if t and t != ELLIPSIS)
    return f"Shown shortened on the slide; in full:\n{lines}"
