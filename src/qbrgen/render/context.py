"""The render context shared by account documents (deck, plan): data in, nothing computed twice.

Everything here is read from the validated account and its KpiReport entry; no KPI is
recomputed. Account text stays data: templates receive it as values, never as template source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qbrgen.kpis.definitions import (
    BY_KEY,
    DEFINITIONS,
    HEALTH_COMPONENT_DEFINITIONS,
    WARNING_LABELS,
)
from qbrgen.kpis.health import KEY_ROLES

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis, PortfolioKpis
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


def account_inputs(run: Run, account_id: str) -> dict[str, str]:
    """Dependencies of an account document for incremental builds."""
    item = run.portfolio.by_id(account_id)
    return {
        "account": item.input_hash,
        "config": run.workspace.config.model_dump_json(),
        "as_of": run.report.as_of.isoformat(),
        "version": run.version,
    }


def health_arrow(trend: float | None) -> str:
    """▲ / ▼ / ► for a health trend in points (±2 counts as flat)."""
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
        "reasons": kpis.reasons,
        "health": kpis.health,
        "health_prev": kpis.health_prev,
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
        "definitions": DEFINITIONS,
        "definition": BY_KEY,
        "component_definitions": HEALTH_COMPONENT_DEFINITIONS,
        "provenance": {
            "version": env.version,
            "inputs_hash": job.payload.get("inputs_hash", ""),
            "as_of": as_of.isoformat(),
        },
        "presenter": config.company.presenter or account.owner,
    }
