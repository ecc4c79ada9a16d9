"""Hand-computed KPI cases, following kpi-definitions.md line by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from qbrgen.config import Workspace
from qbrgen.kpis import compute, report_json
from qbrgen.kpis.periods import Quarter, review_quarter
from qbrgen.kpis.revenue import RevenueHistory
from qbrgen.models import Account

AS_OF = dt.date(2026, 10, 15)  # review quarter 2026-Q3, window (2025-09-30, 2026-09-30]


def account(id: str, **extra: Any) -> Account:
    data: dict[str, Any] = {
        "id": id,
        "name": id.title(),
        "industry": "SaaS",
        "segment": "mid_market",
        "owner": "Dana",
        "contract": {"arr": 100, "start_date": "2024-01-01", "renewal_date": "2027-01-01"},
    }
    data.update(extra)
    return Account.model_validate(data)


def moves(*items: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [{"date": d, "type": t, "amount": a} for d, t, a in items]


def snaps(*items: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"quarter": q, "arr": a} for q, a in items]


def test_review_quarter_and_window() -> None:
    assert review_quarter(AS_OF) == Quarter(2026, 3)
    assert review_quarter(dt.date(2026, 9, 30)) == Quarter(2026, 3)
    assert review_quarter(dt.date(2026, 9, 29)) == Quarter(2026, 2)
    assert review_quarter(AS_OF, "2026-Q1") == Quarter(2026, 1)
    report = compute([], Workspace(), AS_OF)
    assert report.periods.ttm.start == dt.date(2025, 9, 30)
    assert report.periods.ttm.end == dt.date(2026, 9, 30)


def test_grr_nrr_by_hand() -> None:
    # Cohort at 2025-09-30: A 1000, B 500, C 200 -> S = 1700.
    a = account(
        "a",
        arr_movements=moves(
            ("2024-01-01", "new", 1000),
            ("2026-02-01", "expansion", 300),
            ("2026-05-01", "contraction", 100),
        ),
    )
    b = account("b", arr_movements=moves(("2024-06-01", "new", 500), ("2026-03-15", "churn", 500)))
    c = account(
        "c", arr_movements=moves(("2025-01-01", "new", 200), ("2026-08-01", "contraction", 50))
    )
    # New logo inside the window: outside the cohort.
    d = account(
        "d", arr_movements=moves(("2026-01-10", "new", 400), ("2026-06-01", "expansion", 100))
    )
    report = compute([a, b, c, d], Workspace(), AS_OF)
    p = report.portfolio
    assert p["starting_arr"] == Decimal(1700)
    assert p["expansion_revenue"] == Decimal(300)  # d's expansion is not cohort expansion
    assert p["contraction_arr"] == Decimal(150)
    assert p["churned_arr"] == Decimal(500)
    assert p["grr"] == pytest.approx((1700 - 150 - 500) / 1700)
    assert p["nrr"] == pytest.approx((1700 + 300 - 150 - 500) / 1700)
    assert p["gross_revenue_churn"] == pytest.approx(650 / 1700)
    assert p["logo_churn_rate"] == pytest.approx(1 / 3)
    assert p["new_arr"] == Decimal(400)
    assert p["ending_arr"] == Decimal(1200 + 0 + 150 + 500)
    # Portfolio ratio is from summed money, not the mean of account ratios.
    mean_of_ratios = (
        report.accounts["a"]["nrr"] + report.accounts["b"]["nrr"] + report.accounts["c"]["nrr"]
    ) / 3
    assert p["nrr"] != pytest.approx(mean_of_ratios)
    # Per account: a cohort of one.
    assert report.accounts["a"]["nrr"] == pytest.approx(1.2)
    assert report.accounts["a"]["grr"] == pytest.approx(0.9)
    assert report.accounts["b"]["logo_churn_rate"] == 1.0
    assert report.accounts["d"]["grr"] is None
    assert "new logo" in report.accounts["d"].reason("grr")
    # ARPA: ARR at end over paying accounts (a 1200, c 150, d 500).
    assert p["arpa"] == Decimal(1850) / 3


def test_grr_never_above_one() -> None:
    a = account(
        "a", arr_movements=moves(("2024-01-01", "new", 100), ("2026-01-01", "expansion", 50))
    )
    report = compute([a], Workspace(), AS_OF)
    assert report.accounts["a"]["grr"] == 1.0
    assert report.accounts["a"]["nrr"] == pytest.approx(1.5)


def test_both_revenue_forms_give_the_same_kpis() -> None:
    movements = account(
        "x",
        arr_movements=moves(
            ("2025-03-31", "new", 1000),
            ("2025-12-31", "expansion", 200),
            ("2026-03-31", "contraction", 300),
            ("2026-06-30", "churn", 900),
            ("2026-09-30", "reactivation", 400),
        ),
    )
    snapshots = account(
        "x",
        arr_snapshots=snaps(
            ("2025-Q1", 1000),
            ("2025-Q2", 1000),
            ("2025-Q3", 1000),
            ("2025-Q4", 1200),
            ("2026-Q1", 900),
            ("2026-Q2", 0),
            ("2026-Q3", 400),
        ),
    )
    derived = RevenueHistory.of(snapshots).movements
    assert [(m.type, m.amount) for m in derived] == [
        ("new", 1000),
        ("expansion", 200),
        ("contraction", 300),
        ("churn", 900),
        ("reactivation", 400),
    ]
    one = report_json(compute([movements], Workspace(), AS_OF))
    two = report_json(compute([snapshots], Workspace(), AS_OF))
    assert one["portfolio"] == two["portfolio"]
    for key in (
        "grr",
        "nrr",
        "gross_revenue_churn",
        "logo_churn_rate",
        "expansion_revenue",
        "grr_q",
        "nrr_prev_q",
    ):
        assert one["accounts"]["x"][key] == two["accounts"]["x"][key], key
    # Reactivation counts as expansion; ARR at the end is 400, so the logo is not churned.
    assert one["accounts"]["x"]["expansion_revenue"] == 600
    assert one["accounts"]["x"]["logo_churn_rate"] == 0


def test_clv_zero_churn_is_null_with_reason() -> None:
    a = account("a", arr_movements=moves(("2024-01-01", "new", 1000)))
    report = compute([a], Workspace(), AS_OF)
    assert report.portfolio["clv"] is None
    assert report.portfolio.reason("clv") == "no churn in window"
    assert report.accounts["a"]["expected_lifetime_value"] is None
    assert report.accounts["a"].reason("expected_lifetime_value") == "no churn in window"


def test_clv_with_churn() -> None:
    a = account("a", arr_movements=moves(("2024-01-01", "new", 1000)))
    b = account(
        "b", arr_movements=moves(("2024-01-01", "new", 1000), ("2026-02-01", "churn", 1000))
    )
    report = compute([a, b], Workspace(gross_margin=0.8), AS_OF)
    # ARPA = 1000 (one paying account), churn 1/2 -> CLV = 1000 * 0.8 / 0.5
    assert report.portfolio["clv"] == Decimal("1600.00")


def test_renewal_rate_hides_contraction() -> None:
    a = account(
        "a",
        arr_movements=moves(("2024-01-01", "new", 1000), ("2026-03-01", "contraction", 400)),
        renewals=[
            {"due_date": "2026-03-01", "outcome": "renewed", "arr_before": 1000, "arr_after": 600},
        ],
    )
    b = account(
        "b",
        arr_movements=moves(("2024-01-01", "new", 500), ("2026-04-01", "churn", 500)),
        renewals=[{"due_date": "2026-04-01", "outcome": "churned", "arr_before": 500}],
    )
    c = account("c", renewals=[{"due_date": "2026-09-01", "outcome": "open", "arr_before": 100}])
    report = compute([a, b, c], Workspace(), AS_OF)
    p = report.portfolio
    assert p["renewal_rate_logos"] == pytest.approx(0.5)
    # Revenue renewal rate at pre-renewal ARR: 1000 / (1000 + 500).
    assert p["renewal_rate_revenue"] == pytest.approx(1000 / 1500)
    assert p["renewals_open"] == 1
    # 100% logo renewal for a, yet ARR fell: the warning must say so.
    assert report.accounts["a"]["renewal_rate_logos"] == 1.0
    assert "renewal_hides_contraction" in {w.code for w in report.accounts["a"].warnings}
    assert report.accounts["a"]["grr"] == pytest.approx(0.6)


def test_conversion_pipeline_and_expansion_warning() -> None:
    a = account(
        "a",
        arr_movements=moves(("2024-01-01", "new", 1000)),
        usage=[{"period_end": "2026-09-30", "active_users": 5, "licensed_seats": 100}],
        opportunities=[
            {
                "title": "w",
                "type": "upsell",
                "value": 100,
                "stage": "closed",
                "outcome": "won",
                "close_date": "2026-01-10",
            },
            {
                "title": "l",
                "type": "seats",
                "value": 50,
                "stage": "closed",
                "outcome": "lost",
                "close_date": "2026-02-10",
            },
            {
                "title": "old",
                "type": "seats",
                "value": 50,
                "stage": "closed",
                "outcome": "lost",
                "close_date": "2024-02-10",
            },
            {"title": "o", "type": "cross_sell", "value": 70, "stage": "proposal"},
            {"title": "o2", "type": "cross_sell", "value": 30, "stage": "qualified"},
        ],
    )
    report = compute([a], Workspace(), AS_OF)
    k = report.accounts["a"]
    assert k["upsell_conversion_rate"] == pytest.approx(0.5)
    assert k["pipeline"] == Decimal(100)
    assert k["pipeline_by_stage"] == {"proposal": Decimal(70), "qualified": Decimal(30)}
    # Only adoption has inputs: 5% utilisation -> score 6.25 -> red.
    assert k.health.band == "red"
    assert k.health.components == {"adoption": pytest.approx(6.25)}
    assert set(k.health.missing) == {"engagement", "support", "sentiment", "outcomes"}
    assert "expansion_without_health" in {w.code for w in k.warnings}


def test_health_reweighting_and_drag() -> None:
    a = account(
        "a",
        contract={
            "arr": 100,
            "start_date": "2024-01-01",
            "renewal_date": "2027-06-01",
            "licensed_seats": 100,
        },
        usage=[
            {"period_end": "2026-06-30", "active_users": 40},
            {"period_end": "2026-09-30", "active_users": 60},
        ],
        goals=[{"title": "g", "status": "achieved"}, {"title": "h", "status": "at_risk"}],
    )
    report = compute([a], Workspace(), AS_OF)
    k = report.accounts["a"]
    # adoption = 0.6/0.8*100 = 75 (weight .30), outcomes = (100+30)/2 = 65 (weight .15)
    # re-weighted: 75 * 2/3 + 65 * 1/3 = 71.67 (kept unrounded; shown as 72)
    assert k.health.score == pytest.approx(215 / 3)
    assert k.health.band == "yellow"
    assert k.health.weights == {"adoption": pytest.approx(2 / 3), "outcomes": pytest.approx(1 / 3)}
    # drag: adoption .667*25 = 16.7 > outcomes .333*35 = 11.7
    assert k["health_biggest_drag"] == "adoption"
    assert k["seat_utilisation"] == pytest.approx(0.6)
    assert k["adoption_trend"] == pytest.approx(20.0)
    # A quarter ago adoption was 50; goal statuses have no dated history, so outcomes is left
    # out of both scores and the trend compares adoption alone: 75 - 50.
    assert k["health_trend"] == pytest.approx(25.0)
    assert k["health_trend_basis"] == "like_for_like"
    assert k["health_trend_components"] == ["adoption"]
    assert k["health_trend_left_out"] == {"outcomes": "goal statuses have no dated history"}


def test_missing_inputs_are_null_with_reasons() -> None:
    a = account("a")
    report = compute([a], Workspace(), AS_OF)
    k = report.accounts["a"]
    for key in (
        "grr",
        "nrr",
        "seat_utilisation",
        "adoption_trend",
        "health_score",
        "follow_up_time",
        "escalation_time_to_resolution",
        "renewal_rate_logos",
    ):
        assert k[key] is None, key
        assert k.reason(key), key
    assert k.reason("grr") == "no revenue history"
    assert k["arr"] == Decimal(100)  # from the contract


def test_engagement_single_threaded_qbr_followup_escalations() -> None:
    a = account(
        "a",
        arr_movements=moves(("2024-01-01", "new", 1000)),
        stakeholders=[
            {"name": "Ann", "role": "champion", "last_contact": "2026-10-01"},
            {"name": "Bob", "role": "decision_maker", "last_contact": "2026-05-01"},
        ],
        reviews=[{"date": "2026-08-01"}, {"date": "2026-02-01"}, {"date": "2026-02-20"}],
        interactions=[
            {"date": "2026-03-01T09:00", "kind": "request", "first_reply": "2026-03-01T13:00"},
            {"date": "2026-04-01T09:00", "kind": "request", "first_reply": "2026-04-02T09:00"},
            {"date": "2026-05-01T09:00", "kind": "request", "first_reply": "2026-05-01T10:00"},
            {"date": "2026-05-02T09:00", "kind": "request"},
        ],
        tickets=[
            {
                "id": "1",
                "subject": "s",
                "severity": "high",
                "opened": "2026-01-01",
                "resolved": "2026-01-11",
                "escalation": True,
            },
            {
                "id": "2",
                "subject": "s",
                "severity": "high",
                "opened": "2026-02-01",
                "resolved": "2026-02-05",
                "escalation": True,
            },
            {
                "id": "3",
                "subject": "s",
                "severity": "critical",
                "opened": "2026-09-20",
                "escalation": True,
            },
        ],
    )
    report = compute([a], Workspace(), AS_OF)
    k = report.accounts["a"]
    assert k["stakeholder_coverage"] == 1
    assert k["single_threaded"] is True
    assert k["qbr_due"] == 4 and k["qbr_held"] == 2
    assert k["qbr_completion_rate"] == pytest.approx(0.5)
    assert k["follow_up_time"] == pytest.approx(4.0)  # median of 4, 24, 1
    assert k["escalation_time_to_resolution"] == pytest.approx(7.0)  # median of 10, 4
    assert k["open_escalations"] == 1
    assert k.open_escalations[0]["age_days"] == 25 and k.open_escalations[0]["past_target"] is True


def test_support_trend_by_severity() -> None:
    tickets = [
        {"id": str(i), "subject": "s", "severity": sev, "opened": day, "resolved": day}
        for i, (sev, day) in enumerate(
            [
                ("low", "2026-07-05"),
                ("low", "2026-08-05"),
                ("high", "2026-09-05"),
                ("low", "2026-04-05"),
                ("high", "2026-05-05"),
            ]
        )
    ]
    report = compute([account("a", tickets=tickets)], Workspace(), AS_OF)
    trend = report.accounts["a"]["support_trend"]
    assert trend["low"] == 2.0 and trend["high"] == 1.0 and trend["medium"] is None
    assert trend["all"] == pytest.approx(1.5)


def test_warnings_renewal_single_thread_next_step_stale() -> None:
    a = account(
        "a",
        contract={"arr": 100, "start_date": "2024-01-01", "renewal_date": "2026-12-01"},
        updated="2026-08-01",
        risks=[
            {"title": "Budget cut", "severity": "high", "owner": "Dana", "opened": "2026-09-01"}
        ],
        actions=[{"title": "Send proposal", "owner": "Dana", "due": "2026-10-01"}],
    )
    report = compute([a], Workspace(), AS_OF)
    codes = {w.code for w in report.accounts["a"].warnings}
    assert codes == {
        "renewal_at_risk",
        "single_threaded_near_renewal",
        "next_step_overdue",
        "stale_record",
    }
    b = account(
        "b",
        updated="2026-10-10",
        contract={"arr": 100, "start_date": "2024-01-01", "renewal_date": "2027-09-01"},
    )
    assert {w.code for w in compute([b], Workspace(), AS_OF).accounts["b"].warnings} == {
        "no_next_step"
    }
