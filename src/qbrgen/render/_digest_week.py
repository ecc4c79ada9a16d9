"""What the weekly digest says, as plain data: the digest's model (Fact, AccountWeek, Item,
DigestList, Moved, Digest), the week's dated facts of one account, the needs-action lists built
from the KPI engine's warnings, and what moved since the previous recorded run (the KPI
history). `render/digest.py` plans the digest job from this and writes it as Markdown and PDF.

The lists are the KPI engine's warnings wherever the engine raises one; only "risks ageing
unnoticed" (a fact of the risk register, not a KPI) is read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qbrgen.history.changes import Change, account_changes
from qbrgen.history.facts import account_facts
from qbrgen.labels import N_, NP_
from qbrgen.models import HIGH_SEVERITIES
from qbrgen.palette import SEVERITY_RANK

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

WEEK_DAYS = 7
"""The review looks at facts dated in the seven days up to and including as_of."""
RISK_REVIEW_DAYS = 30
"""An open risk nobody reviewed for longer than this is 'ageing unnoticed'."""

DIRECTIONS = (N_("reduced risk"), N_("increased value"), N_("clarified next step"))
VERDICTS = (N_("moved"), N_("slipped"), N_("stalled"))
"""An account's week in one word (English message ids, written translated)."""

# The lists, most urgent first: (code, title, why it matters)
LISTS: tuple[tuple[str, str, str], ...] = (
    ("renewal_at_risk", N_("Renewals inside 120 days with open risks"),
     N_("An open high-severity risk or escalation this close to renewal needs a plan this week.")),
    ("escalation_past_target", N_("Escalations open past their target"),
     N_("The customer is waiting longer than we promised.")),
    ("expansion_without_health", N_("Expansion pursued on red accounts"),
     N_("Selling more to an unhealthy account risks the renewal; fix value first.")),
    ("single_threaded_near_renewal", N_("Single-threaded accounts near renewal"),
     N_("One contact away from losing the renewal: add a decision maker or sponsor.")),
    ("next_step", N_("Next steps missing or overdue"),
     N_("Every account needs a dated next step that is not in the past.")),
    ("utilisation_above_seats", N_("More active users than licensed seats"),
     N_("A data error or an expansion signal: either way, find out which this week.")),
    ("risk_ageing", N_("Risks ageing unnoticed"),
     N_("Open risks nobody has reviewed in 30 days.")),
    ("stale_record", N_("Records not updated in 30 days"),
     N_("Stale records make every number above less true.")),
    ("renewal_hides_contraction", N_("Renewals that hid contraction"),
     N_("Counted as renewed while ARR fell: discuss the downgrade, not the renewal rate.")),
)  # fmt: skip
LIST_ORDER = {code: i for i, (code, _, _) in enumerate(LISTS)}
WARNING_LIST = {
    "renewal_at_risk": "renewal_at_risk",
    "expansion_without_health": "expansion_without_health",
    "single_threaded_near_renewal": "single_threaded_near_renewal",
    "next_step_overdue": "next_step",
    "no_next_step": "next_step",
    "stale_record": "stale_record",
    "renewal_hides_contraction": "renewal_hides_contraction",
    "utilisation_above_seats": "utilisation_above_seats",
}
"""KPI engine warning code -> the digest list it goes to."""


@dataclass
class Fact:
    """One dated thing that happened on an account this week."""

    day: dt.date
    kind: str  # reduced risk | increased value | clarified next step | setback | touch
    text: str


@dataclass
class AccountWeek:
    """One account's week: its verdict and the facts behind it."""

    account_id: str
    name: str
    owner: str
    arr: float
    health_score: float | None
    health_band: str | None
    health_trend: float | None
    days_to_renewal: int | None
    renewal_date: dt.date
    facts: list[Fact] = field(default_factory=list)
    health_band_prev: str | None = None
    """The band a quarter earlier (the KPI engine's previous-quarter health)."""
    active: bool = True
    urgency: int = len(LISTS)
    flags: list[str] = field(default_factory=list)
    """Titles of the needs-action lists the account is on, most urgent first."""

    @property
    def directions(self) -> list[str]:
        return [d for d in DIRECTIONS if any(f.kind == d for f in self.facts)]

    @property
    def verdict(self) -> str:
        """moved (any step toward less risk, more value, a clearer next step), slipped (only
        setbacks), or stalled."""
        if self.directions:
            return "moved"
        if any(f.kind == "setback" for f in self.facts):
            return "slipped"
        return "stalled"

    def of_kind(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]


@dataclass
class Item:
    """One line of a needs-action list."""

    account_id: str
    account: str
    owner: str
    text: str
    sort: tuple[Any, ...] = ()


@dataclass
class DigestList:
    code: str
    title: str
    why: str
    items: list[Item]


@dataclass
class Moved:
    """What moved since the previous recorded run (the KPI history), per account."""

    since: dt.date | None
    """as_of of the previous recorded run; None on the first recorded run."""
    accounts: list[tuple[str, str, list[Change]]] = field(default_factory=list)
    """(account name, owner, changes) of the accounts that changed, most urgent first."""
    gone: list[str] = field(default_factory=list)
    """Accounts in the previous run that this one no longer has."""
    unavailable: str | None = None
    """Why the history could not be read, when it could not."""

    @property
    def count(self) -> int:
        """Changes on the accounts of this run (accounts gone are counted apart)."""
        return sum(len(changes) for _, _, changes in self.accounts)

    @property
    def nothing(self) -> bool:
        return not self.accounts and not self.gone


@dataclass
class Digest:
    """Everything the weekly review says, as plain data (pinned by the tests)."""

    as_of: dt.date
    week_start: dt.date
    quarter: str
    company: str
    owner: str | None
    accounts: list[AccountWeek]
    lists: list[DigestList]
    moved: Moved = field(default_factory=lambda: Moved(None))

    def count(self, verdict: str) -> int:
        return sum(1 for a in self.accounts if a.verdict == verdict)

    def direction_count(self, direction: str) -> int:
        return sum(1 for a in self.accounts if direction in a.directions)


# --- building the digest (digest.plan() calls it: reads accounts and the KPI report) ---------


def _in_week(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start < day <= end


def week_facts(account: Account, as_of: dt.date, fmt: Formatter | None = None) -> list[Fact]:
    """The dated facts of the week (as_of − 7 days, as_of], sorted by date, worded in `fmt`'s
    language with its money."""
    from qbrgen.formatting import Formatter

    fmt = fmt or Formatter()
    _ = fmt.gettext
    money = fmt.money
    start = as_of - dt.timedelta(days=WEEK_DAYS)
    facts: list[Fact] = []

    def add(day: dt.date | None, kind: str, text: str) -> None:
        if day is not None and start < day <= as_of:
            facts.append(Fact(day, kind, text))

    def severity(key: str) -> str:
        return fmt.lower_first(fmt.label(key, "severities"))

    for risk in account.risks:
        add(
            risk.closed if risk.status == "closed" else None,
            "reduced risk",
            _("risk '%(title)s' closed", title=risk.title),
        )
        add(
            risk.opened,
            "setback",
            _("new %(severity)s risk '%(title)s'", severity=severity(risk.severity),
              title=risk.title),
        )  # fmt: skip
        if risk.status != "closed" and risk.last_reviewed and risk.last_reviewed > risk.opened:
            # a reviewed risk has an owner and a current mitigation: the path is clearer
            add(
                risk.last_reviewed,
                "clarified next step",
                _("risk '%(title)s' reviewed", title=risk.title),
            )
    for ticket in account.tickets:
        if ticket.escalation or ticket.severity in HIGH_SEVERITIES:
            subject = ticket.subject
            if ticket.escalation:
                resolved = _("escalation '%(subject)s' resolved", subject=subject)
                opened = _("escalation '%(subject)s' opened", subject=subject)
            else:
                level = severity(ticket.severity)
                resolved = _("%(severity)s ticket '%(subject)s' resolved", severity=level,
                             subject=subject)  # fmt: skip
                opened = _("%(severity)s ticket '%(subject)s' opened", severity=level,
                           subject=subject)  # fmt: skip
            add(ticket.resolved, "reduced risk", resolved)
            add(ticket.opened, "setback", opened)
    for opp in account.opportunities:
        if opp.outcome == "won":
            add(opp.close_date, "increased value",
                _("won '%(title)s' (%(value)s)", title=opp.title, value=money(opp.value)))  # fmt: skip
        elif opp.outcome == "lost":
            add(opp.close_date, "setback",
                _("lost '%(title)s' (%(value)s)", title=opp.title, value=money(opp.value)))  # fmt: skip
    for move in account.arr_movements:
        kind = fmt.lower_first(fmt.label(move.type, "movements"))
        if move.type in ("new", "expansion", "reactivation"):
            add(move.date, "increased value", f"ARR +{money(move.amount)} ({kind})")
        else:
            add(move.date, "setback", f"ARR −{money(move.amount)} ({kind})")
    for renewal in account.renewals:
        if renewal.outcome == "renewed":
            add(renewal.due_date, "increased value", _("renewed"))
        elif renewal.outcome == "churned":
            add(renewal.due_date, "setback", _("churned at renewal"))
    for win in account.wins:
        add(win.date, "increased value", _("win logged: '%(title)s'", title=win.title))
    for goal in account.goals:
        for milestone in goal.milestones:
            add(milestone.completed, "increased value",
                _("milestone '%(title)s' reached", title=milestone.title))  # fmt: skip
    for action in account.actions:
        if action.status == "done":
            add(action.completed, "clarified next step",
                _("'%(title)s' done", title=action.title))  # fmt: skip
    for review in account.reviews:
        add(review.date, "clarified next step",
            _("%(review)s held", review=fmt.translate(_REVIEW_NAMES[review.kind])))  # fmt: skip
    touches: dict[str, int] = {}
    last_touch: dt.date | None = None
    for interaction in account.interactions:
        day = interaction.date.date()
        if _in_week(day, start, as_of):
            touches[interaction.kind] = touches.get(interaction.kind, 0) + 1
            last_touch = max(last_touch or day, day)
    for person in account.stakeholders:
        if _in_week(person.last_contact, start, as_of) and person.last_contact is not None:
            touches["contact"] = touches.get("contact", 0) + 1
            last_touch = max(last_touch or person.last_contact, person.last_contact)
    if touches and last_touch is not None:
        what = ", ".join(_touches(kind, n, fmt) for kind, n in sorted(touches.items()))
        facts.append(Fact(last_touch, "touch", what))
    facts.sort(key=lambda f: (f.day, DIRECTIONS.index(f.kind) if f.kind in DIRECTIONS else 9))
    return facts


_REVIEW_NAMES = {
    "qbr": N_("QBR"),
    "ebr": N_("EBR"),
    "check_in": N_("check-in"),
    "renewal_review": N_("renewal review"),
}


_TOUCHES = {
    "contact": NP_("%(num)s stakeholder contact", "%(num)s stakeholder contacts"),
    "meeting": NP_("%(num)s meeting", "%(num)s meetings"),
    "call": NP_("%(num)s call", "%(num)s calls"),
    "email": NP_("%(num)s email", "%(num)s emails"),
    "request": NP_("%(num)s request", "%(num)s requests"),
    "reply": NP_("%(num)s reply", "%(num)s replies"),
    "other": NP_("%(num)s other touch", "%(num)s other touches"),
}


def _touches(kind: str, n: int, fmt: Formatter) -> str:
    """'2 calls', '1 stakeholder contact' in the catalog's words and plural forms."""
    one, many = _TOUCHES[kind]
    return fmt.ngettext(one, many, n)


def ageing_risks(account: Account, as_of: dt.date) -> list[tuple[int, str, str]]:
    """Open risks not reviewed (or, never reviewed, not opened) in the last 30 days:
    (days since, severity, title)."""
    out: list[tuple[int, str, str]] = []
    for risk in account.risks:
        if risk.status == "closed":
            continue
        seen = risk.last_reviewed or risk.opened
        days = (as_of - seen).days
        if days > RISK_REVIEW_DAYS:
            out.append((days, risk.severity, risk.title))
    return out


def build_digest(
    accounts: list[Account],
    report_accounts: dict[str, AccountKpis],
    as_of: dt.date,
    quarter: str,
    company: str,
    owner: str | None,
    formatter: Formatter,
) -> Digest:
    """The weekly review of `accounts` from their files and their KPIs."""
    fmt = formatter
    lists: dict[str, list[Item]] = {code: [] for code, _, _ in LISTS}
    weeks: list[AccountWeek] = []
    for account in accounts:
        kpis = report_accounts[account.id]
        arr = float(kpis["arr"])
        days = kpis.get("days_to_renewal")
        week = AccountWeek(
            account.id, account.name, account.owner, arr, kpis.health.score, kpis.health.band,
            kpis.get("health_trend"), days, account.contract.renewal_date,
            week_facts(account, as_of, fmt), kpis.trend.earlier_band,
            kpis.get("status") == "active",
        )  # fmt: skip
        weeks.append(week)

        def item(code: str, text: str, *sort: Any) -> None:
            lists[code].append(Item(account.id, account.name, account.owner, text, sort))  # noqa: B023

        for warning in kpis.warnings:
            code = WARNING_LIST.get(warning.code)
            if code is None:
                continue
            text = warning.text(fmt)
            if code == "renewal_at_risk" or code == "single_threaded_near_renewal":
                item(code, text, days if days is not None else 9999, -arr)
            elif code == "next_step":
                overdue = warning.code == "next_step_overdue"
                item(code, text, 0 if overdue else 1, -arr)
            else:
                item(code, text, -arr)
        for esc in kpis.open_escalations:
            if esc["past_target"]:
                item(
                    "escalation_past_target",
                    fmt.ngettext(
                        "escalation '%(subject)s' (%(severity)s) open %(num)s day, target "
                        "%(target)s",
                        "escalation '%(subject)s' (%(severity)s) open %(num)s days, target "
                        "%(target)s",
                        esc["age_days"],
                        subject=esc["subject"],
                        severity=fmt.lower_first(fmt.label(esc["severity"], "severities")),
                        target=fmt.number(esc["target_days"]),
                    ),
                    -(esc["age_days"] - esc["target_days"]),
                )
        for since, severity, title in ageing_risks(account, as_of):
            item(
                "risk_ageing",
                fmt.ngettext(
                    "%(severity)s risk '%(title)s' not reviewed for %(num)s day",
                    "%(severity)s risk '%(title)s' not reviewed for %(num)s days",
                    since,
                    severity=fmt.lower_first(fmt.label(severity, "severities")),
                    title=title,
                ),
                SEVERITY_RANK[severity],
                -since,
            )
    by_id = {w.account_id: w for w in weeks}
    out_lists = []
    for code, title, why in LISTS:
        items = _merge_by_account(sorted(lists[code], key=lambda i: (*i.sort, i.account)))
        for entry in items:
            week = by_id[entry.account_id]
            week.urgency = min(week.urgency, LIST_ORDER[code])
            if title not in week.flags:
                week.flags.append(title)
        out_lists.append(DigestList(code, title, why, items))
    weeks.sort(key=_urgency_key)
    return Digest(
        as_of,
        as_of - dt.timedelta(days=WEEK_DAYS - 1),
        quarter,
        company,
        owner,
        weeks,
        out_lists,
    )


def _merge_by_account(items: list[Item]) -> list[Item]:
    """One line per account and list (at the place of its most urgent item)."""
    merged: dict[str, Item] = {}
    for entry in items:
        first = merged.get(entry.account_id)
        if first is None:
            merged[entry.account_id] = Item(
                entry.account_id, entry.account, entry.owner, entry.text, entry.sort
            )
        else:
            first.text += "; " + entry.text
    return list(merged.values())


def _urgency_key(week: AccountWeek) -> tuple[Any, ...]:
    """Most urgent list first; then renewal soonest, then worst health, then biggest ARR."""
    days = week.days_to_renewal if week.days_to_renewal is not None else 99999
    return (week.urgency, days < 0, days, week.health_score or 0.0, -week.arr, week.name)


# --- what moved since the previous recorded run (the KPI history) ---------------------------


def what_moved(
    run: Run, accounts: list[Account], order: list[str], owner: str | None = None
) -> Moved:
    """Compare each account's key facts with the previous recorded run's: the changes the
    account files carry no dates for. `order` lists account ids most urgent first."""
    view = run.history
    previous = view.previous
    if previous is None:
        return Moved(None, unavailable=view.error)
    by_id = {a.id: a for a in accounts}
    changed = []
    for account_id in order:
        account = by_id[account_id]
        now = account_facts(account, run.report.accounts[account_id])
        changes = account_changes(previous.facts.get(account_id), now, run.formatter)
        if changes:
            changed.append((account.name, account.owner, changes))
    in_run = {item.account.id for item in run.accounts}
    gone = sorted(
        facts.get("name", account_id)
        for account_id, facts in previous.facts.items()
        if account_id not in in_run and (owner is None or facts.get("owner") == owner)
    )
    return Moved(previous.as_of, changed, gone)
