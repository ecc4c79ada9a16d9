"""Synthetic portfolios of any size, deterministic from a seed, for benchmarks and scale tests.

`qbrgen demo-data --accounts N DIR` writes DIR/qbrgen.yaml and DIR/accounts/*.yaml. The same
seed and as-of date always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from qbrgen.kpis.periods import Quarter

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

_FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Luis",
    "Maya",
    "Noor",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
]
_LAST = [
    "Alvarez",
    "Becker",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhou",
]
_WORDS = [
    "Apex",
    "Birch",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Zenith",
]
_KINDS = [
    "Health",
    "Logistics",
    "Bank",
    "Retail",
    "Energy",
    "Labs",
    "Media",
    "Foods",
    "Systems",
    "Insurance",
    "Partners",
    "Motors",
]
_INDUSTRY = {
    "Health": ("Healthcare", True),
    "Bank": ("Financial services", True),
    "Insurance": ("Insurance", True),
    "Energy": ("Energy", True),
}
_OWNERS = ["Dana Reyes", "Marcus Lee", "Sofia Novak", "Tom Okoro", "Lena Brandt"]
_FEATURES = ["dashboards", "alerts", "api", "forecasting"]
_ROLES = ["executive_sponsor", "decision_maker", "champion", "user", "influencer"]
_TITLES = {
    "executive_sponsor": "Chief Operating Officer",
    "decision_maker": "VP Operations",
    "champion": "Analytics Lead",
    "user": "Data Analyst",
    "influencer": "IT Director",
}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = max(0, (end - start).days)
    return start + dt.timedelta(days=rng.randint(0, span))


def synthetic_account(index: int, rng: random.Random, as_of: dt.date) -> dict[str, Any]:
    """One plausible account: history over six quarters, a mix of healthy and troubled."""
    word, kind = rng.choice(_WORDS), rng.choice(_KINDS)
    industry, regulated = _INDUSTRY.get(kind, ("SaaS", False))
    segment = rng.choices(["enterprise", "mid_market", "smb"], [2, 4, 4])[0]
    base = {"enterprise": 180_000, "mid_market": 45_000, "smb": 9_000}[segment]
    arr = round(base * rng.uniform(0.5, 1.8), -2)
    quarter_now = Quarter.of(as_of).prev()
    first_q = quarter_now.shift(-rng.choice([2, 5, 6, 8]))
    start = first_q.start + dt.timedelta(days=rng.randint(0, 40))
    movements = [{"date": start.isoformat(), "type": "new", "amount": arr}]
    current = arr
    churned = False
    fate = rng.random()
    for step in range(1, 9):
        q = first_q.shift(step)
        if q > quarter_now:
            break
        day = _day(rng, q.start, q.end)
        roll = rng.random()
        if fate < 0.08 and step >= 4 and not churned:
            movements.append({"date": day.isoformat(), "type": "churn", "amount": current})
            current, churned = 0, True
            break
        if roll < 0.25:
            amount = round(current * rng.uniform(0.05, 0.3), -2)
            movements.append({"date": day.isoformat(), "type": "expansion", "amount": amount})
            current += amount
        elif roll < 0.33 and current > 2000:
            amount = round(current * rng.uniform(0.05, 0.2), -2)
            movements.append({"date": day.isoformat(), "type": "contraction", "amount": amount})
            current -= amount
    seats = max(10, int(current or arr) // 400)
    renewal_date = start.replace(year=start.year + 1)
    while renewal_date <= as_of and not churned:
        renewal_date = renewal_date.replace(year=renewal_date.year + 1)
    if churned:
        renewal_date = dt.date.fromisoformat(str(movements[-1]["date"])) + dt.timedelta(days=1)
    renewals = []
    previous_due = renewal_date.replace(year=renewal_date.year - 1)
    if previous_due > start and previous_due <= as_of:
        renewals.append(
            {
                "due_date": previous_due.isoformat(),
                "outcome": "renewed",
                "arr_before": arr,
                "arr_after": arr,
            }
        )
    if churned:
        renewals.append(
            {
                "due_date": movements[-1]["date"],
                "outcome": "churned",
                "arr_before": movements[-1]["amount"],
            }
        )
    usage = []
    for step in range(6):
        q = quarter_now.shift(-step)
        if q.end < start or rng.random() < 0.05:
            continue
        active = int(seats * min(1.0, max(0.05, rng.gauss(0.65, 0.2))))
        usage.append(
            {
                "period_end": q.end.isoformat(),
                "active_users": active,
                "licensed_seats": seats,
                "feature_adoption": {
                    f: round(rng.uniform(0.1, 0.95), 2) for f in rng.sample(_FEATURES, 3)
                },
            }
        )
    usage.reverse()
    stakeholders: list[dict[str, Any]] = []
    for i, role in enumerate(rng.sample(_ROLES, rng.randint(1, 5))):
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if any(s["name"] == name for s in stakeholders):
            name += f" {i}"
        stakeholders.append(
            {
                "name": name,
                "title": _TITLES[role],
                "role": role,
                "influence": rng.choice(["high", "medium", "low"]),
                "sentiment": rng.choices(["positive", "neutral", "negative"], [5, 3, 2])[0],
                "last_contact": _day(rng, as_of - dt.timedelta(days=150), as_of).isoformat(),
                "executive_sponsor": role == "executive_sponsor",
            }
        )
    tickets = []
    for t in range(rng.randint(0, 8)):
        opened = _day(rng, as_of - dt.timedelta(days=300), as_of)
        resolved = opened + dt.timedelta(days=rng.randint(1, 30))
        tickets.append(
            {
                "id": f"T-{index:05d}-{t}",
                "subject": rng.choice(
                    [
                        "Dashboard slow to load",
                        "SSO login fails",
                        "Export missing rows",
                        "Alert not firing",
                        "API rate limit",
                    ]
                ),
                "severity": rng.choices(["low", "medium", "high", "critical"], [4, 4, 2, 1])[0],
                "opened": opened.isoformat(),
                "resolved": resolved.isoformat()
                if resolved <= as_of and rng.random() < 0.85
                else None,
                "escalation": rng.random() < 0.15,
            }
        )
    reviews = [
        {"date": _day(rng, q.start, q.end).isoformat(), "kind": "qbr"}
        for q in (quarter_now.shift(-i) for i in range(4))
        if q.start > start and rng.random() < 0.7
    ]
    surveys = [
        {
            "date": _day(rng, as_of - dt.timedelta(days=170), as_of).isoformat(),
            "kind": "nps",
            "score": rng.randint(3, 10),
        }
        for _ in range(rng.randint(0, 3))
    ]
    goals = [
        {
            "title": rng.choice(
                ["Cut reporting time", "Single view of operations", "Forecast demand weekly"]
            ),
            "status": rng.choice(["on_track", "achieved", "at_risk", "not_started"]),
            "milestones": [
                {"title": "Pilot team live", "due": (as_of - dt.timedelta(days=60)).isoformat()}
            ],
        }
    ]
    owner_names = [s["name"] for s in stakeholders]
    risks = [
        {
            "title": rng.choice(
                ["Sponsor leaving", "Budget freeze", "Low adoption in EU team", "Competitor pilot"]
            ),
            "severity": rng.choice(["low", "medium", "high", "critical"]),
            "owner": rng.choice(_OWNERS),
            "opened": _day(rng, as_of - dt.timedelta(days=200), as_of).isoformat(),
            "mitigation": "Weekly check-in with the sponsor",
            "status": rng.choice(["open", "mitigating", "closed"]),
        }
        for _ in range(rng.randint(0, 3))
    ]
    for risk in risks:
        if risk["status"] == "closed":
            risk["closed"] = as_of.isoformat()
    opportunities = []
    for _ in range(rng.randint(0, 3)):
        outcome = rng.choice(["open", "open", "won", "lost"])
        opportunities.append(
            {
                "title": rng.choice(
                    [
                        "Add forecasting module",
                        "Expand to EU team",
                        "Upgrade to Enterprise tier",
                        "Add 50 seats",
                    ]
                ),
                "type": rng.choice(["upsell", "cross_sell", "seats", "tier_upgrade"]),
                "value": round(arr * rng.uniform(0.1, 0.4), -2),
                "stage": "closed"
                if outcome != "open"
                else rng.choice(["identified", "qualified", "proposal", "negotiation"]),
                "outcome": outcome,
                "close_date": _day(
                    rng, as_of - dt.timedelta(days=300), as_of + dt.timedelta(days=120)
                ).isoformat()
                if outcome == "open"
                else _day(rng, as_of - dt.timedelta(days=300), as_of).isoformat(),
            }
        )
    actions = [
        {
            "title": rng.choice(
                [
                    "Send renewal proposal",
                    "Schedule QBR",
                    "Run admin training",
                    "Share adoption report",
                ]
            ),
            "owner": rng.choice(owner_names)
            if owner_names and rng.random() < 0.3
            else rng.choice(_OWNERS),
            "due": _day(
                rng, as_of - dt.timedelta(days=30), as_of + dt.timedelta(days=60)
            ).isoformat(),
            "status": rng.choice(["open", "open", "done"]),
        }
        for _ in range(rng.randint(0, 3))
    ]
    for action in actions:
        action["side"] = "customer" if action["owner"] in owner_names else "us"
    interactions = []
    for _ in range(rng.randint(0, 4)):
        at = dt.datetime.combine(
            _day(rng, as_of - dt.timedelta(days=200), as_of), dt.time(rng.randint(8, 17))
        )
        interactions.append(
            {
                "date": at.isoformat(timespec="minutes"),
                "kind": "request",
                "first_reply": (at + dt.timedelta(hours=rng.randint(1, 72))).isoformat(
                    timespec="minutes"
                ),
            }
        )
    name = f"{word} {kind} {index}"
    return {
        "id": f"acct-{index:05d}",
        "name": name,
        "industry": industry,
        "segment": segment,
        "region": rng.choice(["NA", "EMEA", "APAC", "LATAM"]),
        "regulated": regulated,
        "owner": rng.choice(_OWNERS),
        "updated": _day(rng, as_of - dt.timedelta(days=60), as_of).isoformat(),
        "contract": {
            "arr": current if not churned else arr,
            "start_date": start.isoformat(),
            "renewal_date": renewal_date.isoformat(),
            "products": ["Analytics Platform"],
            "tier": "Enterprise" if segment == "enterprise" else "Growth",
            "licensed_seats": seats,
        },
        "arr_movements": movements,
        "renewals": renewals,
        "usage": usage,
        "tickets": tickets,
        "stakeholders": stakeholders,
        "reviews": reviews,
        "surveys": surveys,
        "goals": goals,
        "risks": risks,
        "opportunities": opportunities,
        "actions": actions,
        "interactions": interactions,
        "notes": f"Synthetic account {index} for benchmarks.",
    }


def write_workspace(
    directory: Path, count: int, seed: int = 7, as_of: dt.date = dt.date(2026, 10, 15)
) -> list[Path]:
    """Write a synthetic workspace; returns the account files written."""
    rng = random.Random(seed)
    accounts = directory / "accounts"
    accounts.mkdir(parents=True, exist_ok=True)
    (directory / "qbrgen.yaml").write_text(
        f"# Synthetic workspace: {count} accounts, seed {seed}.\ncompany:\n  name: Northwind Analytics\nas_of: {as_of.isoformat()}\nkits:\n  build: []\n",
        encoding="utf-8",
    )
    written = []
    for index in range(1, count + 1):
        data = synthetic_account(index, rng, as_of)
        path = accounts / f"{data['id']}.yaml"
        path.write_text(
            yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        written.append(path)
    return written
