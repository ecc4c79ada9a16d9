"""What each KPI means and how to show it: the text behind every appendix and speaker note."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI's label, kind of value (its display rule, see qbrgen.formatting.KINDS) and
    definition."""

    key: str
    label: str
    kind: str
    """ratio | money | score | score_points | percentage_points | count | days | hours | nps |
    csat | flag | text: how every document displays the value."""
    definition: str
    group: str  # lagging | leading
    unit: str | None = None
    """For counts: the unit, singular ('active stakeholder')."""
    audience: str = "all"
    """'internal' for planning figures that never reach a customer-facing document."""


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "grr",
        "Gross revenue retention",
        "ratio",
        "(Starting ARR − contraction − churned ARR) ÷ starting ARR, over the accounts that had ARR at the start of the trailing twelve months (the cohort); never above 100%. Accounts without revenue history are outside the cohort.",
        "lagging",
    ),
    KpiDefinition(
        "nrr",
        "Net revenue retention",
        "ratio",
        "(Starting ARR + expansion and reactivation − contraction − churned ARR) ÷ starting ARR, same cohort as GRR; new logos and accounts without revenue history are outside it.",
        "lagging",
    ),
    KpiDefinition(
        "gross_revenue_churn",
        "Gross revenue churn",
        "ratio",
        "(Contraction + churned ARR) ÷ starting ARR.",
        "lagging",
    ),
    KpiDefinition(
        "logo_churn_rate",
        "Logo churn rate",
        "ratio",
        "Cohort accounts with no ARR at the end of the window ÷ cohort size.",
        "lagging",
    ),
    KpiDefinition(
        "expansion_revenue",
        "Expansion revenue",
        "money",
        "Expansion and reactivation ARR of the starting cohort in the window.",
        "lagging",
    ),
    KpiDefinition(
        "renewal_rate_logos",
        "Renewal rate (logos)",
        "ratio",
        "Renewed ÷ (renewed + churned), among renewals due in the period; open renewals are listed, not counted.",
        "lagging",
    ),
    KpiDefinition(
        "renewal_rate_revenue",
        "Renewal rate (revenue)",
        "ratio",
        "ARR renewed ÷ ARR up for renewal, among decided renewals due in the period, both at the pre-renewal ARR.",
        "lagging",
    ),
    KpiDefinition(
        "upsell_conversion_rate",
        "Upsell / cross-sell conversion",
        "ratio",
        "Opportunities won ÷ (won + lost) with a close date in the period; open ones are excluded.",
        "lagging",
    ),
    KpiDefinition(
        "pipeline",
        "Expansion pipeline",
        "money",
        "Sum of open opportunity values, by stage.",
        "leading",
        audience="internal",
    ),
    KpiDefinition(
        "arpa",
        "ARPA",
        "money",
        "Portfolio ARR at the end of the window ÷ accounts with ARR then (accounts without revenue history count with their contract ARR).",
        "lagging",
    ),
    KpiDefinition(
        "clv",
        "Customer lifetime value",
        "money",
        "Portfolio: ARPA × gross margin ÷ annual logo churn rate. Null when nothing churned in the window.",
        "lagging",
        audience="internal",
    ),
    KpiDefinition(
        "expected_lifetime_value",
        "Expected lifetime value at portfolio churn",
        "money",
        "The account's ARR at the end of the window × gross margin ÷ the portfolio's logo churn rate: an internal planning figure. Null with “no churn in window”, “churned” (ARR fell to 0 by the end of the window) or “no ARR in window” (ARR starts after it).",
        "lagging",
        audience="internal",
    ),
    KpiDefinition(
        "stakeholder_coverage",
        "Stakeholder coverage",
        "count",
        "Active stakeholders: touched (meeting, call, email reply) on a day d with as-of − 90 days < d ≤ as-of; and which of executive sponsor, decision maker, champion and user they cover.",
        "leading",
        unit="active stakeholder",
    ),
    KpiDefinition(
        "single_threaded",
        "Single-threaded",
        "flag",
        "Fewer than two active stakeholders, or no active decision maker or executive sponsor.",
        "leading",
    ),
    KpiDefinition(
        "qbr_completion_rate",
        "QBR completion",
        "ratio",
        "Quarters with at least one business review held ÷ reviews due; one is due per quarter in which the account had ARR (never above 100%).",
        "leading",
    ),
    KpiDefinition(
        "follow_up_time",
        "Follow-up time",
        "hours",
        "Median hours from a customer request to our first reply, where the interaction log has both.",
        "leading",
    ),
    KpiDefinition(
        "seat_utilisation",
        "Seat utilisation",
        "ratio",
        "Active users ÷ licensed seats, latest period.",
        "leading",
    ),
    KpiDefinition(
        "adoption_trend",
        "Adoption trend",
        "percentage_points",
        "Seat utilisation at the as-of date minus at as-of − 3 months, in percentage points, each from the latest usage period ending on or before its date; n/a when the earlier date has no period or both fall on the same one.",
        "leading",
    ),
    KpiDefinition(
        "support_trend",
        "Support trend",
        "ratio",
        "Tickets opened this quarter ÷ tickets the previous quarter, overall and by severity.",
        "leading",
    ),
    KpiDefinition(
        "escalation_time_to_resolution",
        "Escalation time to resolution",
        "days",
        "Median days from opened to resolved for escalations resolved in the period; open escalations are listed with their age.",
        "leading",
    ),
    KpiDefinition(
        "health_score",
        "Health score",
        "score",
        "Weighted average of component scores (adoption, engagement, support, sentiment, outcomes; 0–100). Components without inputs are dropped and their weight spread over the rest. Shown as a whole number (halves up); the band applies to that number: red 0–50, yellow 51–75, green 76–100 by default. The biggest drag is the component with the largest weight × (100 − score); ties go to the larger weight, then alphabetically.",
        "leading",
        audience="internal",
    ),
    KpiDefinition(
        "health_trend",
        "Health trend",
        "score_points",
        "Health score now minus one quarter earlier (as-of − 3 months), in score points. Uses the score recorded in the KPI history within the 14 days before that date when there is one, and says so. Otherwise it compares like with like: a component whose past value cannot be known (engagement when a stakeholder's past contacts are unknown; outcomes, as goal statuses have no dated history) is left out of both scores, and the trend names the components it compared.",
        "leading",
        audience="internal",
    ),
    KpiDefinition(
        "arr",
        "Current ARR",
        "money",
        "ARR at the as-of date: the sum of the account's revenue movements up to that day; an account without revenue history has its contract ARR from the contract start on.",
        "lagging",
    ),
    KpiDefinition(
        "ending_arr",
        "Ending ARR",
        "money",
        "ARR at the end of the trailing twelve months, summing every account (those without revenue history at their contract ARR).",
        "lagging",
    ),
    KpiDefinition(
        "nps",
        "NPS (trailing twelve months)",
        "nps",
        "The share of NPS responses scoring 9–10 minus the share scoring 0–6, in the trailing twelve months, from −100 to 100.",
        "leading",
    ),
    KpiDefinition(
        "csat",
        "CSAT (trailing twelve months)",
        "csat",
        "Mean of the 1–5 CSAT responses in the trailing twelve months.",
        "leading",
    ),
)

SUPPORTING_DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition("starting_arr", "Starting ARR (cohort)", "money", "ARR at the start of the period of the accounts that had ARR then and have a revenue history.", "lagging"),
    KpiDefinition("new_arr", "New-logo ARR", "money", "ARR of new logos won in the period (outside the retention cohort).", "lagging"),
    KpiDefinition("contraction_arr", "Contraction", "money", "Downgrades of the starting cohort in the period.", "lagging"),
    KpiDefinition("churned_arr", "Churned ARR", "money", "ARR lost with churned accounts of the starting cohort.", "lagging"),
    KpiDefinition("ending_arr_without_history", "ARR without revenue history", "money", "Contract ARR, at the end of the period, of accounts that have no revenue history: in ending ARR, outside the retention cohort.", "lagging"),
    KpiDefinition("churned_logos", "Churned logos", "count", "Cohort accounts with no ARR at the end of the period.", "lagging", unit="churned logo"),
    KpiDefinition("cohort_size", "Retention cohort", "count", "Accounts with ARR at the start of the period and a revenue history.", "lagging", unit="account"),
    KpiDefinition("renewals_open", "Open renewals", "count", "Renewals due in the period and not decided yet (listed, not in the rates).", "lagging", unit="open renewal"),
    KpiDefinition("days_to_renewal", "Days to renewal", "count", "Days from the as-of date to the contract's renewal date.", "leading", unit="day"),
    KpiDefinition("open_escalations", "Open escalations", "count", "Escalations open at the as-of date.", "leading", unit="open escalation"),
    KpiDefinition("single_threaded_accounts", "Single-threaded accounts", "count", "Active accounts with fewer than two active stakeholders or no active decision maker or executive sponsor.", "leading", unit="account"),
    KpiDefinition("tickets", "Support tickets opened", "count", "Support tickets opened in the quarter, all severities.", "leading", unit="ticket"),
    KpiDefinition("warnings", "Warnings raised", "count", "Warnings the numbers raise across the book.", "leading", unit="warning"),
    KpiDefinition("accounts_without_revenue_history", "Accounts without revenue history", "count", "Accounts with a contract but neither ARR movements nor snapshots: their contract ARR counts in every ARR sum; they are outside the retention cohort.", "lagging", unit="account"),
)  # fmt: skip
"""Money sums and counts shown beside the KPIs (scorecard summary, ARR bridge, CLI)."""

BY_KEY = {d.key: d for d in DEFINITIONS}
_ALL = {d.key: d for d in (*DEFINITIONS, *SUPPORTING_DEFINITIONS)}
PERIOD_SUFFIXES = ("_prev_q", "_q")


def definition_of(key: str) -> KpiDefinition | None:
    """The definition of a KPI key, also for its quarterly variants ('grr_q', 'grr_prev_q')."""
    found = _ALL.get(key)
    if found is None:
        for suffix in PERIOD_SUFFIXES:
            if key.endswith(suffix):
                return _ALL.get(key[: -len(suffix)])
    return found


def customer_definitions() -> list[KpiDefinition]:
    """The definitions a customer-facing document may show (no internal planning figures)."""
    return [d for d in DEFINITIONS if d.audience != "internal"]


INTERNAL_KPIS = frozenset(d.key for d in DEFINITIONS if d.audience == "internal")
PLANNING_FIGURES = ("expected_lifetime_value", "clv")
"""Internal planning figures a customer-facing document's context never carries."""

HEALTH_COMPONENT_DEFINITIONS = {
    "adoption": "min(100, seat utilisation ÷ 0.8 × 100): 80% of licensed seats active or more scores 100.",
    "engagement": "25 × the number of key roles (executive sponsor, decision maker, champion, user) covered by stakeholders active on the day (touched in the 90 days up to it).",
    "support": "max(0, 100 − 30 per open escalation − 15 per other open high or critical ticket − 5 per other open ticket), tickets open on the day; an account with no tickets at all has no support input.",
    "sentiment": "One mean over every NPS and CSAT response of the last 180 days, each put on 0–100 (NPS × 10, (CSAT − 1) ÷ 4 × 100). Not the NPS/CSAT KPIs, which use the trailing twelve months.",
    "outcomes": "Mean over the customer's goals at their current status: achieved 100, on track 80, not started 50, at risk 30, missed 0.",
}

SENTIMENT_PERIOD = "NPS and CSAT, last 180 days"
"""How the sentiment component's period is labelled wherever the NPS/CSAT KPIs also appear."""

WARNING_LABELS = {
    "utilisation_above_seats": "More active users than licensed seats",
    "expansion_without_health": "Expansion without health context",
    "renewal_hides_contraction": "Renewal rate hides contraction",
    "renewal_at_risk": "Renewal within 120 days with open high-severity risk or escalation",
    "single_threaded_near_renewal": "Single-threaded with renewal within 180 days",
    "no_next_step": "No next step",
    "next_step_overdue": "Next step overdue",
    "stale_record": "Record not updated in 30 days",
}
