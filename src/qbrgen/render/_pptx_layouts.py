"""A deck's master and its layouts: which layout serves which role, where a slide's title,
content and footer go, and what `qbrgen deck-template check` reports.

A layout serves a role (title, section, content, chart, table, closing) when it is named in
`deck.layouts`, else when it has PowerPoint's default English name for the role, else when
its layout type (`<p:sldLayout type="...">`, kept whatever the language of the names) or, for
custom layouts without a type, its placeholders fit the role. Every role that no layout
serves is reported at once, with the layouts of each master. Geometry is read from the
placeholders (inherited from the master where a layout does not place them), so slides of
any size (16:9, 4:3, A4) and placeholders of any shape are handled; a content area too small
to hold anything is a located error naming the slide and the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

from qbrgen.errors import TemplateError, some_of
from qbrgen.render._pptx_draw import Rect

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import SlideLayout

ROLES = ("title", "section", "content", "chart", "table", "closing")
DEFAULT_LAYOUTS = {
    "title": "Title Slide",
    "section": "Section Header",
    "content": "Title and Content",
    "chart": "Title Only",
    "table": "Title Only",
    "closing": "Title Slide",
}
"""Layout role -> PowerPoint's default English layout name; `deck.layouts` overrides each."""
ROLE_TYPES = {
    "title": ("title",),
    "closing": ("title",),
    "section": ("secHead",),
    "content": ("obj", "tx"),
    "chart": ("titleOnly", "obj", "tx"),
    "table": ("titleOnly", "obj", "tx"),
}
"""Layout types (ST_SlideLayoutType) that serve each role, best first."""
TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE)
BODY_TYPES = (
    PP_PLACEHOLDER.BODY,
    PP_PLACEHOLDER.OBJECT,
    PP_PLACEHOLDER.SUBTITLE,
    PP_PLACEHOLDER.VERTICAL_BODY,
)
FOOTER_TYPES = {
    PP_PLACEHOLDER.FOOTER: "footer",
    PP_PLACEHOLDER.DATE: "date",
    PP_PLACEHOLDER.SLIDE_NUMBER: "number",
}
FOOTER_BAND = Inches(0.34)
"""Height of qbrgen's own footer line, for layouts without footer placeholders: at the bottom
of the slide, or just above the master's own bottom decoration (a copyright line, a logo)."""
BODY_SHARE = 0.6
"""A body placeholder is where content goes when it spans at least this share of the free
area below the title (both ways); a smaller one (a text column, a caption box) is ignored
and the free area used."""
GAP = Inches(0.12)
MIN_CONTENT = (Inches(2.0), Inches(1.0))
"""Smallest content area (width, height) a slide can be built in."""


@dataclass
class LayoutInfo:
    """One layout as qbrgen sees it: its placeholders' boxes (inherited ones resolved)."""

    layout: SlideLayout
    name: str
    master: int
    type: str | None
    title: Rect | None = None
    title_idx: int | None = None
    body: Rect | None = None
    body_idx: int | None = None
    subtitle: bool = False
    footers: dict[str, Any] = field(default_factory=dict)
    """'footer' / 'date' / 'number' -> the layout placeholder."""
    footer_top: int | None = None
    decor_top: int | None = None
    """Top of the master's or layout's own shapes along the bottom edge (not placeholders)."""
    own_number: bool = False
    """The master or layout already prints the slide number (a field in its own shapes)."""
    title_caps: bool = False
    """The template sets its titles in capitals (measured as such)."""

    obstacles: list[Rect] = field(default_factory=list)
    """The layout's own shapes (logos, lines): text that grows must stay clear of them."""

    @property
    def label(self) -> str:
        return f"'{self.name}'"

    def below(self, rect: Rect, height: int) -> int:
        """How far down a box at `rect` may grow: to the first of the template's own shapes
        under it, or to the footer."""
        limit = footer_top(self, height) - GAP
        for shape in self.obstacles:
            overlaps = shape.left < rect.right and rect.left < shape.right
            if overlaps and shape.top >= rect.top + rect.height // 2:
                limit = min(limit, shape.top - GAP)
        return limit


def _rect(shape: Any) -> Rect | None:
    try:
        left, top, width, height = shape.left, shape.top, shape.width, shape.height
    except (AttributeError, KeyError):
        return None
    if None in (left, top, width, height):
        return None
    return Rect(int(left), int(top), int(width), int(height))


def describe(layout: SlideLayout, master: int) -> LayoutInfo:
    """The layout's title, main body and footer placeholders, with their boxes."""
    info = LayoutInfo(layout, layout.name, master, layout.element.get("type"))
    bodies: list[tuple[int, Rect]] = []
    shapes: Any = layout.placeholders
    for shape in shapes:
        kind = shape.placeholder_format.type
        rect = _rect(shape)
        if kind in TITLE_TYPES and info.title is None and rect is not None:
            info.title, info.title_idx = rect, shape.placeholder_format.idx
            info.title_caps = _caps(shape, layout)
        elif kind in BODY_TYPES and rect is not None:
            bodies.append((shape.placeholder_format.idx, rect))
            info.subtitle = info.subtitle or kind == PP_PLACEHOLDER.SUBTITLE
        elif kind in FOOTER_TYPES:
            info.footers[FOOTER_TYPES[kind]] = shape
            if rect is not None:
                info.footer_top = (
                    rect.top if info.footer_top is None else min(info.footer_top, rect.top)
                )
    if bodies:
        info.body_idx, info.body = max(bodies, key=lambda b: b[1].width * b[1].height)
    _decoration(info, layout)
    return info


def _decoration(info: LayoutInfo, layout: SlideLayout) -> None:
    """Find the template's own shapes along the bottom edge, and its own slide number."""
    height = int(layout.slide_master.part.package.presentation_part.presentation.slide_height or 0)
    holders: list[Any] = [layout]
    if layout.element.get("showMasterSp", "1") not in ("0", "false"):
        holders.append(layout.slide_master)
    for holder in holders:
        for shape in holder.shapes:
            if shape.is_placeholder:
                continue
            rect = _rect(shape)
            if rect is None:
                continue
            if holder is layout:
                info.obstacles.append(rect)
            if not height or rect.top < height * 0.82:
                continue
            info.decor_top = rect.top if info.decor_top is None else min(info.decor_top, rect.top)
            if shape._element.xpath('.//a:fld[@type="slidenum"]'):
                info.own_number = True


def _caps(shape: Any, layout: SlideLayout) -> bool:
    """Whether a title placeholder's text is set in capitals (by the layout or the master)."""
    tag = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    p = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
    master_titles = layout.slide_master.element.find(f"{p}txStyles/{p}titleStyle")
    for root in (shape._element, master_titles):
        if root is None:
            continue
        for rpr in root.iter(f"{tag}defRPr", f"{tag}rPr"):
            if rpr.get("cap") == "all":
                return True
            if rpr.get("cap") == "none":
                return False
    return False


def all_layouts(prs: PresentationType) -> list[LayoutInfo]:
    return [
        describe(layout, index)
        for index, master in enumerate(prs.slide_masters)
        for layout in master.slide_layouts
    ]


def serves(info: LayoutInfo, role: str, slide_area: int) -> bool:
    """Whether a layout's placeholders fit a role (for layouts matched by type or shape)."""
    if info.title is None:
        return False
    big_body = info.body is not None and info.body.width * info.body.height >= slide_area * 0.2
    if role in ("title", "closing"):
        return info.type == "title" or (info.type is None and info.subtitle)
    if role == "section":
        return info.type == "secHead"
    if role == "content":
        return big_body and info.type in (None, "obj", "tx")
    return info.type in ("titleOnly", "obj", "tx") or (info.type is None and not info.subtitle)


def _rank(info: LayoutInfo, role: str) -> tuple[int, int]:
    types = ROLE_TYPES[role]
    by_type = types.index(info.type) if info.type in types else len(types)
    return (by_type, info.master)


FALLBACKS = {
    "title": ("section", "content", "chart"),
    "closing": ("title",),
    "section": ("title", "content", "chart"),
    "content": ("chart", "table"),
    "chart": ("content", "table"),
    "table": ("content", "chart"),
}
"""Where a role with no layout of its own goes: a divider can be a cover-like slide, a chart
can go on a title-and-content layout, and so on."""


_CHOSEN: dict[tuple[Any, ...], dict[str, tuple[LayoutInfo, int, int]]] = {}


def choose_layouts(
    prs: PresentationType, configured: dict[str, str], template: str, key: Any = None
) -> dict[str, LayoutInfo]:
    """The layout of every role; every problem is reported in one TemplateError. With a
    `key` (the master file's identity), the choice and the layouts' geometry are worked out
    once per process and bound to each new presentation's layouts."""
    if key is None:
        return _choose(prs, configured, template)[0]
    cache_key = (key, tuple(sorted(configured.items())))
    if cache_key not in _CHOSEN:
        chosen = _choose(prs, configured, template)[0]
        _CHOSEN[cache_key] = {
            role: (info, *_position(prs, info.layout)) for role, info in chosen.items()
        }
    masters = prs.slide_masters
    out = {}
    for role, (info, master, index) in _CHOSEN[cache_key].items():
        layout = masters[master].slide_layouts[index]
        holders: Any = layout.placeholders
        by_idx = {p.placeholder_format.idx: p for p in holders}
        footers = {
            kind: by_idx[shape.placeholder_format.idx] for kind, shape in info.footers.items()
        }
        out[role] = replace(info, layout=layout, footers=footers)
    return out


def _position(prs: PresentationType, layout: SlideLayout) -> tuple[int, int]:
    for m, master in enumerate(prs.slide_masters):
        for i, candidate in enumerate(master.slide_layouts):
            if candidate == layout:
                return m, i
    raise ValueError("layout not in the presentation")


def _choose(
    prs: PresentationType, configured: dict[str, str], template: str
) -> tuple[dict[str, LayoutInfo], dict[str, str]]:
    """(layout per role, how each was found)."""
    layouts = all_layouts(prs)
    area = int(prs.slide_width or 1) * int(prs.slide_height or 1)
    chosen: dict[str, LayoutInfo] = {}
    how: dict[str, str] = {}
    problems: list[str] = []
    unknown = sorted(set(configured) - set(ROLES))
    if unknown:
        problems.append(
            f"deck.layouts names unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}"
        )
    for role in ROLES:
        wanted = configured.get(role)
        if wanted is not None:
            named = [i for i in layouts if i.name == wanted]
            if not named:
                problems.append(f"role '{role}': no layout named '{wanted}' (deck.layouts.{role})")
            elif named[0].title is None:
                problems.append(
                    f"role '{role}': layout '{wanted}' has no title placeholder; a slide's title "
                    "must go into one"
                )
            else:
                chosen[role], how[role] = named[0], "deck.layouts"
            continue
        by_name = [i for i in layouts if i.name == DEFAULT_LAYOUTS[role] and i.title is not None]
        fitting = sorted(
            (i for i in layouts if serves(i, role, area)), key=lambda i: _rank(i, role)
        )
        if by_name:
            chosen[role], how[role] = by_name[0], "default name"
        elif fitting:
            chosen[role] = fitting[0]
            how[role] = "layout type" if fitting[0].type else "placeholders"
    for role in ROLES:
        if role in chosen or role in configured:
            continue
        other = next((r for r in FALLBACKS[role] if r in chosen), None)
        if other is not None:
            chosen[role], how[role] = chosen[other], f"the {other} layout"
        else:
            problems.append(f"role '{role}': no layout fits (looked for '{DEFAULT_LAYOUTS[role]}')")
    if problems:
        raise TemplateError(
            f"deck template '{template}' cannot serve every layout role:\n  "
            + "\n  ".join(problems)
            + "\n"
            + layouts_listing(prs)
            + "\nRename layouts in the template, or map each role in qbrgen.yaml, e.g.\n"
            '  deck:\n    layouts:\n      content: "<layout name>"\n'
            f"`qbrgen deck-template check {Path(template).name}` shows which role each layout "
            "could serve."
        )
    return chosen, how


def layouts_listing(prs: PresentationType) -> str:
    """The layouts that exist, one line per master."""
    lines = []
    for index, master in enumerate(prs.slide_masters):
        names = some_of([repr(layout.name) for layout in master.slide_layouts], shown=8)
        lines.append(f"  master {index + 1}: {names}")
    return "Layouts in the template:\n" + "\n".join(lines)


def content_area(info: LayoutInfo, role: str, width: int, height: int, use_body: bool) -> Rect:
    """Where a slide's content goes: the free area below the title and above the footer, or
    the layout's body placeholder when it is asked for and spans most of that area. May be
    empty (checked by `check_area`)."""
    bottom = footer_top(info, height) - GAP
    title = info.title
    if title is not None:
        left = max(0, min(title.left, width // 12))
        right = min(width, max(title.right, width - left))
        free = Rect(left, title.bottom + GAP, right - left, bottom - title.bottom - GAP)
    else:
        top = int(Inches(1.3))
        free = Rect(int(Inches(0.5)), top, width - int(Inches(1.0)), bottom - top)
    body = info.body
    if use_body and body is not None and (title is None or body.top >= title.top):
        top = max(body.top, free.top - GAP // 2)
        clipped = Rect(
            max(body.left, 0), top, min(body.right, width) - max(body.left, 0),
            min(body.bottom, bottom) - top,
        )  # fmt: skip
        if clipped.height >= free.height * BODY_SHARE and clipped.width >= free.width * BODY_SHARE:
            return clipped
    return free


def footer_band(info: LayoutInfo, width: int, height: int) -> Rect:
    """Where qbrgen's own footer line goes on a layout without footer placeholders: at the
    bottom, or just above the template's own bottom decoration."""
    bottom = height - int(Inches(0.04))
    if info.decor_top is not None:
        bottom = info.decor_top - int(Inches(0.02))
    margin = max(int(Inches(0.3)), (info.title.left if info.title else 0))
    margin = min(margin, width // 10)
    return Rect(margin, int(bottom - FOOTER_BAND), width - 2 * margin, int(FOOTER_BAND))


def footer_top(info: LayoutInfo, height: int) -> int:
    """Top of the footer: the layout's own footer placeholders, else qbrgen's footer line."""
    if info.footers and info.footer_top is not None and info.footer_top > height * 0.6:
        return info.footer_top
    width = height * 2  # any width: only the band's top matters here
    return footer_band(info, width, height).top


def check_area(rect: Rect, where: str, info: LayoutInfo, template: str) -> Rect:
    """`rect`, or a located error when it cannot hold content."""
    if rect.width < MIN_CONTENT[0] or rect.height < MIN_CONTENT[1]:
        raise TemplateError(
            f"{where}: layout {info.label} of deck template '{template}' leaves a content area "
            f"of {_inches(rect.width)} × {_inches(rect.height)} in below its title and above "
            f"its footer; at least {_inches(MIN_CONTENT[0])} × {_inches(MIN_CONTENT[1])} in is "
            "needed. Enlarge the body placeholder or map the role to another layout "
            "(deck.layouts in qbrgen.yaml)"
        )
    return rect


def _inches(emu: int) -> str:
    return f"{emu / 914400:.1f}"


# --- `qbrgen deck-template check` --------------------------------------------------------------


def check_report(prs: PresentationType, configured: dict[str, str], template: str) -> list[str]:
    """A readable report of a template: size, masters, layouts and their placeholders, the
    roles each could serve, the layout each role will use, and what to rename."""
    width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
    area = width * height
    lines = [
        f"{template}: slides {_inches(width)} × {_inches(height)} in "
        f"({_aspect(width, height)}), {len(prs.slide_masters)} master(s), "
        f"{len(prs.slides)} slide(s) already in it (left out of every deck)"
    ]
    for index, master in enumerate(prs.slide_masters):
        lines.append(f"master {index + 1}:")
        for layout in master.slide_layouts:
            info = describe(layout, index)
            roles = [r for r in ROLES if serves(info, r, area)]
            if info.name == DEFAULT_LAYOUTS.get("title") and info.title is not None:
                roles = sorted(set(roles) | {"title", "closing"}, key=ROLES.index)
            lines.append(
                f"  layout {info.name!r} (type {info.type or 'custom'})"
                + (f": could serve {', '.join(roles)}" if roles else ": serves no role")
            )
            for shape in layout.placeholders:
                rect = _rect(shape)
                kind = str(shape.placeholder_format.type).split(".")[-1].split(" ")[0]
                box = (
                    f"{_inches(rect.left)},{_inches(rect.top)} in, "
                    f"{_inches(rect.width)} × {_inches(rect.height)} in"
                    if rect
                    else "no position"
                )
                lines.append(f"    {kind.lower()} (idx {shape.placeholder_format.idx}): {box}")
    try:
        chosen, how = _choose(prs, configured, template)
    except TemplateError as exc:
        lines.append("problems:")
        lines.extend("  " + line for line in str(exc).splitlines()[1:] if line.startswith("  role"))
        lines.append(
            "To fix: rename a layout to the name in parentheses, or set deck.layouts.<role> in "
            "qbrgen.yaml to one of the layouts above."
        )
        return lines
    lines.append("roles:")
    for role in ROLES:
        info = chosen[role]
        footer = ", ".join(sorted(info.footers)) or "none: qbrgen draws its own"
        lines.append(
            f"  {role}: {info.name!r} (found by {how[role]}; footer placeholders: {footer})"
        )
        if how[role] not in ("deck.layouts", "default name"):
            lines.append(
                f"    to pin it: deck.layouts.{role}: {info.name!r} in qbrgen.yaml, or rename "
                f"the layout '{DEFAULT_LAYOUTS[role]}'"
            )
        if role in ("content", "chart", "table"):
            area_rect = content_area(info, role, width, height, role == "content")
            if area_rect.width < MIN_CONTENT[0] or area_rect.height < MIN_CONTENT[1]:
                lines.append(
                    f"    problem: its content area is only {_inches(area_rect.width)} × "
                    f"{_inches(area_rect.height)} in"
                )
    return lines


def _aspect(width: int, height: int) -> str:
    if not height:
        return "no size"
    ratio = width / height
    for name, value in (("16:9", 16 / 9), ("4:3", 4 / 3), ("16:10", 1.6), ("A4", 10.83 / 7.5)):
        if abs(ratio - value) < 0.02:
            return name
    return f"{ratio:.2f}:1"
