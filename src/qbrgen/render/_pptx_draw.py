"""Drawing on slides: fitted text frames, paginated tables, number cards, the footer.

Every text frame gets explicit font sizes, margins, line spacing and bullet indents, and is
filled only with text that `_pptx_text` measured to fit its shape; nothing relies on
PowerPoint's auto-fit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Pt

from qbrgen.render._pptx_text import ELLIPSIS, Box, FitResult, Para, ellipsize, fit, metrics

if TYPE_CHECKING:
    from pptx.slide import Slide
    from pptx.text.text import TextFrame

    from qbrgen.render._pptx_template import TableSpec

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
    """Colour titles with the brand primary (built-in theme); corporate masters keep their own."""


def frame_box(rect: Rect) -> Box:
    return Box(
        pt(rect.width) - 2 * MARGIN_X,
        pt(rect.height) - 2 * MARGIN_Y,
        BULLET_INDENT,
        SPACE_BEFORE,
    )


def setup_frame(
    frame: TextFrame,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    mx: float = MARGIN_X,
    my: float = MARGIN_Y,
) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = emu(mx)
    frame.margin_top = frame.margin_bottom = emu(my)
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
) -> None:
    """Put fitted paragraphs into a text frame with explicit size, font and spacing."""
    frame.clear()
    for index, para in enumerate(result.paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _set_spacing(paragraph, SPACE_BEFORE * result.size if index else 0.0)
        _set_bullet(paragraph, para, bullet_colour)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = para.text
        run.font.size = Pt(result.size)
        run.font.name = font
        run.font.bold = para.bold
        if colour:
            run.font.color.rgb = rgb(colour)
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
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    max_lines: int | None = None,
) -> FitResult:
    """Fit `paras` into the frame of a shape at `rect`; returns what was written."""
    setup_frame(frame, anchor)
    result = fit(paras, frame_box(rect), font, max_size, min_size, max_lines)
    write_paragraphs(frame, result, font, colour, bullet_colour, align)
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
    """A table cut into pages: each page the rows (already shortened) and their heights."""

    widths: list[int]
    header_height: float
    pages: list[list[tuple[list[str], float]]]
    size: float
    shortened: list[str]
    headers: list[str]


def _cell_fit(
    text: str, width_pt: float, font: str, size: float, max_lines: int, bold: bool = False
) -> tuple[str, float, bool]:
    box = Box(width_pt - 2 * CELL_X, 1e6, 0.0, 0.0)
    result = fit([Para(text, 0, False, bold)], box, font, size, size, max_lines)
    shown = result.paragraphs[0].text if result.paragraphs else ""
    return shown, result.height + 2 * CELL_Y, result.shortened


def layout_table(spec: TableSpec, rect: Rect, font: str, size: float = 12.0) -> TableLayout:
    """Column widths, shortened cells and measured row heights, paginated to `rect`."""
    total = sum(c.width for c in spec.columns) or 1.0
    widths = [int(rect.width * c.width / total) for c in spec.columns]
    widths[-1] = rect.width - sum(widths[:-1])
    header_cells = [
        _cell_fit(c.header, pt(w), font, size, 2, True)
        for c, w in zip(spec.columns, widths, strict=True)
    ]
    headers = [shown for shown, _, _ in header_cells]
    header_height = max(height for _, height, _ in header_cells)
    available = pt(rect.height) - header_height
    pages: list[list[tuple[list[str], float]]] = [[]]
    used = 0.0
    shortened: list[str] = []
    for row in spec.rows:
        cells: list[str] = []
        height = 0.0
        for text, width in zip(row, widths, strict=True):
            shown, cell_height, short = _cell_fit(text, pt(width), font, size, spec.max_lines)
            cells.append(shown)
            height = max(height, cell_height)
            if short:
                shortened.append(text)
        if pages[-1] and used + height > available:
            pages.append([])
            used = 0.0
        pages[-1].append((cells, height))
        used += height
    return TableLayout(widths, header_height, pages, size, shortened, headers)


def draw_table(
    slide: Slide,
    rect: Rect,
    layout: TableLayout,
    page: int,
    headers: list[str],
    aligns: list[str],
    style: Style,
) -> Any:
    """Add one page of a laid-out table. Rows are written as DrawingML directly: python-pptx's
    per-cell proxies cost ~1 ms a cell, which a 40-row risk register notices."""
    rows = layout.pages[page]
    height = layout.header_height + sum(h for _, h in rows)
    shape = slide.shapes.add_table(
        1, len(headers), Emu(rect.left), Emu(rect.top), Emu(rect.width), emu(height)
    )
    tbl = shape.table._tbl
    tbl.get_or_add_tblPr().set("bandRow", "0")
    for col, width in zip(tbl.tblGrid.findall(f"{{{A}}}gridCol"), layout.widths, strict=True):
        col.set("w", str(width))
    for old in tbl.findall(f"{{{A}}}tr"):
        tbl.remove(old)
    text_colour = style.colours["text"].lstrip("#").upper()
    header_fill = style.colours["primary"].lstrip("#").upper()
    body = [(layout.headers, layout.header_height, True)] + [(cells, h, False) for cells, h in rows]
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
        sz=str(int(size * 100)),
        b="1" if header else "0",
        dirty="0",
    )
    etree.SubElement(etree.SubElement(rpr, f"{{{A}}}solidFill"), f"{{{A}}}srgbClr", val=colour)
    etree.SubElement(rpr, f"{{{A}}}latin", typeface=font)
    etree.SubElement(rpr, f"{{{A}}}cs", typeface=font)
    etree.SubElement(run, f"{{{A}}}t").text = text
    tcpr = etree.SubElement(
        tc,
        f"{{{A}}}tcPr",
        marL=str(int(emu(CELL_X))),
        marR=str(int(emu(CELL_X))),
        marT=str(int(emu(CELL_Y))),
        marB=str(int(emu(CELL_Y))),
        anchor="ctr" if header else "t",
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
) -> None:
    """A big number with its label and a one-line caption, in a light rounded box."""
    box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *rect.emus())
    box.adjustments[0] = 0.08
    box.fill.solid()
    box.fill.fore_color.rgb = rgb("#F3F4F6")
    box.line.color.rgb = rgb(band_colour or "#E5E7EB")
    box.line.width = Pt(2.5 if band_colour else 1)
    box.shadow.inherit = False
    box.text_frame.text = ""
    pad = emu(8)
    inner = Rect(rect.left + pad, rect.top + pad, rect.width - 2 * pad, rect.height - 2 * pad)
    label_h = emu(22)
    value_h = int(inner.height * 0.5)
    add_text(
        slide,
        Rect(inner.left, inner.top, inner.width, label_h),
        [Para(label, bullet=False)],
        style.body_font,
        12,
        9,
        style.colours["muted"],
        max_lines=1,
    )
    add_text(
        slide,
        Rect(inner.left, inner.top + label_h, inner.width, value_h),
        [Para(value, bullet=False, bold=True)],
        style.heading_font,
        30,
        14,
        band_colour or style.colours["primary"],
        max_lines=1,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    rest = inner.height - label_h - value_h
    if caption and rest > emu(14):
        add_text(
            slide,
            Rect(inner.left, inner.top + label_h + value_h, inner.width, rest),
            [Para(caption, bullet=False)],
            style.body_font,
            11,
            8,
            style.colours["text"],
            max_lines=2,
        )


# --- footer --------------------------------------------------------------------------------


def draw_footer(
    slide: Slide, rect: Rect, text: str, page: str, style: Style, widest: str = ""
) -> list[Any]:
    """The small provenance line at the bottom of a slide, with the page number; returns the
    two shapes' elements so the next slides can reuse them (`copy_footer`)."""
    font = metrics(style.body_font)
    size = 8.0
    page_width = emu(font.text_width(widest or page, size) / 0.9 + 2 * MARGIN_X + 4)
    left = Rect(rect.left, rect.top, rect.width - page_width, rect.height)
    shown = ellipsize(text, font, size, pt(left.width) - 2 * MARGIN_X)
    elements: list[Any] = []
    for where, words, align in (
        (left, shown, PP_ALIGN.LEFT),
        (Rect(left.right, rect.top, page_width, rect.height), page, PP_ALIGN.RIGHT),
    ):
        box = slide.shapes.add_textbox(*where.emus())
        elements.append(box._element)
        box.name = "qbrgen footer"
        frame = box.text_frame
        setup_frame(frame, MSO_ANCHOR.MIDDLE)
        paragraph = frame.paragraphs[0]
        _set_spacing(paragraph, 0.0)
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = words
        run.font.size = Pt(size)
        run.font.name = style.body_font
        run.font.color.rgb = rgb(style.colours["muted"])
    return elements


def copy_footer(slide: Slide, elements: list[Any], page: str) -> None:
    """Put copies of a footer drawn by `draw_footer` on another slide, with its page number."""
    tree = slide.shapes._spTree
    next_id = (
        max((int(e.get("id")) for e in tree.iter() if e.tag.endswith("}cNvPr")), default=1) + 1
    )
    for index, element in enumerate(elements):
        clone = copy.deepcopy(element)
        for props in clone.iter(
            "{http://schemas.openxmlformats.org/presentationml/2006/main}cNvPr"
        ):
            props.set("id", str(next_id + index))
        if index == len(elements) - 1:
            clone.find(f".//{{{A}}}t").text = page
        tree.append(clone)


def shortened_note(texts: list[str]) -> str:
    """Speaker-note text giving in full what a slide had to shorten."""
    if not texts:
        return ""
    lines = "\n".join(f"• {t}" for t in texts if t and t != ELLIPSIS)
    return f"Shown shortened on the slide; in full:\n{lines}"
