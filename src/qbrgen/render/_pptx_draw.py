"""Drawing on slides: fitted text frames, number cards, the footer (tables: `_pptx_tables`).

Every text frame gets explicit font sizes, margins, line spacing and bullet indents, and is
filled only with text that `_pptx_text` measured to fit its shape; nothing relies on
PowerPoint's auto-fit.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu

from qbrgen.render._pptx_text import (
    ELLIPSIS,
    Box,
    FitResult,
    Para,
    fit,
    metrics,
)

if TYPE_CHECKING:
    from pptx.slide import Slide
    from pptx.text.text import TextFrame


A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
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


ANCHORS = {MSO_ANCHOR.TOP: "t", MSO_ANCHOR.MIDDLE: "ctr", MSO_ANCHOR.BOTTOM: "b"}
ALIGNS = {PP_ALIGN.LEFT: "l", PP_ALIGN.CENTER: "ctr", PP_ALIGN.RIGHT: "r"}
_AUTOFIT = {f"{{{A}}}{tag}" for tag in ("noAutofit", "normAutofit", "spAutoFit")}
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F]")


def setup_frame(
    frame: TextFrame,
    anchor: MSO_ANCHOR | None = MSO_ANCHOR.TOP,
    mx: float = MARGIN_X,
    my: float = MARGIN_Y,
) -> None:
    """Word wrap on, no auto-fit, explicit insets and anchor, written on a:bodyPr directly
    (python-pptx's property setters cost a lookup each; decks set thousands)."""
    body = _body(frame).find(f"{{{A}}}bodyPr")
    body.set("wrap", "square")
    body.set("lIns", str(int(emu(mx))))
    body.set("rIns", str(int(emu(mx))))
    body.set("tIns", str(int(emu(my))))
    body.set("bIns", str(int(emu(my))))
    if anchor is not None:
        body.set("anchor", ANCHORS[anchor])
    for child in list(body):
        if child.tag in _AUTOFIT:
            body.remove(child)
    first = body[0] if len(body) else None
    position = 1 if first is not None and first.tag == f"{{{A}}}prstTxWarp" else 0
    body.insert(position, etree.Element(f"{{{A}}}noAutofit"))


def _body(frame: Any) -> Any:
    """The a:txBody of a python-pptx text frame, or the element itself."""
    return getattr(frame, "_txBody", frame)


def clean_text(text: str) -> str:
    """Control characters (other than tab and line feed) as the plain-text escapes Office
    uses: XML cannot hold them, and account text must never break a file."""
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


_PARAGRAPHS: dict[tuple[Any, ...], Any] = {}
"""A paragraph's properties and one empty run, by everything they depend on: a deck has a few
dozen kinds of paragraph and thousands of paragraphs, and copying a made element costs a
fifth of making it element by element."""


def add_paragraph(
    body: Any,
    para: Para,
    size: float,
    space_before: float,
    font: str | None,
    colour: str | None,
    bullet_colour: str | None,
    align: str | None,
) -> None:
    sz = int(round(size * 2) / 2 * 100)
    before = int(round(space_before * 100))
    fill = para.colour or colour
    key = (para.bullet, para.level, align, before, bullet_colour if para.bullet else None, sz,
           para.bold, fill, font)  # fmt: skip
    template = _PARAGRAPHS.get(key)
    if template is None:
        if len(_PARAGRAPHS) > 4096:
            _PARAGRAPHS.clear()
        template = _PARAGRAPHS[key] = _new_paragraph(
            para, sz, before, font, fill, bullet_colour, align
        )
    p = copy.deepcopy(template)
    run = p[-1]
    lines = clean_text(para.text).split("\n")
    run[-1].text = lines[0]
    for line in lines[1:]:
        etree.SubElement(p, f"{{{A}}}br")
        more = copy.deepcopy(run)
        more[-1].text = line
        p.append(more)
    body.append(p)


def _new_paragraph(
    para: Para,
    sz: int,
    before: int,
    font: str | None,
    fill: str | None,
    bullet_colour: str | None,
    align: str | None,
) -> Any:
    """An a:p with explicit properties and one run without text."""
    holder = etree.Element(f"{{{A}}}txBody", nsmap={"a": A})
    p = etree.SubElement(holder, f"{{{A}}}p")
    indent = BULLET_INDENT * (para.level + 1) if para.bullet else BULLET_INDENT * para.level
    ppr = etree.SubElement(
        p,
        f"{{{A}}}pPr",
        marL=str(int(indent * EMU_PER_PT)),
        lvl="0",
        indent=str(int(-BULLET_INDENT * EMU_PER_PT)) if para.bullet else "0",
    )
    if align:
        ppr.set("algn", align)
    # Children of a:pPr in schema order: lnSpc, spcBef, spcAft, then the bullet.
    etree.SubElement(etree.SubElement(ppr, f"{{{A}}}lnSpc"), f"{{{A}}}spcPct", val="100000")
    etree.SubElement(etree.SubElement(ppr, f"{{{A}}}spcBef"), f"{{{A}}}spcPts", val=str(before))
    etree.SubElement(etree.SubElement(ppr, f"{{{A}}}spcAft"), f"{{{A}}}spcPts", val="0")
    if para.bullet:
        if bullet_colour:
            clr = etree.SubElement(ppr, f"{{{A}}}buClr")
            etree.SubElement(clr, f"{{{A}}}srgbClr", val=bullet_colour.lstrip("#").upper())
        etree.SubElement(ppr, f"{{{A}}}buFont", typeface="Arial")
        etree.SubElement(ppr, f"{{{A}}}buChar", char="•" if para.level == 0 else "–")
    else:
        etree.SubElement(ppr, f"{{{A}}}buNone")
    run = etree.SubElement(p, f"{{{A}}}r")
    rpr = etree.SubElement(
        run, f"{{{A}}}rPr", lang="en-US", sz=str(sz), b="1" if para.bold else "0", dirty="0"
    )
    if fill:
        solid = etree.SubElement(rpr, f"{{{A}}}solidFill")
        etree.SubElement(solid, f"{{{A}}}srgbClr", val=fill.lstrip("#").upper())
    if font:
        etree.SubElement(rpr, f"{{{A}}}latin", typeface=font)
    etree.SubElement(run, f"{{{A}}}t")
    return p


def write_paragraphs(
    frame: TextFrame,
    result: FitResult,
    font: str,
    colour: str | None,
    bullet_colour: str | None = None,
    align: PP_ALIGN | None = None,
    set_font: bool = True,
) -> None:
    """Put fitted paragraphs into a text frame with explicit size, font and spacing (as
    DrawingML directly: a deck writes thousands of runs)."""
    body = _body(frame)
    for old in body.findall(f"{{{A}}}p"):
        body.remove(old)
    for index, para in enumerate(result.paragraphs):
        size = result.size * para.scale
        add_paragraph(
            body, para, size, SPACE_BEFORE * size if index else 0.0,
            font if set_font else None, colour, bullet_colour,
            ALIGNS.get(align) if align is not None else None,
        )  # fmt: skip
    if not result.paragraphs:
        etree.SubElement(body, f"{{{A}}}p")


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
    body = text_box(slide, rect)
    return fit_into(body, rect, paras, font, max_size, min_size, colour, **kwargs)


def next_shape_id(tree: Any) -> int:
    """The id for a new shape on a slide's shape tree: one above the highest in use (walking
    the tree's cNvPr elements; an XPath query costs ten times as much)."""
    ids = (props.get("id", "") for props in tree.iter(f"{{{P}}}cNvPr"))
    return max((int(i) for i in ids if i.isdigit()), default=1) + 1


def text_box(slide: Slide, rect: Rect, name: str = "TextBox") -> Any:
    """A new text box at `rect`, written as DrawingML in one go; returns its a:txBody (which
    `fit_into`, `setup_frame` and `write_paragraphs` take like a text frame)."""
    from pptx.oxml import parse_xml

    tree = slide.shapes._spTree
    shape_id = next_shape_id(tree)
    element = parse_xml(
        f'<p:sp xmlns:p="{P}" xmlns:a="{A}"><p:nvSpPr><p:cNvPr id="{shape_id}" '
        f'name="{escape(name)} {shape_id}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{rect.left}" y="{rect.top}"/><a:ext cx="{rect.width}" '
        f'cy="{rect.height}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:noFill/></p:spPr><p:txBody><a:bodyPr wrap="square" rtlCol="0"/><a:lstStyle/>'
        f"<a:p/></p:txBody></p:sp>"
    )
    tree.insert_element_before(element, "p:extLst")
    return element.find(f"{{{P}}}txBody")


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
    flat_shape(slide, rect, "#F3F4F6", band_colour or "#E5E7EB", 2.5 if band_colour else 1.0, 0.08)
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
    flat_shape(slide, rect, track, radius=0.5)
    share = max(0.0, min(1.0, share))
    if share > 0:
        width = max(int(rect.width * share), rect.height)
        flat_shape(slide, Rect(rect.left, rect.top, width, rect.height), colour, radius=0.5)


def flat_shape(
    slide: Slide,
    rect: Rect,
    fill: str,
    line: str | None = None,
    line_width: float = 0.75,
    radius: float = 0.0,
    geometry: str = "",
    text: str = "",
    text_size: float = 12.0,
    text_colour: str = "#FFFFFF",
    font: str = "",
) -> Any:
    """A flat filled shape (rectangle, rounded when `radius` > 0, or any preset `geometry`),
    written as DrawingML in one go (python-pptx's add_shape and its property setters cost a
    lookup each), optionally with one centred bold line of text. Returns the element."""
    from pptx.oxml import parse_xml

    tree = slide.shapes._spTree
    shape_id = next_shape_id(tree)
    prst = geometry or ("roundRect" if radius else "rect")
    guide = f'<a:gd name="adj" fmla="val {int(radius * 100000)}"/>' if radius else ""
    outline = (
        f'<a:ln w="{int(line_width * EMU_PER_PT)}"><a:solidFill>'
        f'<a:srgbClr val="{line.lstrip("#").upper()}"/></a:solidFill></a:ln>'
        if line
        else "<a:ln><a:noFill/></a:ln>"
    )
    body = "<a:p/>"
    if text:
        face = f'<a:latin typeface="{escape(font)}"/>' if font else ""
        body = (
            f'<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-US" sz="{int(text_size * 100)}" '
            f'b="1" dirty="0"><a:solidFill><a:srgbClr val="{text_colour.lstrip("#").upper()}"/>'
            f"</a:solidFill>{face}</a:rPr><a:t>{escape(clean_text(text))}</a:t></a:r></a:p>"
        )
    element = parse_xml(
        f'<p:sp xmlns:p="{P}" xmlns:a="{A}"><p:nvSpPr><p:cNvPr id="{shape_id}" '
        f'name="{prst} {shape_id}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm>'
        f'<a:off x="{rect.left}" y="{rect.top}"/><a:ext cx="{rect.width}" cy="{rect.height}"/>'
        f'</a:xfrm><a:prstGeom prst="{prst}"><a:avLst>{guide}</a:avLst></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{fill.lstrip("#").upper()}"/></a:solidFill>{outline}'
        f'</p:spPr><p:txBody><a:bodyPr rtlCol="0" anchor="ctr" lIns="0" tIns="0" rIns="0" '
        f'bIns="0"/><a:lstStyle/>{body}</p:txBody></p:sp>'
    )
    tree.insert_element_before(element, "p:extLst")
    return element


# --- footer --------------------------------------------------------------------------------

FOOTER_SIZE = 9.0
SLIDE_NUMBER_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"


def slide_number(
    paragraph: Any, number: int, size: float, font: str | None, colour: str | None
) -> None:
    """A slide-number field (PowerPoint renumbers it when slides move), showing `number`;
    `paragraph` is a python-pptx paragraph or an a:p element."""
    p = getattr(paragraph, "_p", paragraph)
    fld = etree.SubElement(p, f"{{{A}}}fld", id=SLIDE_NUMBER_FIELD, type="slidenum")
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
    slide: Slide,
    placeholders: dict[str, Any],
    left: str,
    date: str,
    number: int,
    style: Style,
    cache: dict[Any, list[Any]] | None = None,
) -> None:
    """Fill the layout's own footer, date and slide-number placeholders (cloned onto the
    slide, as PowerPoint does when footers are switched on). The filled shapes of a layout
    are kept in `cache` and copied onto its next slides with their own slide number."""
    key = ("placeholders", id(placeholders))
    if cache is not None and key in cache:
        copy_shapes(slide, cache[key], number)
        return
    texts = {"footer": left, "date": date}
    if "footer" not in placeholders:
        texts["date"] = f"{left} · {date}"
    elif "date" not in placeholders:
        texts["footer"] = f"{left} · {date}"
    elements = []
    for kind in ("footer", "date", "number"):
        layout_ph = placeholders.get(kind)
        if layout_ph is None:
            continue
        slide.shapes.clone_placeholder(layout_ph)
        element = slide.shapes._spTree[-1]
        shape: Any = slide.shapes[-1]
        shape.name = f"qbrgen footer {kind}"
        rect = Rect(
            int(layout_ph.left), int(layout_ph.top), int(layout_ph.width), int(layout_ph.height)
        )
        align = None
        if style.colour_titles:  # the built-in theme: text on the left, date and number right
            align = PP_ALIGN.LEFT if kind == "footer" else PP_ALIGN.RIGHT
        frame = shape.text_frame
        if kind == "number":
            setup_frame(frame, None)
            body = frame._txBody
            for old in body.findall(f"{{{A}}}p"):
                body.remove(old)
            paragraph = etree.SubElement(body, f"{{{A}}}p")
            if align is not None:
                etree.SubElement(paragraph, f"{{{A}}}pPr", algn=ALIGNS[align])
            slide_number(
                paragraph, number, FOOTER_SIZE, style.body_font if style.set_fonts else None,
                style.colours["muted"] if style.colour_titles else None,
            )  # fmt: skip
        else:
            _one_line(frame, rect, texts[kind], style, align)
        elements.append(element)
    if cache is not None:
        cache[key] = elements


def copy_shapes(slide: Slide, elements: list[Any], number: int) -> None:
    """Copies of shapes drawn on an earlier slide (a footer), with fresh ids and this slide's
    number in their slide-number field."""
    tree = slide.shapes._spTree
    next_id = next_shape_id(tree)
    for offset, element in enumerate(elements):
        clone = copy.deepcopy(element)
        for props in clone.iter(f"{{{P}}}cNvPr"):
            props.set("id", str(next_id + offset))
        for field in clone.iter(f"{{{A}}}fld"):
            if field.get("type") == "slidenum":
                field.find(f"{{{A}}}t").text = str(number)
        tree.append(clone)


def draw_footer(
    slide: Slide,
    rect: Rect,
    text: str,
    number: int | None,
    style: Style,
    cache: dict[Any, list[Any]] | None = None,
) -> None:
    """qbrgen's own footer line (for layouts without footer placeholders): the text on the
    left, the slide number on the right, unless the template prints its own. Drawn once per
    position and copied onto the next slides (`cache`)."""
    key = ("own", rect, number is None)
    if cache is not None and key in cache:
        copy_shapes(slide, cache[key], number or 0)
        return
    number_width = 0
    if number is not None:
        number_width = int(
            emu(metrics(style.body_font).text_width("888", FOOTER_SIZE) + 2 * MARGIN_X + 6)
        )
    left = Rect(rect.left, rect.top, rect.width - number_width, rect.height)
    elements = []
    box = slide.shapes.add_textbox(*left.emus())
    box.name = "qbrgen footer"
    setup_frame(box.text_frame, MSO_ANCHOR.MIDDLE)
    _one_line(box.text_frame, left, text, style, PP_ALIGN.LEFT)
    elements.append(box._element)
    if number is not None:
        where = Rect(left.right, rect.top, number_width, rect.height)
        box = slide.shapes.add_textbox(*where.emus())
        box.name = "qbrgen footer number"
        setup_frame(box.text_frame, MSO_ANCHOR.MIDDLE)
        body = box.text_frame._txBody
        for old in body.findall(f"{{{A}}}p"):
            body.remove(old)
        paragraph = etree.SubElement(body, f"{{{A}}}p")
        etree.SubElement(paragraph, f"{{{A}}}pPr", algn="r")
        slide_number(paragraph, number, FOOTER_SIZE, style.body_font, style.colours["muted"])
        elements.append(box._element)
    if cache is not None:
        cache[key] = elements


def shortened_note(texts: list[str]) -> str:
    """Speaker-note text giving in full what a slide had to shorten."""
    if not texts:
        return ""
    lines = "\n".join(f"• {t}" for t in texts if t and t != ELLIPSIS)
    return f"Shown shortened on the slide; in full:\n{lines}"


# --- language ------------------------------------------------------------------------------


def tag_language(prs: Any, tag: str, east_asian_font: str | None = None) -> None:
    """Mark every run of the deck (slides, their charts and speaker notes) with the language
    of its text, so PowerPoint spell-checks it and a screen reader speaks it as written, and
    name `east_asian_font` for its Chinese, Japanese and Korean characters (the font the
    text was measured with, see _pptx_text.CJK_FALLBACK)."""
    for slide in prs.slides:
        parts = [slide.part]
        parts += [rel.target_part for rel in slide.part.rels.values() if "chart" in rel.reltype]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.part)
        for part in parts:
            element = getattr(part, "_element", None)
            if element is not None:
                _tag_runs(element, tag, east_asian_font)


_AFTER_EA = {
    f"{{{A}}}{name}" for name in ("cs", "sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")
}


def _tag_runs(element: Any, tag: str, east_asian_font: str | None = None) -> None:
    for run in element.iter(f"{{{A}}}r", f"{{{A}}}fld"):
        if run.find(f"{{{A}}}rPr") is None:
            run.insert(0, etree.Element(f"{{{A}}}rPr"))
    for props in element.iter(f"{{{A}}}rPr", f"{{{A}}}endParaRPr", f"{{{A}}}defRPr"):
        props.set("lang", tag)
        if east_asian_font and props.find(f"{{{A}}}ea") is None:
            ea = etree.Element(f"{{{A}}}ea", typeface=east_asian_font)
            latin = props.find(f"{{{A}}}latin")
            if latin is not None:
                latin.addnext(ea)
                continue
            later = next((child for child in props if child.tag in _AFTER_EA), None)
            if later is not None:
                later.addprevious(ea)
            else:
                props.append(ea)
