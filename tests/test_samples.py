"""The sample portfolio in accounts/ shows every KPI and warning, and `qbrgen init` makes a
workspace that validates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from qbrgen.errors import UsageError
from qbrgen.kpis.definitions import WARNING_LABELS
from qbrgen.kpis.revenue import RevenueHistory
from qbrgen.run import Run, open_run
from qbrgen.scaffold import create_workspace, scaffold_files

AS_OF = dt.date(2026, 10, 15)
WINDOW_START, WINDOW_END = dt.date(2025, 9, 30), dt.date(2026, 9, 30)

CAST = {
    "healthy_expansion": "cobalt-ridge",
    "single_threaded": "pinecrest-outdoor",
    "regulated_healthcare": "st-aldric-health",
    "regulated_finance": "harbourview-capital",
    "churned": "fernbrook-media",
    "new_logo": "tidewater-foods",
    "renewed_contraction": "orchard-lane-hotels",
    "missing_usage": "kestrel-manufacturing",
    "red_with_expansion": "brackenridge-telecom",
    "without_revenue_history": "alder-point-dental",
}


@pytest.fixture(scope="module")
def run() -> Run:
    return open_run(ROOT)


def kpis(run: Run, key: str) -> dict:
    return run.report.accounts[CAST[key]].values


def warning_codes(run: Run, key: str) -> set[str]:
    return {w.code for w in run.report.accounts[CAST[key]].warnings}


def in_window(day: dt.date | None) -> bool:
    return day is not None and WINDOW_START < day <= WINDOW_END


# --- the portfolio as a whole ---------------------------------------------------------------


def test_sample_portfolio_validates_without_problems(run: Run) -> None:
    assert run.report.as_of == AS_OF and str(run.report.quarter) == "2026-Q3"
    assert [str(p) for p in run.portfolio.problems.items] == []
    files = sorted((ROOT / "accounts").glob("*.yaml"))
    assert len(files) >= 9
    assert len(run.accounts) == len(files)
    for item in run.accounts:
        assert Path(item.source).name == f"{item.account.id}.yaml"
        assert (ROOT / "accounts" / f"{item.account.id}.yaml").read_text().startswith("#")


def test_validate_cli_exits_zero_on_the_sample(sample_workspace: Path) -> None:
    result = run_cli("validate", cwd=sample_workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(list((sample_workspace / "accounts").glob("*.yaml")))
    assert result.stdout.endswith(f"{count} accounts ready to build; 0 errors\n"), result.stdout


def test_every_required_cast_member_exists(run: Run) -> None:
    ids = {item.account.id for item in run.accounts}
    assert set(CAST.values()) <= ids


def test_both_revenue_history_forms_and_contract_arr_matches_history(run: Run) -> None:
    snapshots = [a.account.id for a in run.accounts if a.account.arr_snapshots]
    movements = [a.account.id for a in run.accounts if a.account.arr_movements]
    assert len(snapshots) >= 2
    without = [a.account.id for a in run.accounts if not RevenueHistory.of(a.account).recorded]
    assert without == [CAST["without_revenue_history"]]
    assert len(snapshots) + len(movements) + len(without) == len(run.accounts)
    for item in run.accounts:
        history = RevenueHistory.of(item.account)
        assert history.arr_at(AS_OF) == item.account.contract.arr, item.account.id


def test_account_without_revenue_history_gives_one_arr_number(run: Run) -> None:
    k = kpis(run, "without_revenue_history")
    reasons = run.report.accounts[CAST["without_revenue_history"]].reasons
    assert k["arr"] == k["ending_arr"] == Decimal(25000)
    for key in ("grr", "nrr", "gross_revenue_churn", "logo_churn_rate", "expansion_revenue"):
        assert k[key] is None and reasons[key] == "no revenue history", key
    portfolio = run.report.portfolio
    assert portfolio["arr"] == portfolio["ending_arr"]  # nothing moved since the end of W
    assert portfolio["arr"] == sum(a["arr"] for a in run.report.accounts.values())
    assert portfolio["accounts_without_revenue_history"] == 1


def test_sample_shows_the_revised_contract_edge_cases(run: Run) -> None:
    alder = kpis(run, "without_revenue_history")
    # Tom Becker's last contact is exactly 90 days before as_of: not active.
    assert AS_OF - dt.timedelta(days=90) == dt.date(2026, 7, 17)
    assert "Tom Becker" not in alder["active_stakeholders"]
    assert alder["seat_utilisation"] > 1
    assert "utilisation_above_seats" in warning_codes(run, "without_revenue_history")
    # Somewhere a stakeholder's past contacts are unknown: the trend leaves engagement out.
    left_out = [k["health_trend_left_out"] for k in run.report.accounts.values()]
    assert any("engagement" in item for item in left_out)
    assert all(
        k["health_trend"] is not None or k.reason("health_trend")
        for k in run.report.accounts.values()
    )


def test_every_account_has_at_least_five_quarters_of_history(run: Run) -> None:
    for item in run.accounts:
        account = item.account
        dates = [m.date for m in RevenueHistory.of(account).movements]
        dates += [u.period_end for u in account.usage]
        dates += [i.date.date() for i in account.interactions]
        dates += [t.opened for t in account.tickets]
        assert min(dates) <= dt.date(2025, 6, 30), account.id


def test_every_warning_type_appears(run: Run) -> None:
    codes = {w.code for w in run.report.portfolio.warnings}
    assert codes == set(WARNING_LABELS)


def test_every_kpi_has_a_value_for_some_account(run: Run) -> None:
    names = {name for k in run.report.accounts.values() for name in k.values}
    empty = [
        name
        for name in sorted(names)
        if all(k.values.get(name) is None for k in run.report.accounts.values())
    ]
    assert empty == []
    portfolio = run.report.portfolio
    assert [name for name, value in portfolio.values.items() if value is None] == []
    for name in ("clv", "arpa", "follow_up_time", "adoption_trend", "support_trend", "grr"):
        assert portfolio[name] is not None, name


def test_health_bands_are_mixed(run: Run) -> None:
    bands = run.report.portfolio.health_distribution
    assert bands["green"] >= 1 and bands["yellow"] >= 1 and bands["red"] >= 1


def test_every_model_section_is_used(run: Run) -> None:
    accounts = [a.account for a in run.accounts]
    for section in (
        "renewals",
        "usage",
        "tickets",
        "stakeholders",
        "reviews",
        "surveys",
        "goals",
        "risks",
        "opportunities",
        "actions",
        "interactions",
        "wins",
        "roadmap",
    ):
        assert sum(1 for a in accounts if getattr(a, section)) >= 5, section
    opps = [o for a in accounts for o in a.opportunities]
    assert {o.type for o in opps} == {"upsell", "cross_sell", "seats", "tier_upgrade", "services"}
    assert {o.stage for o in opps} == {
        "identified",
        "qualified",
        "proposal",
        "negotiation",
        "closed",
    }
    assert {o.outcome for o in opps} == {"open", "won", "lost"}
    movements = {m.type for a in accounts for m in a.arr_movements}
    assert movements >= {"new", "expansion", "contraction", "churn"}
    kestrel = RevenueHistory.of(next(a for a in accounts if a.id == CAST["missing_usage"]))
    assert "reactivation" in {m.type for m in kestrel.movements}
    assert {r.outcome for a in accounts for r in a.renewals} == {"renewed", "churned", "open"}
    assert {g.status for a in accounts for g in a.goals} == {
        "not_started",
        "on_track",
        "at_risk",
        "achieved",
        "missed",
    }
    assert {r.side for a in accounts for r in a.risks} == {"us", "customer"}
    assert {a_.status for a in accounts for a_ in a.actions} == {"open", "done", "cancelled"}
    assert {s.kind for a in accounts for s in a.surveys} == {"nps", "csat"}
    assert {r.kind for a in accounts for r in a.reviews} == {
        "qbr",
        "ebr",
        "check_in",
        "renewal_review",
    }
    people = [s for a in accounts for s in a.stakeholders]
    assert {s.role for s in people} == {
        "executive_sponsor",
        "decision_maker",
        "champion",
        "user",
        "influencer",
        "detractor",
    }
    assert any(s.reports_to for s in people) and any(s.executive_sponsor for s in people)
    tickets = [t for a in accounts for t in a.tickets]
    assert any(t.escalation and t.resolved for t in tickets)
    assert any(t.escalation and t.resolved is None for t in tickets)
    assert any(u.feature_adoption for a in accounts for u in a.usage)


# --- each cast member shows what it is there for -------------------------------------------


def test_healthy_enterprise_account_expands(run: Run) -> None:
    k = kpis(run, "healthy_expansion")
    account = run.portfolio.by_id(CAST["healthy_expansion"]).account
    assert account.segment == "enterprise"
    assert k["health_band"] == "green"
    assert k["single_threaded"] is False
    assert k["qbr_completion_rate"] == 1.0
    assert k["adoption_trend"] > 0
    assert k["nrr"] > 1.0 and k["expansion_revenue"] > 0
    outcomes = {o.outcome for o in account.opportunities}
    assert {"won", "open"} <= outcomes
    assert warning_codes(run, "healthy_expansion") == set()


def test_single_threaded_account_drifts_toward_renewal(run: Run) -> None:
    k = kpis(run, "single_threaded")
    assert run.portfolio.by_id(CAST["single_threaded"]).account.segment == "mid_market"
    assert k["single_threaded"] is True and k["stakeholder_coverage"] == 1
    assert 0 <= k["days_to_renewal"] <= 180
    assert k["adoption_trend"] < 0
    assert {"single_threaded_near_renewal", "next_step_overdue"} <= warning_codes(
        run, "single_threaded"
    )


def test_regulated_healthcare_account_renewal_at_risk(run: Run) -> None:
    k = kpis(run, "regulated_healthcare")
    account = run.portfolio.by_id(CAST["regulated_healthcare"]).account
    assert account.regulated and account.industry == "Healthcare"
    assert 0 <= k["days_to_renewal"] <= 120
    escalations = run.report.accounts[account.id].open_escalations
    assert any(e["severity"] in ("high", "critical") for e in escalations)
    assert any(r.severity in ("high", "critical") and r.status == "open" for r in account.risks)
    assert "renewal_at_risk" in warning_codes(run, "regulated_healthcare")
    assert k["escalation_time_to_resolution_q"] is not None


def test_regulated_financial_services_account_is_healthy(run: Run) -> None:
    k = kpis(run, "regulated_finance")
    account = run.portfolio.by_id(CAST["regulated_finance"]).account
    assert account.regulated and account.industry == "Financial services"
    assert account.arr_snapshots
    assert k["health_band"] in ("green", "yellow")
    assert k["renewal_rate_logos_q"] == 1.0


def test_churned_account(run: Run) -> None:
    k = kpis(run, "churned")
    account = run.portfolio.by_id(CAST["churned"]).account
    assert k["status"] == "churned" and k["arr"] == 0
    assert k["churned_arr"] > 0 and k["logo_churn_rate"] == 1.0
    assert any(in_window(m.date) and m.type == "churn" for m in account.arr_movements)
    assert any(r.outcome == "churned" and in_window(r.due_date) for r in account.renewals)
    assert run.report.portfolio["logo_churn_rate"] > 0
    assert run.report.portfolio["clv"] is not None


def test_new_logo_is_outside_the_retention_cohort(run: Run) -> None:
    k = kpis(run, "new_logo")
    reasons = run.report.accounts[CAST["new_logo"]].reasons
    assert k["grr"] is None and k["nrr"] is None
    assert "new logo" in reasons["grr"]
    assert k["starting_arr"] == 0 and k["arr"] > 0
    assert run.report.portfolio["new_arr"] >= Decimal(54000)


def test_contraction_hidden_by_renewal_rate(run: Run) -> None:
    k = kpis(run, "renewed_contraction")
    assert k["renewal_rate_logos"] == 1.0 and k["renewal_rate_revenue"] == 1.0
    assert k["grr"] < 1.0 and k["contraction_arr"] > 0
    assert {"renewal_hides_contraction", "no_next_step"} <= warning_codes(
        run, "renewed_contraction"
    )


def test_account_without_usage_data(run: Run) -> None:
    k = kpis(run, "missing_usage")
    result = run.report.accounts[CAST["missing_usage"]]
    account = run.portfolio.by_id(CAST["missing_usage"]).account
    assert account.usage == [] and account.arr_snapshots
    assert k["seat_utilisation"] is None and "usage" in result.reasons["seat_utilisation"]
    assert k["adoption_trend"] is None
    assert "adoption" in result.health.missing and result.health.score is not None
    assert "stale_record" in warning_codes(run, "missing_usage")
    assert account.updated is not None and (AS_OF - account.updated).days > 30


def test_red_account_with_expansion_opportunity(run: Run) -> None:
    k = kpis(run, "red_with_expansion")
    account = run.portfolio.by_id(CAST["red_with_expansion"]).account
    assert k["health_band"] == "red"
    assert any(o.outcome == "open" for o in account.opportunities)
    assert "expansion_without_health" in warning_codes(run, "red_with_expansion")


def test_kpis_detail_cli_shows_every_warning(sample_workspace: Path) -> None:
    result = run_cli("kpis", "--json", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    assert all(code in result.stdout for code in WARNING_LABELS)


# --- qbrgen init ---------------------------------------------------------------------------


def test_init_creates_a_workspace_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "new" / "ws"
    result = run_cli("init", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (target / "qbrgen.yaml").is_file()
    assert (target / "templates" / "README.md").is_file()
    examples = sorted((target / "accounts").glob("*.yaml"))
    assert len(examples) == 2
    assert "created" in result.stdout and str(target / "qbrgen.yaml") in result.stdout
    config = (target / "qbrgen.yaml").read_text()
    assert "# as_of:" in config and "\nas_of:" not in config

    validated = run_cli("validate", cwd=target)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "3 files checked: 3 valid, 0 invalid; 2 accounts ready to build; 0 errors" in (
        validated.stdout
    )

    again = run_cli("init", str(target))
    assert again.returncode == 2
    assert "qbrgen.yaml" in again.stdout + again.stderr


def test_init_examples_differ_and_cover_both_history_forms(tmp_path: Path) -> None:
    created = create_workspace(tmp_path / "ws")
    assert created[0].name == "qbrgen.yaml"
    assert all(p.is_file() for p in created)
    run = open_run(tmp_path / "ws", AS_OF)
    assert run.portfolio.problems.errors == []
    accounts = [a.account for a in run.accounts]
    assert {bool(a.arr_movements) for a in accounts} == {True, False}
    assert len({a.segment for a in accounts}) == 2
    assert run.workspace.config.as_of is None


def test_init_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    (target / "accounts").mkdir(parents=True)
    clash = target / "accounts" / "juniper-labs.yaml"
    clash.write_text("mine")
    with pytest.raises(UsageError, match="not overwriting"):
        create_workspace(target)
    assert clash.read_text() == "mine"
    assert not (target / "qbrgen.yaml").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        create_workspace(tmp_path / "file")


def test_scaffold_files_are_package_data() -> None:
    names = [name for name, _ in scaffold_files()]
    assert names[0] == "qbrgen.yaml"
    assert "templates/README.md" in names
    assert sum(1 for n in names if n.startswith("accounts/")) == 2
