"""The deck's visual building blocks beyond text and tables: goal progress rows, status chips,
value tiles, numbered item rows, quotes, panels and logos.

Each block is drawn into a rectangle it is given and fills it (the slide builder sizes the
rectangles so a slide's content area is used); every text inside is measured and fitted like
the rest of the deck, never left to PowerPoint's auto-fit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu

from qbrgen.render._pptx_draw import Rect, Style, add_text, draw_bar, emu, flat_shape, pt
from qbrgen.render._pptx_text import FitResult, Para

if TYPE_CHECKING:
    from pptx.slide import Slide

_RECORD: list[FitResult] | None = None


@contextmanager
def recording() -> Iterator[list[FitResult]]:
    """Collect what every text of the visuals drawn inside the block fitted (so the caller
    can give anything shortened in full in the speaker notes)."""
    global _RECORD
    saved, _RECORD = _RECORD, []
    try:
        yield _RECORD
    finally:
        _RECORD = saved


TINT = "#F3F4F6"
LINE = "#E5E7EB"
WHITE = "#FFFFFF"


def box(slide: Slide, rect: Rect, fill: str, line: str | None = None, radius: float = 0.0) -> Any:
    """A flat filled rectangle (rounded when `radius` > 0), without text; its element."""
    return flat_shape(slide, rect, fill, line, radius=radius)


def send_to_back(element: Any) -> None:
    """Move a shape's element behind every other shape of its slide (a background panel)."""
    tree = element.getparent()
    tree.remove(element)
    tree.insert(2, element)  # after nvGrpSpPr and grpSpPr


def chip(slide: Slide, rect: Rect, text: str, colour: str, style: Style) -> Rect:
    """A status chip: white bold text on a rounded coloured pill, as wide as its text."""
    from qbrgen.render._pptx_text import metrics

    size = 11.0
    width = min(
        rect.width, int(emu(metrics(style.body_font, True).text_width(text, size) / 0.9 + 22))
    )
    height = min(rect.height, int(emu(size * 2.1)))
    where = Rect(rect.right - width, rect.top, width, height)
    box(slide, where, colour, radius=0.5)
    result = add_text(
        slide, where, [Para(text, bullet=False, bold=True)], style.body_font, size, 7, WHITE,
        align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, set_font=True,
    )  # fmt: skip
    if _RECORD is not None:
        _RECORD.append(result)
    return where


def text(
    slide: Slide,
    rect: Rect,
    paras: list[Para],
    style: Style,
    size: tuple[float, float],
    colour: str | None = None,
    heading: bool = False,
    **kwargs: Any,
) -> FitResult:
    """Fitted text in its own box (the visuals always set their fonts: they are qbrgen's)."""
    result = add_text(
        slide, rect, paras, style.heading_font if heading else style.body_font, size[0], size[1],
        colour or style.colours["text"], set_font=True, **kwargs,
    )  # fmt: skip
    if _RECORD is not None:
        _RECORD.append(result)
    return result


# --- goals -------------------------------------------------------------------------------------


@dataclass
class GoalRow:
    """What one goal row shows, already in words (formatting is the caller's)."""

    title: str
    detail: str
    status: str
    status_colour: str
    outcome: str
    progress: float | None
    """Share of the way from baseline to target (0-1), or milestones reached; None: no bar."""
    start_label: str = ""
    now_label: str = ""
    end_label: str = ""


def goal_row(slide: Slide, rect: Rect, row: GoalRow, style: Style) -> list[FitResult]:
    """A goal as a card: title and measure on the left, progress from baseline to target in
    the middle, the status chip on the right, what was achieved under the bar."""
    box(slide, rect, TINT, radius=0.06)
    box(slide, Rect(rect.left, rect.top, int(emu(5)), rect.height), row.status_colour)
    pad = int(emu(12))
    inner = Rect(rect.left + pad, rect.top + pad // 2, rect.width - 2 * pad, rect.height - pad)
    left_w = int(inner.width * 0.36)
    chip_w = int(inner.width * 0.15)
    mid = Rect(
        inner.left + left_w + pad,
        inner.top,
        inner.width - left_w - chip_w - 2 * pad,
        inner.height,
    )
    label_h = int(emu(16))
    bar_h = int(emu(10))
    out_top = inner.top + (2 * label_h + bar_h + int(emu(10)) if row.progress is not None else 0)
    # On a low row there is no room for the outcome under the bar: it joins the left column.
    outcome_below = inner.bottom - out_top >= int(emu(24))
    paras = [Para(row.title, bullet=False, bold=True)]
    if row.detail:
        paras.append(Para(row.detail, bullet=False, scale=0.8, colour=style.colours["muted"]))
    if row.outcome and not outcome_below:
        paras.append(Para(row.outcome, bullet=False, scale=0.8))
    results = [
        text(
            slide,
            Rect(inner.left, inner.top, left_w, inner.height),
            paras,
            style,
            (17, 8),
            anchor=MSO_ANCHOR.MIDDLE,
        )  # fmt: skip
    ]
    chip(slide, Rect(inner.right - chip_w, inner.top + pad // 2, chip_w, inner.height), row.status,
         row.status_colour, style)  # fmt: skip
    if row.progress is not None:
        bar_top = inner.top + label_h + int(emu(4))
        bar = Rect(mid.left, bar_top, mid.width, bar_h)
        draw_bar(slide, bar, row.progress, row.status_colour)
        half = mid.width // 2
        for where, words, align in (
            (Rect(mid.left, bar.bottom + int(emu(2)), half, label_h), row.start_label, PP_ALIGN.LEFT),
            (Rect(mid.right - half, bar.bottom + int(emu(2)), half, label_h), row.end_label, PP_ALIGN.RIGHT),
        ):  # fmt: skip
            if words:
                text(slide, where, [Para(words, bullet=False)], style, (10, 7),
                     style.colours["muted"], align=align)  # fmt: skip
        if row.now_label:
            centre = mid.left + int(mid.width * max(0.0, min(1.0, row.progress)))
            now_w = min(mid.width, int(emu(170)))
            now_left = max(mid.left, min(centre - now_w // 2, mid.right - now_w))
            text(slide, Rect(now_left, inner.top, now_w, label_h),
                 [Para(row.now_label, bullet=False, bold=True)], style, (10, 7),
                 row.status_colour, align=PP_ALIGN.CENTER)  # fmt: skip
    if row.outcome and outcome_below:
        results.append(
            text(slide, Rect(mid.left, out_top, mid.width, inner.bottom - out_top),
                 [Para(row.outcome, bullet=False)], style, (14, 9),
                 anchor=MSO_ANCHOR.TOP if row.progress is not None else MSO_ANCHOR.MIDDLE)
        )  # fmt: skip
    return results


# --- tiles, items, quotes ---------------------------------------------------------------------


def tile(
    slide: Slide,
    rect: Rect,
    value: str,
    label: str,
    title: str,
    detail: str,
    caption: str,
    style: Style,
) -> list[FitResult]:
    """A value tile: the number big, what it counts under it, then the win and its story."""
    box(slide, rect, TINT, radius=0.05)
    box(slide, Rect(rect.left, rect.top, rect.width, int(emu(5))), style.colours["primary"])
    pad = int(emu(14))
    inner = Rect(rect.left + pad, rect.top + pad, rect.width - 2 * pad, rect.height - 2 * pad)
    results: list[FitResult] = []
    top = inner.top
    if not value:  # a win without a number: a tick in the number's place, so tiles line up
        value, label = "✓", ""
    if value:
        value_h = int(min(inner.height * 0.32, emu(64)))
        results.append(
            text(slide, Rect(inner.left, top, inner.width, value_h),
                 [Para(value, bullet=False, bold=True)], style, (40, 16),
                 style.colours["primary"], heading=True, anchor=MSO_ANCHOR.BOTTOM, max_lines=1)
        )  # fmt: skip
        top += value_h
        if label:
            label_h = int(emu(22))
            results.append(
                text(slide, Rect(inner.left, top, inner.width, label_h),
                     [Para(label, bullet=False)], style, (14, 9), style.colours["secondary"])
            )  # fmt: skip
            top += label_h
        top += int(emu(8))
    caption_h = int(emu(18)) if caption else 0
    paras = [Para(title, bullet=False, bold=True)]
    if detail:
        paras.append(Para(detail, bullet=False, scale=0.8))
    results.append(
        text(slide, Rect(inner.left, top, inner.width, inner.bottom - top - caption_h), paras,
             style, (18, 9))
    )  # fmt: skip
    if caption:
        text(slide, Rect(inner.left, inner.bottom - caption_h, inner.width, caption_h),
             [Para(caption, bullet=False)], style, (10, 8), style.colours["muted"])  # fmt: skip
    return results


def item_row(
    slide: Slide,
    rect: Rect,
    number: int,
    title: str,
    detail: str,
    chip_text: str,
    chip_colour: str,
    style: Style,
) -> list[FitResult]:
    """A numbered row: the number in a circle, a bold line and its detail, a status chip."""
    box(slide, rect, TINT, radius=0.08)
    pad = int(emu(10))
    size = min(int(emu(34)), rect.height - 2 * pad)
    flat_shape(
        slide, Rect(rect.left + pad, rect.top + (rect.height - size) // 2, size, size),
        style.colours["primary"], geometry="ellipse", text=str(number),
        text_size=max(9, min(16, round(pt(size) * 0.45))), font=style.heading_font,
    )  # fmt: skip
    chip_w = int(rect.width * 0.16) if chip_text else 0
    left = rect.left + pad * 2 + size
    body = Rect(left, rect.top + pad // 2, rect.right - left - chip_w - pad * 2, rect.height - pad)
    paras = [Para(title, bullet=False, bold=True)]
    if detail:
        paras.append(Para(detail, bullet=False, scale=0.8, colour=style.colours["muted"]))
    # A tall row (one item on its slide) gets larger text rather than empty space.
    largest = max(18.0, min(26.0, pt(rect.height) * 0.16))
    result = text(slide, body, paras, style, (largest, 9), anchor=MSO_ANCHOR.MIDDLE)
    if chip_text:
        chip_rect = Rect(rect.right - pad - chip_w, rect.top, chip_w, rect.height)
        pill_h = int(emu(23))
        chip(slide, Rect(chip_rect.left, rect.top + (rect.height - pill_h) // 2, chip_w, pill_h),
             chip_text, chip_colour, style)  # fmt: skip
    return [result]


def quote(slide: Slide, rect: Rect, words: str, source: str, style: Style) -> list[FitResult]:
    """A customer's comment in a box with a large opening quote mark and its source."""
    box(slide, rect, TINT, radius=0.05)
    pad = int(emu(14))
    mark_h = int(emu(52))
    text(slide, Rect(rect.left + pad, rect.top + int(emu(2)), int(emu(60)), mark_h),
         [Para("“", bullet=False, bold=True)], style, (48, 24), style.colours["secondary"],
         heading=True)  # fmt: skip
    source_h = int(emu(34)) if source else 0
    inner = Rect(
        rect.left + pad,
        rect.top + mark_h + int(emu(4)),
        rect.width - 2 * pad,
        rect.height - mark_h - source_h - pad - int(emu(4)),
    )
    results = [text(slide, inner, [Para(words, bullet=False)], style, (17, 9))]
    if source:
        text(slide, Rect(inner.left, inner.bottom, inner.width, source_h),
             [Para(source, bullet=False)], style, (11, 8), style.colours["muted"],
             anchor=MSO_ANCHOR.BOTTOM)  # fmt: skip
    return results


# --- logos ---------------------------------------------------------------------------------------


def picture(slide: Slide, path: Path, rect: Rect, align: str = "left") -> Any:
    """A logo scaled to fit `rect` (aspect kept), aligned left or right, vertically centred."""
    from pptx.parts.image import Image

    width, height = Image.from_file(str(path)).size
    scale = min(rect.width / width, rect.height / height)
    w, h = int(width * scale), int(height * scale)
    left = rect.left if align == "left" else rect.right - w
    top = rect.top + (rect.height - h) // 2
    return slide.shapes.add_picture(str(path), Emu(left), Emu(top), Emu(w), Emu(h))
