"""The weekly account review (`qbrgen digest`): Markdown to paste into email or chat, and a
one-to-two page PDF of the same content through the shared WeasyPrint layer.

For every account it answers the Monday question: did it move this week toward reduced risk,
increased value or a clarified next step, or did it stall? The answer comes from the dated
facts of the account file in the seven days up to as_of. Then it lists what needs action,
most urgent first. The lists are the KPI engine's warnings wherever the engine raises one;
only "risks ageing unnoticed" (a fact of the risk register, not a KPI) is read here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qbrgen.history import FIRST_RUN
from qbrgen.history.changes import Change, account_changes
from qbrgen.history.facts import account_facts
from qbrgen.labels import N_, NP_
from qbrgen.models import HIGH_SEVERITIES
from qbrgen.output import file_word, safe_filename
from qbrgen.palette import SEVERITY_RANK
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render.context import health_arrow

if TYPE_CHECKING:
    from qbrgen.kpis import AccountKpis
    from qbrgen.models import Account
    from qbrgen.run import Run
    from qbrgen.templates import Formatter

WEEK_DAYS = 7
"""The review looks at facts dated in the seven days up to and including as_of."""
RISK_REVIEW_DAYS = 30
"""An open risk nobody reviewed for longer than this is 'ageing unnoticed'."""
PDF_ITEMS_PER_LIST = 6
"""The PDF keeps to two pages: longer lists end with 'and N more' (the Markdown has all)."""
PDF_ACCOUNT_ROWS = 14
"""Moved or slipped accounts the PDF's table shows (most urgent first)."""
PDF_STALLED_NAMES = 40
"""Stalled accounts the PDF names."""

MARKDOWN_TEMPLATE = "digest/digest.md.j2"
HTML_TEMPLATE = "digest/digest.html"
TEMPLATES = [
    MARKDOWN_TEMPLATE,
    "digest/_moved.md.j2",
    HTML_TEMPLATE,
    "digest/digest.css",
    "base/layout.html",
    "base/print.css",
]

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


# --- building the digest (in plan(): reads accounts and the KPI report) ----------------------


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


def owner_slug(owner: str) -> str:
    """'Lena Brandt' -> 'lena-brandt' for file names."""
    return safe_filename(owner).lower()


RENEWAL_DAYS = 120
"""The renewals calendar covers the next 120 days."""
CHART_FILES = (N_("health-bands"), N_("renewals"))
"""The digest's pictures, saved as SVG beside the Markdown (which links them) and drawn in
the PDF."""


def output_paths(as_of: dt.date, owner: str | None, fmt: Formatter | None = None) -> list[str]:
    """The Markdown, the PDF, then the charts' SVG files (their words in the team's
    language, `fmt`)."""
    word = file_word(N_("digest"), fmt)
    stem = f"portfolio/{word}-{as_of.isoformat()}"
    stem += f"-{owner_slug(owner)}" if owner else ""
    charts = [f"{stem}-{file_word(name, fmt)}.svg" for name in CHART_FILES]
    return [stem + ".md", stem + ".pdf", *charts]


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job: the digest of the selected accounts (one owner's book with --owner)."""
    owner = selection.options.get("owner")
    report = run.report
    config = run.workspace.config
    as_of = report.as_of
    items = sorted(selection.accounts, key=lambda i: i.account.id)
    digest = build_digest(
        [i.account for i in items], report.accounts, as_of, str(report.quarter),
        config.company.name, owner, run.formatter,
    )  # fmt: skip
    sha = hashlib.sha256()
    for item in items:
        sha.update(item.input_hash.encode())
    stamp = hashlib.sha256(
        "|".join(
            (sha.hexdigest(), config.model_dump_json(), as_of.isoformat(), run.version)
        ).encode()
    )
    inputs_hash = stamp.hexdigest()[:12]  # what this digest was made from, shown in its footer
    inputs = {
        "accounts": sha.hexdigest(),
        "config": config.model_dump_json(),
        "as_of": as_of.isoformat(),
        "version": run.version,
    }
    digest.moved = what_moved(
        run, [i.account for i in items], [w.account_id for w in digest.accounts], owner
    )
    inputs["history"] = _moved_hash(digest.moved)
    key = f"owner:{owner_slug(owner)}" if owner else "portfolio"
    payload = {
        "digest": digest,
        "inputs_hash": inputs_hash,
        "pdf": selection.options.get("pdf", True),
    }
    outputs = output_paths(as_of, owner, run.formatter)
    if not payload["pdf"]:
        outputs = [outputs[0], *outputs[2:]]
    return [Job("digest", key, outputs, payload, inputs, list(TEMPLATES))]


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


def _moved_hash(moved: Moved) -> str:
    """What the 'what moved' section depends on, for incremental builds."""
    text = repr((moved.since, [(n, o, c) for n, o, c in moved.accounts], moved.gone))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- rendering -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(value: Any) -> str:
    """Account text safe in a Markdown line: one line, markup characters escaped (no links,
    emphasis, HTML or table breaks from a customer name)."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def digest_context(job: Job, env: RenderEnv, pdf: bool = False) -> dict[str, Any]:
    """What the digest templates see."""
    digest: Digest = job.payload["digest"]
    fmt = env.formatter
    _ = fmt.gettext
    scope = _("%(owner)s's book", owner=digest.owner) if digest.owner else _("All books")
    flagged = sum(1 for lst in digest.lists if lst.items)
    crowded = flagged > 5  # keep the PDF to two pages when most lists have entries
    limit = (PDF_ITEMS_PER_LIST - 2 if crowded else PDF_ITEMS_PER_LIST) if pdf else None
    lists = [
        {
            "code": lst.code,
            "title": fmt.translate(lst.title),
            "why": fmt.translate(lst.why),
            "items": lst.items[:limit] if limit else lst.items,
            "more": max(0, len(lst.items) - limit) if limit else 0,
            "count": len(lst.items),
        }
        for lst in digest.lists
    ]
    return {
        "digest": digest,
        "lists": lists,
        "flagged": [lst for lst in lists if lst["count"]],
        "clear": [lst["title"] for lst in lists if not lst["count"]],
        "scope": scope,
        "accounts": digest.accounts,
        "changed": [a for a in digest.accounts if a.verdict != "stalled"],
        "account_rows": (PDF_ACCOUNT_ROWS // 2 if crowded else PDF_ACCOUNT_ROWS) if pdf else None,
        "stalled_names": (PDF_STALLED_NAMES // 2 if crowded else PDF_STALLED_NAMES)
        if pdf
        else None,
        "moved": [a for a in digest.accounts if a.verdict == "moved"],
        "slipped": [a for a in digest.accounts if a.verdict == "slipped"],
        "stalled": [a for a in digest.accounts if a.verdict == "stalled"],
        "directions": DIRECTIONS,
        "md": md,
        "renewal_text": lambda a: _renewal_text(a, fmt),
        "health_text": lambda a: _health_text(a, fmt),
        "facts_text": lambda a: _facts_text(a, fmt),
        "short_text": lambda a: _short_text(a, fmt),
        "as_of": digest.as_of,
        "week_start": digest.week_start,
        "moved_since": digest.moved,
        "first_run": fmt.translate(FIRST_RUN),
        "verdict": lambda a: fmt.translate(a.verdict),
        "direction": fmt.translate,
    }


def _renewal_text(week: AccountWeek, fmt: Formatter) -> str:
    days = week.days_to_renewal
    if days is None:
        return fmt.gettext("churned")
    if days < 0:
        return fmt.ngettext("renewal %(num)s day past due", "renewal %(num)s days past due", -days)
    return fmt.ngettext("renews in %(num)s day", "renews in %(num)s days", days)


def _band_word(band: str | None, fmt: Formatter) -> str:
    return fmt.lower_first(fmt.label(band or "unscored", "bands"))


def _health_text(week: AccountWeek, fmt: Formatter, with_trend: bool = True) -> str:
    """'health 63 yellow ▲ +4.2 pts' (the trend in score points, from the one formatter)."""
    if week.health_score is None:
        return fmt.gettext("health unscored")
    trend = ""
    if week.health_trend is not None:
        trend = " " + health_arrow(week.health_trend)
        if with_trend:
            trend += " " + fmt.kpi(week.health_trend, "health_trend")
    return fmt.gettext(
        "health %(score)s %(band)s%(trend)s",
        score=fmt.kpi(week.health_score, "health_score"),
        band=_band_word(week.health_band, fmt),
        trend=trend,
    )


def _short_text(week: AccountWeek, fmt: Formatter) -> str:
    """'63 yellow ▲ · renews in 101 d' for the PDF's narrow account column."""
    if week.health_score is None:
        health = fmt.gettext("unscored")
    else:
        trend = " " + health_arrow(week.health_trend) if week.health_trend is not None else ""
        health = f"{fmt.kpi(week.health_score, 'health_score')} {_band_word(week.health_band, fmt)}{trend}"
    days = week.days_to_renewal
    renewal = (
        fmt.gettext("churned")
        if days is None
        else (
            fmt.gettext("%(num)s d past renewal", num=fmt.number(-days))
            if days < 0
            else fmt.gettext("renews in %(num)s d", num=fmt.number(days))
        )
    )
    return f"{health} · {renewal}"


def _facts_text(week: AccountWeek, fmt: Formatter) -> str:
    """ "reduced risk: risk 'X' closed on Mon 12 Oct; ...; but new high risk 'Y' on ..."."""
    _ = fmt.gettext

    def listed(facts: list[Fact]) -> str:
        return ", ".join(
            _("%(fact)s on %(date)s", fact=f.text, date=fmt.day_month(f.day, weekday=True))
            for f in facts
        )

    parts = []
    for direction in DIRECTIONS:
        facts = week.of_kind(direction)
        if facts:
            parts.append(f"{fmt.translate(direction)}: {listed(facts)}")
    setbacks = week.of_kind("setback")
    if setbacks:
        parts.append(_("but %(facts)s", facts=listed(setbacks)) if parts else listed(setbacks))
    touches = week.of_kind("touch")
    if touches:
        if parts:
            parts.append(_("touches: %(touches)s", touches=touches[0].text))
        else:
            parts.append(_("%(touches)s, no recorded outcome", touches=touches[0].text))
    if not parts:
        return _("nothing dated this week")
    return "; ".join(parts)


def digest_charts(digest: Digest, env: RenderEnv) -> dict[str, Any]:
    """The digest's two pictures: how many active accounts sit in each health band now and a
    quarter earlier, and the ARR renewing in each of the next 17 weeks by health band."""
    from qbrgen.palette import BAND_ORDER
    from qbrgen.render import _svg

    fmt = env.formatter
    _ = fmt.gettext
    palette = env.palette
    bands = [*BAND_ORDER, "unscored"]
    names = {b: fmt.label(b, "bands") for b in bands}
    active = [a for a in digest.accounts if a.active]
    # A quarter earlier: the bands the KPI history recorded then (never a reconstruction).
    before = [sum(1 for a in active if a.health_band_prev == b) for b in bands]
    now = [sum(1 for a in active if (a.health_band or "unscored") == b) for b in bands]
    moves = [
        (a, a.health_band_prev, a.health_band)
        for a in active
        if a.health_band_prev and a.health_band and a.health_band_prev != a.health_band
    ]
    rank = {b: i for i, b in enumerate(BAND_ORDER)}
    worse = [a.name for a, old, new in moves if rank[new] < rank[old]]
    better = [a.name for a, old, new in moves if rank[new] > rank[old]]
    bands_alt = _(
        "Active accounts per health band, a quarter earlier and now: %(bands)s",
        bands="; ".join(
            _("%(band)s %(then)s then, %(now)s now", band=names[b], then=fmt.number(x),
              now=fmt.number(y))
            for b, x, y in zip(bands, before, now, strict=True)
        ),
    )  # fmt: skip
    band_svg = _svg.column_chart(
        [names[b] for b in bands],
        {"before": before, "now": now},
        {"before": "#A7B4C6", "now": env.config.branding.colours.primary},
        kind="count",
        stacked=False,
        labels={
            "before": _("Recorded a quarter earlier"),
            "now": _("As of %(date)s", date=fmt.date(digest.as_of)),
        },
        title=_(
            "Active accounts per health band, a quarter earlier vs %(date)s (accounts)",
            date=fmt.date(digest.as_of),
        ),
        alt=bands_alt,
        fmt=fmt,
        width=300,
        height=185,
    )
    first = digest.as_of + dt.timedelta(days=1)
    last = digest.as_of + dt.timedelta(days=RENEWAL_DAYS)
    weeks = [first + dt.timedelta(days=7 * i) for i in range(-(-RENEWAL_DAYS // 7))]
    series = {b: [0.0] * len(weeks) for b in bands}
    renewing = [
        a for a in active if a.days_to_renewal is not None and 0 < a.days_to_renewal <= RENEWAL_DAYS
    ]
    for a in renewing:
        series[a.health_band or "unscored"][((a.days_to_renewal or 1) - 1) // 7] += a.arr
    shown = {b: v for b, v in series.items() if any(v)}
    renewals_alt = _(
        "ARR renewing per week from %(start)s to %(end)s: %(renewals)s",
        start=fmt.date(first),
        end=fmt.date(last),
        renewals="; ".join(
            _("%(account)s %(arr)s on %(date)s (%(band)s)", account=a.name,
              arr=fmt.money(a.arr), date=fmt.date(a.renewal_date),
              band=names[a.health_band or "unscored"])
            for a in sorted(renewing, key=lambda a: a.renewal_date)
        )
        or _("no renewal"),
    )  # fmt: skip
    renewal_svg = _svg.column_chart(
        [fmt.day_month(w) for w in weeks],
        shown or {"green": [0.0] * len(weeks)},
        {b: palette.band(b if b != "unscored" else None) for b in bands},
        kind="money",
        labels=names,
        title=_(
            "ARR renewing per week, %(start)s to %(end)s (%(currency)s, by health band)",
            start=fmt.date(first),
            end=fmt.date(last),
            currency=fmt.currency,
        ),  # fmt: skip
        alt=renewals_alt,
        fmt=fmt,
        width=300,
        height=185,
        empty_message=_("no renewal in the next %(num)s days", num=RENEWAL_DAYS),
    )
    return {
        "health-bands": {"svg": band_svg, "alt": bands_alt, "title": _("Health band moves")},
        "renewals": {"svg": renewal_svg, "alt": renewals_alt, "title": _("Renewals calendar")},
        "worse": worse,
        "better": better,
        "recorded": sum(1 for a in active if a.health_band_prev),
        "renewing": len(renewing),
    }


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The digest as Markdown, its charts as SVG files, and (unless disabled) the PDF."""
    charts = digest_charts(job.payload["digest"], env)
    svgs = [p for p in job.outputs if p.endswith(".svg")]
    images = {name: path.rsplit("/", 1)[-1] for name, path in zip(CHART_FILES, svgs, strict=True)}
    ctx = digest_context(job, env)
    ctx.update({"charts": charts, "images": images})
    markdown = env.theme.render(MARKDOWN_TEMPLATE, ctx, env.formatter)
    out = {job.outputs[0]: tidy_markdown(markdown).encode("utf-8")}
    for name, path in zip(CHART_FILES, svgs, strict=True):
        out[path] = ('<?xml version="1.0" encoding="UTF-8"?>\n' + str(charts[name]["svg"])).encode()
    if any(p.endswith(".pdf") for p in job.outputs):
        from qbrgen.render._pdf import document_context, html_to_pdf

        digest: Digest = job.payload["digest"]
        fmt = env.formatter
        title = fmt.gettext("Weekly account review %(date)s", date=digest.as_of.isoformat())
        pdf_ctx = digest_context(job, env, pdf=True)
        pdf_ctx.update({"charts": charts, "images": images})
        pdf_ctx.update(
            document_context(
                env,
                title=title,
                header=fmt.gettext("Weekly account review"),
                subtitle=fmt.gettext(
                    "%(company)s · %(scope)s · week to %(date)s",
                    company=digest.company,
                    scope=pdf_ctx["scope"],
                    date=fmt.date(digest.as_of),
                ),  # fmt: skip
                inputs_hash=job.payload["inputs_hash"],
            )
        )
        html = env.theme.render(HTML_TEMPLATE, pdf_ctx, env.formatter)
        out[job.outputs[1]] = html_to_pdf(
            html, env, title=title, inputs_hash=job.payload["inputs_hash"]
        )
    return {path: out[path] for path in job.outputs}  # in the order of the job's outputs


def tidy_markdown(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def selection_for(run: Run, key: str) -> Selection | None:
    """The selection that makes digest `key` today: the portfolio, or one owner's book while
    that owner still has accounts."""
    if key == "portfolio":
        return Selection(run.accounts)
    slug = key.removeprefix("owner:")
    owner = next(
        (a.account.owner for a in run.accounts if owner_slug(a.account.owner) == slug), None
    )
    if not key.startswith("owner:") or owner is None:
        return None
    return Selection(run.select(owner=owner), {"owner": owner})


register(
    Renderer(
        "digest",
        "Weekly account review (Markdown + PDF): what moved, what stalled, what needs action",
        plan,
        render,
        selection_for=selection_for,
    )
)
