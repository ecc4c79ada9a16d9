"""The QBR deck renderer ("qbr"): one editable PowerPoint deck per account, for the customer.

Pipeline per account: the customer context (`render.context.customer_context`: internal
fields absent, not hidden) → the deck template (`deck/qbr.yaml`, Jinja in the sandbox)
decides the slides → each slide is built on the layout of its role in the master (the
workspace's corporate .pptx, else the built-in theme) → text is measured and fitted, tables
continue over slides, charts are native → speaker notes (talking points only), the footer
(company · customer · figures as of · slide number) and the file's properties (provenance:
as-of, version, inputs hash). Churned accounts get no deck. Every python-pptx call of qbrgen
lives in this module and its `_pptx_*` helpers.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from qbrgen.errors import RenderError, TemplateError
from qbrgen.output import safe_filename
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._assets import asset_path
from qbrgen.render._deck_template import load_deck_template
from qbrgen.render._pptx_draw import (
    Style,
    draw_footer,
    footer_in_placeholders,
    tag_language,
)
from qbrgen.render._pptx_layouts import choose_layouts, footer_band
from qbrgen.render._pptx_parts import Prepared, prepared, save, set_notes
from qbrgen.render._pptx_slides import DeckBuilder, Page
from qbrgen.render.context import (
    account_inputs,
    account_payload,
    customer_context,
    internal_deck_context,
    not_presented,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType

    from qbrgen.run import Run

CLEAN_MASTER = "deck/clean.pptx"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


# --- plan ----------------------------------------------------------------------------------


def deck_filename(account_name: str, quarter: str) -> str:
    """'Acme-Logistics-QBR-2026-Q3.pptx'."""
    return f"{safe_filename(account_name)}-QBR-{quarter}.pptx"


def master_name(run_or_env: Any) -> str:
    """The master the deck is built on: the configured corporate template, else the clean one."""
    return run_or_env.workspace.config.deck.template or CLEAN_MASTER


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job per selected account that is still a customer."""
    quarter = str(run.report.quarter)
    deck = run.workspace.config.deck
    templates = [deck.slides, master_name(run)]
    files: dict[str, str] = {}
    if deck.designed:
        templates = [deck.designed]
        files["deck.designed"] = file_hash(deck_file(run, deck.designed, "deck.designed"))
    elif deck.template:
        files["deck.template"] = file_hash(deck_file(run, deck.template, "deck.template"))
    jobs: list[Job] = []
    for item in selection.accounts:
        if not_presented(run, item):
            continue
        account = item.account
        jobs.append(
            Job(
                kind="qbr",
                key=account.id,
                outputs=[f"{account.id}/{deck_filename(account.name, quarter)}"],
                payload=account_payload(run, account.id),
                inputs={**account_inputs(run, account.id), **files},
                templates=templates,
                account_id=account.id,
            )
        )
    return jobs


# --- the master ----------------------------------------------------------------------------

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
    return deck_file(env, name, "deck.template")


def deck_file(run_or_env: Any, name: str, setting: str) -> Path:
    """A .pptx named in qbrgen.yaml: on the template search path, else relative to the
    workspace; an error naming the setting and where it looked when neither has it."""
    found = run_or_env.theme.find(name)
    if found is not None:
        return found.path
    root = run_or_env.workspace.root
    candidate = Path(name) if Path(name).is_absolute() else root / name
    if candidate.is_file():
        return candidate
    where = ", ".join(str(d) for d in run_or_env.theme.folders)
    label = "designed deck" if setting == "deck.designed" else "deck template"
    raise TemplateError(
        f"{label} '{name}' ({setting} in qbrgen.yaml) not found in {where} nor at {candidate}"
    )


def file_hash(path: Path) -> str:
    """Content hash of a deck file (incremental builds: a file outside the template folders
    is not in the template hashes)."""
    import hashlib

    stat = path.stat()
    return _cached(
        ("hash", str(path), stat.st_mtime_ns, stat.st_size),
        lambda: hashlib.sha256(path.read_bytes()).hexdigest()[:16],
    )


def master_key(env: RenderEnv) -> tuple[Any, ...]:
    """What identifies the master file's content (for caches)."""
    path = master_path(env)
    if path is None:
        return ("clean",)
    stat = path.stat()
    return ("master", str(path), stat.st_mtime_ns, stat.st_size)


def master_bytes(env: RenderEnv) -> bytes:
    path = master_path(env)
    if path is None:
        from qbrgen.render._pptx_master import build_clean_master

        return _cached(("clean",), build_clean_master)
    stat = path.stat()
    return _cached(("master", str(path), stat.st_mtime_ns, stat.st_size), path.read_bytes)


def open_master(env: RenderEnv, data: bytes | None = None) -> PresentationType:
    """The master as a presentation with no slides (a template's own slides are removed)."""
    name = env.config.deck.template or CLEAN_MASTER
    try:
        prs = Presentation(io.BytesIO(data if data is not None else master_bytes(env)))
    except Exception as exc:  # python-pptx raises assorted errors for non-pptx files
        raise TemplateError(f"deck template '{name}' is not a readable .pptx file: {exc}") from exc
    drop_slides(prs)
    return prs


def drop_slides(prs: PresentationType) -> None:
    """Remove the slides a template ships with (sample slides); masters and layouts stay."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def theme_fonts(prs: PresentationType) -> tuple[str | None, str | None]:
    """The template's theme fonts (headings, body), as its slides would show them."""
    try:
        theme = prs.slide_master.part.part_related_by(RT.THEME)
    except KeyError:
        return None, None

    root = etree.fromstring(theme.blob)
    fonts = []
    for kind in ("majorFont", "minorFont"):
        latin = root.find(f".//{A}{kind}/{A}latin")
        face = latin.get("typeface") if latin is not None else None
        fonts.append(face or None)
    return fonts[0], fonts[1]


def deck_style(env: RenderEnv, fonts: tuple[str | None, str | None], builtin: bool) -> Style:
    """Fonts and colours: the brand's; on a corporate master, its theme fonts (`fonts`:
    headings, body) unless `branding.fonts` names others."""
    branding = env.config.branding
    heading, body = branding.fonts.heading, branding.fonts.body
    explicit = builtin or "fonts" in branding.model_fields_set
    if not explicit:
        major, minor = fonts
        heading, body = major or heading, minor or major or body
    return Style(heading, body, branding.colours.model_dump(), builtin, set_fonts=explicit)


# --- render --------------------------------------------------------------------------------


def deck_context(job: Job, env: RenderEnv, customer: bool) -> dict[str, Any]:
    """The context of the deck's audience: the customer view unless the deck template (or
    the designed deck) says it is internal."""
    ctx = customer_context(job, env) if customer else internal_deck_context(job, env)
    ctx["deck_filename"] = deck_filename(job.payload["account"].name, ctx["quarter"])
    ctx["deck"] = env.config.deck
    return ctx


def build_deck(job: Job, env: RenderEnv) -> tuple[PresentationType, Prepared | None]:
    """The deck for one job, as a python-pptx Presentation (not saved), in the language the
    customer reads (`account.language`, else the workspace's), and the prepared master it was
    made from: the designed deck filled (`deck.designed`, no prepared master: its parts are
    the designer's file's), else built from the deck template. Either is written by
    `_pptx_parts.save`."""
    env = env.for_language(job.payload["account"].language)
    if env.config.deck.designed:
        from qbrgen.render.pptx_designed import build_designed

        return build_designed(job, env), None
    template = load_deck_template(env.theme, env.formatter, env.config.deck.slides)
    ctx = deck_context(job, env, template.customer)
    specs = template.render(ctx)
    if not specs:
        raise RenderError(
            f"the deck template '{template.name}' leaves no slide for account '{job.key}'"
        )
    builtin = env.config.deck.template is None
    name = env.config.deck.template or CLEAN_MASTER
    configured = dict(env.config.deck.layouts)

    def make() -> Prepared:
        prs = open_master(env)
        return Prepared(prs, choose_layouts(prs, configured, name), theme_fonts(prs))

    ready = prepared((master_key(env), tuple(sorted(configured.items()))), make)
    prs, layouts = ready.new_deck()
    logos = (
        _picture(asset_path(env, env.config.branding.logo)),
        _picture(asset_path(env, getattr(ctx["account"], "logo", None))),
    )
    style = deck_style(env, ready.theme_fonts, builtin)
    builder = DeckBuilder(prs, env, ctx, layouts, style, name, logos, ready)
    builder.build(specs)
    finish(builder, ctx, env, job, customer=template.customer)
    return prs, ready


def _picture(path: Path | None) -> Path | None:
    """Only the image formats a .pptx holds (an SVG logo is for the PDFs)."""
    if path is None or path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif", ".bmp"):
        return None
    return path


def finish(
    builder: DeckBuilder, ctx: dict[str, Any], env: RenderEnv, job: Job, customer: bool
) -> None:
    """Footer, speaker notes, unused placeholders and the file's properties."""
    account = ctx["account"]
    formatter = env.formatter
    as_of: dt.date = ctx["as_of"]
    company = ctx["company"].name
    left = f"{company} · {account.name}"
    date = formatter.gettext("Figures as of %(date)s", date=formatter.date(as_of, "long"))
    style = builder.style
    footers: dict[Any, list[Any]] = {}
    for page in builder.pages:
        _remove_unused_placeholders(page)
        if page.spec.kind in ("cover",) and style.builtin:
            pass  # the built-in cover and closing slides carry no footer
        elif page.info.footers:
            footer_in_placeholders(
                page.slide, page.info.footers, left, date, page.number, style, footers
            )
        else:
            band = footer_band(page.info, builder.width, builder.height)
            number = None if page.info.own_number else page.number
            draw_footer(page.slide, band, f"{left} · {date}", number, style, footers)
        notes = [
            page.spec.notes.strip()
            or formatter.gettext("Talking points: %(title)s.", title=page.spec.title)
        ]
        notes += [n for n in page.notes if n]
        if page.spec.definitions:
            notes.append(
                formatter.gettext("Definitions:")
                + "\n"
                + "\n".join(f"• {label}: {text}" for label, text in page.spec.definitions)
            )
        set_notes(page.slide, "\n\n".join(notes), builder.ready)
    tag_language(builder.prs, formatter.language_tag, env.config.branding.fonts.cjk)
    deck_properties(builder.prs, ctx, env, job, customer)


def _remove_unused_placeholders(page: Page) -> None:
    """Placeholders the slide did not fill would show 'Click to add text' in PowerPoint."""
    p = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
    tree = page.slide.shapes._spTree
    for element in list(tree):
        ph = element.find(f"*/{p}nvPr/{p}ph")
        if ph is None or int(ph.get("idx", "0")) in page.used:
            continue
        if "".join(element.itertext()).strip():
            continue
        tree.remove(element)


def deck_properties(
    prs: PresentationType, ctx: dict[str, Any], env: RenderEnv, job: Job, customer: bool
) -> None:
    """Provenance in the file's core properties: what the deck is and as of when; an
    internal deck also says what made it (the inputs hash the build manifest records)."""
    account = ctx["account"]
    quarter = ctx["quarter"]
    as_of: dt.date = ctx["as_of"]
    company = ctx["company"].name
    inputs = job.payload.get("inputs_hash", "")
    _adopt_core_properties(prs)
    props = prs.core_properties
    _ = env.formatter.gettext
    props.title = _("%(account)s — Quarterly business review %(quarter)s", account=account.name,
                    quarter=quarter)  # fmt: skip
    props.subject = _("Quarterly business review, %(account)s, %(quarter)s",
                      account=account.name, quarter=quarter)  # fmt: skip
    props.author = company
    props.last_modified_by = company
    props.category = "QBR" if customer else "QBR (internal)"
    props.keywords = f"QBR; {quarter}; as-of {as_of.isoformat()}"
    props.comments = f"Figures as of {as_of.isoformat()}, review quarter {quarter}."
    if not customer:
        # Our own identifiers stay out of the file the customer is emailed: the build
        # manifest records the inputs hash of every deck; an internal deck carries it too.
        props.keywords += f"; qbrgen {env.version}; inputs {inputs}"
        props.comments = f"Made by qbrgen {env.version} from inputs {inputs}. " + props.comments
    stamp = env.stamp.astimezone(dt.UTC).replace(tzinfo=None)  # the as-of date
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    props.language = env.formatter.language_tag


def _adopt_core_properties(prs: PresentationType) -> None:
    """A file saved by LibreOffice links its core properties with the first edition's
    relationship type (`.../officedocument/2006/relationships/metadata/core-properties`).
    python-pptx looks for the package one only, so it would add a second docProps/core.xml:
    a zip with two entries of one name, which PowerPoint offers to repair. Relate the existing
    part again with the type python-pptx knows."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.parts.coreprops import CorePropertiesPart

    package = prs.part.package
    for rel in list(package.iter_rels()):
        if rel.is_external or not isinstance(rel.target_part, CorePropertiesPart):
            continue
        if rel.reltype != RT.CORE_PROPERTIES:
            package.drop_rel(rel.rId)
            package.relate_to(rel.target_part, RT.CORE_PROPERTIES)
        return


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The deck's bytes, by output path."""
    try:
        prs, ready = build_deck(job, env)
    except (TemplateError, RenderError):
        raise
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RenderError(f"QBR deck for '{job.key}' failed: {type(exc).__name__}: {exc}") from exc
    return {job.outputs[0]: save(prs, ready, env.stamp)}


register(
    Renderer(
        "qbr", "QBR deck (.pptx) per account, for the customer", plan, render, audience="customer"
    )
)
