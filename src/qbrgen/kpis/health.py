"""The weighted health score: component scores (0-100) at a date, re-weighted when missing."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from qbrgen.config import Health
from qbrgen.models import Account

ACTIVE_DAYS = 90
SURVEY_DAYS = 180
TOUCH_KINDS = frozenset({"meeting", "call", "reply"})
"""Interactions that make a stakeholder active: a meeting, a call, or an email reply from them."""
KEY_ROLES = ("executive_sponsor", "decision_maker", "champion", "user")
GOAL_SCORES = {"achieved": 100, "on_track": 80, "not_started": 50, "at_risk": 30, "missed": 0}
FULL_UTILISATION = 0.8
"""Seat utilisation that earns a full adoption score."""


def active_stakeholders(account: Account, on: dt.date) -> list[str]:
    """Names of stakeholders touched (meeting, call, email reply) in the 90 days before `on`."""
    since = on - dt.timedelta(days=ACTIVE_DAYS)
    touched: set[str] = set()
    for person in account.stakeholders:
        if person.last_contact and since < person.last_contact <= on:
            touched.add(person.name)
    for interaction in account.interactions:
        day = interaction.date.date()
        if interaction.stakeholder and interaction.kind in TOUCH_KINDS and since < day <= on:
            touched.add(interaction.stakeholder)
    return [p.name for p in account.stakeholders if p.name in touched]


def roles_covered(account: Account, names: list[str]) -> list[str]:
    """Which key roles the given stakeholders cover (an executive_sponsor flag counts as that role)."""
    covered: set[str] = set()
    chosen = set(names)
    for person in account.stakeholders:
        if person.name in chosen:
            covered.add(person.role)
            if person.executive_sponsor:
                covered.add("executive_sponsor")
    return [role for role in KEY_ROLES if role in covered]


def seat_utilisation_at(account: Account, on: dt.date) -> tuple[float | None, dt.date | None]:
    """Active users / licensed seats of the latest usage period ending on or before `on`."""
    periods = [u for u in account.usage if u.period_end <= on]
    if not periods:
        return None, None
    latest = max(periods, key=lambda u: u.period_end)
    seats = (
        latest.licensed_seats
        if latest.licensed_seats is not None
        else account.contract.licensed_seats
    )
    if not seats:
        return None, latest.period_end
    return latest.active_users / seats, latest.period_end


def _adoption(account: Account, on: dt.date) -> float | None:
    utilisation, _ = seat_utilisation_at(account, on)
    return None if utilisation is None else min(100.0, utilisation / FULL_UTILISATION * 100)


def _engagement(account: Account, on: dt.date) -> float | None:
    if not account.stakeholders:
        return None
    return 25.0 * len(roles_covered(account, active_stakeholders(account, on)))


def _support(account: Account, on: dt.date) -> float | None:
    if not account.tickets:
        return None
    score = 100.0
    for ticket in account.tickets:
        if ticket.opened > on or (ticket.resolved is not None and ticket.resolved <= on):
            continue
        if ticket.escalation:
            score -= 30
        elif ticket.severity in ("high", "critical"):
            score -= 15
        else:
            score -= 5
    return max(0.0, score)


def _sentiment(account: Account, on: dt.date) -> float | None:
    since = on - dt.timedelta(days=SURVEY_DAYS)
    scores = [
        r.score * 10.0 if r.kind == "nps" else (r.score - 1) / 4 * 100
        for r in account.surveys
        if since < r.date <= on
    ]
    return statistics.fmean(scores) if scores else None


def _outcomes(account: Account, on: dt.date) -> float | None:
    if not account.goals:
        return None
    return statistics.fmean(GOAL_SCORES[g.status] for g in account.goals)


COMPONENTS = {
    "adoption": _adoption,
    "engagement": _engagement,
    "support": _support,
    "sentiment": _sentiment,
    "outcomes": _outcomes,
}
"""Component name -> scoring function (account, date) -> 0-100 or None when no inputs."""

MISSING_REASONS = {
    "adoption": "no usage with licensed seats",
    "engagement": "no stakeholders listed",
    "support": "no support tickets recorded",
    "sentiment": "no NPS/CSAT response in the last 180 days",
    "outcomes": "no customer goals recorded",
}


@dataclass
class HealthScore:
    """A health score at one date: the score, its band, and how it was made."""

    score: float | None
    band: str | None
    components: dict[str, float] = field(default_factory=dict)
    """Scores of the components used."""
    weights: dict[str, float] = field(default_factory=dict)
    """Weights actually applied (re-normalised over the components used)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Components dropped, with why."""
    biggest_drag: str | None = None


def band_of(score: float, settings: Health) -> str:
    if score <= settings.bands.red_max:
        return "red"
    if score <= settings.bands.yellow_max:
        return "yellow"
    return "green"


def health_at(account: Account, on: dt.date, settings: Health) -> HealthScore:
    """The weighted health score on `on`; components without inputs are dropped and the
    remaining weights spread in proportion."""
    scores: dict[str, float] = {}
    missing: dict[str, str] = {}
    for name, weight in settings.weights.items():
        if weight <= 0:
            continue
        value = COMPONENTS[name](account, on)
        if value is None:
            missing[name] = MISSING_REASONS[name]
        else:
            scores[name] = value
    total = sum(settings.weights[name] for name in scores)
    if not scores or total <= 0:
        return HealthScore(None, None, {}, {}, missing)
    weights = {name: settings.weights[name] / total for name in scores}
    score = round(sum(scores[name] * weights[name] for name in scores), 1)
    drag = max(scores, key=lambda name: (weights[name] * (100 - scores[name]), name))
    drag_or_none = drag if weights[drag] * (100 - scores[drag]) > 0 else None
    return HealthScore(
        score,
        band_of(score, settings),
        {k: round(v, 1) for k, v in scores.items()},
        {k: round(v, 4) for k, v in weights.items()},
        missing,
        drag_or_none,
    )
