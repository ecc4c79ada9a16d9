"""The parts of a deck's package, made once per master and copied, not rebuilt per slide.

python-pptx builds every slide, notes page and chart part from scratch: it parses the master
file for each deck, clones each layout's placeholders onto each new slide with an XPath query
per shape, clones the notes master's placeholders onto each notes page, and walks every part
of the package to name each new one. A deck does the same work on the same master each time,
so here it is done once per master per process (`Prepared`) and copied:

- the master opened, its sample slides dropped, a notes master present and the layout of
  every role chosen: each deck starts from a deep copy of that presentation;
- each layout's fresh slide (its placeholders cloned) and the notes page, as XML elements
  copied into each new slide and notes part;
- part names from counters (a notes page, a chart and its workbook), not from a walk of the
  package.

Everything else stays python-pptx's: the parts are its classes, related as it relates them.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI

from qbrgen.render._zip import EMBEDDED_PACKAGES, Entry, deflated, normalise_zip, write_zip

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide, SlideLayout

    from qbrgen.render._pptx_layouts import LayoutInfo

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_NUMBER = re.compile(r"(\d+)\.\w+$")


@dataclass
class Prepared:
    """One master, ready for decks: the presentation and its chosen layouts (copied for each
    deck), each layout's fresh slide and the notes page (copied for each slide)."""

    prs: PresentationType
    layouts: dict[str, LayoutInfo]
    theme_fonts: tuple[str | None, str | None]
    slides: dict[str, Any] = field(default_factory=dict)
    """Layout part name -> the `p:sld` element of a new slide on it."""
    notes: Any = None
    """The `p:notes` element of a new notes page (placeholders cloned from the notes master)."""
    fixed: dict[str, tuple[bytes, Entry]] = field(default_factory=dict)
    """Zip entry name -> (bytes, deflated entry) of the master's own parts as last saved."""
    names: frozenset[str] = frozenset()
    """Entry names of the master's own parts (whose deflated bytes are kept in `fixed`)."""

    def new_deck(self) -> tuple[PresentationType, dict[str, LayoutInfo]]:
        """A presentation of its own for one deck, with the layouts bound to it."""
        prs, layouts = copy.deepcopy((self.prs, self.layouts))
        # A copied element is a tree of its own: python-pptx's cached proxy of the slide list
        # (an element inside presentation.xml) would be a detached copy, so it is dropped and
        # made again from the copied presentation.
        prs.__dict__.pop("slides", None)
        count_part_names(prs.part.package)
        return prs, layouts


_PREPARED: dict[Any, Prepared] = {}


def prepared(key: Any, make: Callable[[], Prepared]) -> Prepared:
    """The `Prepared` master for `key` (the master file's identity and the layout settings),
    made once per process."""
    if key not in _PREPARED:
        made = make()
        made.prs.part.notes_master_part  # noqa: B018 - created now, copied with every deck
        names = set()
        for part in made.prs.part.package.iter_parts():
            names.add(part.partname.membername)
            names.add(part.partname.rels_uri.membername)
        made.names = frozenset(names)
        _PREPARED[key] = made
    return _PREPARED[key]


def save(prs: PresentationType, ready: Prepared | None, stamp: dt.datetime) -> bytes:
    """The deck's package, byte-reproducible (see `_zip`): written in one pass, each part
    serialised and deflated once, except the master's own parts (masters, layouts, themes,
    pictures), whose deflated bytes are kept from the last deck that wrote the same bytes.
    A deck with no prepared master (`None`: a designed deck, filled from the team's own
    file) has every part deflated as it is written."""
    from pptx.opc.oxml import serialize_part_xml
    from pptx.opc.serialized import _ContentTypesItem

    package = prs.part.package
    parts = tuple(package.iter_parts())

    def entry(name: str, blob: bytes) -> Entry:
        if name.lower().endswith(EMBEDDED_PACKAGES):
            return deflated(name, normalise_zip(blob, stamp))
        if ready is None or name not in ready.names:
            return deflated(name, blob)
        kept = ready.fixed.get(name)
        if kept is None or kept[0] != blob:
            kept = ready.fixed[name] = (blob, deflated(name, blob))
        return kept[1]

    entries = [
        deflated("[Content_Types].xml", serialize_part_xml(_ContentTypesItem.xml_for(parts))),
        deflated("_rels/.rels", package._rels.xml),
    ]
    for part in parts:
        entries.append(entry(part.partname.membername, part.blob))
        if part._rels:
            entries.append(entry(part.partname.rels_uri.membername, part.rels.xml))
    written = write_zip(entries, stamp)
    if written is None:  # past Zip64's limits: python-pptx writes it, then it is normalised
        out = io.BytesIO()
        prs.save(out)
        return normalise_zip(out.getvalue(), stamp)
    return written


def count_part_names(package: Any) -> None:
    """Name new parts of `package` from a counter per kind (/ppt/charts/chart7.xml, ...):
    the number after the highest in use, found once, instead of python-pptx's walk of every
    part of the package for each new part."""
    highest: dict[str, int] = {}

    def next_partname(template: str) -> PackURI:
        if template not in highest:
            pattern = re.compile(re.escape(template).replace("%d", r"(\d+)") + "$")
            used = (pattern.match(str(part.partname)) for part in package.iter_parts())
            highest[template] = max((int(m.group(1)) for m in used if m), default=0)
        highest[template] += 1
        return PackURI(template % highest[template])

    package.next_partname = next_partname


def add_slide(prs: PresentationType, layout: SlideLayout, ready: Prepared) -> Slide:
    """A new slide on `layout`: the first through python-pptx (which clones the layout's
    placeholders), the next ones as copies of it."""
    from pptx.parts.slide import SlidePart

    key = str(layout.part.partname)
    template = ready.slides.get(key)
    if template is None:
        slide = prs.slides.add_slide(layout)
        ready.slides[key] = copy.deepcopy(slide._element)
        return slide
    presentation = prs.part
    ids = prs.slides._sldIdLst
    part = SlidePart(
        PackURI(f"/ppt/slides/slide{len(ids) + 1}.xml"),  # as python-pptx names them
        CT.PML_SLIDE,
        presentation.package,
        copy.deepcopy(template),
    )
    part.relate_to(layout.part, RT.SLIDE_LAYOUT)
    ids.add_sldId(presentation.relate_to(part, RT.SLIDE))
    return part.slide


def set_notes(slide: Slide, text: str, ready: Prepared) -> None:
    """The slide's speaker notes, on a copy of the prepared notes page (the first one of a
    master is made by python-pptx from the notes master)."""
    from pptx.parts.slide import NotesSlidePart

    part = slide.part
    if ready.notes is None:
        element = slide.notes_slide._element
        ready.notes = copy.deepcopy(element)
    else:
        package = part.package
        element = copy.deepcopy(ready.notes)
        notes_part = NotesSlidePart(
            package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
            CT.PML_NOTES_SLIDE,
            package,
            element,
        )
        notes_part.relate_to(package.presentation_part.notes_master_part, RT.NOTES_MASTER)
        notes_part.relate_to(part, RT.SLIDE)
        part.relate_to(notes_part, RT.NOTES_SLIDE)
    from qbrgen.render._pptx_draw import clean_text

    for body in element.xpath('.//p:sp[p:nvSpPr/p:nvPr/p:ph[@type="body"]]/p:txBody'):
        for old in body.findall(f"{A}p"):
            body.remove(old)
        for line in text.split("\n"):
            paragraph = etree.SubElement(body, f"{A}p")
            if line:
                run = etree.SubElement(paragraph, f"{A}r")
                etree.SubElement(run, f"{A}t").text = clean_text(line)
        break


def add_chart(
    slide: Slide, chart_type: Any, chart_data: Any, box: tuple[int, int, int, int], xlsx: bytes
) -> Any:
    """A chart part made from `chart_data`'s XML with the workbook `xlsx` embedded (python-pptx
    would write the workbook with xlsxwriter), and its frame on `slide`; the frame's chart."""
    from pptx.parts.chart import ChartPart
    from pptx.util import Emu

    package = slide.part.package
    chart_part = ChartPart.load(
        package.next_partname(ChartPart.partname_template),
        CT.DML_CHART,
        package,
        chart_data.xml_bytes(chart_type),
    )
    chart_part.chart_workbook.update_from_xlsx_blob(xlsx)
    shapes = slide.shapes
    left, top, width, height = (Emu(v) for v in box)
    frame = shapes._add_chart_graphicFrame(
        slide.part.relate_to(chart_part, RT.CHART), left, top, width, height
    )
    shape: Any = shapes._shape_factory(frame)
    return shape.chart
