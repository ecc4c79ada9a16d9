"""Hiring and onboarding kits: the content library (`library`), its models (`models`) and the
selection of one kit's content for a seniority × industry (`select_kit`).

The renderer (`qbrgen.render.kits`) turns a `KitContent` into a job description, an interview
guide, a 30-60-90 onboarding plan and an onboarding tracker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qbrgen.kits.library import Library, all_kits, check_choice, load_library, parse_kit_name
from qbrgen.kits.models import (
    PHASES,
    PILLARS,
    SENIORITIES,
    Check,
    Company,
    Competency,
    Industry,
    Kpi,
    Level,
    Milestone,
    Question,
    Responsibility,
    Skill,
    Summary,
)

__all__ = [
    "KitAccount",
    "KitContent",
    "Library",
    "all_kits",
    "check_choice",
    "due_date",
    "load_library",
    "parse_kit_name",
    "select_kit",
]


@dataclass
class KitAccount:
    """A real account named in the onboarding plan (with --portfolio)."""

    id: str
    name: str
    owner: str
    arr: float
    band: str
    renewal_date: dt.date | None


@dataclass
class KitContent:
    """Everything one kit shows, already filtered to its seniority and industry."""

    seniority: str
    industry: Industry
    level: Level
    company: Company
    summaries: list[Summary]
    responsibilities: dict[str, list[Responsibility]]
    """Pillar id -> responsibilities, pillars in PILLARS order (empty pillars left out)."""
    skills: dict[str, list[Skill]]
    """'soft' and 'technical' -> skills."""
    kpis: dict[str, list[Kpi]]
    """'lagging' and 'leading' -> KPIs."""
    interview: list[tuple[Competency, list[Question]]]
    """Competencies in library order, each with its questions (competencies without any left out)."""
    milestones: dict[str, list[Milestone]]
    """Phase id -> milestones sorted by week, phases in PHASES order."""
    checks: dict[int, list[Check]]
    """30, 60, 90 -> checks."""
    shadow: list[KitAccount] = field(default_factory=list)
    own: list[KitAccount] = field(default_factory=list)

    @property
    def name(self) -> str:
        """'<seniority>-<industry>', the kit's folder name."""
        return f"{self.seniority}-{self.industry.id}"

    @property
    def title(self) -> str:
        return self.level.title

    def questions(self) -> list[Question]:
        return [q for _, items in self.interview for q in items]


def select_kit(library: Library, seniority: str, industry: str) -> KitContent:
    """The content of the kit for `seniority` × `industry` (both checked against the library)."""
    check_choice(seniority, industry, library)

    def pick(section: str) -> list[Any]:
        return [item for item in library.section(section) if item.applies(seniority, industry)]

    responsibilities = pick("responsibilities")
    skills = pick("skills")
    kpis = pick("kpis")
    questions = pick("questions")
    milestones = sorted(pick("milestones"), key=lambda m: m.week)
    checks = pick("checks")
    by_pillar = {p: [r for r in responsibilities if r.pillar == p] for p in PILLARS}
    by_phase = {p: [m for m in milestones if m.phase == p] for p in PHASES}
    interview = [
        (competency, [q for q in questions if q.competency == competency.id])
        for competency in library.section("competencies")
    ]
    company = library.company
    return KitContent(
        seniority=seniority,
        industry=library.sections["industries"][industry],
        level=library.sections["levels"][seniority],
        company=company,
        summaries=pick("summaries"),
        responsibilities={p: items for p, items in by_pillar.items() if items},
        skills={k: [s for s in skills if s.kind == k] for k in ("soft", "technical")},
        kpis={k: [x for x in kpis if x.kind == k] for k in ("lagging", "leading")},
        interview=[(c, qs) for c, qs in interview if qs],
        milestones=by_phase,
        checks={day: [c for c in checks if c.day == day] for day in (30, 60, 90)},
    )


def due_date(start: dt.date, week: int) -> dt.date:
    """Due date of a week-`week` milestone: the fifth day of that week, counted from `start`."""
    return start + dt.timedelta(days=7 * (week - 1) + 4)


def check_date(start: dt.date, day: int) -> dt.date:
    """Date of the day-`day` check: day 1 is the start date; a check falling on a weekend moves
    to the Friday before."""
    date = start + dt.timedelta(days=day - 1)
    return date - dt.timedelta(days=max(0, date.weekday() - 4))


__all__ += ["SENIORITIES", "check_date"]
