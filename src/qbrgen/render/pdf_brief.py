"""The presenter's prep brief ("brief"): one internal PDF per account, beside its QBR deck.

Everything the deck must not show and the presenter must know, in two or three pages: health
and what drags it, the warnings, every risk and opportunity (and whether the deck shows it),
who is in the room with their sentiment, what to ask and what to avoid, the background
(last review, renewals, recent touchpoints, account notes), and the talking points slide by
slide: each slide's headline, its speaker notes and its private `brief` from the deck
template. Rendered with the shared WeasyPrint layer, like the account plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import HEALTH_COMPONENT_DEFINITIONS, WARNING_LABELS
from qbrgen.labels import N_
from qbrgen.output import file_word, safe_filename
from qbrgen.palette import SEVERITY_RANK
from qbrgen.render import Job, RenderEnv, Renderer, Selection, _svg, register
from qbrgen.render._deck_template import load_deck_template
from qbrgen.render._pdf import document_context, html_to_pdf
from qbrgen.render.context import (
    account_inputs,
    account_payload,
    customer_context,
    internal_deck_context,
    not_presented,
)

if TYPE_CHECKING:
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

ENTRY = "brief/brief.html"
TEMPLATES = [ENTRY, "brief/brief.css", "base/layout.html", "base/print.css"]
RECENT_TOUCHES = 6


def output_name(account: Account, quarter: str, fmt: Any = None) -> str:
    """`<account-id>/<Customer-Name>-QBR-prep-brief-<quarter>.pdf`, the document's words in
    the team's language (`fmt`)."""
    word = file_word(N_("QBR-prep-brief"), fmt)
    return f"{account.id}/{safe_filename(account.name)}-{word}-{quarter}.pdf"


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job per account that gets a QBR deck."""
    quarter = str(run.report.quarter)
    deck = run.workspace.config.deck
    slides, files = [deck.slides], {}
    if deck.designed:  # the talking points are the designed deck's
        from qbrgen.render.pptx_deck import deck_file, file_hash

        slides = [deck.designed]
        files["deck.designed"] = file_hash(deck_file(run, deck.designed, "deck.designed"))
    return [
        Job(
            kind="brief",
            key=item.account.id,
            outputs=[output_name(item.account, quarter, run.formatter)],
            payload=account_payload(run, item.account.id),
            inputs={**account_inputs(run, item.account.id), **files},
            templates=[*TEMPLATES, *slides],
            account_id=item.account.id,
        )
        for item in selection.accounts
        if not not_presented(run, item)
    ]


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """Render one prep brief to PDF bytes."""
    ctx = brief_context(job, env)
    html = env.theme.render(ENTRY, ctx, env.formatter)
    pdf = html_to_pdf(html, env, title=ctx["doc"]["title"], inputs_hash=ctx["doc"]["inputs_hash"])
    return {job.outputs[0]: pdf}


def brief_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The internal deck context plus the slides as the deck shows them, with their notes."""
    ctx = internal_deck_context(job, env)
    account: Account = ctx["account"]
    fmt: Formatter = env.formatter
    meeting = ctx["meeting_date"]
    ctx.update(
        document_context(
            env,
            title=fmt.gettext("QBR prep brief: %(account)s", account=account.name),
            header=fmt.gettext("%(account)s · internal", account=account.name),
            inputs_hash=ctx["provenance"]["inputs_hash"],
            subtitle=fmt.gettext(
                "QBR prep brief · %(quarter)s", quarter=fmt.quarter(ctx["quarter"])
            )
            + (
                " · " + fmt.gettext("meeting %(date)s", date=fmt.date(meeting, "long"))
                if meeting
                else ""
            ),
        )
    )
    as_of = ctx["as_of"]
    attending = {s.name for s in ctx["customer_attendees"]}
    ctx.update(
        {
            "slides": talking_points(job, env, ctx),
            "warning_rows": [
                {"label": fmt.translate(WARNING_LABELS.get(w.code, w.code)), "message": w.text(fmt)}
                for w in ctx["warnings"]
            ],
            "drag_definition": fmt.translate(
                HEALTH_COMPONENT_DEFINITIONS.get(ctx["health"].biggest_drag or "", "")
            ),
            "people": [
                {
                    "s": s,
                    "role": fmt.label(s.role, "roles"),
                    "attending": s.name in attending,
                    "days": (as_of - s.last_contact).days if s.last_contact else None,
                }
                for s in sorted(
                    account.stakeholders,
                    key=lambda s: ({"high": 0, "medium": 1, "low": 2}[s.influence], s.name),
                )
            ],
            "all_risks": sorted(
                account.risks,
                key=lambda r: (r.status == "closed", SEVERITY_RANK.get(r.severity, 9), r.opened),
            ),
            "all_opportunities": sorted(
                account.opportunities, key=lambda o: (o.outcome != "open", -o.value)
            ),
            "on_deck_opportunities": {
                o.title for o in ctx["open_opportunities"] if o.shared and ctx["expansion_ok"]
            },
            "recent_touches": sorted(account.interactions, key=lambda i: i.date, reverse=True)[
                :RECENT_TOUCHES
            ],
            "ask": ask(ctx, fmt),
            "avoid": avoid(ctx, fmt),
            "map_svg": _stakeholder_map(ctx, fmt),
        }
    )
    return ctx


def talking_points(job: Job, env: RenderEnv, ctx: dict[str, Any]) -> list[dict[str, str]]:
    """The deck's slides as the presenter walks them: headline, speaker notes and the slide's
    private `brief`; for a designed deck, its filled slides' titles and notes."""
    if env.config.deck.designed:
        from qbrgen.render.pptx_designed import talking_points as designed_points

        return designed_points(job, env)
    template = load_deck_template(env.theme, env.formatter, env.config.deck.slides)
    slide_ctx = customer_context(job, env) if template.customer else ctx
    return [
        {"kicker": s.kicker, "title": s.title, "notes": s.notes, "brief": s.brief}
        for s in template.render(slide_ctx, brief_ctx=ctx)
        if s.kind != "section"  # a divider has nothing to say
    ]


def _stakeholder_map(ctx: dict[str, Any], fmt: Formatter) -> Any:
    account: Account = ctx["account"]
    colours = ctx["colours"]
    active = set(ctx["k"].get("active_stakeholders") or [])
    points = [
        _svg.MapPoint(
            number,
            s.name,
            s.influence,
            s.sentiment,
            colours.red if s.role == "detractor" else colours.primary,
            s.name in active,
        )  # fmt: skip
        for number, s in enumerate(account.stakeholders, start=1)
    ]
    alt = fmt.gettext(
        "Stakeholder map of %(account)s: %(people)s",
        account=account.name,
        people="; ".join(
            fmt.gettext(
                "%(name)s, %(influence)s influence, %(sentiment)s",
                name=p.name,
                influence=fmt.lower_first(fmt.label(p.influence, "influence")),
                sentiment=fmt.lower_first(fmt.label(p.sentiment, "sentiments")),
            )
            for p in points
        )
        or fmt.gettext("no stakeholders recorded"),
    )
    return _svg.stakeholder_grid(
        points,
        alt=alt,
        width=520,
        label=fmt.label,
        translate=None if fmt.language == "en" else fmt.translate,
    )


def ask(ctx: dict[str, Any], fmt: Formatter) -> list[str]:
    """What the presenter should ask in the meeting, from the record and the KPIs."""
    account: Account = ctx["account"]
    k = ctx["k"]
    _ = fmt.gettext
    out: list[str] = []
    review = ctx["next_review"]
    for decision in review.decisions if review else []:
        out.append(_("Ask for the decision: %(decision)s.", decision=decision.title))
    for goal in account.goals:
        if goal.status in ("at_risk", "missed"):
            if goal.target:
                out.append(
                    _(
                        "Ask what would move “%(goal)s” next quarter, and whether the target "
                        "%(target)s still holds.",
                        goal=goal.title,
                        target=goal.target,
                    )
                )
            else:
                out.append(
                    _(
                        "Ask what would move “%(goal)s” next quarter, and whether the target "
                        "still holds.",
                        goal=goal.title,
                    )
                )
    if not account.goals:
        out.append(_("Ask for two or three measurable goals for the next two quarters."))
    if k.get("single_threaded"):
        champion = next((s for s in account.stakeholders if s.role == "champion"), None)
        if champion:
            out.append(
                _(
                    "Ask %(name)s for an introduction to a second decision maker "
                    "(single-threaded).",
                    name=champion.name,
                )
            )
        else:
            out.append(
                _(
                    "Ask your main contact for an introduction to a second decision maker "
                    "(single-threaded)."
                )
            )
    days = k.get("days_to_renewal")
    if days is not None and days <= 180:
        out.append(
            fmt.ngettext(
                "Ask how the renewal in %(num)s day will be decided, by whom, and when.",
                "Ask how the renewal in %(num)s days will be decided, by whom, and when.",
                days,
            )
        )
    for person in account.stakeholders:
        if person.sentiment == "negative" and person.influence in ("high", "medium"):
            out.append(
                _(
                    "Ask %(name)s what would change their view (sentiment negative).",
                    name=person.name,
                )
            )
    return out


def avoid(ctx: dict[str, Any], fmt: Formatter) -> list[str]:
    """What the presenter should not do or say in the room."""
    account: Account = ctx["account"]
    health = ctx["health"]
    _ = fmt.gettext
    out: list[str] = []
    held = [o for o in ctx["open_opportunities"] if not ctx["expansion_ok"]]
    if held:
        titles = "; ".join(o.title for o in held)
        band = fmt.lower_first(fmt.label(health.band, "bands")) if health.band else _("not scored")
        if health.biggest_drag:
            out.append(
                _(
                    "Do not propose expansion (%(titles)s): health is %(band)s, fix "
                    "%(component)s first.",
                    titles=titles,
                    band=band,
                    component=fmt.lower_first(fmt.label(health.biggest_drag, "components")),
                )
            )
        else:
            out.append(
                _(
                    "Do not propose expansion (%(titles)s): health is %(band)s.",
                    titles=titles,
                    band=band,
                )
            )
    for risk in ctx["internal_risks"]:
        out.append(_("Internal only, not on the slides: %(risk)s.", risk=risk.title))
    for escalation in ctx["open_escalations"]:
        if escalation["past_target"]:
            out.append(
                _(
                    "Do not play down “%(subject)s”: open %(age)s days, past its %(target)s-day "
                    "target. Acknowledge it first.",
                    subject=escalation["subject"],
                    age=fmt.number(escalation["age_days"]),
                    target=fmt.number(escalation["target_days"]),
                )
            )
    future = [r for r in account.roadmap if r.quarter and r.quarter > ctx["quarter"]]
    if future:
        out.append(
            _(
                "Do not promise dates for %(items)s: roadmap quarters are plans.",
                items=", ".join(f"{r.title} ({r.quarter})" for r in future),
            )
        )
    out.append(
        _(
            "Keep internal language out of the room: health score, churn risk, pipeline, and "
            "labels such as “detractor”."
        )
    )
    return out


register(
    Renderer(
        name="brief",
        description="QBR prep brief per account (PDF, internal): health, warnings, risks, "
        "people, what to ask and avoid, talking points slide by slide",
        plan=plan,
        render=render,
        audience="internal",
    )
)
