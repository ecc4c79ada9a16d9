"""The hiring-kit content library as Pydantic models: every item is tagged with the seniorities
and industries it applies to, so one library yields a kit for each seniority × industry.

A content file (`templates/kits/*.yaml`) is a `ContentFile`: any of the sections below, each a
list of items with an `id`. Unknown keys are errors, like in account files.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from qbrgen.labels import N_
from qbrgen.models import Record

Seniority = Literal["junior", "senior", "strategic"]
SENIORITIES: tuple[str, ...] = ("junior", "senior", "strategic")
"""Every seniority, from first account-management job to a handful of critical accounts."""

Pillar = Literal["retention", "growth", "partnership"]
PILLARS: dict[str, str] = {
    "retention": N_("Retention and account health"),
    "growth": N_("Growth and expansion"),
    "partnership": N_("Strategic partnership and advocacy"),
}
"""The three outcomes the role is built around, in the order documents show them (English
message ids: documents translate them)."""

Owner = Literal["manager", "buddy", "hire"]
OWNERS: tuple[str, ...] = ("hire", "manager", "buddy")
"""Who does an onboarding milestone: the new hire, their manager or their onboarding buddy."""
OWNER_NAMES: dict[str, str] = {
    "hire": N_("New hire"),
    "manager": N_("Manager"),
    "buddy": N_("Buddy"),
}
"""How documents name each owner (English message ids)."""

Phase = Literal["days-1-30", "days-31-60", "days-61-90"]
PHASES: dict[str, str] = {
    "days-1-30": N_("Days 1-30: learn and shadow"),
    "days-31-60": N_("Days 31-60: contribute with support"),
    "days-61-90": N_("Days 61-90: own a book"),
}
"""Onboarding phases and their headings (English message ids)."""
PHASE_NAMES: dict[str, str] = {
    "days-1-30": N_("Days 1-30"),
    "days-31-60": N_("Days 31-60"),
    "days-61-90": N_("Days 61-90"),
}
"""Onboarding phases' short names (the tracker's Phase column)."""

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SLUG_PATTERN = r"^[a-z][a-z0-9-]*$"

SeniorityTag = Literal["junior", "senior", "strategic", "all"]
_ALL: tuple[SeniorityTag] = ("all",)


def _as_list(value: Any) -> Any:
    """Let `seniority: all` or `industries: saas` stand for a one-item list."""
    return [value] if isinstance(value, str) else value


class Tagged(Record):
    """An item of the library: an id, and the kits it belongs in."""

    id: str = Field(pattern=ID_PATTERN)
    """Unique id within its section; a workspace file with the same id replaces the item."""
    seniority: list[SeniorityTag] = Field(default_factory=lambda: list(_ALL), min_length=1)
    """Seniorities the item applies to: junior, senior, strategic, or all (the default)."""
    industries: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    """Industries the item applies to (ids from the `industries` section), or all (the default)."""

    @field_validator("seniority", "industries", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    def applies(self, seniority: str, industry: str) -> bool:
        """True when the item belongs in the kit for `seniority` × `industry`."""
        return ("all" in self.seniority or seniority in self.seniority) and (
            "all" in self.industries or industry in self.industries
        )


class Industry(Record):
    """An industry a kit can be built for."""

    id: str = Field(pattern=SLUG_PATTERN)
    """Short id used on the command line and in tags, e.g. saas, regulated, services."""
    name: str = Field(min_length=1)
    """Name shown on documents, e.g. 'Regulated industries'."""
    examples: str = ""
    """Examples of customers in it, e.g. 'healthcare, banking, insurance'."""


class Level(Record):
    """What a seniority means here: title, book of business, experience, the first accounts."""

    id: Seniority
    """junior, senior or strategic."""
    title: str = Field(min_length=1)
    """Job title, e.g. 'Senior Account Manager'."""
    book: str = Field(min_length=1)
    """The book of business the role carries, in one line."""
    experience: str = Field(min_length=1)
    """Experience asked for, in one line."""
    reports_to: str = "Head of Account Management"
    """Who the role reports to."""
    shadow_accounts: int = Field(default=3, ge=0, le=20)
    """How many accounts the hire shadows in days 1-30."""
    own_accounts: int = Field(default=3, ge=0, le=50)
    """How many accounts the hire takes over in days 61-90."""


class Summary(Tagged):
    """A paragraph of the role summary; the kit joins every paragraph that applies."""

    text: str = Field(min_length=1)
    """The paragraph."""


class Responsibility(Tagged):
    """One responsibility, under one of the three pillars."""

    pillar: Pillar
    """retention, growth or partnership."""
    text: str = Field(min_length=1)
    """What the account manager does, one sentence starting with a verb."""


class Skill(Tagged):
    """A skill the job needs, soft (how they work with people) or technical (how they work)."""

    kind: Literal["soft", "technical"]
    """soft or technical."""
    name: str = Field(min_length=1)
    """Short name, e.g. 'Escalation judgement'."""
    text: str = Field(min_length=1)
    """What it looks like on the job."""


class Kpi(Tagged):
    """A number the level is measured on."""

    name: str = Field(min_length=1)
    """KPI name, e.g. 'Gross revenue retention'."""
    kind: Literal["lagging", "leading"]
    """lagging (the commercial result) or leading (an early signal)."""
    text: str = Field(min_length=1)
    """What it shows and how the level is expected to move it."""


class Competency(Record):
    """A competency the interview tests; questions are grouped under it."""

    id: str = Field(pattern=ID_PATTERN)
    """Id questions refer to."""
    name: str = Field(min_length=1)
    """Heading, e.g. 'Reading risk early'."""
    text: str = ""
    """What the competency is, in one line."""


class Question(Tagged):
    """An interview question with what good and poor answers sound like and a 1-4 rubric."""

    competency: str = Field(pattern=ID_PATTERN)
    """Id of the competency (from the `competencies` section) the question tests."""
    question: str = Field(min_length=1)
    """The question as the interviewer asks it."""
    follow_ups: list[str] = Field(default_factory=list)
    """Probes that push past a rehearsed answer."""
    strong: list[str] = Field(min_length=1)
    """Signals of a strong answer."""
    weak: list[str] = Field(min_length=1)
    """Signals of a weak answer."""
    rubric: dict[Literal[1, 2, 3, 4], str]
    """What earns each score: 1 (no evidence) to 4 (exceptional)."""

    @field_validator("rubric")
    @classmethod
    def _four_scores(cls, value: dict[int, str]) -> dict[int, str]:
        missing = [score for score in (1, 2, 3, 4) if score not in value]
        if missing:
            raise ValueError(
                f"rubric needs a line for each score 1-4; missing {', '.join(map(str, missing))}"
            )
        return dict(sorted(value.items()))


class Milestone(Tagged):
    """One onboarding milestone: a week, an owner and what done looks like."""

    week: int = Field(ge=1, le=13)
    """Week of the first 90 days it is due in (1-13); due on day 5 of that week."""
    owner: Owner
    """Who does it: hire, manager or buddy."""
    title: str = Field(min_length=1)
    """The milestone, short."""
    done_when: str = ""
    """How to tell it is done."""
    accounts: Literal["shadow", "own"] | None = None
    """Set on milestones about the accounts the hire shadows or takes over (named with --portfolio)."""

    @property
    def phase(self) -> str:
        """days-1-30, days-31-60 or days-61-90, from the week."""
        if self.week <= 4:
            return "days-1-30"
        if self.week <= 8:
            return "days-31-60"
        return "days-61-90"


class Check(Tagged):
    """A question the manager answers at the day 30, 60 or 90 check-in."""

    day: Literal[30, 60, 90]
    """30, 60 or 90."""
    text: str = Field(min_length=1)
    """What the manager checks; phrased so the answer is yes or no with evidence."""


class Company(Record):
    """The hiring company: shown on the job description and onboarding plan."""

    name: str | None = None
    """Company name; default the workspace's company.name from qbrgen.yaml."""
    about: str = ""
    """One paragraph about the company, for the job description."""
    location: str = ""
    """Where the role is based, e.g. 'Remote (EU time zones)'."""
    crm: str = "Salesforce"
    """The CRM the team works in, e.g. Salesforce or HubSpot."""
    tools: list[str] = Field(default_factory=list)
    """Other tools the team uses, e.g. Gainsight, Zendesk, Slack."""
    benefits: list[str] = Field(default_factory=list)
    """Benefits listed on the job description."""
    salary: dict[Seniority, str] = Field(default_factory=dict)
    """Salary range shown for each seniority, e.g. junior: '$55,000-$65,000 + bonus'."""
    apply: str = ""
    """How to apply, e.g. an address or a careers page."""
    equal_opportunity: str = ""
    """Equal-opportunity statement at the end of the job description."""


class ContentFile(Record):
    """One content file under `templates/kits/`; every section is optional."""

    company: Company | None = None
    """The hiring company; fields set here replace those of earlier files."""
    industries: list[Industry] = Field(default_factory=list)
    """Industries kits can be built for."""
    levels: list[Level] = Field(default_factory=list)
    """Titles, books of business and experience per seniority."""
    summaries: list[Summary] = Field(default_factory=list)
    """Role summary paragraphs."""
    responsibilities: list[Responsibility] = Field(default_factory=list)
    """Responsibilities by pillar."""
    skills: list[Skill] = Field(default_factory=list)
    """Soft and technical skills."""
    kpis: list[Kpi] = Field(default_factory=list)
    """KPIs each level is measured on."""
    competencies: list[Competency] = Field(default_factory=list)
    """Interview competencies, in interview order."""
    questions: list[Question] = Field(default_factory=list)
    """Interview questions."""
    milestones: list[Milestone] = Field(default_factory=list)
    """Onboarding milestones."""
    checks: list[Check] = Field(default_factory=list)
    """Day 30, 60 and 90 checks."""
    remove: list[str] = Field(default_factory=list)
    """Ids of items from earlier files to drop (any section)."""


SECTIONS: tuple[str, ...] = (
    "industries",
    "levels",
    "summaries",
    "responsibilities",
    "skills",
    "kpis",
    "competencies",
    "questions",
    "milestones",
    "checks",
)
"""Sections that are lists of items with ids, merged across files by id."""
