"""The shared WeasyPrint layer: HTML (from the theme's Jinja templates) to an archival PDF.

Usage from a renderer's render(job, env):

    ctx = {**my_context, **document_context(env, title="Weekly digest", header="Portfolio",
                                            inputs_hash=job.payload["inputs_hash"])}
    html = env.theme.render("digest/digest.html", ctx, env.formatter)  # extends base/layout.html
    pdf = html_to_pdf(html, env, title=ctx["doc"]["title"], inputs_hash=ctx["doc"]["inputs_hash"])

Every WeasyPrint call of qbrgen lives here. WeasyPrint only ever sees files through
`GuardedFetcher`: the theme's template folders, the workspace's `assets/` folder, the
branding logo and `data:` URLs. Anything else (http, file:// elsewhere, '..' tricks) is
refused and logged, never fetched and never fatal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from qbrgen.errors import MissingSystemDependency, RenderError

if TYPE_CHECKING:
    from qbrgen.render import RenderEnv

LOG = logging.getLogger("qbrgen.pdf")

ASSETS_DIR = "assets"
"""Workspace folder (next to qbrgen.yaml) whose files PDFs may embed, besides templates/."""

PDF_UA_XMP = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>"
)
"""XMP that marks a PDF as PDF/UA-1 on top of its PDF/A identification."""


def _weasyprint() -> Any:
    """Import WeasyPrint lazily; a missing Pango becomes a clean MissingSystemDependency."""
    try:
        import weasyprint
    except (OSError, ImportError) as exc:
        from qbrgen.system_check import PANGO_HINT

        raise MissingSystemDependency(f"{PANGO_HINT} ({exc})") from exc
    return weasyprint


@contextlib.contextmanager
def source_date_epoch(stamp: dt.datetime) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to `stamp` while PDF bytes are written: libraries that stamp
    what they make (fontTools' font subsets, when WeasyPrint falls back to it) take their time
    from it instead of the clock. The previous value is put back afterwards."""
    from qbrgen.render._zip import epoch

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(stamp))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element (no quote, newline or
    '</style>' escapes)."""
    out = []
    for char in str(text):
        if char in '"\\<>' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def allowed_folders(env: RenderEnv, base_folders: list[Path] | None = None) -> list[Path]:
    """Folders WeasyPrint may read from: the theme search path, `base_folders`, workspace assets/."""
    folders = list(env.theme.folders)
    folders += [Path(p) for p in (base_folders or [])]
    assets = env.workspace.root / ASSETS_DIR
    if assets.is_dir():
        folders.append(assets)
    return [f.resolve() for f in folders]


def logo_path(env: RenderEnv) -> Path | None:
    """The branding logo: by name on the template search path, else relative to the workspace
    (it must stay inside the workspace folder)."""
    from qbrgen.render._assets import asset_path

    return asset_path(env, env.config.branding.logo)


PAGE_WIDTHS_PT = {"A4": 595.28, "Letter": 612.0}
"""Page widths in points of the page sizes `plan.page_size` allows."""
SIDE_MARGINS_PT = 2 * 16 * 72 / 25.4
"""Left plus right page margin of base/print.css (16 mm each)."""
HEADER_SIZE_PT = 8.0
"""Font size of the running header (base/print.css)."""
LOGO_ROOM_PT = 72.0
"""Width kept free for the logo at the right end of the running header."""


def content_width(env: RenderEnv) -> float:
    """Width in points between the page margins."""
    return PAGE_WIDTHS_PT.get(env.config.plan.page_size, 595.28) - SIDE_MARGINS_PT


def running_header(
    title: str, subtitle: str, width: float, body_font: str, heading_font: str | None = None
) -> tuple[str, str]:
    """The running header's title (bold) and subtitle, each shortened with one measured
    ellipsis so together they sit on one line of `width` points: the title keeps at most
    55% of the line, the subtitle gets the rest."""
    from qbrgen.render._pptx_text import ellipsize, metrics

    bold = metrics(heading_font or body_font, bold=True)
    regular = metrics(body_font)
    short_title = ellipsize(title, bold, HEADER_SIZE_PT, width * 0.55)
    used = bold.text_width(short_title, HEADER_SIZE_PT) + 8
    short_subtitle = ellipsize(subtitle, regular, HEADER_SIZE_PT, max(width - used, 0))
    if short_subtitle == "…":
        short_subtitle = ""
    return short_title, short_subtitle


def fit_size(
    text: str, width: float, largest: float, smallest: float = 6.5, family: str = "DejaVu Sans"
) -> float:
    """The largest bold font size (points, in 0.5 pt steps) at which `text` fits on one line
    of `width` points; `smallest` when even that is too wide (the text is then allowed to
    overflow its box rather than wrap inside a number)."""
    from qbrgen.render._pptx_text import WRAP_SAFETY, metrics

    font = metrics(family, bold=True)
    em = font.text_width(str(text), 1.0)
    if em <= 0:
        return largest
    size = largest
    while size > smallest and em * size > width * WRAP_SAFETY:
        size -= 0.5
    return size


def text_direction(text: object) -> str:
    """'rtl' when text starts (first strong character) in a right-to-left script, else 'ltr':
    for the `dir` of elements holding names, so an Arabic name is set right to left."""
    from qbrgen.render._svg import text_direction as direction

    return direction(str(text or ""))


def document_context(
    env: RenderEnv,
    *,
    title: str,
    header: str,
    inputs_hash: str,
    subtitle: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    """The `doc` variable `base/layout.html` expects: title, running header, page size, footer
    provenance, branding, palette, language. Merge it into your template context.

    `footer` replaces the default footer text (company · as of · inputs hash), e.g. for a
    document that leaves the company, which must not carry internal identifiers."""
    config = env.config
    as_of = env.periods.as_of
    logo = logo_path(env)
    fonts = config.branding.fonts
    fmt = env.formatter
    if footer is None:
        footer = fmt.gettext(
            "%(company)s · as of %(date)s · inputs %(inputs)s",
            company=config.company.name,
            date=fmt.date(as_of),
            inputs=inputs_hash,
        )
    width = content_width(env) - (LOGO_ROOM_PT if logo else 0)
    header_title, header_subtitle = running_header(
        header, subtitle or title, width, fonts.body, fonts.heading
    )
    palette = env.palette
    return {
        "doc": {
            "title": title,
            "subtitle": subtitle,
            "header": header,
            "header_title": header_title,
            "header_subtitle": header_subtitle,
            "lang": env.formatter.language_tag,
            "page_size": config.plan.page_size,
            "content_width": content_width(env),
            "body_font": fonts.body,
            "as_of": as_of,
            "inputs_hash": inputs_hash,
            "version": env.version,
            "company": config.company.name,
            "logo_url": logo.as_uri() if logo else None,
            "colours": config.branding.colours,
            "palette": {
                "severity": {s: palette.severity(s) for s, _ in palette.severities()},
                "severity_ink": {
                    s: palette.ink(palette.severity(s)) for s, _ in palette.severities()
                },
                "band": {b: palette.band(b) for b in ("red", "yellow", "green", "")},
                "band_ink": {
                    b: palette.ink(palette.band(b)) for b in ("red", "yellow", "green", "")
                },
            },
            "dir": text_direction,
            "fit": fit_size,
            # Pre-quoted CSS strings: the CSS templates are not autoescaped.
            "css": {
                "heading_font": css_string(fonts.heading),
                "body_font": css_string(fonts.body),
                "cjk_font": css_string(fonts.cjk),
                "footer": css_string(footer),
                "page_of": page_counter(fmt.translate("Page %(page)s of %(pages)s")),
            },
        }
    }


def page_counter(message: str) -> str:
    """A CSS `content` value from a translated 'Page %(page)s of %(pages)s': its words as
    quoted strings around counter(page) and counter(pages), in the message's order
    ('"Seite " counter(page) " von " counter(pages)', '"全 " counter(pages) ...')."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", message):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


class _Refused(ValueError):
    """A URL the guarded fetcher will not serve (WeasyPrint logs it and carries on)."""


def guarded_fetcher(allowed: list[Path], theme_folders: list[Path], extra_files: list[Path]) -> Any:
    """A WeasyPrint URL fetcher serving only allowed local files and data: URLs.

    Files under a theme folder are looked up by their relative name on the whole search path,
    so a workspace override wins even for a URL relative to the built-in theme. Every request
    is recorded in `.requested`, refusals in `.refused`.
    """
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class GuardedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False)
            self.requested: list[str] = []
            self.refused: list[str] = []

        def refuse(self, url: str, why: str) -> _Refused:
            self.refused.append(url)
            LOG.warning("refused to fetch %s: %s", url[:200], why)
            return _Refused(f"qbrgen refuses {url[:200]}: {why}")

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.requested.append(url)
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise self.refuse(url, f"{scheme or 'relative'} URLs are not allowed (no network)")
            path = self.resolve(url)
            if path is None:
                raise self.refuse(url, "outside the template and asset folders")
            mime, encoding = mimetypes.guess_type(path.name)
            head = {"Content-Type": mime or "application/octet-stream"}
            if mime and mime.startswith("text/"):
                head["Content-Type"] += "; charset=utf-8"
            del encoding
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), head)

        def resolve(self, url: str) -> Path | None:
            raw = unquote(urlsplit(url).path)
            if "\x00" in raw:
                return None
            requested = Path(raw)
            if ".." in requested.parts:
                return None
            for folder in theme_folders:
                if requested.is_relative_to(folder):
                    rel = requested.relative_to(folder).as_posix()
                    for candidate_folder in theme_folders:
                        candidate = (candidate_folder / rel).resolve()
                        if candidate.is_file() and candidate.is_relative_to(candidate_folder):
                            return candidate
                    return None
            real = requested.resolve()
            if not real.is_file():
                return None
            if real in extra_files or any(real.is_relative_to(folder) for folder in allowed):
                return real
            return None

    del weasyprint
    return GuardedFetcher()


def html_to_pdf(
    html: str,
    env: RenderEnv,
    *,
    title: str,
    inputs_hash: str = "",
    base_folders: list[Path] | None = None,
    variant: str | None = None,
    pdf_ua: bool | None = None,
    attachments_allowed: bool = False,
    fetcher: Any = None,
) -> bytes:
    """Lay out `html` and return the PDF bytes.

    - `title`: the PDF title (and the window title a PDF/UA viewer shows).
    - `inputs_hash`: short hash of the inputs; goes into the Subject and Keywords with the
      qbrgen version and the as-of date. Empty for a document outside readers get (a job
      description): then no hash, version or date is written into its metadata.
    - `base_folders`: more folders WeasyPrint may read from (besides the theme and assets/).
    - `variant`: 'pdf/a-3u' (default from `plan.pdf_variant`) or 'none'.
    - `pdf_ua`: tag the PDF and mark it PDF/UA-1 (default from `plan.pdf_ua`).
    - `attachments_allowed`: keep `<link rel=attachment>` files (only from allowed folders).
    - `fetcher`: a `guarded_fetcher(...)` to use (tests read its `.requested`).
    Relative URLs resolve against the theme, so `href="plan/logo.png"` finds the override.
    """
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    config = env.config
    variant = config.plan.pdf_variant if variant is None else variant
    pdf_ua = config.plan.pdf_ua if pdf_ua is None else pdf_ua
    theme_folders = [f.resolve() for f in env.theme.folders]
    if fetcher is None:
        logo = logo_path(env)
        fetcher = guarded_fetcher(
            allowed_folders(env, base_folders), theme_folders, [logo] if logo else []
        )
    base_url = theme_folders[0].as_uri() + "/"
    as_of = env.periods.as_of
    fonts = FontConfiguration()
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=fonts
        )
        meta = document.metadata
        meta.title = title
        meta.authors = [config.company.name]
        if inputs_hash:
            meta.description = (
                f"{title} · qbrgen {env.version} · inputs {inputs_hash} · as of {as_of.isoformat()}"
            )
            meta.keywords = [
                f"qbrgen {env.version}",
                f"inputs {inputs_hash}",
                f"as of {as_of.isoformat()}",
            ]
        else:  # a document for outside readers: no internal identifiers
            meta.description = title
            meta.keywords = []
        meta.generator = f"qbrgen {env.version}" if inputs_hash else ""
        meta.lang = env.formatter.language_tag
        stamp = env.stamp.astimezone(dt.UTC)
        meta.created = meta.modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        if not attachments_allowed:
            meta.attachments = []
        options: dict[str, Any] = {"pdf_tags": bool(pdf_ua)}
        if variant and variant != "none":
            options["pdf_variant"] = variant
            if pdf_ua:
                meta.xmp_metadata.append(PDF_UA_XMP)
        elif pdf_ua:
            options["pdf_variant"] = "pdf/ua-1"
        # The file identifier's first half is fixed by the inputs; its second half is a hash
        # of the content, which holds no wall clock: dates come from `env.stamp`, and font
        # subsets (fontTools stamps the fonts it writes) from SOURCE_DATE_EPOCH.
        options["pdf_identifier"] = (
            re.sub(r"[^0-9a-f]", "", inputs_hash.lower()).encode()
            or hashlib.sha256(html.encode()).hexdigest()[:16].encode()
        )
        with source_date_epoch(env.stamp):
            data = document.write_pdf(**options)
    except MissingSystemDependency:
        raise
    except Exception as exc:  # WeasyPrint raises plain exceptions on bad CSS/HTML edge cases
        raise RenderError(f"{title}: PDF layout failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(data, bytes):
        raise RenderError(f"{title}: WeasyPrint returned no PDF")
    return data
