"""What moved between two recorded runs of an account: the changes the account files carry
no dates for (an opportunity's stage, an action's or risk's status, the health band, a goal's
status), read by comparing the key facts of the previous recorded run with this one's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbrgen.formatting import Formatter

OPEN_RISK = ("open", "mitigating")
KINDS = (
    "new account",
    "health band",
    "arr",
    "opportunity",
    "action opened",
    "action closed",
    "risk opened",
    "risk closed",
    "goal",
    "new escalation",
    "gone quiet",
    "no longer listed",
)
"""Kinds of change, in the order the digest lists them."""


@dataclass(frozen=True)
class Change:
    """One thing that changed on an account between two runs."""

    kind: str
    text: str
    good: bool | None = None
    """True for a step forward, False for a setback, None when neutral."""


def _money(value: str, money: Any) -> str:
    return money(Decimal(value))


def account_changes(
    before: dict[str, Any] | None, now: dict[str, Any], fmt: Formatter | None = None
) -> list[Change]:
    """The changes from `before` (None: the account was not in the previous run) to `now`,
    worded with `fmt` (money, dates)."""
    fmt = fmt or Formatter()
    _ = fmt.gettext
    money = fmt.money
    if before is None:
        return [Change("new account", _("first recorded in this run"))]
    out: list[Change] = []
    band_then, band_now = before.get("health_band"), now.get("health_band")
    if band_then != band_now:
        order = {"red": 0, "yellow": 1, "green": 2}
        better = None
        if band_then in order and band_now in order:
            better = order[band_now] > order[band_then]
        out.append(
            Change(
                "health band",
                _(
                    "health %(then)s → %(now)s",
                    then=_band(band_then, fmt),
                    now=_band(band_now, fmt),
                ),
                better,
            )
        )
    if before.get("arr") != now.get("arr") and before.get("arr") and now.get("arr"):
        up = Decimal(now["arr"]) > Decimal(before["arr"])
        out.append(
            Change(
                "arr",
                f"ARR {_money(before['arr'], money)} → {_money(now['arr'], money)}",
                up,
            )
        )
    out += _opportunities(before.get("opportunities", {}), now.get("opportunities", {}), fmt)
    out += _statuses(
        before.get("actions", {}), now.get("actions", {}), "action", ("open",), fmt,
        show_status=True,
    )  # fmt: skip
    out += _statuses(before.get("risks", {}), now.get("risks", {}), "risk", OPEN_RISK, fmt)
    for title, goal in now.get("goals", {}).items():
        old = before.get("goals", {}).get(title)
        if old is not None and old["status"] != goal["status"]:
            rank = {"missed": 0, "at_risk": 1, "not_started": 2, "on_track": 3, "achieved": 4}
            out.append(
                Change(
                    "goal",
                    _(
                        "goal '%(title)s': %(then)s → %(now)s",
                        title=title,
                        then=_word(old["status"], "goal_statuses", fmt),
                        now=_word(goal["status"], "goal_statuses", fmt),
                    ),
                    rank.get(goal["status"], 0) > rank.get(old["status"], 0),
                )
            )
    seen = before.get("open_escalations", {})
    for key, esc in now.get("open_escalations", {}).items():
        if key not in seen:
            out.append(
                Change(
                    "new escalation",
                    _(
                        "new escalation '%(subject)s' (%(severity)s)",
                        subject=esc["subject"],
                        severity=_word(esc["severity"], "severities", fmt),
                    ),
                    False,
                )
            )
    people_then = before.get("stakeholders", {})
    for name, person in now.get("stakeholders", {}).items():
        then = people_then.get(name)
        if then is not None and then.get("active") and not person.get("active"):
            last = person.get("last_contact")
            when = (
                _("last contact %(date)s", date=fmt.date(dt.date.fromisoformat(last)))
                if last
                else _("no contact on record")
            )
            text = _(
                "%(name)s (%(role)s) gone quiet: %(when)s",
                name=name,
                role=_word(person["role"], "roles", fmt),
                when=when,
            )
            out.append(Change("gone quiet", text, False))
    return sorted(out, key=lambda c: KINDS.index(c.kind))


def _word(key: str, kind: str, fmt: Formatter) -> str:
    """A key as a word inside a sentence: 'at_risk' -> 'at risk' in English (as before), the
    catalog's display name, first letter lowered where the language does, otherwise."""
    if fmt.language == "en":
        return key.replace("_", " ")
    return fmt.lower_first(fmt.label(key, kind))


def _band(band: str | None, fmt: Formatter) -> str:
    return _word(band or "unscored", "bands", fmt)


def _opportunities(before: dict[str, Any], now: dict[str, Any], fmt: Formatter) -> list[Change]:
    _ = fmt.gettext
    out = []
    for title, opp in now.items():
        old = before.get(title)
        value = _money(opp["value"], fmt.money)
        if old is None:
            text = _(
                "new opportunity '%(title)s' (%(value)s, %(stage)s)",
                title=title,
                value=value,
                stage=_word(opp["stage"], "stages", fmt),
            )
            out.append(Change("opportunity", text, True))
            continue
        if old["outcome"] != opp["outcome"] and opp["outcome"] != "open":
            if opp["outcome"] == "won":
                text = _("opportunity '%(title)s' won (%(value)s)", title=title, value=value)
            else:
                text = _("opportunity '%(title)s' lost (%(value)s)", title=title, value=value)
            out.append(Change("opportunity", text, opp["outcome"] == "won"))
        elif old["stage"] != opp["stage"]:
            text = _(
                "opportunity '%(title)s': %(then)s → %(now)s",
                title=title,
                then=_word(old["stage"], "stages", fmt),
                now=_word(opp["stage"], "stages", fmt),
            )
            out.append(Change("opportunity", text, None))
    for title in before:
        if title not in now:
            out.append(
                Change(
                    "no longer listed", _("opportunity '%(title)s' no longer listed", title=title)
                )
            )
    return out


def _statuses(
    before: dict[str, Any],
    now: dict[str, Any],
    what: str,
    open_states: tuple[str, ...],
    fmt: Formatter,
    show_status: bool = False,
) -> list[Change]:
    """Opened: open now and not open (or absent) before. Closed: open before and now closed,
    done, cancelled, or gone from the record."""
    _ = fmt.gettext
    risk = what == "risk"
    out = []
    for title, item in now.items():
        old = before.get(title)
        is_open = item["status"] in open_states
        was_open = old is not None and old["status"] in open_states
        extra = f" ({_word(item['severity'], 'severities', fmt)})" if "severity" in item else ""
        if is_open and not was_open:
            text = (
                _("risk opened: '%(title)s'%(extra)s", title=title, extra=extra)
                if risk
                else _("action opened: '%(title)s'%(extra)s", title=title, extra=extra)
            )
            out.append(Change(f"{what} opened", text, what == "action"))
        elif was_open and not is_open:
            how = f" ({_word(item['status'], 'action_statuses', fmt)})" if show_status else ""
            text = (
                _("risk closed: '%(title)s'%(how)s", title=title, how=how)
                if risk
                else _("action closed: '%(title)s'%(how)s", title=title, how=how)
            )
            out.append(Change(f"{what} closed", text, True))
    for title, old in before.items():
        if title not in now and old["status"] in open_states:
            text = (
                _("open risk '%(title)s' no longer listed", title=title)
                if risk
                else _("open action '%(title)s' no longer listed", title=title)
            )
            out.append(Change("no longer listed", text))
    return out
