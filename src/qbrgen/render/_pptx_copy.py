"""Copying, ordering and dropping the slides of a designed deck inside one package.

python-pptx can add a blank slide but not copy one. A copy here is a new slide part holding a
copy of the slide's XML with the *same* relationship ids, so every shape, picture, animation
and link in it is byte-for-byte the designer's: pictures, media and the layout are shared with
the original; charts (with their embedded workbooks) and the notes page are copied, because
each copy gets its own data and notes. The deck's slide list is then rewritten in the order
the account needs, slides left out are dropped with their links, and sections follow.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part, XmlPart, _Relationship
from pptx.opc.packuri import PackURI

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide

P14 = "{http://schemas.microsoft.com/office/powerpoint/2010/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
COMMENT_TYPES = (
    RT.COMMENTS,
    "http://schemas.microsoft.com/office/2018/10/relationships/comments",
)
"""Review comments (classic and modern): the designers' remarks, never the customer's."""
AUTHOR_TYPES = (
    RT.COMMENT_AUTHORS,
    "http://schemas.microsoft.com/office/2018/10/relationships/authors",
)
"""The list of who commented (names and initials of the designers)."""


class PartNames:
    """Free part names, numbered on from the highest of each kind in the package (looked up
    once: python-pptx's own lookup walks every part for every new name)."""

    def __init__(self, package: Any):
        self.highest: dict[str, int] = {}
        for part in package.iter_parts():
            pattern, number = _pattern(str(part.partname))
            if number is not None:
                self.highest[pattern] = max(self.highest.get(pattern, 0), number)

    def next(self, like: str) -> PackURI:
        pattern, _ = _pattern(like)
        number = self.highest.get(pattern, 0) + 1
        self.highest[pattern] = number
        return PackURI(pattern % number)


def _pattern(partname: str) -> tuple[str, int | None]:
    found = re.match(r"^(.*?)(\d+)(\.[A-Za-z0-9]+)$", partname)
    if not found:
        stem, dot, ext = partname.rpartition(".")
        return f"{stem}%d.{ext}" if dot else f"{partname}%d", None
    return f"{found[1].replace('%', '%%')}%d{found[3]}", int(found[2])


class SlideCopier:
    """Copies slides within one presentation and sets the final order."""

    def __init__(self, prs: PresentationType):
        self.prs = prs
        self.package = prs.part.package
        self.names = PartNames(self.package)

    def _clone_part(self, part: Part) -> Part:
        cls: Any = type(part)
        name = self.names.next(str(part.partname))
        if isinstance(part, XmlPart):
            return cls(name, part.content_type, self.package, copy.deepcopy(part._element))
        return cls(name, part.content_type, self.package, part.blob)

    def _relate(self, part: Part, rId: str, rel: Any, target: Any) -> None:
        """Add a relationship with the same id as the original's."""
        part.rels._rels[rId] = _Relationship(
            part.partname.baseURI,
            rId,
            rel.reltype,
            RTM.EXTERNAL if rel.is_external else RTM.INTERNAL,
            target,
        )

    def _deep_clone(self, part: Part) -> Part:
        """A copy of a chart part with copies of what it owns (workbook, style, colours);
        pictures it shows stay shared."""
        new = self._clone_part(part)
        for rId, rel in part.rels.items():
            if rel.is_external:
                self._relate(new, rId, rel, rel.target_ref)
            elif rel.reltype == RT.IMAGE:
                self._relate(new, rId, rel, rel.target_part)
            else:
                self._relate(new, rId, rel, self._deep_clone(rel.target_part))
        return new

    def clone(self, slide: Slide) -> Slide:
        """A copy of `slide` at the end of the deck (the order is set by `arrange`)."""
        source = slide.part
        new: Any = self._clone_part(source)
        for rId, rel in source.rels.items():
            if rel.is_external:
                self._relate(new, rId, rel, rel.target_ref)
            elif rel.reltype == RT.NOTES_SLIDE:
                self._relate(new, rId, rel, self._clone_notes(rel.target_part, new))
            elif rel.reltype == RT.CHART:
                self._relate(new, rId, rel, self._deep_clone(rel.target_part))
            else:
                self._relate(new, rId, rel, rel.target_part)
        rId = self.prs.part.relate_to(new, RT.SLIDE)
        self.prs.slides._sldIdLst.add_sldId(rId)
        return new.slide

    def _clone_notes(self, notes: Part, slide_part: Part) -> Part:
        new = self._clone_part(notes)
        for rId, rel in notes.rels.items():
            if rel.is_external:
                self._relate(new, rId, rel, rel.target_ref)
            elif rel.reltype == RT.SLIDE:
                self._relate(new, rId, rel, slide_part)
            else:
                self._relate(new, rId, rel, rel.target_part)
        return new

    def arrange(self, order: list[Slide], sources: dict[int, int]) -> None:
        """Make `order` the deck's slides: others are dropped (with links to them), copies
        join the section of the slide they were copied from, parts are renamed in order.
        `sources` maps a copy's slide id to its original's."""
        pres = self.prs.part
        id_list = self.prs.slides._sldIdLst
        by_part = {}
        for sld_id in list(id_list):
            by_part[pres.related_part(sld_id.rId)] = sld_id
        keep = [by_part[slide.part] for slide in order]
        kept_parts = {slide.part for slide in order}
        dropped = [sld_id for part, sld_id in by_part.items() if part not in kept_parts]
        dropped_parts = {part for part in by_part if part not in kept_parts}
        for sld_id in list(id_list):
            id_list.remove(sld_id)
        for sld_id in dropped:
            pres.drop_rel(sld_id.rId)
        for sld_id in keep:
            id_list.append(sld_id)
        _sections(pres._element, [int(s.id) for s in keep], {int(s.id) for s in dropped}, sources)
        _custom_shows(pres, {s.rId for s in dropped})
        for slide in order:
            _unlink(slide.part, dropped_parts)
        pres.rename_slide_parts([s.rId for s in keep])


def _sections(
    presentation: Any, order: list[int], dropped: set[int], sources: dict[int, int]
) -> None:
    """Keep PowerPoint's sections (presentation.xml extLst) in step: dropped slides leave
    their section, copies join their original's, each section in the new order."""
    sections = presentation.findall(f".//{P14}sectionLst/{P14}section")
    if not sections:
        return
    section_of: dict[int, Any] = {}
    for section in sections:
        ids = section.find(f"{P14}sldIdLst")
        if ids is None:
            continue
        for entry in ids.findall(f"{P14}sldId"):
            section_of[int(entry.get("id"))] = ids
            ids.remove(entry)
    for slide_id in order:
        home = section_of.get(slide_id)
        if home is None:
            home = section_of.get(sources.get(slide_id, -1))
        if home is None:
            home = sections[-1].find(f"{P14}sldIdLst")
        if home is not None:
            home.append(home.makeelement(f"{P14}sldId", {"id": str(slide_id)}))


def _custom_shows(pres: Any, dropped_rids: set[str]) -> None:
    """Custom shows name slides by relationship id: drop the entries of dropped slides."""
    if not dropped_rids:
        return
    for entry in pres._element.iter(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sld"
    ):
        if entry.get(f"{R}id") in dropped_rids:
            entry.getparent().remove(entry)


def _unlink(part: Any, dropped: set[Any]) -> None:
    """Links from a kept slide to a dropped one (a 'jump to slide' action) are removed."""
    if not dropped:
        return
    gone = [
        rId
        for rId, rel in part.rels.items()
        if not rel.is_external and rel.reltype == RT.SLIDE and rel.target_part in dropped
    ]
    for rId in gone:
        for element in part._element.xpath(f'.//*[@r:id="{rId}"]'):
            element.getparent().remove(element)
        part.rels.pop(rId)


def drop_comments(part: Any) -> None:
    """Review comments on a slide are the designers' (classic and modern comments parts and
    the slide's reference to them)."""
    for rId, rel in list(part.rels.items()):
        if rel.reltype in COMMENT_TYPES:
            for element in part._element.xpath(f'.//*[@r:id="{rId}"]'):
                element.getparent().remove(element)
            part.rels.pop(rId)


def drop_comment_authors(prs: PresentationType) -> None:
    """The deck's list of comment authors goes with the comments."""
    part = prs.part
    for rId, rel in list(part.rels.items()):
        if rel.reltype in AUTHOR_TYPES:
            part.rels.pop(rId)
