"""What each KPI means and how to show it: the text behind every appendix and speaker note."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI's label, kind of value (for formatting) and definition."""

    key: str
    label: str
    kind: str  # ratio | money | days | hours | points | count | score | flag
    definition: str
    group: str  # lagging | leading


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "grr",
        "Gross revenue retention",
        "ratio",
        "(Starting ARR − contraction − churned ARR) ÷ starting ARR, over the accounts that had ARR at the start of the trailing twelve months; never above 100%.",
        "lagging",
    ),
    KpiDefinition(
        "nrr",
        "Net revenue retention",
        "ratio",
        "(Starting ARR + expansion − contraction − churned ARR) ÷ starting ARR, same cohort as GRR; new logos are outside it.",
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
    ),
    KpiDefinition(
        "arpa",
        "ARPA",
        "money",
        "Portfolio ARR at the end of the window ÷ accounts with ARR then.",
        "lagging",
    ),
    KpiDefinition(
        "clv",
        "Customer lifetime value",
        "money",
        "ARPA × gross margin ÷ annual logo churn rate (per account: its own ARR in place of ARPA). Null when nothing churned in the window.",
        "lagging",
    ),
    KpiDefinition(
        "stakeholder_coverage",
        "Stakeholder coverage",
        "count",
        "Stakeholders touched (meeting, call, email reply) in the last 90 days, and which of executive sponsor, decision maker, champion and user they cover.",
        "leading",
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
        "Business reviews held ÷ due; one is due per quarter in which the account had ARR.",
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
        "points",
        "Seat utilisation now minus one quarter earlier, in percentage points.",
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
        "Weighted average of component scores (adoption, engagement, support, sentiment, outcomes; 0–100). Components without inputs are dropped and their weight spread over the rest. Red 0–50, yellow 51–75, green 76–100 by default.",
        "leading",
    ),
    KpiDefinition(
        "health_trend",
        "Health trend",
        "points",
        "Health score now minus the score one quarter earlier.",
        "leading",
    ),
)

BY_KEY = {d.key: d for d in DEFINITIONS}

HEALTH_COMPONENT_DEFINITIONS = {
    "adoption": "Seat utilisation; 80% or more scores 100.",
    "engagement": "25 points for each key role (executive sponsor, decision maker, champion, user) among stakeholders active in the last 90 days.",
    "support": "100, minus 30 per open escalation, 15 per other open high or critical ticket, 5 per other open ticket.",
    "sentiment": "Mean of NPS (score × 10) and CSAT ((score − 1) ÷ 4 × 100) responses of the last 180 days.",
    "outcomes": "Mean over the customer's goals: achieved 100, on track 80, not started 50, at risk 30, missed 0.",
}

WARNING_LABELS = {
    "expansion_without_health": "Expansion without health context",
    "renewal_hides_contraction": "Renewal rate hides contraction",
    "renewal_at_risk": "Renewal within 120 days with open high-severity risk or escalation",
    "single_threaded_near_renewal": "Single-threaded with renewal within 180 days",
    "no_next_step": "No next step",
    "next_step_overdue": "Next step overdue",
    "stale_record": "Record not updated in 30 days",
}
