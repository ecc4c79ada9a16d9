"""Display names for the keys in account data (features, segments, stages, roles, ...).

Account files and the config use short keys (`mid_market`, `streaming_views`,
`executive_sponsor`); no document shows a key the user did not type as display text. Every
renderer turns a key into words through one `Labels` object: the workspace's `labels:` map
first, then the built-in names below, then a readable default made from the key itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

BUILTIN: dict[str, dict[str, str]] = {
    "segments": {"enterprise": "Enterprise", "mid_market": "Mid-market", "smb": "SMB"},
    "components": {
        "adoption": "Adoption",
        "engagement": "Engagement",
        "support": "Support",
        "sentiment": "Sentiment",
        "outcomes": "Outcomes",
    },
    "bands": {"green": "Green", "yellow": "Yellow", "red": "Red"},
    "severities": {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"},
    "roles": {
        "executive_sponsor": "Executive sponsor",
        "decision_maker": "Decision maker",
        "champion": "Champion",
        "user": "User",
        "influencer": "Influencer",
        "detractor": "Detractor",
        "other": "Other",
    },
    "goal_statuses": {
        "not_started": "Not started",
        "on_track": "On track",
        "at_risk": "At risk",
        "achieved": "Achieved",
        "missed": "Missed",
    },
    "risk_statuses": {"open": "Open", "mitigating": "Mitigating", "closed": "Closed"},
    "account_statuses": {"active": "Active", "churned": "Churned"},
    "action_statuses": {"open": "Open", "done": "Done", "cancelled": "Cancelled"},
    "stages": {
        "identified": "Identified",
        "qualified": "Qualified",
        "proposal": "Proposal",
        "negotiation": "Negotiation",
        "closed": "Closed",
    },
    "opportunity_types": {
        "upsell": "Upsell",
        "cross_sell": "Cross-sell",
        "seats": "Additional seats",
        "tier_upgrade": "Tier upgrade",
        "services": "Services",
    },
    "outcomes": {
        "open": "Open",
        "won": "Won",
        "lost": "Lost",
        "renewed": "Renewed",
        "churned": "Churned",
    },
    "review_kinds": {
        "qbr": "QBR",
        "ebr": "Executive business review",
        "check_in": "Check-in",
        "renewal_review": "Renewal review",
    },
    "sentiments": {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"},
    "influence": {"high": "High", "medium": "Medium", "low": "Low"},
    "features": {},
    "products": {},
}
"""Built-in display names per kind of key. A workspace's `labels:` overrides any of them."""

KINDS: tuple[str, ...] = tuple(BUILTIN)
"""The kinds of key a workspace may name in `labels:`."""

ACRONYMS = frozenset(
    {
        "api",
        "sso",
        "saml",
        "crm",
        "erp",
        "ai",
        "ml",
        "bi",
        "kpi",
        "qbr",
        "ebr",
        "sla",
        "csv",
        "pdf",
        "sdk",
        "ui",
        "ux",
        "it",
        "hr",
        "noc",
        "soc",
        "mfa",
        "iot",
        "etl",
        "sql",
        "smb",
        "id",
    }
)
"""Words written in capitals when a label is made from a key."""

_SPLIT = re.compile(r"[_\-\s]+|(?<=[a-z0-9])(?=[A-Z])")


def humanize(key: str) -> str:
    """A readable default for a key: 'streaming_views' -> 'Streaming views', 'sso_login' ->
    'SSO login', 'apiCalls' -> 'API calls'. Text that is not a key is returned unchanged."""
    if not key or " " in key.strip() or not re.fullmatch(r"[A-Za-z0-9_\-]+", key):
        return key
    words = [w for w in _SPLIT.split(key) if w]
    if not words:
        return key
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if lower in ACRONYMS:
            out.append(lower.upper())
        elif word.isupper() and len(word) > 1:
            out.append(word)  # already an acronym the user typed
        else:
            out.append(lower.capitalize() if i == 0 else lower)
    return " ".join(out)


class Labels:
    """Key -> display name, for one workspace."""

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None = None):
        self._names: dict[str, dict[str, str]] = {
            kind: dict(names) for kind, names in BUILTIN.items()
        }
        for kind, names in (overrides or {}).items():
            self._names.setdefault(kind, {}).update(names)

    def __call__(self, key: object, kind: str | None = None) -> str:
        """The display name of `key` (a string key, or None -> '') as a `kind` of key."""
        if key is None:
            return ""
        text = str(key)
        if kind is not None:
            names = self._names.get(kind)
            if names is not None and text in names:
                return names[text]
        return humanize(text)

    def names(self, kind: str) -> dict[str, str]:
        """Every known display name of one kind (built-in and workspace)."""
        return dict(self._names.get(kind, {}))
