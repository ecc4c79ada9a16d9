"""Cross-field checks that a single field's type cannot express (dates in order, references)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from qbrgen.errors import ProblemList, some_of

if TYPE_CHECKING:
    from qbrgen.loading import Locate, Portfolio, SourcedAccount


def check_account(item: SourcedAccount, problems: ProblemList) -> None:
    """Record every cross-field problem of one account."""
    account, at = item.account, item.locate
    contract = account.contract
    if contract.renewal_date <= contract.start_date:
        problems.add(
            at(("contract", "renewal_date")),
            f"renewal date {contract.renewal_date} is not after the contract start {contract.start_date}",
            "contract.renewal_date",
        )
    names = account.stakeholder_names()

    def ref(loc: tuple[str | int, ...], name: str | None, what: str) -> None:
        if name is not None and name not in names:
            known = some_of(sorted(names), close_to=name) if names else "none listed"
            problems.add(
                at(loc),
                f"{what} '{name}' is not one of this account's stakeholders ({known})",
                ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(
                    ".[", "["
                ),
                hint="add them under stakeholders, or correct the name",
            )

    for i, risk in enumerate(account.risks):
        if risk.side == "customer":
            ref(("risks", i, "owner"), risk.owner, "risk owner")
        if risk.closed and risk.closed < risk.opened:
            problems.add(
                at(("risks", i, "closed")),
                f"closed {risk.closed} is before opened {risk.opened}",
                f"risks[{i}].closed",
            )
    for i, action in enumerate(account.actions):
        if action.side == "customer":
            ref(("actions", i, "owner"), action.owner, "action owner")
    for i, person in enumerate(account.stakeholders):
        if person.reports_to is not None:
            ref(("stakeholders", i, "reports_to"), person.reports_to, "reports_to")
    for i, interaction in enumerate(account.interactions):
        ref(("interactions", i, "stakeholder"), interaction.stakeholder, "stakeholder")
        if interaction.first_reply and interaction.first_reply < interaction.date:
            problems.add(
                at(("interactions", i, "first_reply")),
                "first reply is before the request",
                f"interactions[{i}].first_reply",
            )
    priorities = {p.title for p in account.priorities}
    for i, planned in enumerate(account.roadmap):
        if planned.priority is not None and planned.priority not in priorities:
            known = (
                some_of(sorted(priorities), close_to=planned.priority)
                if priorities
                else "none listed"
            )
            problems.add(
                at(("roadmap", i, "priority")),
                f"priority '{planned.priority}' is not one of this account's priorities ({known})",
                f"roadmap[{i}].priority",
                hint="add it under priorities, or correct the title",
            )
    seen_names: dict[str, int] = {}
    for i, person in enumerate(account.stakeholders):
        if person.name in seen_names:
            problems.add(
                at(("stakeholders", i, "name")),
                f"stakeholder '{person.name}' is listed twice (also item {seen_names[person.name]})",
                f"stakeholders[{i}].name",
            )
        seen_names.setdefault(person.name, i)
    for i, ticket in enumerate(account.tickets):
        if ticket.resolved and ticket.resolved < ticket.opened:
            problems.add(
                at(("tickets", i, "resolved")),
                f"resolved {ticket.resolved} is before opened {ticket.opened}",
                f"tickets[{i}].resolved",
            )
    for i, renewal in enumerate(account.renewals):
        if renewal.outcome == "open" and renewal.arr_after is not None:
            problems.add(
                at(("renewals", i, "arr_after")),
                "an open renewal has no ARR after yet",
                f"renewals[{i}].arr_after",
                hint="set outcome to renewed or churned",
            )
        if renewal.outcome == "churned" and renewal.arr_after not in (None, Decimal(0)):
            problems.add(
                at(("renewals", i, "arr_after")),
                f"a churned renewal keeps no ARR, got {renewal.arr_after}",
                f"renewals[{i}].arr_after",
            )
    quarters: dict[str, int] = {}
    for i, snap in enumerate(account.arr_snapshots):
        if snap.quarter in quarters:
            problems.add(
                at(("arr_snapshots", i, "quarter")),
                f"quarter {snap.quarter} appears twice",
                f"arr_snapshots[{i}].quarter",
            )
        quarters[snap.quarter] = i
    running = Decimal(0)
    for i, move in sorted(enumerate(account.arr_movements), key=lambda pair: pair[1].date):
        running += (
            move.amount if move.type in ("new", "expansion", "reactivation") else -move.amount
        )
        if running < 0:
            problems.add(
                at(("arr_movements", i, "amount")),
                f"ARR would fall below zero ({running}) on {move.date}",
                f"arr_movements[{i}].amount",
                hint="check the amounts and dates of earlier movements",
            )
            break


def check_portfolio(portfolio: Portfolio) -> None:
    """Per-account checks, then ids duplicated across files. Accounts with errors are dropped
    from the portfolio (their problems stay), so no document is built from bad data."""
    problems = portfolio.problems
    bad: set[int] = set()
    for index, item in enumerate(portfolio.accounts):
        before = len(problems.errors)
        check_account(item, problems)
        if len(problems.errors) > before:
            bad.add(index)
            portfolio.invalid_files.add(item.source.split(":")[0])
    ids = [(item.account.id, item.source, item.locate) for item in portfolio.accounts]
    bad |= check_duplicate_ids(ids, problems, portfolio.invalid_files)
    portfolio.accounts = [a for i, a in enumerate(portfolio.accounts) if i not in bad]
    portfolio.accounts.sort(key=lambda a: a.account.id)


def check_duplicate_ids(
    accounts: Sequence[tuple[str, str, Locate]], problems: ProblemList, invalid_files: set[str]
) -> set[int]:
    """Every account (id, source, locate) whose id another one also has: each one's problem
    recorded, its file marked invalid; returns their indexes."""
    by_id: dict[str, list[int]] = defaultdict(list)
    for index, (account_id, _, _) in enumerate(accounts):
        by_id[account_id].append(index)
    bad: set[int] = set()
    for account_id, indexes in by_id.items():
        if len(indexes) > 1:
            places = " and ".join(str(accounts[i][2](("id",))) for i in indexes)
            for i in indexes:
                problems.add(
                    accounts[i][2](("id",)),
                    f"account id '{account_id}' is used more than once: {places}",
                    "id",
                    hint="each account needs its own id",
                )
                bad.add(i)
                invalid_files.add(accounts[i][1].split(":")[0])
    return bad
