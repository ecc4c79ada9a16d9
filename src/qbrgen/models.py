"""The account model: what an account manager tracks about one customer, as Pydantic v2 models.

Every field's docstring becomes its description in the JSON Schema (`qbrgen schema`), so editors
can autocomplete and check account files. Money is `Decimal`, never float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
"""A non-negative amount in the workspace currency."""

Fraction = Annotated[float, Field(ge=0, le=1)]

Severity = Literal["low", "medium", "high", "critical"]
Sentiment = Literal["positive", "neutral", "negative"]
Influence = Literal["high", "medium", "low"]
StakeholderRole = Literal[
    "executive_sponsor", "decision_maker", "champion", "user", "influencer", "detractor"
]
MovementType = Literal["new", "expansion", "contraction", "churn", "reactivation"]
RenewalOutcome = Literal["renewed", "churned", "open"]
OpportunityType = Literal["upsell", "cross_sell", "seats", "tier_upgrade", "services"]
OpportunityStage = Literal["identified", "qualified", "proposal", "negotiation", "closed"]
OpportunityOutcome = Literal["open", "won", "lost"]
GoalStatus = Literal["not_started", "on_track", "at_risk", "achieved", "missed"]
RiskStatus = Literal["open", "mitigating", "closed"]
ActionStatus = Literal["open", "done", "cancelled"]
Segment = Literal["enterprise", "mid_market", "smb"]
ReviewKind = Literal["qbr", "ebr", "check_in", "renewal_review"]
InteractionKind = Literal["meeting", "call", "email", "request", "reply", "other"]

HIGH_SEVERITIES: frozenset[str] = frozenset({"high", "critical"})


class Record(BaseModel):
    """Base for every input model: unknown keys are errors, so a typo never vanishes silently."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
        frozen=False,
    )

    def __setattr__(self, name: str, value: object) -> None:
        # Loaded models share one fields-set per shape (see share_field_sets): a model that is
        # changed gets its own copy first, so the change never shows on the others.
        object.__setattr__(self, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        super().__setattr__(name, value)


class Contract(Record):
    """The current commercial agreement."""

    arr: Money
    """Annual recurring revenue of the current contract, in the workspace currency."""
    start_date: dt.date
    """Date the current contract term started (YYYY-MM-DD)."""
    renewal_date: dt.date
    """Date the current term ends and the contract is up for renewal (YYYY-MM-DD)."""
    products: list[str] = Field(default_factory=list)
    """Products or modules the customer has bought."""
    tier: str | None = None
    """Plan or tier name, e.g. 'Enterprise'."""
    licensed_seats: int | None = Field(default=None, ge=0)
    """Seats (user licences) the contract includes; needed for seat utilisation."""
    term_months: int | None = Field(default=None, ge=1)
    """Length of the contract term in months."""
    auto_renew: bool = False
    """Whether the contract renews automatically unless cancelled."""


class ArrMovement(Record):
    """One change to the account's ARR, with a date, a type and a positive amount."""

    date: dt.date
    """Date the change took effect."""
    type: MovementType
    """new, expansion, contraction, churn or reactivation."""
    amount: Money
    """Positive size of the change; the type gives its direction."""
    note: str | None = None
    """Why the ARR changed (seats added, downgrade, ...)."""


class ArrSnapshot(Record):
    """ARR at a quarter end; the engine derives movements from consecutive snapshots."""

    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    """Calendar quarter the snapshot closes, e.g. '2026-Q2'."""
    arr: Money
    """ARR at the end of that quarter."""


class Renewal(Record):
    """A contract renewal that fell due, and what happened."""

    due_date: dt.date
    """Date the renewal was due."""
    outcome: RenewalOutcome
    """renewed, churned, or open (not decided yet)."""
    arr_before: Money
    """ARR up for renewal (the pre-renewal ARR)."""
    arr_after: Money | None = None
    """ARR after the renewal, when decided; lower than arr_before means it renewed with contraction."""
    discount: Fraction | None = None
    """Discount granted at renewal as a fraction (0.1 = 10%)."""
    notes: str | None = None
    """Anything worth remembering about the negotiation."""


class UsagePeriod(Record):
    """Product usage for one period (a quarter, or a month)."""

    period_end: dt.date
    """Last day of the period the figures cover."""
    active_users: int = Field(ge=0)
    """Distinct users active in the period."""
    licensed_seats: int | None = Field(default=None, ge=0)
    """Seats licensed in that period; defaults to the contract's licensed_seats."""
    feature_adoption: dict[str, Fraction] = Field(default_factory=dict)
    """Share of active users (0-1) using each key feature, by feature name."""


class Ticket(Record):
    """A support ticket; escalations are tickets flagged as such."""

    id: str
    """Ticket number in the support system."""
    subject: str
    """One-line summary."""
    severity: Severity
    """low, medium, high or critical."""
    opened: dt.date
    """Date the ticket was opened."""
    resolved: dt.date | None = None
    """Date it was resolved; empty while open."""
    escalation: bool = False
    """True when the ticket was escalated beyond normal support."""
    target_days: int | None = Field(default=None, ge=0)
    """Days within which an escalation should be resolved; defaults from the config."""


class Stakeholder(Record):
    """A person on the customer side."""

    name: str
    """Full name."""
    title: str | None = None
    """Job title."""
    role: StakeholderRole
    """executive_sponsor, decision_maker, champion, user, influencer or detractor."""
    influence: Influence = "medium"
    """How much weight this person carries in decisions: high, medium or low."""
    sentiment: Sentiment = "neutral"
    """How this person feels about us: positive, neutral or negative."""
    last_contact: dt.date | None = None
    """Last meeting, call or email reply with this person."""
    executive_sponsor: bool = False
    """True for the customer's executive sponsor of the relationship."""
    email: str | None = None
    """Email address."""
    reports_to: str | None = None
    """Name of the stakeholder this person reports to, for the org view."""


class BusinessReview(Record):
    """A business review held with the customer."""

    date: dt.date
    """Date it was held."""
    kind: ReviewKind = "qbr"
    """qbr, ebr, check_in or renewal_review; QBR completion counts qbr and ebr."""
    attendees: list[str] = Field(default_factory=list)
    """Who attended (names)."""
    notes: str | None = None
    """Outcome and agreements."""


class SurveyResponse(Record):
    """An NPS or CSAT response."""

    date: dt.date
    """Date of the response."""
    kind: Literal["nps", "csat"]
    """nps (0-10) or csat (1-5)."""
    score: int = Field(ge=0, le=10)
    """The score given."""
    respondent: str | None = None
    """Who answered."""
    comment: str | None = None
    """Verbatim comment."""

    @model_validator(mode="after")
    def _csat_range(self) -> SurveyResponse:
        if self.kind == "csat" and not 1 <= self.score <= 5:
            raise ValueError(f"a csat score is 1-5, got {self.score}")
        return self


class Milestone(Record):
    """A success milestone on the way to a goal."""

    title: str
    """What will be true when it is reached."""
    due: dt.date | None = None
    """Date it is planned for."""
    completed: dt.date | None = None
    """Date it was reached; empty while not reached."""


class Goal(Record):
    """A business goal of the customer's that our product should serve."""

    title: str
    """The goal in the customer's words."""
    metric: str | None = None
    """How the customer measures it."""
    target: str | None = None
    """Target value, e.g. '-20% handling time'."""
    target_date: dt.date | None = None
    """When the customer wants it."""
    status: GoalStatus = "on_track"
    """not_started, on_track, at_risk, achieved or missed."""
    outcome: str | None = None
    """What has been achieved so far."""
    baseline: float | None = None
    """Where the metric stood when the goal was set, as a number (e.g. 12 for 12%)."""
    current: float | None = None
    """Where the metric stands now, as a number in the same unit."""
    target_value: float | None = None
    """The target as a number in the same unit; with `baseline` and `current` the deck draws
    the goal's progress. The text `target` stays the target's wording."""
    unit: str | None = None
    """Unit of baseline, current and target_value: '%', 'days', 'incidents', or an ISO currency
    code such as 'USD' (shown as money)."""
    milestones: list[Milestone] = Field(default_factory=list)
    """Success milestones on the way."""

    @model_validator(mode="after")
    def _numbers_need_each_other(self) -> Goal:
        given = [n for n in ("baseline", "current", "target_value") if getattr(self, n) is not None]
        if given and "target_value" not in given:
            raise ValueError(
                f"{' and '.join(given)} without target_value: give the target as a number too"
            )
        return self


class Risk(Record):
    """Something that could hurt the renewal or the relationship."""

    title: str
    """The risk in one line."""
    severity: Severity
    """low, medium, high or critical."""
    owner: str
    """Who owns the mitigation."""
    side: Literal["us", "customer"] = "us"
    """Whose side the owner is on; a customer-side owner must be one of the stakeholders."""
    opened: dt.date
    """Date the risk was raised."""
    mitigation: str | None = None
    """What is being done about it."""
    status: RiskStatus = "open"
    """open, mitigating or closed."""
    closed: dt.date | None = None
    """Date it was closed."""
    last_reviewed: dt.date | None = None
    """Last date someone reviewed the risk; risks not reviewed for 30 days are 'ageing unnoticed'."""
    shared: bool = False
    """True when this record may be shown to the customer (the QBR deck); by default it stays
    on internal documents only (account plan, prep brief, scorecard, digest)."""


class Opportunity(Record):
    """An expansion opportunity: upsell, cross-sell, seats, tier upgrade or services."""

    title: str
    """What would be sold and to whom."""
    type: OpportunityType
    """upsell, cross_sell, seats, tier_upgrade or services."""
    value: Money
    """Expected ARR added."""
    stage: OpportunityStage = "identified"
    """identified, qualified, proposal, negotiation or closed."""
    outcome: OpportunityOutcome = "open"
    """open, won or lost."""
    close_date: dt.date | None = None
    """Expected (open) or actual (won/lost) close date."""
    rationale: str | None = None
    """The customer need that makes this opportunity real."""
    owner: str | None = None
    """Who owns the opportunity on our side (the CRM's opportunity or deal owner)."""
    next_step: str | None = None
    """The next step recorded in the CRM."""
    shared: bool = False
    """True when this opportunity may be proposed to the customer in the QBR deck (never its value
    or stage, and not while the account's health is red); by default it stays
    on internal documents only (account plan, prep brief, scorecard, digest)."""

    @model_validator(mode="after")
    def _closed_has_outcome(self) -> Opportunity:
        if self.outcome != "open" and self.close_date is None:
            raise ValueError(f"a {self.outcome} opportunity needs its close_date")
        return self


class Action(Record):
    """A next step in the mutual action plan."""

    title: str
    """What will be done."""
    owner: str
    """Who does it."""
    side: Literal["us", "customer"] = "us"
    """Whose side the owner is on; a customer-side owner must be one of the stakeholders."""
    due: dt.date
    """Date it is due."""
    status: ActionStatus = "open"
    """open, done or cancelled."""
    completed: dt.date | None = None
    """Date it was done."""
    agreed_at: dt.date | None = None
    """Date of the business review at which it was agreed with the customer: the deck's "what
    we agreed last time" slide lists the shared actions agreed at the last review held."""
    shared: bool = False
    """True when this record may be shown to the customer (the QBR deck); by default it stays
    on internal documents only (account plan, prep brief, scorecard, digest)."""


class Interaction(Record):
    """A logged touchpoint; requests with a first reply feed the follow-up time KPI."""

    date: dt.datetime
    """When it happened (YYYY-MM-DD or YYYY-MM-DDTHH:MM)."""
    kind: InteractionKind
    """meeting, call, email (sent by us), request (from the customer), reply (from the customer)
    or other; meetings, calls and replies make the stakeholder active."""
    stakeholder: str | None = None
    """Stakeholder involved, by name."""
    first_reply: dt.datetime | None = None
    """For a request: when we first replied."""
    summary: str | None = None
    """What was discussed."""


class Win(Record):
    """Value delivered worth telling the customer's executives about."""

    date: dt.date
    """When it happened."""
    title: str
    """The win in one line."""
    impact: str | None = None
    """Measured effect, in the customer's terms."""
    value: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)
    """The effect as a number (hours saved, incidents prevented, cost avoided ...)."""
    unit: str | None = None
    """What `value` counts: 'hours saved', 'incidents prevented', or an ISO currency code such
    as 'USD' for money (shown formatted, e.g. '$85,000')."""


class RoadmapItem(Record):
    """A product roadmap item relevant to this customer."""

    title: str
    """The roadmap item."""
    quarter: str | None = Field(default=None, pattern=r"^\d{4}-Q[1-4]$")
    """Planned quarter, e.g. '2027-Q1'."""
    relevance: str | None = None
    """Why it matters to this customer (shown to the customer)."""
    priority: str | None = None
    """Title of the customer priority (in `priorities`) this item serves."""


class Priority(Record):
    """One of the customer's priorities for the year ahead, in their words."""

    title: str
    """The priority in one line."""
    detail: str | None = None
    """What success looks like for them."""


class Decision(Record):
    """A decision we need from the customer at the next review."""

    title: str
    """The decision, as a question or a choice."""
    context: str | None = None
    """Why it matters now (shown to the customer)."""
    needed_by: dt.date | None = None
    """When the decision is needed."""


class NextReview(Record):
    """The business review being prepared: when, who, what for."""

    date: dt.date
    """Date of the meeting."""
    attendees: list[str] = Field(default_factory=list)
    """Who attends: stakeholder names and people on our side."""
    objectives: list[str] = Field(default_factory=list)
    """What the meeting should achieve, in a line each."""
    decisions: list[Decision] = Field(default_factory=list)
    """Decisions we need from the customer in the meeting."""


class Account(Record):
    """One customer account: identity, contract, history and the relationship."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    """Stable identifier: lowercase letters, digits, '-' and '_' (used in output paths)."""
    name: str = Field(min_length=1)
    """Customer name as it appears on documents."""
    industry: str
    """Industry, e.g. 'SaaS', 'Healthcare', 'Financial services'."""
    segment: Segment
    """enterprise, mid_market or smb."""
    region: str | None = None
    """Sales region, e.g. 'EMEA'."""
    regulated: bool = False
    """True for customers in regulated industries (documentation and compliance weigh more)."""
    owner: str
    """The account manager who owns the account."""
    language: Literal["en", "de", "fr", "es", "ja"] | None = None
    """Language the customer reads: their QBR deck is written in it (en, de, fr, es or ja;
    default the workspace's `language`). Internal documents stay in the team's language."""
    updated: dt.date | None = None
    """Last date the record was updated; records older than 30 days are stale."""
    contract: Contract
    """The current contract."""
    arr_movements: list[ArrMovement] = Field(default_factory=list)
    """Revenue history as ARR movements (use this or arr_snapshots, not both)."""
    arr_snapshots: list[ArrSnapshot] = Field(default_factory=list)
    """Revenue history as ARR at each quarter end (use this or arr_movements, not both)."""
    renewals: list[Renewal] = Field(default_factory=list)
    """Renewals that fell due and their outcomes."""
    usage: list[UsagePeriod] = Field(default_factory=list)
    """Usage by period, oldest first."""
    tickets: list[Ticket] = Field(default_factory=list)
    """Support tickets and escalations."""
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    """People on the customer side."""
    reviews: list[BusinessReview] = Field(default_factory=list)
    """Business reviews held."""
    surveys: list[SurveyResponse] = Field(default_factory=list)
    """NPS and CSAT responses."""
    goals: list[Goal] = Field(default_factory=list)
    """The customer's business goals and success milestones."""
    risks: list[Risk] = Field(default_factory=list)
    """Risk register."""
    opportunities: list[Opportunity] = Field(default_factory=list)
    """Expansion opportunities."""
    actions: list[Action] = Field(default_factory=list)
    """Next steps: the mutual action plan."""
    interactions: list[Interaction] = Field(default_factory=list)
    """Interaction log (requests and replies feed follow-up time)."""
    wins: list[Win] = Field(default_factory=list)
    """Value delivered."""
    roadmap: list[RoadmapItem] = Field(default_factory=list)
    """Roadmap items to discuss with this customer."""
    priorities: list[Priority] = Field(default_factory=list)
    """The customer's priorities for the year ahead (the deck matches them to the roadmap)."""
    next_review: NextReview | None = None
    """The business review being prepared: date, attendees, objectives, decisions needed."""
    logo: str | None = None
    """The customer's logo (PNG or JPEG) for the deck's cover: a file in the workspace's
    assets/ or templates/ folder."""
    notes: str | None = None
    """Free-form notes; shown as text, never run as a template."""

    @model_validator(mode="after")
    def _one_revenue_form(self) -> Account:
        if self.arr_movements and self.arr_snapshots:
            raise ValueError(
                "give the revenue history as arr_movements or as arr_snapshots, not both"
            )
        return self

    def stakeholder_names(self) -> set[str]:
        """Names of the account's stakeholders, for cross-references."""
        return {s.name for s in self.stakeholders}


def account_json_schema() -> dict[str, object]:
    """The JSON Schema of an account file, for editors (see `qbrgen.schema`)."""
    from qbrgen.schema import account_schema

    return account_schema()


_SHARED_FIELD_SETS: dict[frozenset[str], set[str]] = {}
_NESTED_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _nested_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    found = _NESTED_FIELDS.get(cls)
    if found is None:
        found = tuple(
            name for name, info in cls.model_fields.items() if _holds_record(info.annotation)
        )
        _NESTED_FIELDS[cls] = found
    return found


def _holds_record(annotation: object) -> bool:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_record(arg) for arg in typing.get_args(annotation))


def share_field_sets(model: BaseModel) -> None:
    """Make a loaded model and the models inside it share one "fields set" per shape.

    Pydantic keeps, on every model instance, a set of the field names the input gave: 200 to
    700 bytes each, about half of a validated account's memory (an account holds ~60 small
    models). Instances with the same fields share one set instead: ~150 MB less for 10,000
    accounts. Copies get their own set (pydantic copies it) and so does a model whose field is
    assigned (`Record.__setattr__`), so sharing never changes what `model_fields_set` says.
    """
    stack = [model]
    setattr_ = object.__setattr__
    while stack:
        item = stack.pop()
        key = frozenset(item.__pydantic_fields_set__)
        shared = _SHARED_FIELD_SETS.get(key)
        if shared is None:
            shared = _SHARED_FIELD_SETS[key] = set(key)
        setattr_(item, "__pydantic_fields_set__", shared)
        cls = type(item)
        names = _NESTED_FIELDS.get(cls)
        if names is None:
            names = _nested_fields(cls)
        values = item.__dict__
        for name in names:
            value = values[name]
            if type(value) is list:
                stack.extend(v for v in value if isinstance(v, BaseModel))
            elif isinstance(value, BaseModel):
                stack.append(value)
