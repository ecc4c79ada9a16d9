"""The render contexts of account documents, one per audience: data in, nothing computed twice.

`account_context` is the internal view (account plan, prep brief): the whole account and
every KPI. `customer_context` is what a customer document (the QBR deck) may show, built from
the allow-lists of `render.audience`: internal fields are absent from it, not hidden by
template conditions, so no template override can print them. `deck_story` adds the facts a
QBR tells (last review, agreements, voice of the customer, licence use ...) to either.

Everything here is read from the validated account and its KpiReport entry; no KPI is
recomputed. Account text stays data: templates receive it as values, never as template source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import (
    BY_KEY,
    DEFINITIONS,
    HEALTH_COMPONENT_DEFINITIONS,
    SENTIMENT_PERIOD,
    WARNING_LABELS,
)
from qbrgen.kpis.health import KEY_ROLES
from qbrgen.palette import SEVERITY_RANK
from qbrgen.render.audience import (
    CUSTOMER_KPIS,
    CUSTOMER_SERIES,
    CustomerView,
    customer_view,
)

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis, PortfolioKpis
    from qbrgen.kpis.periods import Periods
    from qbrgen.loading import SourcedAccount
    from qbrgen.models import Account
    from qbrgen.render import Job, RenderEnv
    from qbrgen.run import Run


def account_payload(run: Run, account_id: str) -> dict[str, Any]:
    """What an account document's Job carries: the account, its KPIs and the input hash."""
    item = run.portfolio.by_id(account_id)
    return {
        "account": item.account,
        "kpis": run.report.accounts[account_id],
        "inputs_hash": run.inputs_hash(item),
    }


def not_presented(run: Run, item: SourcedAccount) -> str | None:
    """Why an account gets no QBR (deck and prep brief), or None: a churned account is a
    former customer, and nobody presents a business review to one."""
    kpis = run.report.accounts[item.account.id]
    if kpis["status"] != "churned":
        return None
    account = item.account
    when = max(
        [r.due_date for r in account.renewals if r.outcome == "churned"]
        + [m.date for m in account.arr_movements if m.type == "churn"],
        default=None,
    )
    since = f" on {run.formatter.date(when, 'long')}" if when else ""
    return (
        f"{account.name} churned{since} (ARR is 0 as of {run.formatter.date(run.report.as_of)}): "
        "no QBR deck or prep brief, as nobody presents a business review to a former customer"
    )


def account_inputs(run: Run, account_id: str) -> dict[str, str]:
    """Dependencies of an account document for incremental builds (the manifest records them,
    with the inputs hash the document's own properties carry). Its KPIs count apart from the
    account: some use the whole portfolio (CLV divides by the portfolio's churn rate), so
    another account's change can change this document."""
    item = run.portfolio.by_id(account_id)
    kpis = hashlib.sha256(repr(run.report.accounts[account_id]).encode()).hexdigest()[:16]
    return {
        "account": item.input_hash,
        "inputs_hash": run.inputs_hash(item),
        "kpis": kpis,
        "config": run.workspace.config.model_dump_json(),
        "as_of": run.report.as_of.isoformat(),
        "version": run.version,
    }


def health_arrow(trend: float | None) -> str:
    """▲ / ▼ / ► for a health trend in score points (±2 counts as flat)."""
    if trend is None:
        return ""
    if trend > 2:
        return "▲"
    if trend < -2:
        return "▼"
    return "►"


def account_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The variables every account template sees."""
    account: Account = job.payload["account"]
    kpis: AccountKpis = job.payload["kpis"]
    portfolio: PortfolioKpis | None = job.payload.get("portfolio")
    config = env.config
    as_of = env.periods.as_of
    open_actions = [a for a in account.actions if a.status == "open"]
    return {
        "account": account,
        "kpis": kpis,
        "k": kpis.values,
        "reasons": {key: env.formatter.translate(r) for key, r in kpis.reasons.items()},
        "health": kpis.health,
        "health_trend": env.formatter.health_trend(kpis.values),
        "health_arrow": health_arrow(kpis.get("health_trend")),
        "warnings": kpis.warnings,
        "warning_codes": sorted({w.code for w in kpis.warnings}),
        "warning_labels": WARNING_LABELS,
        "expansion_ok": kpis.health.band != "red" and kpis["status"] == "active",
        "open_risks": [r for r in account.risks if r.status != "closed"],
        "open_actions": open_actions,
        "overdue_actions": [a for a in open_actions if a.due < as_of],
        "open_opportunities": [o for o in account.opportunities if o.outcome == "open"],
        "open_escalations": kpis.open_escalations,
        "key_roles": KEY_ROLES,
        "portfolio": portfolio,
        "company": config.company,
        "branding": config.branding,
        "colours": config.branding.colours,
        "as_of": as_of,
        "quarter": str(env.periods.quarter),
        "periods": env.periods,
        "definitions": [_in_words(d, env.formatter) for d in DEFINITIONS],
        "definition": {key: _in_words(d, env.formatter) for key, d in BY_KEY.items()},
        "component_definitions": {
            key: env.formatter.translate(text) for key, text in HEALTH_COMPONENT_DEFINITIONS.items()
        },
        "sentiment_period": env.formatter.translate(SENTIMENT_PERIOD),
        "provenance": {
            "version": env.version,
            "inputs_hash": job.payload.get("inputs_hash", ""),
            "as_of": as_of.isoformat(),
        },
        "presenter": config.company.presenter or account.owner,
    }


def expansion_ok(kpis: AccountKpis) -> bool:
    """Whether expansion may be proposed: the account is active and its health is not red
    (kpi-definitions.md, "expansion without health context")."""
    return kpis.health.band != "red" and kpis["status"] == "active"


def customer_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The variables a customer document's templates see: a customer-safe view of the account
    (`render.audience.CUSTOMER_FIELDS`; risks, opportunities and actions only when shared),
    the customer KPIs (`CUSTOMER_KPIS`), and the QBR story facts (`deck_story`).

    Internal names (health, warnings, pipeline, sentiment, notes ...) are not in it at all.
    Shared opportunities are left out too while expansion may not be proposed (health red
    or account churned): the reason is internal, so the customer view just has none."""
    account: Account = job.payload["account"]
    kpis: AccountKpis = job.payload["kpis"]
    config = env.config
    view = customer_view(account)
    if not expansion_ok(kpis):
        view = _replace(view, opportunities=[])
    k = {key: value for key, value in kpis.values.items() if key in CUSTOMER_KPIS}
    ctx: dict[str, Any] = {
        "audience": "customer",
        "account": view,
        "k": k,
        "reasons": {
            key: env.formatter.translate(r)
            for key, r in kpis.reasons.items()
            if key in CUSTOMER_KPIS
        },
        "series": {key: v for key, v in kpis.series.items() if key in CUSTOMER_SERIES},
        "open_escalations": list(kpis.open_escalations),
        "company": config.company,
        "branding": config.branding,
        "colours": config.branding.colours,
        "as_of": env.periods.as_of,
        "quarter": str(env.periods.quarter),
        "periods": env.periods,
        "definitions": [_in_words(d, env.formatter) for d in DEFINITIONS if d.key in CUSTOMER_KPIS],
        "definition": {
            key: _in_words(d, env.formatter) for key, d in BY_KEY.items() if key in CUSTOMER_KPIS
        },
        "presenter": config.company.presenter or account.owner,
    }
    ctx.update(deck_story(view, k, env.periods, env.formatter))
    return ctx


def _in_words(definition: Any, fmt: Any) -> Any:
    """A KPI definition with its label and definition in the document's language."""
    from dataclasses import replace

    if fmt.language == "en":
        return definition
    return replace(
        definition,
        label=fmt.translate(definition.label),
        definition=fmt.translate(definition.definition),
    )


def internal_deck_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The whole internal context plus the QBR story of the whole account (every risk,
    opportunity and action, shared or not): for a deck template that says `audience:
    internal`, and for the presenter's prep brief."""
    ctx = account_context(job, env)
    ctx["audience"] = "internal"
    ctx["series"] = ctx["kpis"].series
    ctx.update(deck_story(ctx["account"], ctx["k"], env.periods, env.formatter))
    account = ctx["account"]
    ctx["internal_risks"] = [r for r in ctx["open_risks"] if not r.shared]
    ctx["internal_actions"] = [a for a in account.actions if not a.shared]
    ctx["held_back_opportunities"] = [
        o for o in ctx["open_opportunities"] if not (o.shared and ctx["expansion_ok"])
    ]
    return ctx


def _replace(view: CustomerView, **changes: Any) -> CustomerView:
    values = {name: view[name] for name in view.fields()}
    values.update(changes)
    return CustomerView("Account", values)


def deck_story(account: Any, k: dict[str, Any], periods: Periods, fmt: Any) -> dict[str, Any]:
    """What a QBR tells, read from an account (the model, or its customer view) and its KPI
    values: sorted lists for the slides, the last review and what was agreed there, the
    voice of the customer, licence use, priorities matched to the roadmap."""
    as_of = periods.as_of
    open_actions = [a for a in account.actions if a.status == "open"]
    held = [r for r in account.reviews if r.date <= as_of]
    last_review = max(held, key=lambda r: r.date, default=None)
    agreed = (
        [a for a in account.actions if a.agreed_at == last_review.date]
        if last_review is not None
        else []
    )
    window = periods.ttm
    responses = sorted(
        (r for r in account.surveys if window.contains(r.date)),
        key=lambda r: r.date,
        reverse=True,
    )
    latest_usage = max(
        (u for u in account.usage if u.period_end <= as_of),
        key=lambda u: u.period_end,
        default=None,
    )
    seats = (
        latest_usage.licensed_seats if latest_usage else None
    ) or account.contract.licensed_seats
    roadmap_by_priority: dict[str, list[Any]] = {}
    for item in account.roadmap:
        roadmap_by_priority.setdefault(item.priority or "", []).append(item)
    next_review = account.next_review
    names = {s.name: s for s in account.stakeholders}
    attendees = list(next_review.attendees) if next_review else []
    return {
        "open_risks": [r for r in account.risks if r.status != "closed"],
        "risks_sorted": sorted(
            (r for r in account.risks if r.status != "closed"),
            key=lambda r: (SEVERITY_RANK.get(r.severity, 9), r.opened),
        ),
        "open_actions": open_actions,
        "overdue_actions": [a for a in open_actions if a.due < as_of],
        "actions_sorted": sorted(
            (a for a in account.actions if a.status != "cancelled"),
            key=lambda a: (a.status != "open", a.due),
        ),
        "open_opportunities": [o for o in account.opportunities if o.outcome == "open"],
        "stakeholders_sorted": sorted(
            account.stakeholders, key=lambda s: (not s.executive_sponsor, s.name)
        ),
        "goals_sorted": list(account.goals),
        "wins_sorted": sorted(account.wins, key=lambda w: w.date, reverse=True),
        "last_review": last_review,
        "agreed_last_time": sorted(agreed, key=lambda a: (a.status != "done", a.due)),
        "next_review": next_review,
        "meeting_date": next_review.date if next_review else None,
        "customer_attendees": [names[n] for n in attendees if n in names],
        "our_attendees": [n for n in attendees if n not in names],
        "survey_window": f"{fmt.month(window.start + dt.timedelta(days=1))} – "
        f"{fmt.month(window.end)}",
        "survey_responses": responses,
        "survey_comments": [r for r in responses if r.comment],
        "nps_count": sum(1 for r in responses if r.kind == "nps"),
        "csat_count": sum(1 for r in responses if r.kind == "csat"),
        "licensed_seats": seats,
        "active_users": latest_usage.active_users if latest_usage else None,
        "usage_period_end": latest_usage.period_end if latest_usage else None,
        "seats_in_use": (
            latest_usage.active_users / seats if latest_usage is not None and seats else None
        ),
        "priorities_matched": [
            {"priority": p, "roadmap": roadmap_by_priority.get(p.title, [])}
            for p in account.priorities
        ],
        "roadmap_unmatched": roadmap_by_priority.get("", []),
    }
