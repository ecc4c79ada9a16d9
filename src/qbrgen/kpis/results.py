"""What the KPI engine hands out: a KpiSet per account and for the portfolio (values, reasons
for n/a, warnings), bundled in one KpiReport per run. Plain data; no computation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbrgen.kpis.health import HealthScore, HealthTrend
from qbrgen.kpis.periods import Periods, Quarter


@dataclass(frozen=True)
class KpiWarning:
    """A warning the numbers raise (kpi-definitions.md, last section)."""

    code: str
    message: str
    account_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "account": self.account_id}


WARNING_ORDER = (
    "renewal_at_risk",
    "utilisation_above_seats",
    "expansion_without_health",
    "single_threaded_near_renewal",
    "renewal_hides_contraction",
    "next_step_overdue",
    "no_next_step",
    "stale_record",
)


@dataclass
class KpiSet:
    """Named KPI values with a reason for each one that is None."""

    values: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, reason: str | None = None) -> None:
        self.values[name] = value
        if value is None:
            self.reasons[name] = reason or "inputs missing"
        else:
            self.reasons.pop(name, None)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def reason(self, name: str) -> str:
        return self.reasons.get(name, "")


@dataclass
class AccountKpis(KpiSet):
    """Every per-account KPI, the health score and its trend, warnings and series."""

    account_id: str = ""
    name: str = ""
    health: HealthScore = field(default_factory=lambda: HealthScore(None, None))
    trend: HealthTrend = field(default_factory=lambda: HealthTrend(None))
    """How the health trend was compared (recorded score or like for like, and which components)."""
    warnings: list[KpiWarning] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    """Chart series by quarter: arr, utilisation, tickets by severity; latest feature adoption."""
    open_escalations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PortfolioKpis(KpiSet):
    """Portfolio KPIs, from summed money (never averaged ratios)."""

    health_distribution: dict[str, int] = field(default_factory=dict)
    arr_by_band: dict[str, Decimal] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    warnings: list[KpiWarning] = field(default_factory=list)


@dataclass
class KpiReport:
    """The one set of numbers a run uses for every document."""

    periods: Periods
    portfolio: PortfolioKpis
    accounts: dict[str, AccountKpis]

    @property
    def as_of(self) -> dt.date:
        return self.periods.as_of

    @property
    def quarter(self) -> Quarter:
        return self.periods.quarter

    def worst_first(self) -> list[AccountKpis]:
        """Accounts by health, worst first (accounts with no score last)."""
        return sorted(
            self.accounts.values(),
            key=lambda k: (k.health.score is None, k.health.score or 0.0, k.account_id),
        )


RecordedScores = dict[str, tuple[dt.date, float]]
"""Account id -> (day, health score) recorded in the KPI history for the health trend."""
