"""The built-in clean deck master: python-pptx's default template made 16:9, with left-aligned
titles above a generous content area, a section header whose title comes before its text,
a footer line (company · customer, figures as of, slide number) in the master's own footer
placeholders, and DejaVu Sans as the theme font.

`deck/clean.pptx` in the built-in theme is this file, saved; `python -m
qbrgen.render._pptx_master PATH` writes it again. Layout names stay python-pptx's defaults
("Title Slide", "Title and Content", "Section Header", "Title Only", "Blank", ...), so it is also
a starting point for a corporate template.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Inches

WIDE = Emu(12192000)  # 13.333 in
HIGH = Emu(6858000)  # 7.5 in
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MARGIN = Inches(0.6)
TITLE = (Inches(0.4), Inches(1.2))  # top, height
BODY = (Inches(1.78), Inches(4.97))
FOOTER_TOP = Inches(6.98)
FOOTER_HEIGHT = Inches(0.3)

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE)


def _place(shape: object, left: int, top: int, width: int, height: int) -> None:
    shape.left, shape.top, shape.width, shape.height = (  # type: ignore[attr-defined]
        Emu(left),
        Emu(top),
        Emu(width),
        Emu(height),
    )


def _geometry(holder: object, name: str) -> None:
    """Place the placeholders of the master or one layout."""
    inner = int(WIDE - 2 * MARGIN)
    for shape in holder.placeholders:  # type: ignore[attr-defined]
        kind = shape.placeholder_format.type
        if kind == PP_PLACEHOLDER.FOOTER:
            _place(shape, MARGIN, FOOTER_TOP, int(inner * 0.6), FOOTER_HEIGHT)
        elif kind == PP_PLACEHOLDER.DATE:
            _place(shape, MARGIN + int(inner * 0.6), FOOTER_TOP, int(inner * 0.32), FOOTER_HEIGHT)
        elif kind == PP_PLACEHOLDER.SLIDE_NUMBER:
            _place(shape, MARGIN + int(inner * 0.92), FOOTER_TOP, int(inner * 0.08), FOOTER_HEIGHT)
        elif name == "Section Header":
            if kind in _TITLES:
                _place(
                    shape, MARGIN + Inches(0.35), Inches(2.45), inner - Inches(0.35), Inches(1.4)
                )
            elif kind in _BODIES:
                _place(
                    shape, MARGIN + Inches(0.35), Inches(3.95), inner - Inches(0.35), Inches(1.0)
                )
        elif name == "Title Slide":
            if kind in _TITLES:
                _place(shape, MARGIN, Inches(1.7), Inches(4.4), Inches(2.4))
            elif kind in _BODIES:
                _place(shape, MARGIN, Inches(4.3), Inches(4.4), Inches(2.0))
        elif kind in _TITLES:
            _place(shape, MARGIN, TITLE[0], inner, TITLE[1])
        elif kind in _BODIES and name in ("", "Title and Content"):
            _place(shape, MARGIN, BODY[0], inner, BODY[1])


def build_clean_master(font: str = "DejaVu Sans") -> bytes:
    """The clean 16:9 master as .pptx bytes (no slides)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE, HIGH
    master = prs.slide_master
    _geometry(master, "")
    for layout in master.slide_layouts:
        _geometry(layout, layout.name)
    for style in master.element.iter(f"{{{A}}}lvl1pPr"):
        if style.getparent().tag.endswith("titleStyle"):
            style.set("algn", "l")
    for layout in master.slide_layouts:
        # Left-aligned, mixed-case text throughout.
        for element in layout.element.iter():
            if element.get("algn") == "ctr":
                element.set("algn", "l")
            if element.get("cap") == "all":
                element.set("cap", "none")
    theme = master.part.part_related_by(RT.THEME)
    theme._blob = theme.blob.replace(b'typeface="Calibri"', f'typeface="{font}"'.encode())
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


if __name__ == "__main__":  # pragma: no cover
    Path(sys.argv[1]).write_bytes(build_clean_master())
