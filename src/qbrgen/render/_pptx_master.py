"""The built-in clean deck master: python-pptx's default template made 16:9, with left-aligned
titles, a tighter title band and DejaVu Sans as the theme font.

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
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Inches

WIDE = Emu(12192000)  # 13.333 in
HIGH = Emu(6858000)  # 7.5 in
DEFAULT_TITLE = (274638, 1143000)  # top, height of the default title placeholder
DEFAULT_BODY_TOP = 1600200
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def build_clean_master(font: str = "DejaVu Sans") -> bytes:
    """The clean 16:9 master as .pptx bytes (no slides)."""
    prs = Presentation()
    scale = WIDE / prs.slide_width
    prs.slide_width, prs.slide_height = WIDE, HIGH
    master = prs.slide_master
    for holder in [master, *master.slide_layouts]:
        for shape in holder.shapes:
            xfrm = shape._element.spPr.find(f"{{{A}}}xfrm")
            if xfrm is None:  # inherits its position from the master
                continue
            left, top = int(shape.left * scale), shape.top
            width, height = int(shape.width * scale), shape.height
            if (top, height) == DEFAULT_TITLE:
                top, height = Inches(0.3), Inches(0.95)
            elif top == DEFAULT_BODY_TOP:
                top, height = Inches(1.4), Inches(5.4)
            shape.left, shape.top, shape.width, shape.height = (
                Emu(left),
                Emu(top),
                Emu(width),
                Emu(height),
            )
    for style in master.element.iter(f"{{{A}}}lvl1pPr"):
        if style.getparent().tag.endswith("titleStyle"):
            style.set("algn", "l")
    for layout in master.slide_layouts:
        # Left-aligned, mixed-case text throughout; the cover's subtitle lines up with its title.
        for element in layout.element.iter():
            if element.get("algn") == "ctr":
                element.set("algn", "l")
            if element.get("cap") == "all":
                element.set("cap", "none")
        if layout.name == "Title Slide":
            title, subtitle = layout.placeholders[0], layout.placeholders[1]
            subtitle.left, subtitle.width = title.left, title.width
    theme = master.part.part_related_by(RT.THEME)
    theme._blob = theme.blob.replace(b'typeface="Calibri"', f'typeface="{font}"'.encode())
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


if __name__ == "__main__":  # pragma: no cover
    Path(sys.argv[1]).write_bytes(build_clean_master())
