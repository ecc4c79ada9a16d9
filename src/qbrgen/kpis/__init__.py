"""KPI engine: `compute(accounts, config)` gives the one KpiReport every document of a run uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbrgen.kpis.engine import AccountKpisMaker, compute
from qbrgen.kpis.results import AccountKpis, KpiReport, KpiSet, KpiWarning, PortfolioKpis

__all__ = [
    "AccountKpis",
    "AccountKpisMaker",
    "KpiReport",
    "KpiSet",
    "KpiWarning",
    "PortfolioKpis",
    "compute",
    "portfolio_json",
    "report_json",
    "plain",
]


def plain(value: Any) -> Any:
    """A JSON-ready copy: Decimal money becomes a number, dates ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _set_json(kpis: KpiSet) -> dict[str, Any]:
    out = plain(kpis.values)
    out["reasons"] = dict(kpis.reasons)
    return out


def portfolio_json(report: KpiReport) -> dict[str, Any]:
    """The portfolio part of `qbrgen kpis --json`."""
    portfolio = _set_json(report.portfolio)
    portfolio["arr_by_band"] = plain(report.portfolio.arr_by_band)
    portfolio["series"] = plain(report.portfolio.series)
    portfolio["warning_list"] = [w.to_json() for w in report.portfolio.warnings]
    return portfolio


def report_json(report: KpiReport) -> dict[str, Any]:
    """`qbrgen kpis --json`: {"as_of", "quarter", "portfolio", "accounts": {id: {...}}}."""
    portfolio = portfolio_json(report)
    accounts: dict[str, Any] = {}
    for account_id, kpis in report.accounts.items():
        item = _set_json(kpis)
        item["name"] = kpis.name
        item["health_used"] = kpis.health.weights
        item["warning_list"] = [w.to_json() for w in kpis.warnings]
        item["open_escalation_list"] = plain(kpis.open_escalations)
        item["series"] = plain(kpis.series)
        accounts[account_id] = item
    return {
        "as_of": report.as_of.isoformat(),
        "quarter": str(report.quarter),
        "window": {
            "start": report.periods.ttm.start.isoformat(),
            "end": report.periods.ttm.end.isoformat(),
        },
        "portfolio": portfolio,
        "accounts": accounts,
    }
