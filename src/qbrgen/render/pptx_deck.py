"""The QBR deck renderer ("qbr"): one editable PowerPoint deck per account.

Pipeline per account: the shared account context → the deck template (`deck/qbr.yaml`, Jinja
in the sandbox) decides the slides → each slide is built on a layout of the master (the
workspace's corporate .pptx, else the built-in clean theme) by role → text is measured and
fitted, tables are paginated, charts are native → notes, footer and core properties say what
the deck was made from. Every python-pptx call of qbrgen lives in this module and its
`_pptx_*` helpers.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches

from qbrgen.errors import RenderError, TemplateError
from qbrgen.output import safe_filename
from qbrgen.palette import SEVERITY_RANK
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._pptx_charts import CHARTS, ChartData, NoChart, draw_chart
from qbrgen.render._pptx_draw import (
    Rect,
    Style,
    add_text,
    copy_footer,
    draw_card,
    draw_footer,
    draw_table,
    fit_into,
    layout_table,
    pt,
    shortened_note,
)
from qbrgen.render._pptx_template import Bullet, DeckTemplate, SlideSpec
from qbrgen.render._pptx_text import Para, ellipsize, metrics
from qbrgen.render.context import account_context, account_inputs, account_payload

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide, SlideLayout

    from qbrgen.run import Run
    from qbrgen.templates import Formatter

CLEAN_MASTER = "deck/clean.pptx"
DEFAULT_LAYOUTS = {
    "title": "Title Slide",
    "section": "Section Header",
    "content": "Title and Content",
    "chart": "Title Only",
    "table": "Title Only",
    "closing": "Title Slide",
}
"""Layout role -> layout name in the master; `deck.layouts` in qbrgen.yaml overrides each."""
ROLE_RANK = {
    "executive_sponsor": 0,
    "decision_maker": 1,
    "champion": 2,
    "influencer": 3,
    "user": 4,
    "detractor": 5,
}
FOOTER_HEIGHT = Inches(0.32)
FOOTER_GAP = Inches(0.08)
TITLE_PLACEHOLDERS = (
    PP_PLACEHOLDER.TITLE,
    PP_PLACEHOLDER.CENTER_TITLE,
    PP_PLACEHOLDER.VERTICAL_TITLE,
)
BODY_PLACEHOLDERS = (
    PP_PLACEHOLDER.BODY,
    PP_PLACEHOLDER.OBJECT,
    PP_PLACEHOLDER.SUBTITLE,
    PP_PLACEHOLDER.VERTICAL_BODY,
)


# --- plan ----------------------------------------------------------------------------------


def deck_filename(account_name: str, quarter: str) -> str:
    """'Acme-Logistics-QBR-2026-Q3.pptx'."""
    return f"{safe_filename(account_name)}-QBR-{quarter}.pptx"


def master_name(run_or_env: Any) -> str:
    """The master the deck is built on: the configured corporate template, else the clean one."""
    return run_or_env.workspace.config.deck.template or CLEAN_MASTER


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job per selected account."""
    quarter = str(run.report.quarter)
    jobs: list[Job] = []
    for item in selection.accounts:
        account = item.account
        rel = f"{account.id}/{deck_filename(account.name, quarter)}"
        jobs.append(
            Job(
                kind="qbr",
                key=account.id,
                outputs=[rel],
                payload=account_payload(run, account.id),
                inputs=account_inputs(run, account.id),
                templates=[run.workspace.config.deck.slides, master_name(run)],
                account_id=account.id,
            )
        )
    return jobs


# --- the master and its layouts ------------------------------------------------------------

_CACHE: dict[tuple[Any, ...], Any] = {}


def _cached(key: tuple[Any, ...], make: Any) -> Any:
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def master_path(env: RenderEnv) -> Path | None:
    """Where the master .pptx is: on the template search path, or relative to the workspace."""
    name = env.config.deck.template
    if name is None:
        found = env.theme.find(CLEAN_MASTER)
        return found.path if found else None
    found = env.theme.find(name)
    if found is not None:
        return found.path
    candidate = Path(name) if Path(name).is_absolute() else env.workspace.root / name
    if candidate.is_file():
        return candidate
    where = ", ".join(str(d) for d in env.theme.folders)
    raise TemplateError(
        f"deck template '{name}' (deck.template in qbrgen.yaml) not found in {where} "
        f"nor at {candidate}"
    )


def master_bytes(env: RenderEnv) -> bytes:
    path = master_path(env)
    if path is None:
        from qbrgen.render._pptx_master import build_clean_master

        return _cached(("clean",), build_clean_master)
    stat = path.stat()
    return _cached(("master", str(path), stat.st_mtime_ns, stat.st_size), path.read_bytes)


def open_master(env: RenderEnv) -> PresentationType:
    """The master as a presentation with no slides (a template's own slides are removed)."""
    name = env.config.deck.template or CLEAN_MASTER
    try:
        prs = Presentation(io.BytesIO(master_bytes(env)))
    except Exception as exc:  # python-pptx raises assorted errors for non-pptx files
        raise TemplateError(f"deck template '{name}' is not a readable .pptx file: {exc}") from exc
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return prs


def find_layout(
    prs: PresentationType, role: str, layouts: dict[str, str], template: str
) -> SlideLayout:
    """The master's layout for a role, by name; a clear error naming what exists."""
    wanted = layouts.get(role) or DEFAULT_LAYOUTS[role]
    names: list[str] = []
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            if layout.name == wanted:
                return layout
            names.append(layout.name)
    raise TemplateError(
        f"deck template '{template}' has no slide layout named '{wanted}' (layout role "
        f"'{role}'); its layouts are: {', '.join(repr(n) for n in names)}. Rename a layout in "
        f"the template or set deck.layouts.{role} in qbrgen.yaml to one of them."
    )


# --- building slides -------------------------------------------------------------------------


@dataclass
class Page:
    """A slide as drawn: what the footer and notes need to know."""

    slide: Slide
    spec: SlideSpec
    notes: list[str]


class DeckBuilder:
    """Builds one deck: slides from specs, on the master's layouts."""

    def __init__(self, prs: PresentationType, env: RenderEnv, ctx: dict[str, Any], builtin: bool):
        config = env.config
        self.prs = prs
        self.env = env
        self.ctx = ctx
        self.template = config.deck.template or CLEAN_MASTER
        self.layouts = dict(config.deck.layouts)
        colours = config.branding.colours.model_dump()
        self.style = Style(
            config.branding.fonts.heading, config.branding.fonts.body, colours, builtin
        )
        self.width = prs.slide_width or Inches(13.333)
        self.height = prs.slide_height or Inches(7.5)
        self.footer = Rect(
            int(Inches(0.4)),
            int(self.height - FOOTER_HEIGHT - Inches(0.05)),
            int(self.width - Inches(0.8)),
            int(FOOTER_HEIGHT),
        )
        self.pages: list[Page] = []
        self._layout_name = ""
        self._rects: dict[tuple[str, int], Rect] = {}

    # geometry

    def _new_slide(self, spec: SlideSpec) -> tuple[Slide, Page]:
        layout = find_layout(self.prs, spec.layout, self.layouts, self.template)
        slide = self.prs.slides.add_slide(layout)
        self._layout_name = layout.name
        page = Page(slide, spec, [])
        self.pages.append(page)
        return slide, page

    def _title_shape(self, slide: Slide) -> Any:
        for shape in slide.placeholders:
            if shape.placeholder_format.type in TITLE_PLACEHOLDERS:
                return shape
        return None

    def _body_shape(self, slide: Slide) -> Any:
        bodies = [
            s for s in slide.placeholders
            if s.placeholder_format.type in BODY_PLACEHOLDERS and s.has_text_frame
        ]  # fmt: skip
        return max(bodies, key=lambda s: (s.width or 0) * (s.height or 0)) if bodies else None

    def _rect(self, shape: Any) -> Rect:
        """A shape's position; placeholders that inherit it from their layout are looked up
        once per layout (python-pptx walks the inheritance chain on every access)."""
        if not shape.is_placeholder or shape._element.xfrm is not None:
            return Rect(int(shape.left), int(shape.top), int(shape.width), int(shape.height))
        key = (self._layout_name, shape.placeholder_format.idx)
        if key not in self._rects:
            self._rects[key] = Rect(
                int(shape.left), int(shape.top), int(shape.width), int(shape.height)
            )
        return self._rects[key]

    def _content_slide(self, spec: SlideSpec) -> tuple[Slide, Page, Any, Rect]:
        """A new slide with its title set: (slide, page, body placeholder or None, content rect)."""
        slide, page = self._new_slide(spec)
        title = self._set_title(slide, page, spec.title)
        body = self._body_shape(slide)
        return slide, page, body, self._content_rect(slide, title, body)

    def _content_rect(self, slide: Slide, title: Any, body: Any) -> Rect:
        """Where content goes: the layout's body placeholder, else below the title; never
        into the footer band."""
        limit = self.footer.top - FOOTER_GAP
        if body is not None:
            rect = self._rect(body)
        elif title is not None:
            head = self._rect(title)
            top = int(head.bottom + Inches(0.12))
            rect = Rect(head.left, top, head.width, int(limit - top))
        else:
            rect = Rect(
                int(Inches(0.6)),
                int(Inches(1.3)),
                int(self.width - Inches(1.2)),
                int(limit - Inches(1.3)),
            )
        bottom = min(rect.bottom, int(limit))
        return Rect(rect.left, rect.top, rect.width, max(bottom - rect.top, int(Inches(0.5))))

    def _remove(self, shape: Any) -> None:
        element = shape._element
        element.getparent().remove(element)

    def _set_title(self, slide: Slide, page: Page, text: str, big: bool = False) -> Any:
        shape = self._title_shape(slide)
        if shape is None:
            rect = Rect(
                int(Inches(0.6)), int(Inches(0.3)), int(self.width - Inches(1.2)), int(Inches(0.9))
            )
            result = add_text(
                slide,
                rect,
                [Para(text, bullet=False, bold=True)],
                self.style.heading_font,
                28,
                16,
                self.style.colours["primary"],
                max_lines=2,
            )
        else:
            colour = self.style.colours["primary"] if self.style.colour_titles else None
            sizes = (40, 22) if big else (28, 16)
            result = fit_into(
                shape.text_frame, self._rect(shape), [Para(text, bullet=False, bold=True)],
                self.style.heading_font, sizes[0], sizes[1], colour,
                anchor=MSO_ANCHOR.MIDDLE if big else MSO_ANCHOR.BOTTOM, max_lines=2,
            )  # fmt: skip
        if result.shortened:
            page.notes.append(f"Full title: {text}")
        return shape

    def _paras(self, spec: SlideSpec) -> list[Para]:
        return [Para(b.text, b.level) for b in spec.bullets]

    def _bullets(
        self,
        slide: Slide,
        page: Page,
        rect: Rect,
        paras: list[Para],
        shape: Any = None,
        max_size: float = 20,
        min_size: float = 11,
        max_lines: int | None = 4,
    ) -> None:
        """Fit bullets into `rect` (in the layout's body placeholder `shape` if given); a
        bullet longer than `max_lines` lines is cut with an ellipsis, in full in the notes."""
        colour = self.style.colours["text"] if self.style.colour_titles else None
        bullet = self.style.colours["secondary"] if self.style.colour_titles else None
        if shape is not None:
            shape.left, shape.top, shape.width, shape.height = (
                Emu(v) for v in (rect.left, rect.top, rect.width, rect.height)
            )
            result = fit_into(
                shape.text_frame,
                rect,
                paras,
                self.style.body_font,
                max_size,
                min_size,
                colour,
                bullet,
                max_lines=max_lines,
            )
        else:
            result = add_text(
                slide,
                rect,
                paras,
                self.style.body_font,
                max_size,
                min_size,
                colour,
                bullet_colour=bullet,
                max_lines=max_lines,
            )
        if result.dropped:
            page.notes.append(shortened_note(result.dropped))

    def _statement(self, slide: Slide, rect: Rect, text: str) -> None:
        """A plain sentence where a chart or table would be (there is nothing to show)."""
        add_text(
            slide, rect, [Para(text, bullet=False)], self.style.body_font, 22, 12,
            self.style.colours["muted"], align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE,
        )  # fmt: skip

    # slide kinds

    def cover(self, spec: SlideSpec) -> None:
        slide, page = self._new_slide(spec)
        title = self._set_title(slide, page, spec.title, big=True)
        body = self._body_shape(slide)
        lines = [Para(line, bullet=False) for line in spec.subtitle.splitlines() if line.strip()]
        if body is not None and lines:
            colour = self.style.colours["muted"] if self.style.colour_titles else None
            result = fit_into(
                body.text_frame, self._rect(body), lines, self.style.body_font, 20, 11, colour
            )
            if result.dropped:
                page.notes.append(shortened_note(result.dropped))
        elif lines:
            top = self._rect(title).bottom if title is not None else int(Inches(4))
            rect = Rect(
                int(Inches(0.8)),
                top,
                int(self.width - Inches(1.6)),
                int(self.footer.top - top - FOOTER_GAP),
            )
            self._bullets(slide, page, rect, lines)
        elif body is not None:
            self._remove(body)

    def section(self, spec: SlideSpec) -> None:
        self.cover(spec)

    def bullets(self, spec: SlideSpec) -> None:
        slide, page, body, rect = self._content_slide(spec)
        paras = self._paras(spec)
        if spec.text:
            # Blank lines separate paragraphs; single line breaks are the source's wrapping.
            blocks = [" ".join(t.split()) for t in spec.text.split("\n\n") if t.strip()]
            paras = [Para(t, bullet=False) for t in blocks] + paras
        if not paras:
            paras = [Para(spec.empty or "Nothing to report this quarter.", bullet=False)]
        self._bullets(slide, page, rect, paras, body, max_lines=None if spec.text else 4)

    def text(self, spec: SlideSpec) -> None:
        self.bullets(spec)

    def agenda(self, spec: SlideSpec) -> None:
        self.bullets(spec)

    def summary(self, spec: SlideSpec) -> None:
        slide, page, body, rect = self._content_slide(spec)
        cards = spec.numbers[:4]
        if cards:
            gap = int(Inches(0.2))
            height = int(Inches(1.55))
            width = (rect.width - gap * (len(cards) - 1)) // len(cards)
            for index, card in enumerate(cards):
                band = (
                    self.style.colours.get(card.band)
                    if card.band in ("green", "yellow", "red")
                    else None
                )
                draw_card(
                    slide,
                    Rect(rect.left + index * (width + gap), rect.top, width, height),
                    card.label,
                    card.value,
                    card.caption,
                    band,
                    self.style,
                )
            top = rect.top + height + int(Inches(0.2))
            rect = Rect(rect.left, top, rect.width, rect.bottom - top)
        paras = self._paras(spec)
        if paras:
            self._bullets(slide, page, rect, paras, body, max_size=18)
        elif body is not None:
            self._remove(body)

    def chart(self, spec: SlideSpec) -> None:
        slide, page, body, rect = self._content_slide(spec)
        paras = self._paras(spec)
        chart_rect = rect
        if paras:
            side = int(rect.width * 0.36)
            gap = int(Inches(0.25))
            chart_rect = Rect(rect.left, rect.top, rect.width - side - gap, rect.height)
            self._bullets(
                slide,
                page,
                Rect(chart_rect.right + gap, rect.top, side, rect.height),
                paras,
                body,
                max_size=16,
                min_size=10,
            )
        elif body is not None:
            self._remove(body)
        kind = spec.chart.get("kind", "")
        builder = CHARTS.get(kind)
        if builder is None:
            raise TemplateError(
                f"{self.env.config.deck.slides}: slide '{spec.id}': unknown chart kind '{kind}'; expected one of {', '.join(CHARTS)}"
            )
        data = builder(self.ctx["kpis"], self.env.formatter, self.style.colours)
        if isinstance(data, NoChart):
            self._statement(
                slide,
                chart_rect,
                spec.chart.get("empty") or spec.empty or f"Nothing to chart yet: {data.reason}.",
            )
            page.notes.append(f"No chart on this slide: {data.reason}.")
            return
        if spec.chart.get("axis_title"):
            data.axis_title = spec.chart["axis_title"]
        draw_chart(
            slide,
            data,
            (chart_rect.left, chart_rect.top, chart_rect.width, chart_rect.height),
            self.style.body_font,
            self.style.colours["text"],
        )
        page.notes.append(_chart_note(data, self.env.formatter))

    def table(self, spec: SlideSpec) -> None:
        table = spec.table
        if table is None or not table.rows:
            slide, page, body, rect = self._content_slide(spec)
            if body is not None:
                self._remove(body)
            self._statement(slide, rect, spec.empty or "Nothing recorded yet.")
            return
        first, first_page, body, rect = self._content_slide(spec)
        if body is not None:
            self._remove(body)
        layout = layout_table(table, rect, self.style.body_font, 14.0)
        if len(layout.pages) > 1:  # long tables: smaller text, fewer follow-on slides
            layout = layout_table(table, rect, self.style.body_font, 12.0)
        count = len(layout.pages)
        headers = [c.header for c in table.columns]
        aligns = [c.align for c in table.columns]
        for index in range(count):
            if index == 0:
                slide, page = first, first_page
                if count > 1:
                    self._set_title(slide, page, f"{spec.title} (1 of {count})")
            else:
                slide, page = self._new_slide(spec)
                cont_title = self._set_title(slide, page, f"{spec.title} ({index + 1} of {count})")
                cont_body = self._body_shape(slide)
                if cont_body is not None:
                    self._remove(cont_body)
                rect = self._content_rect(slide, cont_title, None)
            draw_table(slide, rect, layout, index, headers, aligns, self.style)
            if count > 1:
                page.notes.append(
                    f"Page {index + 1} of {count} of this table ({len(table.rows)} rows in all)."
                )
        if layout.shortened:
            first_page.notes.append(shortened_note(layout.shortened))

    def build(self, specs: list[SlideSpec]) -> None:
        for index, spec in enumerate(specs):
            if spec.kind == "agenda" and not spec.bullets:
                spec.bullets = [Bullet(s.title) for s in specs[index + 1 :] if s.agenda and s.title]
            getattr(self, spec.kind)(spec)


def _chart_note(data: ChartData, formatter: Formatter) -> str:
    """The chart's numbers in words, for the speaker notes."""

    def shown(value: float | None) -> str:
        if value is None:
            return "n/a"
        if data.percent_axis:
            return formatter.percent(value)
        if data.kind == "arr":
            return formatter.money(value)
        return formatter.number(value)

    rows = []
    for name, values in data.series:
        cells = ", ".join(f"{c}: {shown(v)}" for c, v in zip(data.categories, values, strict=True))
        rows.append(f"{name} — {cells}")
    return "Chart data: " + "; ".join(rows) + "."


# --- render --------------------------------------------------------------------------------


def deck_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The shared account context plus what only decks use (sorted lists for tables)."""
    ctx = account_context(job, env)
    account = ctx["account"]
    ctx["risks_sorted"] = sorted(
        ctx["open_risks"], key=lambda r: (SEVERITY_RANK.get(r.severity, 9), r.opened)
    )
    ctx["actions_sorted"] = sorted(
        [a for a in account.actions if a.status != "cancelled"],
        key=lambda a: (a.status != "open", a.due),
    )
    ctx["stakeholders_sorted"] = sorted(
        account.stakeholders, key=lambda s: (ROLE_RANK.get(s.role, 9), s.name)
    )
    ctx["wins_sorted"] = sorted(account.wins, key=lambda w: w.date, reverse=True)
    ctx["deck_filename"] = deck_filename(account.name, ctx["quarter"])
    ctx["deck"] = env.config.deck
    return ctx


def build_deck(job: Job, env: RenderEnv) -> PresentationType:
    """The deck for one job, as a python-pptx Presentation (not saved)."""
    ctx = deck_context(job, env)
    formatter = env.formatter
    name = env.config.deck.slides
    template_path = env.theme.require(name).path
    stat = template_path.stat()
    deck_template: DeckTemplate = _cached(
        (name, str(template_path), stat.st_mtime_ns, formatter.locale, formatter.currency)
        + tuple(str(folder) for folder in env.theme.folders),
        lambda: DeckTemplate(env.theme, formatter, name),
    )
    specs = deck_template.render(ctx)
    if not specs:
        raise RenderError(f"the deck template '{name}' leaves no slide for account '{job.key}'")
    prs = open_master(env)
    builder = DeckBuilder(prs, env, ctx, builtin=env.config.deck.template is None)
    builder.build(specs)
    _finish(builder, ctx, env)
    return prs


def _finish(builder: DeckBuilder, ctx: dict[str, Any], env: RenderEnv) -> None:
    """Footer, speaker notes and core properties: what the deck is and where it came from."""
    account = ctx["account"]
    prov = ctx["provenance"]
    formatter = env.formatter
    as_of = ctx["as_of"]
    company = ctx["company"].name
    # A long customer name is shortened so the provenance at the end always shows.
    name = ellipsize(
        account.name, metrics(builder.style.body_font), 8.0, pt(builder.footer.width) * 0.3
    )
    footer = (
        f"{company} · {name} · QBR {ctx['quarter']} · as of {formatter.date(as_of)} · "
        f"qbrgen {prov['version']} · inputs {prov['inputs_hash']}"
    )
    total = len(builder.pages)
    drawn: list[Any] = []
    for number, page in enumerate(builder.pages, start=1):
        if drawn:
            copy_footer(page.slide, drawn, f"{number} / {total}")
        else:
            drawn = draw_footer(
                page.slide, builder.footer, footer, f"{number} / {total}", builder.style,
                widest=f"{total} / {total}",
            )  # fmt: skip
        notes = [page.spec.notes.strip() or f"Talking points: {page.spec.title}."]
        notes += page.notes
        if page.spec.definitions:
            notes.append(
                "Definitions:\n"
                + "\n".join(f"• {label}: {text}" for label, text in page.spec.definitions)
            )
        notes_frame = page.slide.notes_slide.notes_text_frame
        if notes_frame is not None:
            notes_frame.text = "\n\n".join(n for n in notes if n)
    props = builder.prs.core_properties
    props.title = f"{account.name} — Quarterly business review {ctx['quarter']}"
    props.subject = f"Quarterly business review, {account.name}, {ctx['quarter']}"
    props.author = company
    props.last_modified_by = company
    props.category = "QBR"
    props.keywords = (
        f"QBR; {account.id}; {ctx['quarter']}; as-of {as_of.isoformat()}; "
        f"qbrgen {prov['version']}; inputs {prov['inputs_hash']}"
    )
    props.comments = (
        f"Made by qbrgen {prov['version']} from inputs {prov['inputs_hash']}; "
        f"numbers as of {as_of.isoformat()}, review quarter {ctx['quarter']}."
    )
    stamp = dt.datetime.combine(as_of, dt.time(0, 0))
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The deck's bytes, by output path."""
    try:
        prs = build_deck(job, env)
    except (TemplateError, RenderError):
        raise
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RenderError(f"QBR deck for '{job.key}' failed: {type(exc).__name__}: {exc}") from exc
    out = io.BytesIO()
    prs.save(out)
    return {job.outputs[0]: out.getvalue()}


register(Renderer("qbr", "QBR deck (.pptx) per account", plan, render))
