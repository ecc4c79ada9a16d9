"""The account plan: one PDF per account, from `templates/plan/*.html` through WeasyPrint.

plan() packs each selected account with its KPIs; render() builds the plan context (read from
the account and the KPI report, nothing recomputed), renders the Jinja templates and lays the
HTML out with the shared `_pdf` layer. Sections run in the order of a strategic account plan:
overview, renewal path, stakeholder map, value and adoption, expansion, risks, mutual action
plan, KPI appendix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qbrgen.history import FIRST_RUN
from qbrgen.kpis.definitions import (
    BY_KEY,
    DEFINITIONS,
    HEALTH_COMPONENT_DEFINITIONS,
    SENTIMENT_PERIOD,
    WARNING_LABELS,
)
from qbrgen.kpis.health import COMPONENTS, display_score
from qbrgen.labels import N_
from qbrgen.models import HIGH_SEVERITIES
from qbrgen.output import file_word, safe_filename
from qbrgen.palette import SEVERITY_ORDER, SEVERITY_RANK
from qbrgen.render import Job, RenderEnv, Renderer, Selection, _svg, register
from qbrgen.render._pdf import document_context, fit_size, html_to_pdf
from qbrgen.render.context import account_context, account_inputs, account_payload

if TYPE_CHECKING:
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

ENTRY = "plan/plan.html"
TEMPLATES = [
    ENTRY,
    "plan/plan.css",
    "plan/_macros.html",
    "plan/overview.html",
    "plan/renewal.html",
    "plan/stakeholders.html",
    "plan/value.html",
    "plan/expansion.html",
    "plan/risks.html",
    "plan/actions.html",
    "plan/appendix.html",
    "base/layout.html",
    "base/print.css",
]
"""Theme files the plan uses; any of them can be overridden from the workspace's templates/."""

SECTIONS = (
    ("overview", N_("Account overview")),
    ("renewal", N_("Renewal path")),
    ("stakeholders", N_("Stakeholder map")),
    ("value", N_("Value and adoption")),
    ("expansion", N_("Expansion plan")),
    ("risks", N_("Risk register")),
    ("actions", N_("Mutual action plan")),
    ("appendix", N_("KPI appendix")),
)
"""(anchor, heading) of each plan section, in order; the table of contents is built from it."""

HEALTH_COMPONENTS = tuple(COMPONENTS)
"""Health components in the order of the KPI definitions."""
ACTIVE_DAYS = 90
"""A stakeholder touched within this many days is active (kpi-definitions.md, Engagement)."""


def output_name(account: Account, quarter: str, fmt: Any = None) -> str:
    """`<account-id>/<Customer-Name>-account-plan-<quarter>.pdf`, the document's word in the
    team's language (`fmt`)."""
    word = file_word(N_("account-plan"), fmt)
    return f"{account.id}/{safe_filename(account.name)}-{word}-{quarter}.pdf"


def plan(run: Run, selection: Selection) -> list[Job]:
    """One Job per selected account."""
    quarter = str(run.report.quarter)
    jobs = []
    for item in selection.accounts:
        account_id = item.account.id
        payload = account_payload(run, account_id)
        inputs = account_inputs(run, account_id)
        payload["health_points"] = health_points(run, account_id)
        inputs["history"] = repr(payload["health_points"])
        jobs.append(
            Job(
                kind="plan",
                key=account_id,
                outputs=[output_name(item.account, quarter, run.formatter)],
                payload=payload,
                inputs=inputs,
                templates=list(TEMPLATES),
                account_id=account_id,
            )
        )
    return jobs


# --- health over time (the KPI history) ------------------------------------------------------


def health_points(run: Run, account_id: str) -> list[tuple[dt.date, float | None]]:
    """The account's health in the recorded runs before this one (the last 12 that exist)
    and now: the points of the plan's health-over-time line."""
    recorded = run.history.health_points([account_id]).get(account_id, [])
    now = run.report.accounts[account_id].health.score
    return [(day, score) for day, score, _ in recorded] + [(run.report.as_of, now)]


def _health_over_time(
    points: list[tuple[dt.date, float | None]], env: RenderEnv, first_run: str
) -> dict[str, Any]:
    """The small health-over-time line of the overview (the band ranges shaded behind it),
    and its words."""
    fmt = env.formatter
    palette = env.palette
    bands = env.config.health.bands
    labels = [fmt.date(day, "d MMM") for day, _ in points]
    alt = fmt.gettext(
        "Health score over time: %(points)s",
        points=", ".join(
            f"{fmt.date(day)} {fmt.kpi(score, 'health_score')}" for day, score in points
        ),
    )
    if len(points) == 1:
        caption = fmt.gettext(
            "Health over time: %(first_run)s; the line starts with this build.",
            first_run=fmt.translate(first_run),
        )
    else:
        caption = fmt.ngettext(
            "Health over time: the %(num)s recorded run before this one and now.",
            "Health over time: the %(num)s recorded runs before this one and now.",
            len(points) - 1,
        )
    svg = _svg.line_chart(
        labels,
        {"health": [score for _, score in points]},
        {"health": palette.colours.primary},
        kind="score",
        title=fmt.gettext(
            "Health score over time, to %(date)s (0 to 100)", date=fmt.date(points[-1][0])
        ),
        alt=alt,
        fmt=fmt,
        zones=[
            (0, bands.red_max, palette.band("red")),
            (bands.red_max, bands.yellow_max, palette.band("yellow")),
            (bands.yellow_max, 100, palette.band("green")),
        ],
        height=170,
        empty_message=fmt.gettext("no health score recorded"),
    )
    return {"svg": svg, "alt": alt, "caption": caption}


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """Render one account plan to PDF bytes."""
    ctx = plan_context(job, env)
    html = env.theme.render(ENTRY, ctx, env.formatter)
    pdf = html_to_pdf(html, env, title=ctx["doc"]["title"], inputs_hash=ctx["doc"]["inputs_hash"])
    return {job.outputs[0]: pdf}


# --- the plan's context ------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """One line of the renewal readiness check."""

    area: str
    status: str  # ready | attention | at_risk | unknown
    finding: str


STATUS_LABELS = {
    "ready": N_("Ready"),
    "attention": N_("Needs attention"),
    "at_risk": N_("At risk"),
    "unknown": N_("No data"),
}


def plan_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """account_context() plus what the plan's sections show: rows, charts, readiness."""
    ctx = account_context(job, env)
    account: Account = ctx["account"]
    kpis = ctx["kpis"]
    k = ctx["k"]
    fmt: Formatter = env.formatter
    as_of: dt.date = ctx["as_of"]
    colours = ctx["colours"]
    title = fmt.gettext("Account plan: %(account)s", account=account.name)
    ctx.update(
        document_context(
            env,
            title=title,
            header=account.name,
            inputs_hash=ctx["provenance"]["inputs_hash"],
            subtitle=fmt.gettext(
                "Account plan · %(quarter)s · renewal %(date)s",
                quarter=fmt.quarter(ctx["quarter"]),
                date=fmt.date(account.contract.renewal_date),
            ),
        )
    )
    active = set(k.get("active_stakeholders") or [])
    role_colours = {
        "executive_sponsor": colours.primary,
        "decision_maker": colours.secondary,
        "champion": colours.green,
        "user": colours.muted,
        "influencer": colours.accent,
        "detractor": colours.red,
    }
    stakeholders = [
        {
            "number": i,
            "s": s,
            "role": fmt.label(s.role, "roles"),
            "active": s.name in active,
            "days_since": (as_of - s.last_contact).days if s.last_contact else None,
            "colour": role_colours.get(s.role, colours.muted),
        }
        for i, s in enumerate(account.stakeholders, start=1)
    ]
    risks = sorted(
        account.risks,
        key=lambda r: (r.status == "closed", SEVERITY_RANK.get(r.severity, 9), r.opened),
    )
    risk_rows = [
        {
            "r": r,
            "age": ((r.closed or as_of) if r.status == "closed" else as_of) - r.opened,
            "high": r.severity in HIGH_SEVERITIES and r.status != "closed",
            "unreviewed": r.status != "closed"
            and (as_of - (r.last_reviewed or r.opened)).days > 30,
        }
        for r in risks
    ]
    actions = sorted(
        account.actions,
        key=lambda a: ({"open": 0, "done": 1, "cancelled": 2}[a.status], a.due),
    )
    action_rows = [
        {
            "a": a,
            "overdue": a.status == "open" and a.due < as_of,
            "days": (a.due - as_of).days,
        }
        for a in actions
    ]
    opportunities = sorted(
        account.opportunities,
        key=lambda o: ({"open": 0, "won": 1, "lost": 2}[o.outcome], o.close_date or dt.date.max),
    )
    series = kpis.series or {}
    quarters = [fmt.quarter(q) for q in series.get("quarters") or []]  # as the reader writes them
    ctx["recent_wins"] = sorted(
        [w for w in account.wins if w.date <= as_of and (as_of - w.date).days <= 365],
        key=lambda w: w.date,
        reverse=True,
    )
    ctx.update(
        {
            "sections": [(anchor, fmt.translate(heading)) for anchor, heading in SECTIONS],
            "status_labels": {key: fmt.translate(text) for key, text in STATUS_LABELS.items()},
            "role_labels": {key: fmt.label(key, "roles") for key in fmt.labels.names("roles")},
            "health_missing": fmt.join(
                [fmt.label(name, "components") for name in sorted(kpis.health.missing)]
            ),
            "stakeholder_rows": stakeholders,
            "risk_rows": risk_rows,
            "action_rows": action_rows,
            "opportunities": opportunities,
            "readiness": _readiness(ctx, fmt),
            "headline": _headline_metrics(k, fmt),
            "health_rows": _health_rows(kpis, fmt),
            "appendix_rows": _appendix_rows(k, kpis, fmt),
            "warning_rows": [
                {
                    "label": fmt.translate(WARNING_LABELS.get(w.code, w.code)),
                    "message": w.text(fmt),
                    "detail": warning_detail(
                        fmt.translate(WARNING_LABELS.get(w.code, w.code)), w.text(fmt)
                    ),
                    "code": w.code,
                }
                for w in kpis.warnings
            ],
            "support_trend_text": support_trend_text(k, fmt),
            "tile_size": _tile_size(ctx["doc"]["content_width"], ctx["doc"]["body_font"]),
            "charts": _charts(ctx, stakeholders, quarters, series, env),
            "health_over_time": _health_over_time(
                job.payload.get("health_points") or [(as_of, kpis.health.score)],
                env,
                FIRST_RUN,
            ),
            "drag_definition": fmt.translate(
                HEALTH_COMPONENT_DEFINITIONS.get(kpis.health.biggest_drag or "", "")
            ),
            "pipeline_by_stage": k.get("pipeline_by_stage") or {},
            "last_renewal": max(
                (r for r in account.renewals if r.outcome != "open"),
                key=lambda r: r.due_date,
                default=None,
            ),
            "generated_on": fmt.date(as_of, "long"),
        }
    )
    return ctx


def warning_detail(label: str, message: str) -> str:
    """The warning's message without the words of its title it starts with ("expansion
    without health context: 'X' is open ..." under the title "Expansion without health
    context" reads "'X' is open ..."), so a warning never says its title twice."""
    words = label.lower().split()
    text = message.strip()
    lead = text.lower()
    # the whole title first (a title in a script without spaces is one 'word'), then its
    # leading words, longest first
    prefixes = [label.lower()] + [" ".join(words[:n]) for n in range(len(words) - 1, 1, -1)]
    for prefix in prefixes:
        if prefix and lead.startswith(prefix):
            rest = text[len(prefix) :].lstrip(" :,;.-–—：、")
            return rest[:1].upper() + rest[1:] if rest else text
    return text[:1].upper() + text[1:]


def _tile_size(content_width: float, font: str) -> Any:
    """tile_size(text, tiles_in_row, largest): the font size at which a tile's value fits on
    one line of its tile (tile padding 8 pt each side, 3 pt gutter), any amount, any locale."""

    def tile_size(text: object, tiles: int, largest: float) -> float:
        return fit_size(str(text), content_width / max(tiles, 1) - 19, largest, family=font)

    return tile_size


def _headline_metrics(k: dict[str, Any], fmt: Formatter) -> list[tuple[str, str]]:
    keys = ("arr", "nrr", "grr", "seat_utilisation", "nps", "pipeline")
    labels = {"nps": N_("NPS (12 months)")}
    out = []
    for key in keys:
        definition = BY_KEY.get(key)
        label = labels.get(key) or (definition.label if definition else key)
        out.append((fmt.translate(label), fmt.kpi(k.get(key), key)))
    return out


def _health_rows(kpis: Any, fmt: Formatter) -> list[dict[str, Any]]:
    health = kpis.health
    rows = []
    for name in HEALTH_COMPONENTS:
        label = fmt.label(name, "components")
        if name == "sentiment":
            label = f"{label} ({fmt.translate(SENTIMENT_PERIOD)})"
        rows.append(
            {
                "name": label,
                "label": label,
                "score": health.components.get(name),
                "weight": health.weights.get(name),
                "missing": health.missing.get(name),
                "definition": fmt.translate(HEALTH_COMPONENT_DEFINITIONS.get(name, "")),
                "drag": name == health.biggest_drag,
            }
        )
    return rows


def _kpi_text(key: str, value: Any, kind: str, k: dict[str, Any], fmt: Formatter) -> str:
    if value is None:
        return fmt.gettext("n/a")
    if key == "support_trend" and isinstance(value, dict):
        return support_trend_text(k, fmt)
    if key == "stakeholder_coverage":
        roles = fmt.join([fmt.label(r, "roles") for r in k.get("stakeholder_roles_covered") or []])
        return f"{fmt.kpi(value, key)} ({roles or fmt.gettext('no key role')})"
    if key == "health_trend":
        return fmt.health_trend(k)
    if key == "pipeline" and k.get("pipeline_by_stage"):
        stages = fmt.join(
            [
                f"{fmt.label(stage, 'stages')} {fmt.money(v)}"
                for stage, v in k["pipeline_by_stage"].items()
            ]
        )
        return f"{fmt.kpi(value, key)} ({stages})"
    return str(fmt.kpi(value, key))


def support_trend_text(k: dict[str, Any], fmt: Formatter) -> str:
    """'10 tickets in the quarter vs 4 the quarter before (+150%)': counts first, the change
    as a signed percentage, never a bare ratio like '250.0% of the previous quarter'."""
    now = sum((k.get("tickets_q") or {}).values())
    before = sum((k.get("tickets_prev_q") or {}).values())
    trend = (k.get("support_trend") or {}).get("all")
    change = ""
    if trend is not None:
        delta = trend - 1
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        change = f" ({sign}{fmt.percent(abs(delta))})"
    return fmt.ngettext(
        "%(num)s ticket in the quarter vs %(before)s the quarter before%(change)s",
        "%(num)s tickets in the quarter vs %(before)s the quarter before%(change)s",
        now,
        before=fmt.number(before),
        change=change,
    )


def _appendix_rows(k: dict[str, Any], kpis: Any, fmt: Formatter) -> list[dict[str, str]]:
    rows = []
    for d in DEFINITIONS:
        if d.key not in k:
            value, note = fmt.gettext("n/a"), fmt.gettext("portfolio measure")
        else:
            value = _kpi_text(d.key, k.get(d.key), d.kind, k, fmt)
            note = fmt.translate(kpis.reason(d.key)) if k.get(d.key) is None else ""
        rows.append(
            {
                "label": fmt.translate(d.label),
                "value": value,
                "note": note,
                "definition": fmt.translate(d.definition),
                "group": fmt.translate(GROUPS.get(d.group, d.group)),
            }
        )
    return rows


GROUPS = {"lagging": N_("lagging"), "leading": N_("leading")}
"""The KPI groups' names as the appendix shows them."""


def _readiness(ctx: dict[str, Any], fmt: Formatter) -> list[Readiness]:
    """Renewal readiness in four areas, judged from the KPI report and the account record."""
    account: Account = ctx["account"]
    kpis = ctx["kpis"]
    k = ctx["k"]
    out: list[Readiness] = []

    # Proof of value: the outcomes health component (customer goals) and recent wins.
    outcomes = kpis.health.components.get("outcomes")
    goals = account.goals
    achieved = sum(1 for g in goals if g.status == "achieved")
    behind = [g for g in goals if g.status in ("at_risk", "missed")]
    wins = len(ctx["recent_wins"])
    if not goals:
        status = "at_risk" if not wins else "attention"
        finding = fmt.ngettext(
            "No customer goals recorded; %(num)s win logged in the last 12 months.",
            "No customer goals recorded; %(num)s wins logged in the last 12 months.",
            wins,
        )
    else:
        status = (
            "ready"
            if outcomes is not None and outcomes >= 70 and not behind
            else ("attention" if outcomes is not None and outcomes >= 50 else "at_risk")
        )
        finding = fmt.ngettext(
            "%(achieved)s of %(num)s goal achieved, %(behind)s at risk or missed "
            "(outcomes score %(score)s);",
            "%(achieved)s of %(num)s goals achieved, %(behind)s at risk or missed "
            "(outcomes score %(score)s);",
            len(goals),
            achieved=fmt.number(achieved),
            behind=fmt.number(len(behind)),
            score=fmt.kpi(outcomes, "score"),
        )
        finding += " " + fmt.ngettext(
            "%(num)s win in the last 12 months.", "%(num)s wins in the last 12 months.", wins
        )
    out.append(Readiness(fmt.gettext("Proof of value"), status, finding))

    # Sponsor engagement: is an executive sponsor among the active stakeholders?
    roles = k.get("stakeholder_roles_covered") or []
    sponsors = [
        s for s in account.stakeholders if s.executive_sponsor or s.role == "executive_sponsor"
    ]
    if "executive_sponsor" in roles:
        last = max((s.last_contact for s in sponsors if s.last_contact), default=None)
        out.append(
            Readiness(
                fmt.gettext("Sponsor engagement"),
                "ready",
                fmt.gettext(
                    "Executive sponsor active; last contact %(date)s.", date=fmt.date(last)
                ),
            )
        )
    elif sponsors:
        last = max((s.last_contact for s in sponsors if s.last_contact), default=None)
        out.append(
            Readiness(
                fmt.gettext("Sponsor engagement"),
                "attention",
                fmt.gettext(
                    "Executive sponsor %(name)s not contacted in the last %(days)s days "
                    "(last %(date)s).",
                    name=sponsors[0].name,
                    days=fmt.number(ACTIVE_DAYS),
                    date=fmt.date(last),
                ),
            )
        )
    else:
        out.append(
            Readiness(
                fmt.gettext("Sponsor engagement"),
                "at_risk",
                fmt.gettext("No executive sponsor named on the customer side."),
            )
        )

    # Open risks and escalations.
    open_risks = ctx["open_risks"]
    high = [r for r in open_risks if r.severity in HIGH_SEVERITIES]
    escalations = ctx["open_escalations"]
    late = [e for e in escalations if e.get("past_target")]
    if high or escalations:
        status = "at_risk"
    elif open_risks:
        status = "attention"
    else:
        status = "ready"
    out.append(
        Readiness(
            fmt.gettext("Open risks and escalations"),
            status,
            fmt.ngettext(
                "%(num)s open risk, %(high)s high or critical;",
                "%(num)s open risks, %(high)s high or critical;",
                len(open_risks),
                high=fmt.number(len(high)),
            )
            + " "
            + fmt.ngettext(
                "%(num)s open escalation, %(late)s past target.",
                "%(num)s open escalations, %(late)s past target.",
                len(escalations),
                late=fmt.number(len(late)),
            ),
        )
    )

    # Stakeholder alignment: coverage, single-threading, negative voices with influence.
    negative = [
        s
        for s in account.stakeholders
        if s.sentiment == "negative" and s.influence in ("high", "medium")
    ]
    coverage = k.get("stakeholder_coverage")
    if k.get("single_threaded"):
        status = "at_risk"
    elif negative:
        status = "attention"
    else:
        status = "ready"
    covered = fmt.join([fmt.label(r, "roles") for r in roles]) or fmt.gettext("no key role")
    values = {"coverage": fmt.kpi(coverage, "stakeholder_coverage"), "roles": covered}
    if k.get("single_threaded"):
        finding = fmt.gettext("%(coverage)s covering %(roles)s; single-threaded.", **values)
    else:
        finding = fmt.gettext("%(coverage)s covering %(roles)s.", **values)
    if negative:
        finding = fmt.sentences(
            finding,
            fmt.gettext(
                "Negative with influence: %(names)s.",
                names=fmt.join([s.name for s in negative[:5]]) + ("…" if len(negative) > 5 else ""),
            ),
        )
    out.append(Readiness(fmt.gettext("Stakeholder alignment"), status, finding))
    return out


def _charts(
    ctx: dict[str, Any],
    stakeholders: list[dict[str, Any]],
    quarters: list[str],
    series: dict[str, Any],
    env: RenderEnv,
) -> dict[str, Any]:
    """The plan's charts, each titled with what it shows, its period and its unit."""
    fmt: Formatter = env.formatter
    palette = env.palette
    colours = ctx["colours"]
    account: Account = ctx["account"]
    kpis = ctx["kpis"]
    as_of: dt.date = ctx["as_of"]
    _ = fmt.gettext
    span = (
        _("%(first)s to %(last)s", first=quarters[0], last=quarters[-1])
        if quarters
        else fmt.quarter(ctx["quarter"])
    )
    utilisation = series.get("utilisation") or [None] * len(quarters)
    util_alt = _(
        "Seat utilisation by quarter: %(values)s",
        values=", ".join(
            f"{q} {fmt.percent(v) if v is not None else _('no data')}"
            for q, v in zip(quarters, utilisation, strict=False)
        )
        or _("no usage data"),
    )
    tickets = series.get("tickets") or {}
    severities = [s for s in SEVERITY_ORDER if s in tickets]
    severity_names = {s: fmt.label(s, "severities") for s in severities}
    ticket_alt = _(
        "Support tickets opened by quarter: %(values)s",
        values="; ".join(
            f"{q} "
            + ", ".join(f"{tickets[s][i]} {fmt.lower_first(severity_names[s])}" for s in severities)
            for i, q in enumerate(quarters)
        )
        or _("no tickets"),
    )
    health_rows = [
        _svg.BarRow(
            fmt.label(name, "components"),
            kpis.health.components.get(name),
            palette.band(band_of(kpis.health.components.get(name), env.config.health.bands)),
            "" if name in kpis.health.components else kpis.health.missing.get(name, _("n/a")),
        )
        for name in HEALTH_COMPONENTS
    ]
    health_alt = _(
        "Health components (0 to 100): %(values)s",
        values=", ".join(f"{row.label} {fmt.kpi(row.value, 'score')}" for row in health_rows),
    )
    features = sorted((series.get("feature_adoption") or {}).items(), key=lambda kv: -kv[1])[:8]
    latest_usage = max((u.period_end for u in account.usage if u.period_end <= as_of), default=None)
    feature_rows = [
        _svg.BarRow(fmt.label(name, "features"), value, colours.secondary)
        for name, value in features
    ]
    feature_alt = _(
        "Feature adoption, share of active users: %(values)s",
        values=", ".join(f"{row.label} {fmt.percent(row.value)}" for row in feature_rows)
        or _("no feature data"),
    )
    points = [
        _svg.MapPoint(
            row["number"],
            row["s"].name,
            row["s"].influence,
            row["s"].sentiment,
            row["colour"],
            row["active"],
        )
        for row in stakeholders
    ]
    counts: dict[str, int] = {}
    for p in points:
        where = _(
            "%(influence)s influence, %(sentiment)s",
            influence=fmt.lower_first(fmt.label(p.influence, "influence")),
            sentiment=fmt.lower_first(fmt.label(p.sentiment, "sentiments")),
        )
        counts[where] = counts.get(where, 0) + 1
    map_alt = (
        fmt.ngettext(
            "Stakeholder map of %(account)s: %(num)s stakeholder by influence and sentiment.",
            "Stakeholder map of %(account)s: %(num)s stakeholders by influence and sentiment.",
            len(points),
            account=account.name,
        )
        + " "
        + "; ".join(f"{n} {where}" for where, n in counts.items())
        if points
        else _("Stakeholder map of %(account)s: no stakeholders recorded", account=account.name)
    )
    return {
        "adoption": {
            "svg": _svg.line_chart(
                quarters,
                {"utilisation": utilisation},
                {"utilisation": colours.primary},
                kind="percent",
                title=_(
                    "Seat utilisation by quarter end, %(span)s (%% of licensed seats)", span=span
                ),
                alt=util_alt,
                fmt=fmt,
                empty_message=_("no usage data"),
            ),
            "alt": util_alt,
        },
        "support": {
            "svg": _svg.column_chart(
                quarters,
                {s: tickets[s] for s in severities},
                {s: palette.severity(s) for s in severities},
                kind="count",
                title=_(
                    "Support tickets opened per quarter, %(span)s (tickets, by severity)", span=span
                ),
                alt=ticket_alt,
                fmt=fmt,
                labels=severity_names,
                empty_message=_("no tickets"),
            ),
            "alt": ticket_alt,
        },
        "health": {
            "svg": _svg.bar_chart(
                health_rows,
                kind="score",
                title=_("Health components as of %(date)s (score 0 to 100)", date=fmt.date(as_of)),
                alt=health_alt,
                fmt=fmt,
            ),
            "alt": health_alt,
        },
        "features": {
            "svg": _svg.bar_chart(
                feature_rows,
                kind="percent",
                title=(
                    _(
                        "Feature adoption, period ending %(date)s (%% of active users)",
                        date=fmt.date(latest_usage),
                    )
                    if latest_usage
                    else _("Feature adoption (% of active users)")
                ),
                alt=feature_alt,
                fmt=fmt,
                empty_message=_("no feature adoption data"),
            ),
            "alt": feature_alt,
        },
        "feature_count": len(feature_rows),
        "stakeholders": {
            "svg": _svg.stakeholder_grid(
                points,
                alt=map_alt,
                label=fmt.label,
                translate=None if fmt.language == "en" else fmt.translate,
            ),
            "alt": map_alt,
        },
    }


def band_of(score: float | None, bands: Any) -> str | None:
    """The health band a 0-100 score falls in (the workspace's band thresholds), applied to
    the score as it is shown: rounded, halves up."""
    if score is None:
        return None
    score = display_score(score)
    if score <= bands.red_max:
        return "red"
    if score <= bands.yellow_max:
        return "yellow"
    return "green"


register(
    Renderer(
        name="plan",
        description="Account plan per account (PDF): renewal path, stakeholders, value, risks, actions",
        plan=plan,
        render=render,
    )
)
