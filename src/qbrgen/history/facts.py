"""What the KPI history records of one account in one run: its validated key facts (ARR, the
stage of every opportunity, the status of every action, risk and goal, open escalations,
stakeholders and their last contact) and every KPI with the reasons for those that are null.

Facts are plain JSON (strings, numbers, lists, dicts): the same shape is recorded, read back
and compared (`qbrgen.history.changes`), whichever database holds it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.kpis import plain

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis
    from qbrgen.models import Account

FACTS_VERSION = 1
"""Bumped when the facts' shape changes, so a comparison can tell old records apart."""

KPI_EXTRAS = ("series", "open_escalation_list", "warning_list")
"""Report parts kept out of the recorded KPIs (charts' inputs, or already in the facts)."""


def _keyed(items: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Items by title; a repeated title gets ' (2)', ' (3)' so nothing is lost."""
    out: dict[str, dict[str, Any]] = {}
    for title, value in items:
        key, n = title, 1
        while key in out:
            n += 1
            key = f"{title} ({n})"
        out[key] = value
    return out


def account_facts(account: Account, kpis: AccountKpis) -> dict[str, Any]:
    """The key facts of an account as validated in this run."""
    active = set(kpis.get("active_stakeholders") or [])
    return {
        "version": FACTS_VERSION,
        "name": account.name,
        "owner": account.owner,
        "arr": str(kpis["arr"]),
        "health_score": kpis.health.score,
        "health_band": kpis.health.band,
        "status": kpis["status"],
        "opportunities": _keyed(
            [
                (o.title, {"stage": o.stage, "outcome": o.outcome, "value": str(o.value)})
                for o in account.opportunities
            ]
        ),
        "actions": _keyed(
            [
                (a.title, {"status": a.status, "due": a.due.isoformat(), "owner": a.owner})
                for a in account.actions
            ]
        ),
        "risks": _keyed(
            [(r.title, {"status": r.status, "severity": r.severity}) for r in account.risks]
        ),
        "goals": _keyed([(g.title, {"status": g.status}) for g in account.goals]),
        "open_escalations": _keyed(
            [
                (
                    str(e["id"]),
                    {
                        "subject": e["subject"],
                        "severity": e["severity"],
                        "opened": e["opened"].isoformat(),
                    },
                )
                for e in kpis.open_escalations
            ]
        ),
        "stakeholders": _keyed(
            [
                (
                    s.name,
                    {
                        "role": s.role,
                        "last_contact": s.last_contact.isoformat() if s.last_contact else None,
                        "active": s.name in active,
                    },
                )
                for s in account.stakeholders
            ]
        ),
    }


def account_kpi_record(kpis: AccountKpis) -> dict[str, Any]:
    """Every KPI of the account with its reasons, JSON-ready (as `qbrgen kpis --json` has them)."""
    values = {k: v for k, v in kpis.values.items() if k not in KPI_EXTRAS}
    out: dict[str, Any] = plain(values)
    out["reasons"] = dict(kpis.reasons)
    out["warnings"] = [w.to_json() for w in kpis.warnings]
    return out


def arr_cents(arr: Decimal) -> int:
    """ARR in whole cents: exact in every database."""
    return int((arr * 100).to_integral_value())
