"""The designed QBR deck: a team's own PowerPoint (`deck.designed` in qbrgen.yaml) filled for
each account, everything the designer made kept as it is.

Pipeline per account: the deck's context (the customer view, unless the first slide's notes
say `qbr: audience internal`) → each slide's notes markers decide how often it appears
(`qbr: for goal in goals_sorted`: once per item; `qbr: when open_risks`: only when true) →
tables named `qbr:<list>` get one row per item, measured, continuing on copies of the slide
when they do not fit → copies are made from the designer's slides before anything is filled
→ `{{ }}` tokens in slide text, tables, notes and chart titles are filled; charts named
`qbr:<series>` get the KPI engine's data (the chart and its design stay; its data and
embedded workbook are replaced) → marker lines leave the notes, review comments leave the
deck → the file's properties say what it is and where it came from. Shapes without a token
are not touched: their XML is the designer's, byte for byte.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData

from qbrgen.errors import RenderError, TemplateError
from qbrgen.labels import N_
from qbrgen.render._assets import asset_path
from qbrgen.render._designed_rules import (
    CHART_SOURCES,
    TABLE_SOURCES,
    TOKEN,
    Loop,
    Marker,
    Tokens,
    is_marker,
    parse_marker,
    shape_key,
    static_problems,
)
from qbrgen.render._pptx_charts import CHARTS, ChartData, NoChart
from qbrgen.render._pptx_copy import SlideCopier, drop_comment_authors, drop_comments
from qbrgen.render._pptx_draw import Rect
from qbrgen.render._pptx_fill import (
    A,
    P,
    TableMeasure,
    default_size,
    fill_text,
    fit_numbers,
    reason_in_place,
    remove_markers,
    set_rows,
    table_of,
    template_row,
    text_of,
)
from qbrgen.render._pptx_layouts import GAP, describe
from qbrgen.render.pptx_deck import (
    _cached,
    _picture,
    deck_context,
    deck_file,
    deck_properties,
    theme_fonts,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide

    from qbrgen.render import Job, RenderEnv
    from qbrgen.templates import Formatter, Theme

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
BOTTOM_MARGIN = 228600
"""A table that grows stops this far (0.25 in) above the slide's bottom edge at the latest."""
PICTURES = {"logo": "the customer's logo (`logo:` in the account)", "company_logo": "your logo"}
"""Picture name (after `qbr:`) -> what it shows; the picture is fitted into the designer's box
(and removed when there is no such logo)."""
EmuRows = list[tuple[Any, int]]
_FIELD = {"for": "loop", "when": "when"}


# --- the designed deck, read once per process ----------------------------------------------


@dataclass
class SlideRules:
    """What one designed slide asks for."""

    number: int
    label: str
    """'slide 3 ('Your goals')': the designer's numbering and title, for messages."""
    loop: Marker | None = None
    when: Marker | None = None


@dataclass
class DesignedDeck:
    name: str
    path: Path
    data: bytes
    audience: str
    slides: list[SlideRules]
    tokens: Tokens
    rooms: dict[tuple[str, str], int] = field(default_factory=dict)
    """(slide part name, table shape id) -> how far its table may grow: the same for every
    account, measured once."""

    @property
    def customer(self) -> bool:
        return self.audience == "customer"


def designed_path(env: RenderEnv) -> Path:
    return deck_file(env, env.config.deck.designed, "deck.designed")


def load_designed(env: RenderEnv) -> DesignedDeck:
    """The configured designed deck, read and checked once per process (again when the file,
    the locale, the language or the template folders change)."""
    name = env.config.deck.designed
    path = designed_path(env)
    stat = path.stat()
    key = (
        "designed",
        str(path),
        stat.st_mtime_ns,
        stat.st_size,
        env.formatter.locale,
        env.formatter.currency,
        env.formatter.language,
        *map(str, env.theme.folders),
    )
    return _cached(key, lambda: read_designed(path, name, env))


def read_designed(path: Path, name: str, env: RenderEnv) -> DesignedDeck:
    data = path.read_bytes()
    prs = _open(data, name)
    slides, audience = read_rules(prs, name)
    tokens = Tokens(env.theme, env.formatter, name, audience == "customer")
    return DesignedDeck(name, path, data, audience, slides, tokens)


def _open(data: bytes, name: str) -> PresentationType:
    try:
        return Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises assorted errors for non-pptx files
        raise TemplateError(f"designed deck '{name}' is not a readable .pptx file: {exc}") from exc


def read_rules(prs: PresentationType, name: str) -> tuple[list[SlideRules], str]:
    """Each slide's markers, and the deck's audience (from the first slide's notes)."""
    slides: list[SlideRules] = []
    audience = "customer"
    if not len(prs.slides):
        raise TemplateError(
            f"designed deck '{name}' has no slides: design the QBR's slides in it (a file with "
            "only masters and layouts is a deck.template)"
        )
    for number, slide in enumerate(prs.slides, 1):
        rules = SlideRules(number, slide_label(slide, number))
        where = f"{name}: {rules.label}"
        for line in notes_lines(slide):
            if not is_marker(line):
                continue
            marker = parse_marker(line, where)
            if marker.kind == "audience":
                if number != 1:
                    raise TemplateError(
                        f"{where} notes marker {line.strip()!r}: the audience is declared in "
                        "the first slide's notes"
                    )
                audience = marker.expression
            elif getattr(rules, _FIELD[marker.kind]) is not None:
                raise TemplateError(f"{where} notes: more than one 'qbr: {marker.kind}' marker")
            else:
                setattr(rules, _FIELD[marker.kind], marker)
        slides.append(rules)
    return slides, audience


def slide_label(slide: Slide, number: int) -> str:
    """'slide 3 ('Your goals')': the designer's numbering and title, for messages."""
    text = slide_title(slide)
    if len(text) > 50:
        text = text[:49] + "…"
    return f"slide {number} ('{text}')" if text else f"slide {number}"


def slide_title(slide: Slide) -> str:
    """The slide's title: its title placeholder's text, else the highest text on it."""
    title = slide.shapes.title
    text = " ".join(title.text_frame.text.split()) if title is not None else ""
    if not text:
        tops = [
            (rect.top, rect.left, words)
            for element in slide.shapes._spTree
            if element.tag == f"{P}sp"
            and (words := " ".join(text_of(element).split()))
            and (rect := _rect(element)) is not None
        ]
        text = min(tops)[2] if tops else ""
    return text


def notes_lines(slide: Slide) -> list[str]:
    if not slide.has_notes_slide:
        return []
    body = _notes_body(slide)
    return [text_of(p) for p in body.findall(f"{A}p")] if body is not None else []


def _notes_body(slide: Slide) -> Any:
    element = slide.notes_slide._element
    found = element.xpath('.//p:sp[p:nvSpPr/p:nvPr/p:ph[@type="body"]]/p:txBody')
    return found[0] if found else None


# --- filling -------------------------------------------------------------------------------


def build_designed(job: Job, env: RenderEnv) -> PresentationType:
    """The designed deck filled for one account (not saved)."""
    deck = load_designed(env)
    ctx = deck_context(job, env, deck.customer)
    prs = _open(deck.data, deck.name)
    originals = list(prs.slides)
    filler = Filler(deck, prs, env, ctx)
    plan: list[tuple[int, str, dict[str, Any], dict[str, tuple[int, EmuRows]]]] = []
    for index, slide in enumerate(originals):
        rules = deck.slides[index]
        for where, slide_ctx in instances(deck, rules, ctx):
            pages = filler.paginate(slide, slide_ctx, where)
            for number, rows in enumerate(pages, 1):
                page_ctx = {**slide_ctx, "table_page": number, "table_pages": len(pages)}
                plan.append((index, where, page_ctx, rows))
    if not plan:
        raise RenderError(f"the designed deck '{deck.name}' leaves no slide for '{job.key}'")
    copier = SlideCopier(prs)
    targets: list[Slide] = []
    sources: dict[int, int] = {}
    used: set[int] = set()
    for index, *_ in plan:  # every copy is taken before anything is filled
        if index in used:
            clone = copier.clone(originals[index])
            sources[clone.slide_id] = originals[index].slide_id
            targets.append(clone)
        else:
            used.add(index)
            targets.append(originals[index])
    copier.arrange(targets, sources)
    for slide, (_, where, slide_ctx, rows) in zip(targets, plan, strict=True):
        filler.fill(slide, where, slide_ctx, rows)
    for index, master in enumerate(prs.slide_masters, 1):  # a footer typed on the master
        fill_text(master._element, filler.render(ctx, f"master {index} ('{master.name}')"))
        for layout in master.slide_layouts:
            fill_text(layout._element, filler.render(ctx, f"layout '{layout.name}'"))
    drop_comment_authors(prs)
    deck_properties(prs, ctx, env, job, deck.customer)
    return prs


def talking_points(job: Job, env: RenderEnv) -> list[dict[str, str]]:
    """Each slide of the account's filled deck as the prep brief lists it: its title and
    its speaker notes (markers gone, tokens filled)."""
    prs = build_designed(job, env)
    return [
        {
            "kicker": "",
            "title": slide_title(slide),
            "notes": "\n".join(notes_lines(slide)).strip(),
            "brief": "",
        }
        for slide in prs.slides
    ]


def instances(
    deck: DesignedDeck, rules: SlideRules, ctx: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """(label, context) of each appearance of a slide: one per item of its `for` marker
    (with the item and `loop` bound), those whose `when` holds."""
    where = rules.label
    if rules.loop is None:
        items: list[tuple[str, dict[str, Any]]] = [(where, ctx)]
    else:
        marker = rules.loop
        values = deck.tokens.value(marker.expression, ctx, f"{where} notes '{marker.line}'")
        values = list(values or [])
        items = [
            (
                f"{where} ({marker.name} {i + 1} of {len(values)})",
                {**ctx, marker.name: value, "loop": Loop(i, len(values))},
            )
            for i, value in enumerate(values)
        ]
    if rules.when is None:
        return items
    when = rules.when
    return [
        (label, item_ctx)
        for label, item_ctx in items
        if deck.tokens.value(when.expression, item_ctx, f"{label} notes '{when.line}'")
    ]


def _shapes(tree: Any) -> list[Any]:
    """Every shape of a shape tree, group members included (groups after their members)."""
    out: list[Any] = []
    for element in tree:
        if element.tag == f"{P}grpSp":
            out.extend(_shapes(element))
            out.append(element)
        elif element.find(f"*/{P}cNvPr") is not None or element.tag.endswith("AlternateContent"):
            out.append(element)
    return out


def _name(element: Any) -> str:
    found = element.find(f"*/{P}cNvPr")
    return found.get("name", "") if found is not None else ""


def _id(element: Any) -> str:
    found = element.find(f"*/{P}cNvPr")
    return found.get("id", "") if found is not None else ""


def _rect(element: Any) -> Rect | None:
    xfrm = element.find(f"{P}xfrm")
    if xfrm is None:
        xfrm = element.find(f"*/{A}xfrm")
    off = xfrm.find(f"{A}off") if xfrm is not None else None
    ext = xfrm.find(f"{A}ext") if xfrm is not None else None
    if off is None or ext is None:
        return None
    return Rect(int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")))


class Filler:
    """Fills the slides of one account's copy of the designed deck."""

    def __init__(self, deck: DesignedDeck, prs: PresentationType, env: RenderEnv, ctx: dict):
        self.deck = deck
        self.prs = prs
        self.env = env
        self.ctx = ctx
        self.tokens = deck.tokens
        self.fonts = theme_fonts(prs)
        self.height = int(prs.slide_height or 0)
        self.size = default_size(prs.part._element)

    def render(self, ctx: dict[str, Any], where: str) -> Any:
        return lambda token: self.tokens.render(token, ctx, where)

    # --- tables ----------------------------------------------------------------------------

    def paginate(
        self, slide: Slide, ctx: dict[str, Any], where: str
    ) -> list[dict[str, tuple[int, EmuRows]]]:
        """The rows each `qbr:` table of the slide shows on each page (one page when all fit):
        rows are filled on copies of the table's first row with tokens and measured."""
        tables: dict[str, tuple[int, list[EmuRows]]] = {}
        tree = slide.shapes._spTree
        for element in _shapes(tree):
            key = shape_key(_name(element))
            table = table_of(element) if element.tag == f"{P}graphicFrame" else None
            if key is None or table is None:
                continue
            label = f"{where}, shape '{_name(element)}'"
            first = template_row(table)
            if first is None:
                raise TemplateError(
                    f"{self.deck.name}: {label}: table 'qbr:{key}' has no row with tokens: "
                    "type the row's tokens ({{ row.title }} ...) in its first body row"
                )
            items = self.tokens.table_rows(key, ctx, label)
            measure = TableMeasure(table, self.fonts, self.size)
            rows = table.findall(f"{A}tr")
            header = sum(measure.height(row) for row in rows[:first])
            filled: EmuRows = []
            for i, item in enumerate(items):
                row = _copy(rows[first])
                row_ctx = {**ctx, "row": item, "loop": Loop(i, len(items))}
                fill_text(row, self.render(row_ctx, f"{label} row {i + 1}"))
                filled.append((row, measure.height(row)))
            where_key = (str(slide.part.partname), _id(element))
            room = self.deck.rooms.get(where_key)
            if room is None:
                room = self.deck.rooms[where_key] = self._room(slide, element)
            room -= header
            tables[_id(element)] = (first, _split(filled, room))
        if not tables:
            return [{}]
        count = max(len(pages) for _, pages in tables.values())
        return [
            {
                shape: (first, pages[n] if n < len(pages) else [])
                for shape, (first, pages) in tables.items()
            }
            for n in range(count)
        ]

    def _room(self, slide: Slide, frame: Any) -> int:
        """How far down from its top a table may grow: to the first shape below it (on the
        slide, its layout or master) or the bottom margin."""
        rect = _rect(frame)
        if rect is None:
            return self.height
        limit = self.height - BOTTOM_MARGIN
        below = rect.top + rect.height
        obstacles = [r for e in slide.shapes._spTree if e is not frame and (r := _rect(e))]
        info = describe(slide.slide_layout, 0)
        obstacles += info.obstacles
        if info.decor_top is not None:
            limit = min(limit, info.decor_top - GAP)
        for other in obstacles:
            beside = other.left < rect.right and rect.left < other.right
            if beside and other.top >= below - GAP:
                limit = min(limit, other.top - GAP)
        return max(0, limit - rect.top)

    # --- one slide -------------------------------------------------------------------------

    def fill(
        self,
        slide: Slide,
        where: str,
        ctx: dict[str, Any],
        tables: dict[str, tuple[int, EmuRows]],
    ) -> None:
        part = slide.part
        drop_comments(part)
        if slide.has_notes_slide:
            body = _notes_body(slide)
            if body is not None:
                remove_markers(body)
            fill_text(slide.notes_slide._element, self.render(ctx, f"{where} notes"))
        for element in _shapes(slide.shapes._spTree):
            name = _name(element)
            label = f"{where}, shape '{name}'"
            key = shape_key(name)
            render = self.render(ctx, label)
            if element.tag == f"{P}graphicFrame":
                chart = element.find(f"{A}graphic/{A}graphicData/{C}chart")
                if chart is not None:
                    self._chart(slide, element, chart.get(f"{R}id"), key, ctx, label)
                    continue
                if key is not None and _id(element) in tables:
                    first, rows = tables[_id(element)]
                    table = table_of(element)
                    for header in table.findall(f"{A}tr")[:first]:
                        fill_text(header, render)
                    if first == 0 and not rows:  # nothing to list and no heading: no table
                        element.getparent().remove(element)
                    else:
                        set_rows(element, first, rows)
                    continue
            elif element.tag == f"{P}pic" and key in PICTURES:
                self._picture(slide, element, key)
                continue
            elif element.tag == f"{P}grpSp":
                continue  # its members were filled on their own
            fill_text(element, render)

    def _chart(
        self, slide: Slide, frame: Any, rId: str, key: str | None, ctx: dict, where: str
    ) -> None:
        part: Any = slide.part.related_part(rId)
        if key is not None:
            source = self.tokens.chart_source(key, ctx["series"], where)
            if part._element.xpath(".//c:scatterChart | .//c:bubbleChart"):
                raise TemplateError(
                    f"{self.deck.name}: {where}: chart 'qbr:{key}' is an XY (scatter or "
                    "bubble) chart; qbrgen fills category charts (column, bar, line, area, pie)"
                )
            if source.kind == "seats":
                data = seats_chart(ctx, self.env.formatter)
            else:
                data = CHARTS[source.kind](ctx["series"], self.env.formatter, self.env.palette)
            if isinstance(data, NoChart):
                colours = self.env.config.branding.colours
                text = self.env.formatter.translate(data.reason)  # N_-marked reasons
                stop = "。" if self.env.formatter.language == "ja" else "."
                reason = text[:1].upper() + text[1:] + stop
                reason_in_place(frame, reason, colours.muted, self.fonts[1])
                slide.part.drop_rel(rId)
                return
            categories, series = data.categories, data.series
            if data.horizontal and part._element.xpath(
                './/c:catAx/c:scaling/c:orientation[@val="maxMin"]'
            ):  # the designer's bars run top-down already: the first category on top
                categories = categories[::-1]
                series = [(name, values[::-1]) for name, values in series]
            _embed_workbook(part)
            chart_data: Any = CategoryChartData(number_format=data.number_format)
            chart_data.categories = categories
            for index, (name, values) in enumerate(series):
                number_format = data.formats[index] if data.formats else None
                chart_data.add_series(name, values, number_format)
            part.chart.replace_data(chart_data)
            fit_numbers(part._element)
        fill_text(part._element, self.render(ctx, f"{where} (chart text)"))

    def _picture(self, slide: Slide, element: Any, key: str) -> None:
        """A `qbr:logo` picture shows the logo, fitted and centred in the designer's box."""
        branding = self.env.config.branding
        name = (
            branding.logo if key == "company_logo" else getattr(self.ctx["account"], "logo", None)
        )
        path = _picture(asset_path(self.env, name))
        box = _rect(element)
        if path is None or box is None:
            element.getparent().remove(element)
            return
        image_part, rId = slide.part.get_or_add_image_part(str(path))
        blip = element.find(f".//{A}blip")
        blip.set(f"{R}embed", rId)
        width, height = image_part.image.size
        scale = min(box.width / max(1, width), box.height / max(1, height))
        cx, cy = int(width * scale), int(height * scale)
        xfrm = element.find(f"{P}spPr/{A}xfrm")
        xfrm.find(f"{A}off").set("x", str(box.left + (box.width - cx) // 2))
        xfrm.find(f"{A}off").set("y", str(box.top + (box.height - cy) // 2))
        xfrm.find(f"{A}ext").set("cx", str(cx))
        xfrm.find(f"{A}ext").set("cy", str(cy))
        crop = element.find(f".//{A}srcRect")
        if crop is not None:
            crop.getparent().remove(crop)


def _embed_workbook(part: Any) -> None:
    """A chart whose data is a linked workbook elsewhere gets its own embedded one (the link
    would point at the designer's file, and at sample data)."""
    for external in part._element.xpath("c:externalData"):
        rId = external.get(f"{R}id")
        rel = part.rels.get(rId) if rId else None
        if rel is not None and rel.is_external:
            part._element.remove(external)
            part.rels.pop(rId)


def seats_chart(ctx: dict[str, Any], formatter: Formatter) -> ChartData | NoChart:
    """Active users and licensed seats at the end of each of the last five quarters (the
    latest usage period in each), with the KPI engine's seat utilisation beside them."""
    account = ctx["account"]
    quarters = ctx["periods"].recent_quarters(5)
    active: list[float | None] = []
    seats: list[float | None] = []
    for quarter in quarters:
        inside = [u for u in account.usage if quarter.start <= u.period_end <= quarter.end]
        latest = max(inside, key=lambda u: u.period_end) if inside else None
        licensed = None
        if latest is not None:
            licensed = latest.licensed_seats
            if licensed is None:
                licensed = account.contract.licensed_seats
        active.append(float(latest.active_users) if latest is not None else None)
        seats.append(float(licensed) if licensed else None)
    if not any(v is not None for v in active):
        return NoChart(N_("no usage data in the last five quarters"))
    utilisation = ctx["series"].get("utilisation") or [None] * len(quarters)
    return ChartData(
        "seats",
        [formatter.quarter(q) for q in quarters],
        [
            (formatter.gettext("Active users"), active),
            (formatter.gettext("Licensed seats"), seats),
            (formatter.gettext("Seat utilisation"), utilisation),
        ],
        "#,##0",
        "",
        formats=["#,##0", "#,##0", formatter.excel_percent(0)],
    )


def _copy(element: Any) -> Any:
    import copy

    return copy.deepcopy(element)


def _split(rows: EmuRows, room: int) -> list[EmuRows]:
    """Rows in pages of at most `room` EMU (a row taller than a page gets one to itself)."""
    pages: list[EmuRows] = [[]]
    used = 0
    for row, height in rows:
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0
        pages[-1].append((row, height))
        used += height
    return pages


# --- `qbrgen deck-template check` for a designed deck ---------------------------------------


def looks_designed(prs: PresentationType) -> bool:
    """Whether a file's slides speak to qbrgen (tokens, markers, `qbr:` names)."""
    for slide in prs.slides:
        if any(is_marker(line) for line in notes_lines(slide)):
            return True
        for element in _shapes(slide.shapes._spTree):
            if shape_key(_name(element)) is not None or TOKEN.search(text_of(element)):
                return True
    return False


def check_designed(
    prs: PresentationType, name: str, theme: Theme, formatter: Formatter
) -> tuple[list[str], bool]:
    """A designed deck as qbrgen reads it: per slide its markers, tokens, named charts and
    tables and what they hold; then every problem found without an account (syntax, names
    the deck does not have, internal names on a customer deck); then the names available.
    Returns the lines and whether there is no problem."""
    from qbrgen.render._pptx_layouts import _aspect, _inches

    problems: list[str] = []
    try:
        slides, audience = read_rules(prs, name)
    except TemplateError as exc:
        return [str(exc)], False
    customer = audience == "customer"
    tokens = Tokens(theme, formatter, name, customer)
    width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
    lines = [
        f"{name}: a designed deck: {len(slides)} slide(s), {_inches(width)} × "
        f"{_inches(height)} in ({_aspect(width, height)}), audience {audience}"
        + (
            ""
            if not customer
            else " (type `qbr: audience internal` in the first slide's notes for an internal deck)"
        )
    ]
    for slide, rules in zip(prs.slides, slides, strict=True):
        lines.append(rules.label + ":")
        bound: set[str] = set()
        for marker in (rules.loop, rules.when):
            if marker is None:
                continue
            meaning = (
                f"one slide per item, the item as '{marker.name}'"
                if marker.kind == "for"
                else "left out when false"
            )
            lines.append(f"  notes marker {marker.line!r}: {meaning}")
            for problem in static_problems(marker.expression, tokens.env, bound, customer):
                problems.append(f"{rules.label} notes {marker.line!r}: {problem}")
            bound.add(marker.name)
        for element in _shapes(slide.shapes._spTree):
            shape = _name(element)
            key = shape_key(shape)
            extra = set(bound)
            if key is not None:
                kind = _named_kind(element)
                lines.append(f"  {kind} '{shape}': {_holds(kind, key, customer)}")
                problem = _named_problem(kind, key, customer)
                if problem:
                    problems.append(f"{rules.label}, shape '{shape}': {problem}")
                extra.add("row")
            if element.tag == f"{P}graphicFrame" and element.find(f".//{C}chart") is not None:
                rId = element.find(f".//{C}chart").get(f"{R}id")
                texts = TOKEN.findall(text_of(slide.part.related_part(rId)._element))
            else:
                texts = TOKEN.findall(text_of(element)) if element.tag != f"{P}grpSp" else []
            if texts:
                lines.append(f"  shape '{shape}': {' '.join(dict.fromkeys(texts))}")
            for token in dict.fromkeys(texts):
                for problem in static_problems(token, tokens.env, extra, customer):
                    problems.append(f"{rules.label}, shape '{shape}': {token}: {problem}")
        notes = [
            t for line in notes_lines(slide) if not is_marker(line) for t in TOKEN.findall(line)
        ]
        if notes:
            lines.append(f"  notes: {' '.join(dict.fromkeys(notes))}")
        for token in dict.fromkeys(notes):
            for problem in static_problems(token, tokens.env, bound, customer):
                problems.append(f"{rules.label} notes: {token}: {problem}")
    for index, master in enumerate(prs.slide_masters, 1):
        for holder, label in [(master, f"master {index} ('{master.name}')")] + [
            (layout, f"layout '{layout.name}'") for layout in master.slide_layouts
        ]:
            found = list(dict.fromkeys(TOKEN.findall(text_of(holder._element))))
            if found:
                lines.append(f"{label}: {' '.join(found)}")
            for token in found:
                for problem in static_problems(token, tokens.env, set(), customer):
                    problems.append(f"{label}: {token}: {problem}")
    if problems:
        lines.append("problems:")
        lines.extend("  " + p for p in problems)
    lines.append("charts (name a chart 'qbr:<name>' in the Selection Pane; its design is kept):")
    for source in CHART_SOURCES.values():
        if not (customer and source.internal):
            lines.append(f"  qbr:{source.name}: {source.holds}")
    lines.append(
        "tables (name a table 'qbr:<name>'; its first row with tokens is copied per item, "
        "`row` is the item):"
    )
    for table in TABLE_SOURCES.values():
        if not (customer and table.internal):
            lines.append(f"  qbr:{table.name}: {table.holds}; row.{{{table.fields}}}")
    lines.append("pictures:")
    lines.extend(f"  qbr:{key}: {holds}" for key, holds in PICTURES.items())
    return lines, not problems


def _named_kind(element: Any) -> str:
    if element.tag == f"{P}pic":
        return "picture"
    if element.tag == f"{P}graphicFrame":
        if element.find(f".//{C}chart") is not None:
            return "chart"
        if table_of(element) is not None:
            return "table"
    return "shape"


def _holds(kind: str, key: str, customer: bool) -> str:
    if kind == "chart" and key in CHART_SOURCES:
        return CHART_SOURCES[key].holds
    if kind == "table" and key in TABLE_SOURCES:
        return f"one row per item: {TABLE_SOURCES[key].holds}"
    if kind == "picture" and key in PICTURES:
        return PICTURES[key]
    if kind == "table":
        return f"one row per item of '{key}' (a list of the deck's context)"
    return "not a name qbrgen fills"


def _named_problem(kind: str, key: str, customer: bool) -> str:
    if kind == "chart":
        if key not in CHART_SOURCES:
            return f"no chart 'qbr:{key}' (charts: {', '.join(CHART_SOURCES)})"
        if customer and CHART_SOURCES[key].internal:
            return f"chart 'qbr:{key}' is internal: a customer deck cannot show it"
    if kind == "table" and key in TABLE_SOURCES and customer and TABLE_SOURCES[key].internal:
        return f"table 'qbr:{key}' is internal: a customer deck cannot show it"
    if kind == "table" and key not in TABLE_SOURCES:
        from qbrgen.render._designed_rules import CUSTOMER_CONTEXT_NAMES

        if key not in CUSTOMER_CONTEXT_NAMES:
            return f"no table 'qbr:{key}' (tables: {', '.join(TABLE_SOURCES)})"
    if kind == "picture" and key not in PICTURES:
        return f"no picture 'qbr:{key}' (pictures: {', '.join(PICTURES)})"
    return ""
