"""What the KPI engine hands out: a KpiSet per account and for the portfolio (values, reasons
for n/a, warnings), bundled in one KpiReport per run. Plain data; no computation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbrgen.kpis.health import HealthScore, HealthTrend
from qbrgen.kpis.periods import Periods, Quarter
from qbrgen.labels import N_


@dataclass(frozen=True)
class Param:
    """One value of a warning's sentence, kept raw so each document writes it in its own
    language and locale: `kind` is date, money, ratio, score, text, count (`forms`: the
    catalog's singular and plural message), label (`forms[0]`: the labels' kind) or quoted
    (`value`: (message, title) pairs, each a message of its own, joined with '; ')."""

    kind: str
    value: Any
    forms: tuple[str, ...] = ()

    def text(self, fmt: Any) -> str:
        kind, value = self.kind, self.value
        if kind == "date":
            return str(fmt.date(value))
        if kind == "money":
            return str(fmt.money(value))
        if kind in ("ratio", "score"):
            return str(fmt.kpi(value, kind))
        if kind == "count":
            return str(fmt.ngettext(self.forms[0], self.forms[1], value))
        if kind == "label":
            names = [fmt.lower_first(fmt.label(v, self.forms[0])) for v in value]
            return str(fmt.join(names)) if names else str(fmt.gettext("none"))
        if kind == "quoted":
            return "; ".join(fmt.gettext(message, title=title) for message, title in value)
        return str(value)


@dataclass(frozen=True)
class KpiWarning:
    """A warning the numbers raise (kpi-definitions.md, last section).

    `message` is the English sentence (the CLI's, and English documents'); `template` and
    `params` let a document write it in its reader's language (`text`), so the engine needs
    no catalog and no renderer."""

    code: str
    message: str
    account_id: str = ""
    template: str = ""
    params: tuple[tuple[str, Param], ...] = ()

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "account": self.account_id}

    def text(self, fmt: Any) -> str:
        """The sentence in `fmt`'s language (its catalog and locale)."""
        if not self.template or fmt.language == "en":
            return self.message
        return str(fmt.gettext(self.template, **{k: p.text(fmt) for k, p in self.params}))


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
            self.reasons[name] = reason or N_("inputs missing")
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
    warnings: Sequence[KpiWarning] = field(default_factory=list)
    """Sorted by code (WARNING_ORDER), then account id; a lean run's are read from its spill."""


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
