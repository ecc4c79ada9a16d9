"""Measuring decks read back from .pptx: how much of each content slide's content area is
covered, whether any text was shortened, and where text or shapes overflow.

Coverage counts the boxes of drawn shapes (tables by their rows, charts, pictures, filled
shapes) and, for text boxes, only the height their text takes (measured with the real font's
metrics at the sizes written in the file), so an empty text box covers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import MSO_ANCHOR

from qbrgen.render._pptx_text import line_height, metrics, wrap

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
GRID = (240, 120)


def pt(value) -> float:
    return (value or 0) / 12700


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def area(self) -> float:
        return max(0.0, self.right - self.left) * max(0.0, self.bottom - self.top)


def slide_kind(slide) -> str:
    """'goals', 'table', 'cover' ... from the slide name qbrgen writes ('kind:id')."""
    return (slide._element.cSld.get("name") or ":").split(":", 1)[0]


def slide_id(slide) -> str:
    return (slide._element.cSld.get("name") or ":").split(":", 1)[1]


def is_content(slide) -> bool:
    """Content slides: everything but covers, section dividers and the closing slide."""
    return slide_kind(slide) not in ("cover", "section")


def paragraph_height(paragraph, width: float, family: str = "DejaVu Sans") -> float:
    """Height in points of a paragraph as written (`family` for runs without a font name)."""
    runs = [r for r in paragraph.runs if r.text]
    fld = paragraph._p.find(f"{A}fld")
    if not runs and fld is None:
        return 0.0
    if runs:
        font = runs[0].font
        size = font.size.pt if font.size is not None else 18.0
        face = metrics(font.name or family, bool(font.bold))
    else:
        size, face = 9.0, metrics("DejaVu Sans")
    ppr = paragraph._p.pPr
    indent = pt(int(ppr.get("marL", "0"))) if ppr is not None else 0.0
    return sum(
        line_height(face, size, line) for line in wrap(paragraph.text, face, size, width - indent)
    )


def space_before(paragraph) -> float:
    pts = paragraph._p.find(f"{A}pPr/{A}spcBef/{A}spcPts")
    return int(pts.get("val")) / 100 if pts is not None else 0.0


def text_height(frame, width: float) -> float:
    total = 0.0
    for index, paragraph in enumerate(frame.paragraphs):
        total += paragraph_height(paragraph, width)
        if index:
            total += space_before(paragraph)
    return total


def box_of(shape) -> Box:
    left, top = pt(shape.left), pt(shape.top)
    height = sum(pt(r.height) for r in shape.table.rows) if shape.has_table else pt(shape.height)
    return Box(left, top, left + pt(shape.width), top + height)


def covered_box(shape) -> Box | None:
    """What a shape visibly covers: text boxes only where their text is."""
    box = box_of(shape)
    plain_text = shape.shape_type in (MSO_SHAPE_TYPE.TEXT_BOX, MSO_SHAPE_TYPE.PLACEHOLDER)
    if not plain_text or not shape.has_text_frame:
        return box
    frame = shape.text_frame
    width = box.right - box.left - pt(frame.margin_left) - pt(frame.margin_right)
    height = text_height(frame, width)
    if height <= 0:
        return None
    height += pt(frame.margin_top) + pt(frame.margin_bottom)
    anchor = frame.vertical_anchor
    if anchor == MSO_ANCHOR.MIDDLE:
        top = box.top + (box.bottom - box.top - height) / 2
    elif anchor == MSO_ANCHOR.BOTTOM:
        top = box.bottom - height
    else:
        top = box.top
    return Box(box.left, top, box.right, top + height)


def is_footer(shape) -> bool:
    return shape.name.startswith("qbrgen footer")


def content_area(slide, prs) -> Box:
    """Below the title, above the footer, within the title's side margins."""
    title = slide.shapes.title
    width, height = pt(prs.slide_width), pt(prs.slide_height)
    footer_tops = [pt(s.top) for s in slide.shapes if is_footer(s)]
    bottom = min(footer_tops) if footer_tops else height
    if title is None:
        return Box(width * 0.05, height * 0.2, width * 0.95, bottom)
    tb = box_of(title)
    left = min(tb.left, width * 0.08)
    return Box(left, tb.bottom, width - left, bottom)


def coverage(slide, prs) -> float:
    """Share (0-1) of the content area covered by the slide's content."""
    area = content_area(slide, prs)
    cols, rows = GRID
    cell_w = (area.right - area.left) / cols
    cell_h = (area.bottom - area.top) / rows
    if cell_w <= 0 or cell_h <= 0:
        return 0.0
    hit = [[False] * cols for _ in range(rows)]
    title = slide.shapes.title
    for shape in slide.shapes:
        if is_footer(shape) or (title is not None and shape.shape_id == title.shape_id):
            continue
        box = covered_box(shape)
        if box is None:
            continue
        c0 = max(0, int((box.left - area.left) / cell_w))
        c1 = min(cols, int((box.right - area.left) / cell_w + 0.999))
        r0 = max(0, int((box.top - area.top) / cell_h))
        r1 = min(rows, int((box.bottom - area.top) / cell_h + 0.999))
        for r in range(r0, r1):
            row = hit[r]
            for c in range(c0, c1):
                row[c] = True
    return sum(sum(row) for row in hit) / (cols * rows)


def all_texts(slide) -> list[str]:
    """Every text of a slide: shapes, table cells, chart titles and series names."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out.extend(c.text_frame.text for row in shape.table.rows for c in row.cells)
        if shape.has_chart:
            chart = shape.chart
            if chart.has_title:
                out.append(chart.chart_title.text_frame.text)
            out.extend(s.name for s in chart.plots[0].series)
            out.extend(str(c) for c in chart.plots[0].categories)
            for axis in (chart.value_axis,):
                if axis.has_title:
                    out.append(axis.axis_title.text_frame.text)
    return out


def shortened(slide) -> list[str]:
    """Texts the slide had to shorten: cut with an ellipsis, or given in full in the notes
    because they were cut or dropped."""
    cut = [t for t in all_texts(slide) if t.rstrip().endswith("…")]
    notes = notes_text(slide)
    for marker in ("Shown shortened on the slide; in full:", "Full title: "):
        if marker in notes:
            cut.append(notes.split(marker, 1)[1].strip().splitlines()[0])
    return cut


def notes_text(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
