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
    money = fmt.money
    if before is None:
        return [Change("new account", "first recorded in this run")]
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
                f"health {band_then or 'unscored'} → {band_now or 'unscored'}",
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
    out += _opportunities(before.get("opportunities", {}), now.get("opportunities", {}), money)
    out += _statuses(
        before.get("actions", {}), now.get("actions", {}), "action", ("open",), show_status=True
    )
    out += _statuses(before.get("risks", {}), now.get("risks", {}), "risk", OPEN_RISK)
    for title, goal in now.get("goals", {}).items():
        old = before.get("goals", {}).get(title)
        if old is not None and old["status"] != goal["status"]:
            rank = {"missed": 0, "at_risk": 1, "not_started": 2, "on_track": 3, "achieved": 4}
            out.append(
                Change(
                    "goal",
                    f"goal '{title}': {_words(old['status'])} → {_words(goal['status'])}",
                    rank.get(goal["status"], 0) > rank.get(old["status"], 0),
                )
            )
    seen = before.get("open_escalations", {})
    for key, esc in now.get("open_escalations", {}).items():
        if key not in seen:
            out.append(
                Change(
                    "new escalation",
                    f"new escalation '{esc['subject']}' ({esc['severity']})",
                    False,
                )
            )
    people_then = before.get("stakeholders", {})
    for name, person in now.get("stakeholders", {}).items():
        then = people_then.get(name)
        if then is not None and then.get("active") and not person.get("active"):
            last = person.get("last_contact")
            when = (
                f"last contact {fmt.date(dt.date.fromisoformat(last))}"
                if last
                else "no contact on record"
            )
            out.append(
                Change("gone quiet", f"{name} ({_words(person['role'])}) gone quiet: {when}", False)
            )
    return sorted(out, key=lambda c: KINDS.index(c.kind))


def _words(key: str) -> str:
    return key.replace("_", " ")


def _opportunities(before: dict[str, Any], now: dict[str, Any], money: Any) -> list[Change]:
    out = []
    for title, opp in now.items():
        old = before.get(title)
        value = _money(opp["value"], money)
        if old is None:
            out.append(
                Change(
                    "opportunity",
                    f"new opportunity '{title}' ({value}, {_words(opp['stage'])})",
                    True,
                )
            )
            continue
        if old["outcome"] != opp["outcome"] and opp["outcome"] != "open":
            out.append(
                Change(
                    "opportunity",
                    f"opportunity '{title}' {opp['outcome']} ({value})",
                    opp["outcome"] == "won",
                )
            )
        elif old["stage"] != opp["stage"]:
            out.append(
                Change(
                    "opportunity",
                    f"opportunity '{title}': {_words(old['stage'])} → {_words(opp['stage'])}",
                    None,
                )
            )
    for title in before:
        if title not in now:
            out.append(Change("no longer listed", f"opportunity '{title}' no longer listed"))
    return out


def _statuses(
    before: dict[str, Any],
    now: dict[str, Any],
    what: str,
    open_states: tuple[str, ...],
    show_status: bool = False,
) -> list[Change]:
    """Opened: open now and not open (or absent) before. Closed: open before and now closed,
    done, cancelled, or gone from the record."""
    out = []
    for title, item in now.items():
        old = before.get(title)
        is_open = item["status"] in open_states
        was_open = old is not None and old["status"] in open_states
        extra = f" ({item['severity']})" if "severity" in item else ""
        if is_open and not was_open:
            out.append(
                Change(f"{what} opened", f"{what} opened: '{title}'{extra}", what == "action")
            )
        elif was_open and not is_open:
            how = f" ({_words(item['status'])})" if show_status else ""
            out.append(Change(f"{what} closed", f"{what} closed: '{title}'{how}", True))
    for title, old in before.items():
        if title not in now and old["status"] in open_states:
            out.append(Change("no longer listed", f"open {what} '{title}' no longer listed"))
    return out
