"""Who a document is for, and what each audience may see.

Every renderer declares its audience (`Renderer.audience`): the QBR deck is the customer's
(speaker notes included: the file is emailed to them after the meeting), the job description
the candidate's, everything else internal. A customer document's templates receive a
customer-safe view built here, from allow-lists: a field or KPI that is not listed below is
*absent* from the view (not present and hidden by a template condition), so no template,
built-in or a workspace's override, can print it. A field added to a model later is internal
until someone lists it here on purpose.

Records with a `shared` flag (risks, opportunities, actions) reach a customer document only
when the record says `shared: true`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel

from qbrgen import models

Audience = Literal["customer", "candidate", "internal"]
AUDIENCES: tuple[str, ...] = ("customer", "candidate", "internal")

_ALL = frozenset({"*"})

CUSTOMER_FIELDS: dict[type[BaseModel], frozenset[str]] = {
    models.Account: frozenset(
        {
            "name",
            "industry",
            "segment",
            "region",
            "contract",
            "usage",
            "tickets",
            "stakeholders",
            "reviews",
            "surveys",
            "goals",
            "risks",
            "opportunities",
            "actions",
            "wins",
            "roadmap",
            "priorities",
            "next_review",
            "logo",
        }
    ),  # fmt: skip
    models.Contract: frozenset(
        {
            "arr",
            "start_date",
            "renewal_date",
            "products",
            "tier",
            "licensed_seats",
            "term_months",
            "auto_renew",
        }
    ),  # fmt: skip
    models.UsagePeriod: _ALL,
    models.Ticket: frozenset({"id", "subject", "severity", "opened", "resolved", "escalation"}),
    models.Stakeholder: frozenset({"name", "title", "executive_sponsor"}),
    models.BusinessReview: frozenset({"date", "kind", "attendees"}),
    models.SurveyResponse: frozenset({"date", "kind", "score", "comment"}),
    models.Goal: _ALL,
    models.Milestone: _ALL,
    models.Risk: frozenset(
        {"title", "severity", "owner", "side", "opened", "mitigation", "status", "closed"}
    ),
    models.Opportunity: frozenset({"title", "type", "rationale", "outcome"}),
    models.Action: frozenset({"title", "owner", "side", "due", "status", "completed", "agreed_at"}),
    models.Win: _ALL,
    models.RoadmapItem: _ALL,
    models.Priority: _ALL,
    models.Decision: _ALL,
    models.NextReview: _ALL,
}
"""Model -> the fields a customer may see ("*": all of them). Everything else is internal:
the account's id, owner, notes, revenue history and renewal negotiations, interactions;
stakeholders' role, influence, sentiment, e-mail and reporting line; survey respondents;
review notes; opportunity values and stages."""

SHARED_ONLY: tuple[type[BaseModel], ...] = (models.Risk, models.Opportunity, models.Action)
"""Records that reach a customer document only with `shared: true`."""

CUSTOMER_KPIS: frozenset[str] = frozenset(
    {
        "arr", "seat_utilisation", "adoption_trend", "tickets_q", "tickets_prev_q",
        "support_trend", "escalation_time_to_resolution", "escalation_time_to_resolution_q",
        "open_escalations", "nps", "csat", "days_to_renewal", "status",
    }
)  # fmt: skip
"""KPI keys a customer document may show (their own usage, support, survey scores and
contract). Internal: health score, band, components, drag and trend; GRR, NRR and churn;
CLV and ARPA; pipeline and conversion; stakeholder coverage and single-threading; review
completion; follow-up time; and every warning."""

CUSTOMER_SERIES: frozenset[str] = frozenset(
    {"quarters", "utilisation", "tickets", "feature_adoption"}
)
"""Chart series a customer document may draw (ARR history is internal)."""

INTERNAL_NAMES: frozenset[str] = frozenset(
    {
        "kpis", "health", "health_trend", "health_arrow", "warnings", "warning_codes",
        "warning_labels", "expansion_ok", "key_roles", "portfolio",
        "component_definitions", "provenance", "reasons_all",
    }
)  # fmt: skip
"""Names of the internal render context that a customer context does not have."""


class CustomerView:
    """A read-only copy of a record holding only the fields a customer may see.

    Attribute and item access both work (Jinja uses either); a field that is not allowed
    does not exist, so `{{ account.notes }}` in a customer template is an undefined-variable
    error, never the notes."""

    __slots__ = ("_kind", "_values")

    def __init__(self, kind: str, values: dict[str, Any]):
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{self._kind}.{name} is not on customer documents") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a customer view is read-only")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def fields(self) -> list[str]:
        """The names this view holds."""
        return list(self._values)

    def __repr__(self) -> str:
        return f"<customer view of {self._kind}>"


def customer_view(value: Any) -> Any:
    """`value` with every model replaced by its customer view, recursively; records gated by
    `shared` are dropped from lists unless shared."""
    if isinstance(value, BaseModel):
        allowed = CUSTOMER_FIELDS.get(type(value))
        if allowed is None:
            return None  # a model nobody listed: internal as a whole
        names = value.__class__.model_fields if allowed is _ALL else allowed
        return CustomerView(
            type(value).__name__,
            {name: customer_view(getattr(value, name)) for name in names},
        )
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, SHARED_ONLY) and not getattr(item, "shared", False):
                continue
            view = customer_view(item)
            if view is not None or not isinstance(item, BaseModel):
                out.append(view)
        return out
    return value


def is_shared(record: Any) -> bool:
    """Whether a record may reach a customer document."""
    return not isinstance(record, SHARED_ONLY) or bool(getattr(record, "shared", False))


DECK_TEMPLATE_REMEDY = (
    "Use it in the slide's `brief` (the presenter's prep brief), or, for a deck that never "
    "leaves the company, put `audience: internal` at the top of the deck template; "
    "see docs/deck-templates.md, Audience"
)


def internal_names(message: str) -> list[str]:
    """The internal names (fields, KPIs, context variables) a template error mentions."""
    import re

    names = set(re.findall(r"'([A-Za-z_][A-Za-z0-9_]*)'", message))
    names |= set(re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*) is not on customer documents", message))
    return sorted(n for n in names if is_internal_name(n))


def is_internal_name(name: str) -> bool:
    """Whether `name` is something a customer document may not hold: an internal context
    variable, a model field no allow-list names, or a KPI outside `CUSTOMER_KPIS`."""
    model_fields = {n for m in CUSTOMER_FIELDS for n in m.model_fields}
    allowed = {n for m, f in CUSTOMER_FIELDS.items() for n in (m.model_fields if f is _ALL else f)}
    return (
        name in INTERNAL_NAMES
        or (name in model_fields and name not in allowed)
        or (name not in CUSTOMER_KPIS and name in _kpi_keys())
    )


def internal_hint(message: str, remedy: str = DECK_TEMPLATE_REMEDY) -> str:
    """A sentence to add to a template error when it names something internal."""
    internal = internal_names(message)
    if not internal:
        return ""
    return (
        f" ({', '.join(internal)} is internal: a customer deck's context does not hold it. "
        f"{remedy})"
    )


def _kpi_keys() -> set[str]:
    from qbrgen.kpis.definitions import BY_KEY

    return set(BY_KEY) | {"health_band", "health_biggest_drag", "pipeline_by_stage"}
