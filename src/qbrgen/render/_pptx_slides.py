"""Building the slides of one deck: each slide kind of the deck template drawn on the layout of
its role, in the built-in theme or a company's master.

Titles always go into the layout's title placeholder (a small topic kicker above the
headline), fitted by measured shrinking and wrapping. Content goes into the content area the
layout leaves (`_pptx_layouts.content_area`) and is sized to use it: short tables get roomier
rows, goals, tiles and items share out the height, long ones continue on the next slide.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches

from qbrgen.errors import TemplateError
from qbrgen.render import _pptx_visuals as vis
from qbrgen.render._deck_template import Bullet, SlideSpec, amount, unit_words
from qbrgen.render._pptx_charts import CHARTS, INTERNAL_CHARTS, ChartData, NoChart, draw_chart
from qbrgen.render._pptx_draw import (
    Rect,
    Style,
    add_text,
    card_sizes,
    draw_card,
    fit_into,
    pt,
    shortened_note,
)
from qbrgen.render._pptx_layouts import LayoutInfo, check_area, content_area
from qbrgen.render._pptx_parts import Prepared, add_slide
from qbrgen.render._pptx_tables import draw_table, layout_table
from qbrgen.render._pptx_text import FitResult, Para

if TYPE_CHECKING:
    from pathlib import Path

    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide

    from qbrgen.render import RenderEnv
    from qbrgen.templates import Formatter

T = TypeVar("T")
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
GAP = int(Inches(0.18))
CARD_HEIGHT = (int(Inches(1.45)), int(Inches(2.2)))
"""Smallest and largest height of a row of summary cards."""
FILL = 0.62
"""Share of the content area row-based visuals fill at least (rows grow up to it)."""


@dataclass
class Page:
    """A slide as drawn: what the footer and the notes need to know."""

    slide: Slide
    spec: SlideSpec
    info: LayoutInfo
    number: int
    notes: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    """Indexes of the placeholders filled (the others are removed at the end)."""
    title_rect: Rect | None = None
    kicker_placed: bool = True
    """False when the title placeholder had no room for the kicker (it then heads the
    content area)."""

    @property
    def content(self) -> bool:
        """A content slide (not a cover, section divider or closing slide)."""
        return self.spec.kind not in ("cover", "section") and not self.spec.closing


class DeckBuilder:
    """Builds one deck: slides from specs, on the layouts chosen for their roles."""

    def __init__(
        self,
        prs: PresentationType,
        env: RenderEnv,
        ctx: dict[str, Any],
        layouts: dict[str, LayoutInfo],
        style: Style,
        template: str,
        logos: tuple[Path | None, Path | None] = (None, None),
        ready: Prepared | None = None,
    ):
        self.prs = prs
        self.ready = ready or Prepared(prs, layouts, (None, None))
        self.env = env
        self.ctx = ctx
        self.layouts = layouts
        self.style = style
        self.template = template
        self.fmt: Formatter = env.formatter
        self.palette = env.palette
        self.width = int(prs.slide_width or Inches(13.333))
        self.height = int(prs.slide_height or Inches(7.5))
        self.pages: list[Page] = []
        self.our_logo, self.customer_logo = logos

    # --- infrastructure ----------------------------------------------------------------------

    def new_page(self, spec: SlideSpec) -> Page:
        info = self.layouts[spec.layout]
        slide = add_slide(self.prs, info.layout, self.ready)
        slide._element.cSld.set("name", f"{spec.kind}:{spec.id}")
        page = Page(slide, spec, info, len(self.pages) + 1)
        self.pages.append(page)
        return page

    def where(self, page: Page) -> str:
        return f"slide {page.number} ('{page.spec.id}')"

    def placeholder(self, page: Page, idx: int | None) -> Any:
        """The slide's placeholder `idx`, found on the elements (python-pptx's lookup runs
        an XPath query per shape)."""
        if idx is None:
            return None
        for element in page.slide.shapes._spTree.iterchildren():
            ph = element.find(f"*/{{{P}}}nvPr/{{{P}}}ph")
            if ph is not None and int(ph.get("idx", "0")) == idx:
                return page.slide.shapes._shape_factory(element)
        return None

    def set_title(
        self,
        page: Page,
        text: str,
        kicker: str = "",
        big: bool = False,
        colour: str | None = None,
        rect: Rect | None = None,
    ) -> Rect:
        """Fit the title (and its kicker, if it has room) into the layout's title
        placeholder: shrinking and wrapping, never leaving it."""
        shape = self.placeholder(page, page.info.title_idx)
        if shape is None:
            raise TemplateError(
                f"{self.where(page)}: layout '{page.info.name}' of deck template "
                f"'{self.template}' has no title placeholder"
            )
        if rect is not None:
            shape.left, shape.top, shape.width, shape.height = rect.emus()
        rect = rect or page.info.title or Rect(0, 0, self.width, int(Inches(1)))
        page.used.add(page.info.title_idx or 0)
        builtin = self.style.builtin
        if page.info.title_caps:
            text, kicker = text.upper(), kicker.upper()
        colour = colour or (self.style.colours["primary"] if builtin else None)
        accent = self.style.colours["secondary"] if builtin else None
        sizes = (40.0, 16.0) if big else (28.0, 10.0)
        if big and not text.isascii():
            sizes = (_one_line_size(text, rect, self.style.heading_font, sizes), sizes[1])
        anchor = (MSO_ANCHOR.MIDDLE if big else MSO_ANCHOR.BOTTOM) if builtin else None
        for with_kicker in (True, False) if kicker else (False,):
            paras = [Para(text, bullet=False, bold=True)]
            if with_kicker:
                paras.insert(0, Para(kicker.upper(), bullet=False, bold=True, scale=0.46,
                                     colour=colour if big else accent))  # fmt: skip
            result = fit_into(
                shape.text_frame, rect, paras, self.style.heading_font, sizes[0], sizes[1],
                colour, anchor=anchor, max_lines=3 if with_kicker else 2,
                set_font=self.style.set_fonts,
            )  # fmt: skip
            if not result.shortened:
                break
        page.kicker_placed = with_kicker or not kicker
        page.title_rect = rect
        if result.shortened:
            page.notes.append(self.env.formatter.gettext("Full title: %(title)s", title=text))
        return rect

    def area(self, page: Page, use_body: bool = True) -> Rect:
        """The content area of a page, or a located error when the layout leaves none."""
        rect = content_area(page.info, page.spec.layout, self.width, self.height, use_body)
        return check_area(rect, self.where(page), page.info, self.template)

    def content_page(self, spec: SlideSpec, title: str | None = None) -> tuple[Page, Rect]:
        page = self.new_page(spec)
        self.set_title(page, spec.title if title is None else title, spec.kicker)
        rect = self.area(page)
        if not page.kicker_placed:
            # A template's title band too small for the kicker: it heads the content instead.
            line = int(Inches(0.3))
            add_text(
                page.slide, Rect(rect.left, rect.top, rect.width, line),
                [Para(spec.kicker.upper(), bullet=False, bold=True)], self.style.heading_font,
                11, 8, self.style.colours["secondary"], max_lines=1, set_font=True,
            )  # fmt: skip
            rect = check_area(
                Rect(rect.left, rect.top + line, rect.width, rect.height - line),
                self.where(page), page.info, self.template,
            )  # fmt: skip
        return page, rect

    def text_in(
        self,
        page: Page,
        rect: Rect,
        paras: list[Para],
        sizes: tuple[float, float] = (20, 11),
        into_body: bool = False,
        colour: str | None = None,
        **kwargs: Any,
    ) -> FitResult:
        """Fit paragraphs into `rect`: into the layout's body placeholder when asked (so the
        template's text styles apply), else into a text box."""
        colour = colour or self.style.text_colour()
        bullet = self.style.colours["secondary"] if self.style.builtin else None
        shape = self.placeholder(page, page.info.body_idx) if into_body else None
        if shape is not None:
            shape.left, shape.top, shape.width, shape.height = rect.emus()
            page.used.add(page.info.body_idx or 0)
            result = fit_into(
                shape.text_frame, rect, paras, self.style.body_font, sizes[0], sizes[1], colour,
                bullet, set_font=self.style.set_fonts, **kwargs,
            )  # fmt: skip
        else:
            result = add_text(
                page.slide, rect, paras, self.style.body_font, sizes[0], sizes[1], colour,
                bullet_colour=bullet, set_font=self.style.set_fonts, **kwargs,
            )  # fmt: skip
        if result.dropped:
            page.notes.append(shortened_note(result.dropped))
        return result

    def dropped(self, page: Page, results: list[FitResult]) -> None:
        """Give in full in the notes whatever the visuals had to shorten."""
        for result in results:
            if result.dropped:
                page.notes.append(shortened_note(result.dropped))

    def statement(self, page: Page, rect: Rect, words: str) -> None:
        """A plain sentence where content would be (there is nothing to show), in a panel."""
        height = max(int(rect.height * FILL), min(rect.height, int(Inches(1.2))))
        panel = Rect(rect.left, rect.top, rect.width, height)
        vis.box(page.slide, panel, vis.TINT, radius=0.04)
        inner = Rect(
            panel.left + GAP, panel.top + GAP, panel.width - 2 * GAP, panel.height - 2 * GAP
        )
        add_text(
            page.slide, inner, [Para(words, bullet=False)], self.style.body_font, 22, 12,
            self.style.colours["muted"], align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE,
        )  # fmt: skip

    def paged(
        self, spec: SlideSpec, rows: Sequence[T], per_page: int
    ) -> list[tuple[Page, Rect, Sequence[T]]]:
        """Pages for `rows`, `per_page` at a time; follow-on pages say '(2 of 3)'."""
        count = max(1, math.ceil(len(rows) / max(per_page, 1)))
        out = []
        for index in range(count):
            title = spec.title if count == 1 else self._part(spec.title, index, count)
            page, rect = self.content_page(spec, title)
            out.append((page, rect, rows[index * per_page : (index + 1) * per_page]))
        return out

    def rows_in(self, rect: Rect, count: int, min_h: int, max_h: int) -> tuple[int, int]:
        """(rows per page, row height): rows as tall as `max_h` allows, together at least
        FILL of the area, never below `min_h`."""
        per_page = max(1, (rect.height + GAP) // (min_h + GAP))
        n = min(count, per_page)
        target = max(n * max_h + (n - 1) * GAP, int(rect.height * FILL))
        target = min(target, rect.height)
        return per_page, max(min_h, (target - (n - 1) * GAP) // max(n, 1))

    # --- slide kinds -------------------------------------------------------------------------

    def build(self, specs: list[SlideSpec]) -> None:
        for index, spec in enumerate(specs):
            if spec.kind == "agenda" and not spec.bullets:
                spec.bullets = [
                    Bullet(s.kicker or s.title) for s in specs[index + 1 :] if s.agenda and s.title
                ]
            name = "closing" if spec.kind == "cover" and spec.closing else spec.kind
            kind: Callable[[SlideSpec], None] = getattr(self, "kind_" + name)
            kind(spec)

    def _panel_slide(self, spec: SlideSpec) -> tuple[Page, Rect]:
        """A cover or closing slide. In the built-in theme: a brand-colour panel on the left
        holding the title and subtitle, the right side free for attendees and logos."""
        page = self.new_page(spec)
        builtin = self.style.builtin
        margin = int(Inches(0.6))
        lines = [Para(line, bullet=False) for line in spec.subtitle.splitlines() if line.strip()]
        body = self.placeholder(page, page.info.body_idx)
        if builtin:
            panel = Rect(0, 0, int(self.width * 0.42), self.height)
            vis.send_to_back(vis.box(page.slide, panel, self.style.colours["primary"]))
            inner_w = panel.width - 2 * margin
            title_rect = Rect(margin, int(self.height * 0.22), inner_w, int(self.height * 0.36))
            self.set_title(
                page, spec.title, spec.kicker, big=True, colour=vis.WHITE, rect=title_rect
            )
            sub_rect = Rect(margin, title_rect.bottom + GAP, inner_w, int(self.height * 0.3))
            if lines:
                self.text_in(page, sub_rect, lines, (18, 10), into_body=body is not None,
                             colour="#E8EEF6", anchor=MSO_ANCHOR.TOP)  # fmt: skip
            right = Rect(panel.right + margin, margin, self.width - panel.right - 2 * margin,
                         self.height - 2 * margin)  # fmt: skip
        else:
            title = self.set_title(page, spec.title, spec.kicker, big=True)
            if lines and body is not None:
                rect = page.info.body or Rect(
                    title.left, title.bottom, title.width, int(Inches(1.5))
                )
                # A template's subtitle box is often one line high: let it grow downwards
                # into free space (never over the template's own shapes or the footer).
                room = page.info.below(rect, self.height) - rect.top
                grown = max(rect.height, min(room, int(Inches(1.6))))
                rect = Rect(rect.left, rect.top, rect.width, grown)
                self.text_in(page, rect, lines, (20, 9), into_body=True)
            elif lines:
                top = title.bottom + GAP
                rect = Rect(
                    title.left,
                    top,
                    title.width,
                    max(int(Inches(0.6)), self.height - top - int(Inches(0.8))),
                )
                self.text_in(page, rect, lines, (20, 9))
            right = Rect(self.width // 2, int(Inches(0.3)), self.width // 2 - int(Inches(0.4)),
                         int(Inches(0.7)))  # fmt: skip
        return page, right

    def kind_cover(self, spec: SlideSpec) -> None:
        page, right = self._panel_slide(spec)
        if self.style.builtin:
            logo_h = int(Inches(0.75))
            if self.customer_logo:
                vis.picture(
                    page.slide,
                    self.customer_logo,
                    Rect(right.left, right.top, right.width, logo_h),
                    "right",
                )
            if self.our_logo:
                vis.picture(
                    page.slide,
                    self.our_logo,
                    Rect(right.left, right.bottom - logo_h, right.width, logo_h),
                    "left",
                )
            self._columns(page, Rect(right.left, right.top + logo_h + GAP, right.width,
                                     right.height - 2 * (logo_h + GAP)), spec)  # fmt: skip
        elif self.customer_logo:
            vis.picture(page.slide, self.customer_logo, right, "right")

    def kind_section(self, spec: SlideSpec) -> None:
        if self.style.builtin:
            page = self.new_page(spec)
            bar = Rect(
                int(Inches(0.6)), int(self.height * 0.34), int(Inches(0.12)), int(self.height * 0.3)
            )
            vis.box(page.slide, bar, self.style.colours["secondary"])
            title = page.info.title or Rect(0, 0, self.width, self.height // 2)
            self.set_title(page, spec.title, spec.kicker, big=True)
            if spec.subtitle:
                rect = page.info.body or Rect(title.left, title.bottom, title.width, int(Inches(1)))
                self.text_in(page, rect, [Para(spec.subtitle, bullet=False)], (20, 11),
                             into_body=True, colour=self.style.colours["muted"])  # fmt: skip
            return
        self._panel_slide(spec)

    def _columns(self, page: Page, rect: Rect, spec: SlideSpec) -> None:
        """The cover's and closing slide's lists (attendees, next steps), side by side."""
        columns = [c for c in spec.columns if c.lines]
        if not columns or rect.height <= 0:
            return
        width = (rect.width - GAP * (len(columns) - 1)) // len(columns)
        for index, column in enumerate(columns):
            where = Rect(rect.left + index * (width + GAP), rect.top, width, rect.height)
            paras = [Para(column.heading.upper(), bullet=False, bold=True, scale=0.75,
                          colour=self.style.colours["secondary"])] if column.heading else []  # fmt: skip
            paras += [Para(line, bullet=False) for line in column.lines]
            self.text_in(page, where, paras, (16, 9), anchor=MSO_ANCHOR.TOP)

    def kind_agenda(self, spec: SlideSpec) -> None:
        page, rect = self.content_page(spec)
        objectives = next((c for c in spec.columns if c.lines), None)
        items = [b.text for b in spec.bullets]
        if objectives is not None:
            side = int(rect.width * 0.4)
            panel = Rect(rect.left, rect.top, side, rect.height)
            vis.box(page.slide, panel, vis.TINT, radius=0.04)
            inner = Rect(
                panel.left + GAP, panel.top + GAP, panel.width - 2 * GAP, panel.height - 2 * GAP
            )
            paras = [
                Para(
                    objectives.heading,
                    bullet=False,
                    bold=True,
                    colour=self.style.colours["primary"],
                )
            ]
            paras += [Para(line) for line in objectives.lines]
            self.text_in(page, inner, paras, (20, 10))
            rect = Rect(
                panel.right + GAP * 2, rect.top, rect.right - panel.right - GAP * 2, rect.height
            )
        if not items:
            return
        # One column of rows, or two when the rows would be too low to read.
        gap = GAP // 3
        columns = 1 if (rect.height + gap) // len(items) >= int(Inches(0.32)) else 2
        per_column = math.ceil(len(items) / columns)
        row_h = min(int(Inches(0.62)), (rect.height - gap * (per_column - 1)) // per_column)
        col_w = (rect.width - GAP * (columns - 1)) // columns
        number_w = min(int(Inches(0.7)), col_w // 6)
        for index, item in enumerate(items):
            column, row = divmod(index, per_column)
            left = rect.left + column * (col_w + GAP)
            top = rect.top + row * (row_h + gap)
            add_text(page.slide, Rect(left, top, number_w, row_h),
                     [Para(f"{index + 1:02d}", bullet=False, bold=True)], self.style.heading_font,
                     20, 8, self.style.colours["secondary"], anchor=MSO_ANCHOR.MIDDLE)  # fmt: skip
            self.text_in(page, Rect(left + number_w, top, col_w - number_w, row_h),
                         [Para(item, bullet=False)], (20, 8), anchor=MSO_ANCHOR.MIDDLE)  # fmt: skip

    def _paras(self, spec: SlideSpec) -> list[Para]:
        return [Para(b.text, b.level) for b in spec.bullets]

    def kind_bullets(self, spec: SlideSpec) -> None:
        page, rect = self.content_page(spec)
        paras = self._paras(spec)
        if spec.text:
            # Blank lines separate paragraphs; single line breaks are the source's wrapping.
            blocks = [" ".join(t.split()) for t in spec.text.split("\n\n") if t.strip()]
            paras = [Para(t, bullet=False) for t in blocks] + paras
        if not paras:
            self.statement(page, rect, spec.empty or self._("Nothing to report this quarter."))
            return
        self.text_in(page, rect, paras, (24, 11), into_body=True)

    kind_text = kind_bullets

    def _cards(self, page: Page, rect: Rect, spec: SlideSpec, height: int) -> None:
        cards = spec.numbers[:4]
        width = (rect.width - GAP * (len(cards) - 1)) // len(cards)
        sizes = card_sizes(
            [c.label for c in cards], [c.value for c in cards], width, height, self.style
        )
        for index, card in enumerate(cards):
            band = self.palette.band(card.band) if card.band in ("green", "yellow", "red") else None
            draw_card(
                page.slide, Rect(rect.left + index * (width + GAP), rect.top, width, height),
                card.label, card.value, card.caption, band, self.style, card.progress, sizes,
            )  # fmt: skip

    def card_height(self, rect: Rect, more: bool) -> int:
        """Height of a row of cards: a share of the content area (less when text follows),
        within CARD_HEIGHT on a normal slide, smaller on a small one."""
        low, high = CARD_HEIGHT
        share = 0.4 if more else 0.62
        return max(min(low, int(rect.height * 0.3)), min(high, int(rect.height * share)))

    def kind_summary(self, spec: SlideSpec) -> None:
        page, rect = self.content_page(spec)
        paras = self._paras(spec)
        if not spec.numbers:
            self.text_in(page, rect, paras, (22, 11), into_body=True)
            return
        height = self.card_height(rect, more=bool(paras))
        self._cards(page, rect, spec, height)
        if paras:
            top = rect.top + height + GAP * 2
            self.text_in(page, Rect(rect.left, top, rect.width, rect.bottom - top), paras, (20, 9))

    def kind_chart(self, spec: SlideSpec) -> None:
        page, rect = self.content_page(spec)
        paras = self._paras(spec)
        chart_rect = rect
        if paras:
            side = int(rect.width * 0.34)
            chart_rect = Rect(rect.left, rect.top, rect.width - side - GAP, rect.height)
            panel = Rect(chart_rect.right + GAP, rect.top, side, rect.height)
            vis.box(page.slide, panel, vis.TINT, radius=0.04)
            inner = Rect(
                panel.left + GAP, panel.top + GAP, panel.width - 2 * GAP, panel.height - 2 * GAP
            )
            self.text_in(page, inner, paras, (18, 10))
        kind = spec.chart.get("kind", "")
        builder = CHARTS.get(kind)
        if builder is None:
            raise TemplateError(
                f"{self.env.config.deck.slides}: slide '{spec.id}': unknown chart kind '{kind}'; "
                f"expected one of {', '.join(CHARTS)}"
            )
        if kind in INTERNAL_CHARTS and self.ctx.get("audience") == "customer":
            raise TemplateError(
                f"{self.env.config.deck.slides}: slide '{spec.id}': chart '{kind}' is internal "
                "(the customer context has no ARR history); declare `audience: internal` at the "
                "top of the deck template for an internal deck"
            )
        data = builder(self.ctx["series"], self.fmt, self.palette)
        if isinstance(data, NoChart):
            self.statement(
                page,
                chart_rect,
                spec.chart.get("empty")
                or spec.empty
                or self._("Nothing to chart yet: %(reason)s.", reason=self._(data.reason)),
            )
            return
        if spec.chart.get("axis_title"):
            data.axis_title = spec.chart["axis_title"]
        draw_chart(page.slide, data, (chart_rect.left, chart_rect.top, chart_rect.width, chart_rect.height),
                   self.style.body_font, self.style.colours["text"], self.env.stamp)  # fmt: skip
        page.notes.append(chart_note(data, self.fmt))

    def kind_table(self, spec: SlideSpec) -> None:
        table = spec.table
        if table is None or not table.rows:
            page, rect = self.content_page(spec)
            self.statement(page, rect, spec.empty or self._("Nothing recorded yet."))
            return
        first, rect = self.content_page(spec)
        sizes = (18.0, 16.0, 14.0, 12.0) if len(table.rows) <= 4 else (16.0, 14.0, 12.0)
        for size in sizes:
            layout = layout_table(table, rect, self.style.body_font, size)
            if len(layout.pages) == 1:
                break
        count = len(layout.pages)
        aligns = [c.align for c in table.columns]
        for index in range(count):
            if index == 0:
                page = first
                if count > 1:
                    self.set_title(page, self._part(spec.title, 0, count), spec.kicker)
            else:
                page, rect = self.content_page(spec, self._part(spec.title, index, count))
            draw_table(page.slide, rect, layout, index, aligns, self.style,
                       min_height=pt(rect.height) * FILL)  # fmt: skip
            if count > 1:
                page.notes.append(
                    self.env.formatter.ngettext(
                        "Page %(page)s of %(pages)s of this table (%(num)s row in all).",
                        "Page %(page)s of %(pages)s of this table (%(num)s rows in all).",
                        len(table.rows),
                        page=index + 1,
                        pages=count,
                    )
                )

    def kind_goals(self, spec: SlideSpec) -> None:
        goals = list(spec.goals)
        if not goals:
            page, rect = self.content_page(spec)
            self.statement(page, rect, spec.empty or self._("No goals are recorded yet."))
            return
        _, rect = self._probe_area(spec)
        per_page, row_h = self.rows_in(rect, len(goals), int(Inches(1.05)), int(Inches(1.5)))
        for page, rect, chunk in self.paged(spec, goals, per_page):
            _, row_h = self.rows_in(rect, len(chunk), int(Inches(1.05)), int(Inches(1.5)))
            for index, goal in enumerate(chunk):
                top = rect.top + index * (row_h + GAP)
                row = goal_row(goal, self.fmt, self.palette)
                with vis.recording() as results:
                    vis.goal_row(
                        page.slide, Rect(rect.left, top, rect.width, row_h), row, self.style
                    )
                self.dropped(page, results)

    def _probe_area(self, spec: SlideSpec) -> tuple[LayoutInfo, Rect]:
        info = self.layouts[spec.layout]
        rect = content_area(info, spec.layout, self.width, self.height, True)
        return info, rect

    def kind_items(self, spec: SlideSpec) -> None:
        items = spec.items
        if not items:
            page, rect = self.content_page(spec)
            self.statement(page, rect, spec.empty or self._("Nothing to list yet."))
            return
        _, rect = self._probe_area(spec)
        per_page, _ = self.rows_in(rect, len(items), int(Inches(0.75)), int(Inches(1.25)))
        number = 0
        for page, rect, chunk in self.paged(spec, items, per_page):
            _, row_h = self.rows_in(rect, len(chunk), int(Inches(0.75)), int(Inches(1.25)))
            for index, item in enumerate(chunk):
                number += 1
                colour = (
                    self.palette.band(item.band) if item.band else self.style.colours["secondary"]
                )
                top = rect.top + index * (row_h + GAP)
                with vis.recording() as results:
                    vis.item_row(
                        page.slide,
                        Rect(rect.left, top, rect.width, row_h),
                        number,
                        item.title,
                        item.text,
                        item.chip,
                        colour,
                        self.style,
                    )
                self.dropped(page, results)

    def kind_tiles(self, spec: SlideSpec) -> None:
        items = spec.items
        if not items:
            page, rect = self.content_page(spec)
            self.statement(page, rect, spec.empty or self._("Nothing to show yet."))
            return
        for page, rect, chunk in self.paged(spec, items, 6):
            n = len(chunk)
            cols = {1: 1, 2: 2, 3: 3, 4: 2}.get(n, 3)
            rows = math.ceil(n / cols)
            width = (rect.width - GAP * (cols - 1)) // cols
            height = (rect.height - GAP * (rows - 1)) // rows
            if rows == 1:  # one row of tiles: as tall as the slide needs, not the whole area
                height = min(rect.height, max(int(rect.height * FILL), int(Inches(3.0))))
            for index, item in enumerate(chunk):
                r, c = divmod(index, cols)
                where = Rect(
                    rect.left + c * (width + GAP), rect.top + r * (height + GAP), width, height
                )
                with vis.recording() as results:
                    vis.tile(
                        page.slide,
                        where,
                        item.value,
                        item.label,
                        item.title,
                        item.text,
                        item.chip,
                        self.style,
                    )
                self.dropped(page, results)

    def kind_quotes(self, spec: SlideSpec) -> None:
        page, rect = self.content_page(spec)
        top = rect.top
        if spec.numbers:
            height = self.card_height(rect, more=bool(spec.items))
            self._cards(page, rect, spec, height)
            top += height + GAP * 2
        quotes = spec.items[:3]
        area = Rect(rect.left, top, rect.width, rect.bottom - top)
        if not quotes:
            if spec.empty:
                self.statement(page, area, spec.empty)
            return
        width = (area.width - GAP * (len(quotes) - 1)) // len(quotes)
        for index, item in enumerate(quotes):
            where = Rect(area.left + index * (width + GAP), area.top, width, area.height)
            with vis.recording() as results:
                vis.quote(page.slide, where, item.title, item.text, self.style)
            self.dropped(page, results)

    def _(self, message: str, **values: Any) -> str:
        """`message` in the deck's language."""
        return self.env.formatter.gettext(message, **values)

    def _part(self, title: str, index: int, count: int) -> str:
        """A follow-on page's title: 'Mutual action plan (2 of 3)'."""
        return self._("%(title)s (%(page)s of %(pages)s)", title=title, page=index + 1, pages=count)

    def kind_closing(self, spec: SlideSpec) -> None:
        page, right = self._panel_slide(spec)
        if self.style.builtin:
            self._columns(page, right, spec)


def _one_line_size(text: str, rect: Rect, font: str, sizes: tuple[float, float]) -> float:
    """The largest size at which a cover or closing title in a script without spaces stays
    on one line, down to 60% of the biggest: PowerPoint and LibreOffice break Japanese
    between any two characters (ありがとうござ|いました), so a short title is kept whole by
    its size rather than by a break qbrgen cannot place."""
    from qbrgen.render._pptx_draw import frame_box
    from qbrgen.render._pptx_text import _sizes, metrics, para_lines

    if not any(unicodedata.east_asian_width(c) in ("W", "F") for c in text):
        return sizes[0]
    box, para = frame_box(rect), Para(text, bullet=False, bold=True)
    for size in _sizes(sizes[0], sizes[0] * 0.6):
        if len(para_lines(para, box, metrics(font, True), size)) == 1:
            return size
    return sizes[0]


# --- goals in words ---------------------------------------------------------------------------


def _amount(value: float, unit: str | None, fmt: Formatter) -> str:
    shown = amount(value, unit, fmt)
    words = unit_words(unit)
    return f"{shown} {words}" if words else shown


def goal_row(goal: Any, fmt: Formatter, palette: Any) -> vis.GoalRow:
    """A goal record (model or customer view) in the words and numbers of its row."""
    status = goal.status
    measure = [goal.metric] if goal.metric else []
    target = goal.target or (
        _amount(goal.target_value, goal.unit, fmt) if goal.target_value is not None else ""
    )
    if target:
        if goal.target_date:
            measure.append(
                fmt.gettext(
                    "target %(target)s by %(date)s",
                    target=target,
                    date=fmt.date(goal.target_date, "medium"),
                )
            )
        else:
            measure.append(fmt.gettext("target %(target)s", target=target))
    row = vis.GoalRow(
        title=goal.title,
        detail=" · ".join(measure),
        status=fmt.label(status, "goal_statuses"),
        status_colour=palette.goal_status(status),
        outcome=goal.outcome or "",
        progress=None,
    )
    baseline, current, target_value = goal.baseline, goal.current, goal.target_value
    if target_value is not None and current is not None:
        start = baseline if baseline is not None else 0.0
        span = target_value - start
        row.progress = 1.0 if span == 0 else max(0.0, min(1.0, (current - start) / span))
        row.start_label = (
            fmt.gettext("Baseline %(value)s", value=_amount(start, goal.unit, fmt))
            if baseline is not None
            else ""
        )
        row.now_label = fmt.gettext("Now %(value)s", value=_amount(current, goal.unit, fmt))
        row.end_label = fmt.gettext("Target %(value)s", value=_amount(target_value, goal.unit, fmt))
    elif goal.milestones:
        done = sum(1 for m in goal.milestones if m.completed)
        row.progress = done / len(goal.milestones)
        row.now_label = fmt.ngettext(
            "%(done)s of %(num)s milestone reached",
            "%(done)s of %(num)s milestones reached",
            len(goal.milestones),
            done=done,
        )
    return row


def chart_note(data: ChartData, formatter: Formatter) -> str:
    """The chart's numbers in words, for the speaker notes."""

    def shown(value: float | None) -> str:
        if value is None:
            return formatter.gettext("n/a")
        if data.percent_axis:
            return formatter.percent(value)
        if data.kind == "arr":
            return formatter.money(value)
        return formatter.number(value)

    rows = []
    for name, values in data.series:
        cells = ", ".join(f"{c}: {shown(v)}" for c, v in zip(data.categories, values, strict=True))
        rows.append(f"{name} — {cells}")
    return formatter.gettext("Chart data: %(rows)s.", rows="; ".join(rows))
