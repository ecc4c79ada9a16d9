"""The revised KPI contract (kpi-definitions.md v2), rule by rule, on hand-computed cases:
accounts without revenue history, expected lifetime value, the active-stakeholder boundary,
the component formulas, bands on the displayed score, the drag tie-break, the like-for-like
health trend, the adoption trend's dates and the utilisation warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from qbrgen.config import Workspace
from qbrgen.formatting import Formatter
from qbrgen.kpis import compute, report_json
from qbrgen.models import Account
from test_kpis import account, moves

AS_OF = dt.date(2026, 10, 15)  # W = (2025-09-30, 2026-09-30]; one quarter earlier 2026-07-15
EARLIER = dt.date(2026, 7, 15)
SEATS = {
    "arr": 100,
    "start_date": "2024-01-01",
    "renewal_date": "2027-09-01",
    "licensed_seats": 100,
}
"""A contract with 100 licensed seats."""
RETENTION = (
    "grr",
    "nrr",
    "gross_revenue_churn",
    "logo_churn_rate",
    "expansion_revenue",
    "starting_arr",
    "contraction_arr",
    "churned_arr",
)


def weights(**w: float) -> Workspace:
    return Workspace.model_validate({"health": {"weights": w}})


# --- accounts without revenue history ------------------------------------------------------


def test_account_without_history_counts_in_every_arr_sum_and_outside_the_cohort() -> None:
    with_history = account("a", arr_movements=moves(("2024-01-01", "new", 260_000)))
    contract_only = account(
        "b",
        contract={"arr": 25_000, "start_date": "2025-03-01", "renewal_date": "2027-03-01"},
    )
    report = compute([with_history, contract_only], Workspace(), AS_OF)
    p, b = report.portfolio, report.accounts["b"]
    # One ARR number: current ARR and ending ARR both include the contract-only account.
    assert p["arr"] == Decimal(285_000)
    assert p["ending_arr"] == Decimal(285_000)
    assert p["ending_arr_without_history"] == Decimal(25_000)
    assert b["arr"] == Decimal(25_000) and b["ending_arr"] == Decimal(25_000)
    assert b["revenue_history"] is False
    # ARPA: 285,000 over both paying accounts.
    assert p["arpa"] == Decimal(285_000) / 2
    # Outside the cohort: the portfolio's retention is account a's alone.
    assert p["starting_arr"] == Decimal(260_000) and p["cohort_size"] == 1
    for key in RETENTION:
        for suffix in ("", "_q", "_prev_q"):
            assert b[key + suffix] is None, key + suffix
            assert b.reason(key + suffix) == "no revenue history", key + suffix
    # Review completion: reviews are due in the quarters it had (contract) ARR.
    assert b["qbr_due"] == 4
    data = report_json(report)
    assert data["portfolio"]["arr"] == data["portfolio"]["ending_arr"] == 285_000.0
    assert data["accounts"]["b"]["reasons"]["grr"] == "no revenue history"


def test_contract_arr_counts_only_from_the_contract_start() -> None:
    later = account(
        "later",
        contract={"arr": 40_000, "start_date": "2026-10-01", "renewal_date": "2027-10-01"},
    )
    report = compute([later], Workspace(), AS_OF)
    k = report.accounts["later"]
    assert k["arr"] == Decimal(40_000)  # started before as_of
    assert k["ending_arr"] == Decimal(0)  # not yet at the end of W
    assert k["status"] == "active"
    assert k["qbr_due"] == 0
    future = account(
        "future",
        contract={"arr": 40_000, "start_date": "2026-11-01", "renewal_date": "2027-11-01"},
    )
    assert compute([future], Workspace(), AS_OF).accounts["future"]["arr"] == Decimal(0)


# --- expected lifetime value ----------------------------------------------------------------


def test_expected_lifetime_value_and_its_three_null_reasons() -> None:
    steady = account("steady", arr_movements=moves(("2024-01-01", "new", 1000)))
    churned = account(
        "churned", arr_movements=moves(("2024-01-01", "new", 1000), ("2026-02-01", "churn", 1000))
    )
    late = account("late", arr_movements=moves(("2026-10-05", "new", 500)))
    report = compute([steady, churned, late], Workspace(gross_margin=0.8), AS_OF)
    assert report.portfolio["logo_churn_rate"] == pytest.approx(0.5)
    # 1000 × 0.8 / 0.5
    assert report.accounts["steady"]["expected_lifetime_value"] == Decimal("1600.00")
    assert report.accounts["churned"].reason("expected_lifetime_value") == "churned"
    assert report.accounts["late"].reason("expected_lifetime_value") == "no ARR in window"
    alone = compute([steady], Workspace(), AS_OF)
    assert alone.accounts["steady"]["expected_lifetime_value"] is None
    assert alone.accounts["steady"].reason("expected_lifetime_value") == "no churn in window"
    assert "clv" not in alone.accounts["steady"].values  # the portfolio's CLV only


# --- engagement ------------------------------------------------------------------------------


def test_active_stakeholder_boundary_is_as_of_minus_90_exclusive() -> None:
    people = [
        {"name": "Exactly 90", "role": "champion", "last_contact": "2026-07-17"},
        {"name": "Day 89", "role": "decision_maker", "last_contact": "2026-07-18"},
        {"name": "Today", "role": "user", "last_contact": "2026-10-15"},
        {"name": "Tomorrow", "role": "executive_sponsor", "last_contact": "2026-10-16"},
    ]
    assert AS_OF - dt.timedelta(days=90) == dt.date(2026, 7, 17)
    k = compute([account("a", stakeholders=people)], Workspace(), AS_OF).accounts["a"]
    assert k["active_stakeholders"] == ["Day 89", "Today"]
    assert k["stakeholder_coverage"] == 2
    assert k["stakeholder_roles_covered"] == ["decision_maker", "user"]
    assert k.health.components["engagement"] == 50.0


# --- component formulas, band and drag --------------------------------------------------------


def test_component_formulas() -> None:
    a = account(
        "a",
        contract=SEATS,
        usage=[{"period_end": "2026-09-30", "active_users": 95}],
        tickets=[
            {"id": "1", "subject": "s", "severity": "low", "opened": "2026-09-01", "escalation": True},
            {"id": "2", "subject": "s", "severity": "critical", "opened": "2026-09-02"},
            {"id": "3", "subject": "s", "severity": "medium", "opened": "2026-09-03"},
            {"id": "4", "subject": "s", "severity": "high", "opened": "2026-01-03", "resolved": "2026-02-01"},
            {"id": "5", "subject": "s", "severity": "low", "opened": "2026-10-16"},
        ],
        surveys=[
            {"date": "2026-10-01", "kind": "nps", "score": 9},
            {"date": "2026-09-01", "kind": "csat", "score": 4},
            {"date": "2026-04-18", "kind": "csat", "score": 1},  # exactly 180 days: outside
        ],
        goals=[{"title": "g", "status": "not_started"}, {"title": "h", "status": "missed"}],
    )  # fmt: skip
    k = compute([a], Workspace(), AS_OF).accounts["a"]
    c = k.health.components
    assert c["adoption"] == 100.0  # min(100, 0.95 / 0.8 × 100)
    assert c["support"] == 50.0  # 100 − 30 escalation − 15 critical − 5 medium
    assert c["sentiment"] == pytest.approx((90 + 75) / 2)  # one mean of NPS×10 and CSAT
    assert c["outcomes"] == 25.0
    assert "engagement" in k.health.missing  # no stakeholders: dropped, not scored 0


def test_band_applies_to_the_displayed_score() -> None:
    def scored(active: int) -> Any:
        a = account(
            "a",
            contract={
                "arr": 100,
                "start_date": "2024-01-01",
                "renewal_date": "2027-09-01",
                "licensed_seats": 10_000,
            },
            usage=[{"period_end": "2026-09-30", "active_users": active}],
        )
        return compute([a], Workspace(), AS_OF).accounts["a"]

    fmt = Formatter()
    low = scored(4032)  # adoption 50.4: shown 50, so red
    assert low.health.score == pytest.approx(50.4)
    assert low.health.band == "red" and fmt.kpi(low.health.score, "health_score") == "50"
    half = scored(4040)  # adoption 50.5: shown 51 (halves up), so yellow
    assert half.health.band == "yellow" and fmt.kpi(half.health.score, "health_score") == "51"
    green = scored(6040)  # 75.5 -> 76: green
    assert green.health.band == "green" and fmt.kpi(green.health.score, "health_score") == "76"


def test_drag_tie_goes_to_the_larger_weight_then_alphabetical() -> None:
    people = [
        {"name": "C", "role": "champion", "last_contact": "2026-10-01"},
        {"name": "U", "role": "user", "last_contact": "2026-10-01"},
    ]
    open_tickets = [
        {"id": "1", "subject": "s", "severity": "low", "opened": "2026-09-01", "escalation": True},
        {"id": "2", "subject": "s", "severity": "high", "opened": "2026-09-02"},
        {"id": "3", "subject": "s", "severity": "low", "opened": "2026-09-03"},
    ]  # support 100 − 30 − 15 − 5 = 50
    # adoption 50 × weight .3 = 15 ties engagement 25 × .2 = 15 (after rounding to 6 decimals):
    # the larger configured weight wins.
    a = account(
        "a",
        contract=SEATS,
        usage=[{"period_end": "2026-09-30", "active_users": 40}],
        stakeholders=[{"name": "C", "role": "champion", "last_contact": "2026-10-01"}],
    )
    k = compute([a], weights(adoption=0.3, engagement=0.2), AS_OF).accounts["a"]
    assert k.health.components == {"adoption": 50.0, "engagement": 25.0}
    assert k["health_biggest_drag"] == "adoption"
    # Equal weights and equal drags: the first in alphabetical order.
    b = account("b", stakeholders=people, tickets=open_tickets)
    k = compute([b], weights(support=0.2, engagement=0.2), AS_OF).accounts["b"]
    assert k.health.components == {"engagement": 50.0, "support": 50.0}
    assert k["health_biggest_drag"] == "engagement"


# --- the health trend ---------------------------------------------------------------------


def _trend_account(**extra: Any) -> Account:
    base: dict[str, Any] = {
        "contract": SEATS,
        "usage": [
            {"period_end": "2026-06-30", "active_users": 40},
            {"period_end": "2026-09-30", "active_users": 60},
        ],
        "goals": [{"title": "g", "status": "achieved"}],
    }
    base.update(extra)
    return account("a", **base)


def test_trend_leaves_out_engagement_whose_past_cannot_be_known_and_names_what_it_compared() -> (
    None
):
    # Ann's only known contact is after the earlier date and nothing is logged before it: was
    # she active on 2026-07-15? Unknown. Engagement is left out of both scores.
    a = _trend_account(
        stakeholders=[
            {"name": "Ann", "role": "champion", "last_contact": "2026-10-01"},
            {"name": "Bo", "role": "user"},  # never contacted: inactive at every date, known
        ]
    )
    k = compute([a], Workspace(), AS_OF).accounts["a"]
    assert k["health_trend_basis"] == "like_for_like"
    assert k["health_trend_components"] == ["adoption"]
    assert k["health_trend"] == pytest.approx(75 - 50)
    assert k["health_trend_left_out"] == {
        "engagement": "contacts on 2026-07-15 unknown for Ann (last contact later, no logged touch then)",
        "outcomes": "goal statuses have no dated history",
    }
    assert k["health_trend_since"] == EARLIER
    # The old reconstruction would have said engagement 0 a quarter ago: +25 pts from nothing.
    assert Formatter().health_trend(k.values) == "+25.0 pts vs Jul 15, 2026 (adoption compared)"


def test_trend_compares_engagement_when_every_contact_is_known() -> None:
    a = _trend_account(
        stakeholders=[
            {"name": "Ann", "role": "champion", "last_contact": "2026-10-01"},
            {"name": "Cy", "role": "decision_maker", "last_contact": "2026-06-01"},
        ],
        # A logged call in (2026-04-16, 2026-07-15] makes Ann's past state known: active.
        interactions=[{"date": "2026-07-01T10:00", "kind": "call", "stakeholder": "Ann"}],
    )
    k = compute([a], weights(adoption=0.5, engagement=0.5), AS_OF).accounts["a"]
    assert k["health_trend_components"] == ["adoption", "engagement"]
    # now: adoption 75, engagement 25 (Ann; Cy's June contact is over 90 days old) -> 50
    # then: adoption 50, engagement 50 (Ann and Cy active on 2026-07-15) -> 50
    assert k["health_trend"] == pytest.approx(0.0)
    assert Formatter().kpi(k["health_trend"], "health_trend") == "±0.0 pts"


def test_trend_is_null_with_a_reason_when_nothing_is_comparable() -> None:
    a = account("a", goals=[{"title": "g", "status": "on_track"}])
    k = compute([a], Workspace(), AS_OF).accounts["a"]
    assert k["health_score"] == 80.0
    assert k["health_trend"] is None
    assert k.reason("health_trend") == (
        "no health component comparable with one quarter earlier (2026-07-15): "
        "outcomes: goal statuses have no dated history"
    )
    unscored = compute([account("b")], Workspace(), AS_OF).accounts["b"]
    assert unscored.reason("health_trend") == "no health score now"


def test_trend_uses_a_recorded_score_and_says_so() -> None:
    a = _trend_account()
    recorded = {"a": (dt.date(2026, 7, 10), 61.5)}
    k = compute([a], Workspace(), AS_OF, recorded=recorded).accounts["a"]
    # headline now: adoption 75 and outcomes 100 -> 75 × 2/3 + 100 × 1/3
    assert k["health_score"] == pytest.approx(250 / 3)
    assert k["health_trend"] == pytest.approx(250 / 3 - 61.5)
    assert k["health_trend_basis"] == "recorded"
    assert k["health_trend_since"] == dt.date(2026, 7, 10)
    assert k["health_trend_components"] == ["adoption", "outcomes"]
    assert Formatter().health_trend(k.values) == "+21.8 pts vs the score recorded on Jul 10, 2026"


# --- adoption trend and the utilisation warning -------------------------------------------------


def test_adoption_trend_uses_the_latest_period_on_or_before_each_date() -> None:
    seats = SEATS
    monthly = account(
        "m",
        contract=seats,
        usage=[
            {"period_end": "2026-07-31", "active_users": 10},
            {"period_end": "2026-06-30", "active_users": 30},
            {"period_end": "2026-09-30", "active_users": 50},
        ],
    )
    k = compute([monthly], Workspace(), AS_OF).accounts["m"]
    assert k["adoption_trend"] == pytest.approx(20.0)  # 50% now vs 30% (June, before Jul 15)
    same = account("s", contract=seats, usage=[{"period_end": "2026-06-30", "active_users": 30}])
    k = compute([same], Workspace(), AS_OF).accounts["s"]
    assert k["adoption_trend"] is None
    assert k.reason("adoption_trend") == (
        "no usage period since 2026-07-15: both dates fall on the period ending 2026-06-30"
    )
    new = account("n", contract=seats, usage=[{"period_end": "2026-08-31", "active_users": 30}])
    k = compute([new], Workspace(), AS_OF).accounts["n"]
    assert k.reason("adoption_trend") == "no usage period ending on or before 2026-07-15"


def test_utilisation_above_100_percent_raises_a_warning() -> None:
    a = account(
        "a",
        contract=SEATS,
        usage=[{"period_end": "2026-09-30", "active_users": 160}],
    )  # fmt: skip
    k = compute([a], Workspace(), AS_OF).accounts["a"]
    assert k["seat_utilisation"] == pytest.approx(1.6)
    warning = next(w for w in k.warnings if w.code == "utilisation_above_seats")
    assert warning.message == (
        "more active users than licensed seats: 160 active users on 100 seats (160.0%) in the "
        "period ending Sep 30, 2026: a data error or an expansion signal"
    )
    at_seats = account(
        "b",
        contract=SEATS,
        usage=[{"period_end": "2026-09-30", "active_users": 100}],
    )  # fmt: skip
    codes = {w.code for w in compute([at_seats], Workspace(), AS_OF).accounts["b"].warnings}
    assert "utilisation_above_seats" not in codes


# --- the contract fixture workspace -----------------------------------------------------------


def test_validate_warns_when_contract_arr_differs_from_history() -> None:
    from conftest import FIXTURES, run_cli

    result = run_cli("validate", "-w", str(FIXTURES / "contract"))
    assert result.returncode == 0, result.stderr  # a warning, not an error
    assert (
        "accounts/contract-mismatch.yaml:10:3: warning: contract.arr: contract ARR $150,000 "
        "differs from the revenue history's ARR at 2026-10-15, $142,500 (arr_movements, line 13); "
        "every document uses the history's"
    ) in result.stderr
    assert "0 errors, 1 warning" in result.stdout
    data = run_cli("kpis", "--json", "-w", str(FIXTURES / "contract"), check=True)
    import json

    accounts = json.loads(data.stdout)["accounts"]
    assert accounts["contract-mismatch"]["arr"] == 142_500.0  # the history wins
    assert accounts["drag-tie"]["health_components"] == {"adoption": 50.0, "engagement": 25.0}
    assert accounts["drag-tie"]["health_biggest_drag"] == "adoption"
