"""Property-based tests of the revenue KPIs on random revenue histories (hypothesis).

- the two input forms of one history (quarter-end snapshots, and the movements they mean)
  give identical KPIs;
- GRR is never above 1;
- portfolio ratios equal those recomputed from the summed money amounts;
- adding an account without revenue history changes no retention KPI.

The movements equivalent to a snapshot series are derived here, independently of the engine,
from the rule in kpi-definitions.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qbrgen.config import Workspace
from qbrgen.kpis import compute, report_json
from qbrgen.kpis.periods import Quarter
from qbrgen.models import Account

AS_OF = dt.date(2026, 10, 15)
FIRST = Quarter(2024, 1)
QUARTERS = [FIRST.shift(i) for i in range(12)]  # 2024-Q1 .. 2026-Q4 (the last is after as_of)
RETENTION = (
    "grr",
    "nrr",
    "gross_revenue_churn",
    "logo_churn_rate",
    "expansion_revenue",
    "starting_arr",
    "contraction_arr",
    "churned_arr",
    "cohort_size",
    "churned_logos",
    "new_arr",
)
WINDOWS = ("", "_q", "_prev_q")

# ARR per quarter end: zero often enough to churn and reactivate.
arr_levels = st.sampled_from([0, 0, 500, 1000, 1200, 2500, 4000])
series = st.lists(arr_levels, min_size=1, max_size=len(QUARTERS))


def base(id: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "name": id,
        "industry": "SaaS",
        "segment": "smb",
        "owner": "Dana",
        "contract": {"arr": 100, "start_date": "2023-06-01", "renewal_date": "2027-06-01"},
    }
    data.update(extra)
    return data


def snapshot_account(id: str, levels: list[int]) -> Account:
    snaps = [{"quarter": str(q), "arr": a} for q, a in zip(QUARTERS, levels, strict=False)]
    return Account.model_validate(base(id, arr_snapshots=snaps))


def movement_account(id: str, levels: list[int]) -> Account:
    """The movements a snapshot series means, per the contract: a rise is expansion (new for the
    first ARR, reactivation after a churn), a fall to a positive value contraction, to zero
    churn; each dated at the end of the quarter whose snapshot shows it."""
    out: list[dict[str, Any]] = []
    before, churned = 0, False
    for quarter, level in zip(QUARTERS, levels, strict=False):
        day = quarter.end.isoformat()
        if level > before:
            kind = "expansion" if before else ("reactivation" if churned else "new")
            out.append({"date": day, "type": kind, "amount": level - before})
        elif level < before:
            if level == 0:
                out.append({"date": day, "type": "churn", "amount": before})
                churned = True
            else:
                out.append({"date": day, "type": "contraction", "amount": before - level})
        before = level
    return Account.model_validate(base(id, arr_movements=out))


def without_history(id: str, arr: int, start: dt.date) -> Account:
    contract = {"arr": arr, "start_date": start.isoformat(), "renewal_date": "2028-01-01"}
    return Account.model_validate(base(id, contract=contract))


@settings(max_examples=150, deadline=None)
@given(st.lists(series, min_size=1, max_size=5))
def test_snapshots_and_equivalent_movements_give_identical_kpis(books: list[list[int]]) -> None:
    # A series of zeros means no movement at all, which as movements is "no revenue history".
    assume(all(any(levels) for levels in books))
    snaps = [snapshot_account(f"a{i}", levels) for i, levels in enumerate(books)]
    movs = [movement_account(f"a{i}", levels) for i, levels in enumerate(books)]
    one = report_json(compute(snaps, Workspace(), AS_OF))
    two = report_json(compute(movs, Workspace(), AS_OF))
    assert one["portfolio"] == two["portfolio"]
    assert one["accounts"] == two["accounts"]


@settings(max_examples=150, deadline=None)
@given(st.lists(series, min_size=1, max_size=6))
def test_grr_is_never_above_one(books: list[list[int]]) -> None:
    report = compute(
        [movement_account(f"a{i}", levels) for i, levels in enumerate(books)], Workspace(), AS_OF
    )
    for kpis in [report.portfolio, *report.accounts.values()]:
        for suffix in WINDOWS:
            grr = kpis.get("grr" + suffix)
            # Never above 1. (Below 0 it can go, as the contract's formula says: a cohort
            # account that churns, comes back and churns again in W loses its ARR twice.)
            assert grr is None or grr <= 1
            nrr = kpis.get("nrr" + suffix)
            assert grr is None or nrr >= grr - 1e-12


@settings(max_examples=150, deadline=None)
@given(st.lists(series, min_size=1, max_size=6))
def test_portfolio_ratios_come_from_summed_money(books: list[list[int]]) -> None:
    report = compute(
        [snapshot_account(f"a{i}", levels) for i, levels in enumerate(books)], Workspace(), AS_OF
    )
    p = report.portfolio
    for suffix in WINDOWS:
        own = [k for k in report.accounts.values() if k.get("starting_arr" + suffix)]
        s = sum((k["starting_arr" + suffix] for k in own), Decimal(0))
        e = sum((k["expansion_revenue" + suffix] for k in own), Decimal(0))
        c = sum((k["contraction_arr" + suffix] for k in own), Decimal(0))
        x = sum((k["churned_arr" + suffix] for k in own), Decimal(0))
        assert p["starting_arr" + suffix] == s
        if not s:
            assert p["grr" + suffix] is None
            continue
        assert p["grr" + suffix] == min(1.0, float((s - c - x) / s))
        assert p["nrr" + suffix] == float((s + e - c - x) / s)
        assert p["gross_revenue_churn" + suffix] == float((c + x) / s)
        churned = sum(1 for k in own if k["logo_churn_rate" + suffix] == 1.0)
        assert p["logo_churn_rate" + suffix] == churned / len(own)
    ending = sum((k["ending_arr"] for k in report.accounts.values()), Decimal(0))
    assert p["ending_arr"] == ending
    assert p["arr"] == sum((k["arr"] for k in report.accounts.values()), Decimal(0))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(series, min_size=1, max_size=5),
    st.integers(min_value=1, max_value=90_000),
    st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 6, 1)),
)
def test_an_account_without_history_changes_no_retention_kpi(
    books: list[list[int]], arr: int, start: dt.date
) -> None:
    accounts = [movement_account(f"a{i}", levels) for i, levels in enumerate(books)]
    before = compute(accounts, Workspace(), AS_OF).portfolio
    extra = without_history("no-history", arr, start)
    after = compute([*accounts, extra], Workspace(), AS_OF)
    for key in RETENTION:
        for suffix in WINDOWS:
            assert after.portfolio.get(key + suffix) == before.get(key + suffix), key + suffix
    # ... while every ARR sum counts it from its contract start on.
    own = Decimal(arr) if start <= AS_OF else Decimal(0)
    assert after.portfolio["arr"] == before["arr"] + own
    assert after.accounts["no-history"]["grr"] is None
