"""The weekly account review (`qbrgen digest`): Markdown to paste into email or chat, and a
one-to-two page PDF of the same content through the shared WeasyPrint layer.

For every account it answers the Monday question: did it move this week toward reduced risk,
increased value or a clarified next step, or did it stall? The answer comes from the dated
facts of the account file in the seven days up to as_of. Then it lists what needs action,
most urgent first.

What the digest says (its model, the week's facts, the lists, what moved) is built in
`_digest_week`; this module plans the job (output paths, inputs) and writes it: the
templates' context, the text of each account line, the two charts, Markdown and PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING, Any

from qbrgen.history import FIRST_RUN
from qbrgen.labels import N_
from qbrgen.output import file_word, safe_filename
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._digest_week import (
    DIRECTIONS,
    LISTS,
    WARNING_LIST,
    AccountWeek,
    Digest,
    Fact,
    Moved,
    build_digest,
    what_moved,
)
from qbrgen.render.context import health_arrow

if TYPE_CHECKING:
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

__all__ = ["LISTS", "WARNING_LIST", "build_digest", "md"]  # what other code imports from here

PDF_ITEMS_PER_LIST = 6
"""The PDF keeps to two pages: longer lists end with 'and N more' (the Markdown has all)."""
PDF_ACCOUNT_ROWS = 14
"""Moved or slipped accounts the PDF's table shows (most urgent first)."""
PDF_STALLED_NAMES = 40
"""Stalled accounts the PDF names."""

MARKDOWN_TEMPLATE = "digest/digest.md.j2"
HTML_TEMPLATE = "digest/digest.html"
TEMPLATES = [
    MARKDOWN_TEMPLATE,
    "digest/_moved.md.j2",
    HTML_TEMPLATE,
    "digest/digest.css",
    "base/layout.html",
    "base/print.css",
]


# --- planning the job: output paths and what the digest depends on ---------------------------


def owner_slug(owner: str) -> str:
    """'Lena Brandt' -> 'lena-brandt' for file names."""
    return safe_filename(owner).lower()


RENEWAL_DAYS = 120
"""The renewals calendar covers the next 120 days."""
CHART_FILES = (N_("health-bands"), N_("renewals"))
"""The digest's pictures, saved as SVG beside the Markdown (which links them) and drawn in
the PDF."""


def output_paths(as_of: dt.date, owner: str | None, fmt: Formatter | None = None) -> list[str]:
    """The Markdown, the PDF, then the charts' SVG files (their words in the team's
    language, `fmt`)."""
    word = file_word(N_("digest"), fmt)
    stem = f"portfolio/{word}-{as_of.isoformat()}"
    stem += f"-{owner_slug(owner)}" if owner else ""
    charts = [f"{stem}-{file_word(name, fmt)}.svg" for name in CHART_FILES]
    return [stem + ".md", stem + ".pdf", *charts]


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job: the digest of the selected accounts (one owner's book with --owner)."""
    owner = selection.options.get("owner")
    report = run.report
    config = run.workspace.config
    as_of = report.as_of
    items = sorted(selection.accounts, key=lambda i: i.account.id)
    digest = build_digest(
        [i.account for i in items], report.accounts, as_of, str(report.quarter),
        config.company.name, owner, run.formatter,
    )  # fmt: skip
    sha = hashlib.sha256()
    for item in items:
        sha.update(item.input_hash.encode())
    stamp = hashlib.sha256(
        "|".join(
            (sha.hexdigest(), config.model_dump_json(), as_of.isoformat(), run.version)
        ).encode()
    )
    inputs_hash = stamp.hexdigest()[:12]  # what this digest was made from, shown in its footer
    inputs = {
        "accounts": sha.hexdigest(),
        "config": config.model_dump_json(),
        "as_of": as_of.isoformat(),
        "version": run.version,
    }
    digest.moved = what_moved(
        run, [i.account for i in items], [w.account_id for w in digest.accounts], owner
    )
    inputs["history"] = _moved_hash(digest.moved)
    key = f"owner:{owner_slug(owner)}" if owner else "portfolio"
    payload = {
        "digest": digest,
        "inputs_hash": inputs_hash,
        "pdf": selection.options.get("pdf", True),
    }
    outputs = output_paths(as_of, owner, run.formatter)
    if not payload["pdf"]:
        outputs = [outputs[0], *outputs[2:]]
    return [Job("digest", key, outputs, payload, inputs, list(TEMPLATES))]


def _moved_hash(moved: Moved) -> str:
    """What the 'what moved' section depends on, for incremental builds."""
    text = repr((moved.since, [(n, o, c) for n, o, c in moved.accounts], moved.gone))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- rendering -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(value: Any) -> str:
    """Account text safe in a Markdown line: one line, markup characters escaped (no links,
    emphasis, HTML or table breaks from a customer name)."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def digest_context(job: Job, env: RenderEnv, pdf: bool = False) -> dict[str, Any]:
    """What the digest templates see."""
    digest: Digest = job.payload["digest"]
    fmt = env.formatter
    _ = fmt.gettext
    scope = _("%(owner)s's book", owner=digest.owner) if digest.owner else _("All books")
    flagged = sum(1 for lst in digest.lists if lst.items)
    crowded = flagged > 5  # keep the PDF to two pages when most lists have entries
    limit = (PDF_ITEMS_PER_LIST - 2 if crowded else PDF_ITEMS_PER_LIST) if pdf else None
    lists = [
        {
            "code": lst.code,
            "title": fmt.translate(lst.title),
            "why": fmt.translate(lst.why),
            "items": lst.items[:limit] if limit else lst.items,
            "more": max(0, len(lst.items) - limit) if limit else 0,
            "count": len(lst.items),
        }
        for lst in digest.lists
    ]
    return {
        "digest": digest,
        "lists": lists,
        "flagged": [lst for lst in lists if lst["count"]],
        "clear": [lst["title"] for lst in lists if not lst["count"]],
        "scope": scope,
        "accounts": digest.accounts,
        "changed": [a for a in digest.accounts if a.verdict != "stalled"],
        "account_rows": (PDF_ACCOUNT_ROWS // 2 if crowded else PDF_ACCOUNT_ROWS) if pdf else None,
        "stalled_names": (PDF_STALLED_NAMES // 2 if crowded else PDF_STALLED_NAMES)
        if pdf
        else None,
        "moved": [a for a in digest.accounts if a.verdict == "moved"],
        "slipped": [a for a in digest.accounts if a.verdict == "slipped"],
        "stalled": [a for a in digest.accounts if a.verdict == "stalled"],
        "directions": DIRECTIONS,
        "md": md,
        "renewal_text": lambda a: _renewal_text(a, fmt),
        "health_text": lambda a: _health_text(a, fmt),
        "facts_text": lambda a: _facts_text(a, fmt),
        "short_text": lambda a: _short_text(a, fmt),
        "as_of": digest.as_of,
        "week_start": digest.week_start,
        "moved_since": digest.moved,
        "first_run": fmt.translate(FIRST_RUN),
        "verdict": lambda a: fmt.translate(a.verdict),
        "direction": fmt.translate,
    }


def _renewal_text(week: AccountWeek, fmt: Formatter) -> str:
    days = week.days_to_renewal
    if days is None:
        return fmt.gettext("churned")
    if days < 0:
        return fmt.ngettext("renewal %(num)s day past due", "renewal %(num)s days past due", -days)
    return fmt.ngettext("renews in %(num)s day", "renews in %(num)s days", days)


def _band_word(band: str | None, fmt: Formatter) -> str:
    return fmt.lower_first(fmt.label(band or "unscored", "bands"))


def _health_text(week: AccountWeek, fmt: Formatter, with_trend: bool = True) -> str:
    """'health 63 yellow ▲ +4.2 pts' (the trend in score points, from the one formatter)."""
    if week.health_score is None:
        return fmt.gettext("health unscored")
    trend = ""
    if week.health_trend is not None:
        trend = " " + health_arrow(week.health_trend)
        if with_trend:
            trend += " " + fmt.kpi(week.health_trend, "health_trend")
    return fmt.gettext(
        "health %(score)s %(band)s%(trend)s",
        score=fmt.kpi(week.health_score, "health_score"),
        band=_band_word(week.health_band, fmt),
        trend=trend,
    )


def _short_text(week: AccountWeek, fmt: Formatter) -> str:
    """'63 yellow ▲ · renews in 101 d' for the PDF's narrow account column."""
    if week.health_score is None:
        health = fmt.gettext("unscored")
    else:
        trend = " " + health_arrow(week.health_trend) if week.health_trend is not None else ""
        health = f"{fmt.kpi(week.health_score, 'health_score')} {_band_word(week.health_band, fmt)}{trend}"
    days = week.days_to_renewal
    renewal = (
        fmt.gettext("churned")
        if days is None
        else (
            fmt.gettext("%(num)s d past renewal", num=fmt.number(-days))
            if days < 0
            else fmt.gettext("renews in %(num)s d", num=fmt.number(days))
        )
    )
    return f"{health} · {renewal}"


def _facts_text(week: AccountWeek, fmt: Formatter) -> str:
    """ "reduced risk: risk 'X' closed on Mon 12 Oct; ...; but new high risk 'Y' on ..."."""
    _ = fmt.gettext

    def listed(facts: list[Fact]) -> str:
        return ", ".join(
            _("%(fact)s on %(date)s", fact=f.text, date=fmt.day_month(f.day, weekday=True))
            for f in facts
        )

    parts = []
    for direction in DIRECTIONS:
        facts = week.of_kind(direction)
        if facts:
            parts.append(f"{fmt.translate(direction)}: {listed(facts)}")
    setbacks = week.of_kind("setback")
    if setbacks:
        parts.append(_("but %(facts)s", facts=listed(setbacks)) if parts else listed(setbacks))
    touches = week.of_kind("touch")
    if touches:
        if parts:
            parts.append(_("touches: %(touches)s", touches=touches[0].text))
        else:
            parts.append(_("%(touches)s, no recorded outcome", touches=touches[0].text))
    if not parts:
        return _("nothing dated this week")
    return "; ".join(parts)


def digest_charts(digest: Digest, env: RenderEnv) -> dict[str, Any]:
    """The digest's two pictures: how many active accounts sit in each health band now and a
    quarter earlier, and the ARR renewing in each of the next 17 weeks by health band."""
    from qbrgen.palette import BAND_ORDER
    from qbrgen.render import _svg

    fmt = env.formatter
    _ = fmt.gettext
    palette = env.palette
    bands = [*BAND_ORDER, "unscored"]
    names = {b: fmt.label(b, "bands") for b in bands}
    active = [a for a in digest.accounts if a.active]
    # A quarter earlier: the bands the KPI history recorded then (never a reconstruction).
    before = [sum(1 for a in active if a.health_band_prev == b) for b in bands]
    now = [sum(1 for a in active if (a.health_band or "unscored") == b) for b in bands]
    moves = [
        (a, a.health_band_prev, a.health_band)
        for a in active
        if a.health_band_prev and a.health_band and a.health_band_prev != a.health_band
    ]
    rank = {b: i for i, b in enumerate(BAND_ORDER)}
    worse = [a.name for a, old, new in moves if rank[new] < rank[old]]
    better = [a.name for a, old, new in moves if rank[new] > rank[old]]
    bands_alt = _(
        "Active accounts per health band, a quarter earlier and now: %(bands)s",
        bands="; ".join(
            _("%(band)s %(then)s then, %(now)s now", band=names[b], then=fmt.number(x),
              now=fmt.number(y))
            for b, x, y in zip(bands, before, now, strict=True)
        ),
    )  # fmt: skip
    band_svg = _svg.column_chart(
        [names[b] for b in bands],
        {"before": before, "now": now},
        {"before": "#A7B4C6", "now": env.config.branding.colours.primary},
        kind="count",
        stacked=False,
        labels={
            "before": _("Recorded a quarter earlier"),
            "now": _("As of %(date)s", date=fmt.date(digest.as_of)),
        },
        title=_(
            "Active accounts per health band, a quarter earlier vs %(date)s (accounts)",
            date=fmt.date(digest.as_of),
        ),
        alt=bands_alt,
        fmt=fmt,
        width=300,
        height=185,
    )
    first = digest.as_of + dt.timedelta(days=1)
    last = digest.as_of + dt.timedelta(days=RENEWAL_DAYS)
    weeks = [first + dt.timedelta(days=7 * i) for i in range(-(-RENEWAL_DAYS // 7))]
    series = {b: [0.0] * len(weeks) for b in bands}
    renewing = [
        a for a in active if a.days_to_renewal is not None and 0 < a.days_to_renewal <= RENEWAL_DAYS
    ]
    for a in renewing:
        series[a.health_band or "unscored"][((a.days_to_renewal or 1) - 1) // 7] += a.arr
    shown = {b: v for b, v in series.items() if any(v)}
    renewals_alt = _(
        "ARR renewing per week from %(start)s to %(end)s: %(renewals)s",
        start=fmt.date(first),
        end=fmt.date(last),
        renewals="; ".join(
            _("%(account)s %(arr)s on %(date)s (%(band)s)", account=a.name,
              arr=fmt.money(a.arr), date=fmt.date(a.renewal_date),
              band=names[a.health_band or "unscored"])
            for a in sorted(renewing, key=lambda a: a.renewal_date)
        )
        or _("no renewal"),
    )  # fmt: skip
    renewal_svg = _svg.column_chart(
        [fmt.day_month(w) for w in weeks],
        shown or {"green": [0.0] * len(weeks)},
        {b: palette.band(b if b != "unscored" else None) for b in bands},
        kind="money",
        labels=names,
        title=_(
            "ARR renewing per week, %(start)s to %(end)s (%(currency)s, by health band)",
            start=fmt.date(first),
            end=fmt.date(last),
            currency=fmt.currency,
        ),  # fmt: skip
        alt=renewals_alt,
        fmt=fmt,
        width=300,
        height=185,
        empty_message=_("no renewal in the next %(num)s days", num=RENEWAL_DAYS),
    )
    return {
        "health-bands": {"svg": band_svg, "alt": bands_alt, "title": _("Health band moves")},
        "renewals": {"svg": renewal_svg, "alt": renewals_alt, "title": _("Renewals calendar")},
        "worse": worse,
        "better": better,
        "recorded": sum(1 for a in active if a.health_band_prev),
        "renewing": len(renewing),
    }


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The digest as Markdown, its charts as SVG files, and (unless disabled) the PDF."""
    charts = digest_charts(job.payload["digest"], env)
    svgs = [p for p in job.outputs if p.endswith(".svg")]
    images = {name: path.rsplit("/", 1)[-1] for name, path in zip(CHART_FILES, svgs, strict=True)}
    ctx = digest_context(job, env)
    ctx.update({"charts": charts, "images": images})
    markdown = env.theme.render(MARKDOWN_TEMPLATE, ctx, env.formatter)
    out = {job.outputs[0]: tidy_markdown(markdown).encode("utf-8")}
    for name, path in zip(CHART_FILES, svgs, strict=True):
        out[path] = ('<?xml version="1.0" encoding="UTF-8"?>\n' + str(charts[name]["svg"])).encode()
    if any(p.endswith(".pdf") for p in job.outputs):
        from qbrgen.render._pdf import document_context, html_to_pdf

        digest: Digest = job.payload["digest"]
        fmt = env.formatter
        title = fmt.gettext("Weekly account review %(date)s", date=digest.as_of.isoformat())
        pdf_ctx = digest_context(job, env, pdf=True)
        pdf_ctx.update({"charts": charts, "images": images})
        pdf_ctx.update(
            document_context(
                env,
                title=title,
                header=fmt.gettext("Weekly account review"),
                subtitle=fmt.gettext(
                    "%(company)s · %(scope)s · week to %(date)s",
                    company=digest.company,
                    scope=pdf_ctx["scope"],
                    date=fmt.date(digest.as_of),
                ),  # fmt: skip
                inputs_hash=job.payload["inputs_hash"],
            )
        )
        html = env.theme.render(HTML_TEMPLATE, pdf_ctx, env.formatter)
        out[job.outputs[1]] = html_to_pdf(
            html, env, title=title, inputs_hash=job.payload["inputs_hash"]
        )
    return {path: out[path] for path in job.outputs}  # in the order of the job's outputs


def tidy_markdown(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def selection_for(run: Run, key: str) -> Selection | None:
    """The selection that makes digest `key` today: the portfolio, or one owner's book while
    that owner still has accounts."""
    if key == "portfolio":
        return Selection(run.accounts)
    slug = key.removeprefix("owner:")
    owner = next(
        (a.account.owner for a in run.accounts if owner_slug(a.account.owner) == slug), None
    )
    if not key.startswith("owner:") or owner is None:
        return None
    return Selection(run.select(owner=owner), {"owner": owner})


register(
    Renderer(
        "digest",
        "Weekly account review (Markdown + PDF): what moved, what stalled, what needs action",
        plan,
        render,
        selection_for=selection_for,
    )
)
