"""The weighted health score: component scores (0-100) at a date, re-weighted when missing."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from qbrgen.config import Health
from qbrgen.formatting import round_half_up
from qbrgen.kpis.periods import shift_months
from qbrgen.kpis.reasons import Reason
from qbrgen.labels import N_
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
    """Names of stakeholders touched (meeting, call, email reply) on a day `d` with
    `on` − 90 days < d ≤ `on`."""
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
    if utilisation is None:
        return None
    return min(100.0, round(utilisation / FULL_UTILISATION * 100, NOISE_DIGITS))


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
    return round(statistics.fmean(scores), NOISE_DIGITS) if scores else None


def _outcomes(account: Account, on: dt.date) -> float | None:
    if not account.goals:
        return None
    return round(statistics.fmean(GOAL_SCORES[g.status] for g in account.goals), NOISE_DIGITS)


COMPONENTS = {
    "adoption": _adoption,
    "engagement": _engagement,
    "support": _support,
    "sentiment": _sentiment,
    "outcomes": _outcomes,
}
"""Component name -> scoring function (account, date) -> 0-100 or None when no inputs."""

MISSING_REASONS = {
    "adoption": N_("no usage with licensed seats"),
    "engagement": N_("no stakeholders listed"),
    "support": N_("no support tickets recorded"),
    "sentiment": N_("no NPS/CSAT response in the last 180 days"),
    "outcomes": N_("no customer goals recorded"),
}

DRAG_DIGITS = 6
"""Drags (weight × (100 − score)) are compared after rounding to this many decimals."""
NOISE_DIGITS = 9
"""Scores and trends are kept to 9 decimals: far below any displayed digit, it drops binary
noise (75.49999999999999 is 75.5, a trend of -7e-15 is 0) so rounding for display and a
spreadsheet's own rounding agree."""


@dataclass
class HealthScore:
    """A health score at one date: the score, its band, and how it was made.

    The score and the component scores are unrounded (trends are computed from them); the
    band is that of the score rounded to a whole number, as every document shows it."""

    score: float | None
    band: str | None
    components: dict[str, float] = field(default_factory=dict)
    """Scores of the components used (0-100, unrounded)."""
    weights: dict[str, float] = field(default_factory=dict)
    """Weights actually applied (re-normalised over the components used)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Components dropped, with why."""
    biggest_drag: str | None = None


def display_score(score: float) -> int:
    """The score as documents show it: a whole number, halves rounded up."""
    return int(round_half_up(score))


def band_of(score: float, settings: Health) -> str:
    """The band of a score, applied to the score as displayed (rounded, halves up)."""
    shown = display_score(score)
    if shown <= settings.bands.red_max:
        return "red"
    if shown <= settings.bands.yellow_max:
        return "yellow"
    return "green"


def component_scores(
    account: Account, on: dt.date, settings: Health
) -> tuple[dict[str, float], dict[str, str]]:
    """Each weighted component's score on `on`, and the components without inputs (why)."""
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
    return scores, missing


def _weighted(scores: dict[str, float], settings: Health) -> tuple[float, dict[str, float]] | None:
    """The weighted mean of `scores` with the configured weights spread over them."""
    total = sum(settings.weights[name] for name in scores)
    if not scores or total <= 0:
        return None
    weights = {name: settings.weights[name] / total for name in scores}
    return round(sum(scores[name] * weights[name] for name in scores), NOISE_DIGITS), weights


def biggest_drag(
    scores: dict[str, float], weights: dict[str, float], settings: Health
) -> str | None:
    """The component with the largest weight × (100 − score), compared after rounding to 6
    decimals; a tie goes to the larger configured weight, then to the first alphabetically.
    None when every component scores 100."""
    drags = {name: round(weights[name] * (100 - scores[name]), DRAG_DIGITS) for name in scores}
    ranked = sorted(drags, key=lambda name: (-drags[name], -settings.weights[name], name))
    return ranked[0] if ranked and drags[ranked[0]] > 0 else None


def health_at(account: Account, on: dt.date, settings: Health) -> HealthScore:
    """The weighted health score on `on`; components without inputs are dropped and the
    remaining weights spread in proportion."""
    scores, missing = component_scores(account, on, settings)
    combined = _weighted(scores, settings)
    if combined is None:
        return HealthScore(None, None, {}, {}, missing)
    score, weights = combined
    return HealthScore(
        score,
        band_of(score, settings),
        scores,
        weights,
        missing,
        biggest_drag(scores, weights, settings),
    )


# --- the health trend ------------------------------------------------------------------------

RECORDED_DAYS = 14
"""A score recorded in the KPI history up to this many days before "one quarter earlier" is
used for the trend instead of a reconstruction."""


@dataclass
class HealthTrend:
    """Health score now minus one quarter earlier, and how it was compared."""

    value: float | None
    basis: str | None = None
    """'recorded' (a score from the KPI history), 'like_for_like' (both scores rebuilt from the
    components whose past value can be known), or None when there is no trend."""
    since: dt.date | None = None
    """The earlier day compared with: the recorded score's day, or `as_of` − 3 months."""
    compared: list[str] = field(default_factory=list)
    """Components the trend compares."""
    left_out: dict[str, str] = field(default_factory=dict)
    """Components left out of both scores for the trend, with why."""
    reason: str = ""
    """Why the trend is None."""
    earlier_band: str | None = None
    """The band of the recorded score (recorded basis only): a band a quarter earlier that is
    not a reconstruction."""


def unknown_contacts(account: Account, on: dt.date) -> list[str]:
    """Stakeholders whose active/inactive state on a past day `on` cannot be known: their
    `last_contact` is after `on` and no logged touch falls in the 90 days up to `on` (the log
    is not assumed complete). Someone with neither a last contact nor a logged touch is
    inactive at every date: known."""
    since = on - dt.timedelta(days=ACTIVE_DAYS)
    touched_then: set[str] = set()
    ever_touched: set[str] = set()
    for interaction in account.interactions:
        if interaction.stakeholder and interaction.kind in TOUCH_KINDS:
            ever_touched.add(interaction.stakeholder)
            if since < interaction.date.date() <= on:
                touched_then.add(interaction.stakeholder)
    unknown = []
    for person in account.stakeholders:
        if person.last_contact is not None and person.last_contact <= on:
            continue
        if person.name in touched_then:
            continue
        if person.last_contact is None and person.name not in ever_touched:
            continue
        unknown.append(person.name)
    return unknown


def health_trend(
    account: Account,
    as_of: dt.date,
    settings: Health,
    now: HealthScore,
    recorded: tuple[dt.date, float] | None = None,
) -> HealthTrend:
    """The health trend of kpi-definitions.md (Health and risk): against a score recorded in
    the KPI history within 14 days before `as_of` − 3 months when there is one, else like with
    like from the inputs as they were known then."""
    earlier = shift_months(as_of, -3)
    if now.score is None:
        return HealthTrend(None, reason=N_("no health score now"), since=earlier)
    if recorded is not None:
        day, score = recorded
        return HealthTrend(
            round(now.score - score, NOISE_DIGITS),
            "recorded",
            day,
            list(now.components),
            earlier_band=band_of(score, settings),
        )
    then, missing_then = component_scores(account, earlier, settings)
    left_out: dict[str, str] = {}  # components scored now that the trend cannot compare
    for name in now.components:
        if name == "outcomes":
            left_out[name] = N_("goal statuses have no dated history")
        elif name in missing_then:
            left_out[name] = Reason(
                N_("not scored on %(date)s (%(reason)s)"), date=earlier, reason=missing_then[name]
            )
        elif name == "engagement":
            unknown = unknown_contacts(account, earlier)
            if unknown:
                left_out[name] = Reason(
                    N_(
                        "contacts on %(date)s unknown for %(names)s (last contact later, "
                        "no logged touch then)"
                    ),
                    date=earlier,
                    names=tuple(unknown),
                )
    compared = [name for name in now.components if name not in left_out]
    if not compared:
        return HealthTrend(
            None,
            since=earlier,
            left_out=left_out,
            reason=Reason(
                N_(
                    "no health component comparable with one quarter earlier (%(date)s): %(detail)s"
                ),
                date=earlier,
                detail=tuple(left_out.items()),
            ),
        )
    score_now = _weighted({n: now.components[n] for n in compared}, settings)
    score_then = _weighted({n: then[n] for n in compared}, settings)
    assert score_now is not None and score_then is not None  # compared is not empty
    return HealthTrend(
        round(score_now[0] - score_then[0], NOISE_DIGITS),
        "like_for_like",
        earlier,
        compared,
        left_out,
    )
