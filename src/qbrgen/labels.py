"""Display names for the keys in account data (features, segments, stages, roles, ...).

Account files and the config use short keys (`mid_market`, `streaming_views`,
`executive_sponsor`); no document shows a key the user did not type as display text. Every
renderer turns a key into words through one `Labels` object: the workspace's `labels:` map
first, then the built-in names below, then a readable default made from the key itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping


def N_(message: str) -> str:
    """Marks a built-in name for the catalogs (translated when shown, see Labels)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form for the catalogs (given to `Formatter.ngettext`)."""
    return singular, plural


BUILTIN: dict[str, dict[str, str]] = {
    "segments": {"enterprise": N_("Enterprise"), "mid_market": N_("Mid-market"), "smb": N_("SMB")},
    "components": {
        "adoption": N_("Adoption"),
        "engagement": N_("Engagement"),
        "support": N_("Support"),
        "sentiment": N_("Sentiment"),
        "outcomes": N_("Outcomes"),
    },
    "bands": {
        "green": N_("Green"),
        "yellow": N_("Yellow"),
        "red": N_("Red"),
        "unscored": N_("Unscored"),
    },
    "severities": {
        "critical": N_("Critical"),
        "high": N_("High"),
        "medium": N_("Medium"),
        "low": N_("Low"),
    },
    "roles": {
        "executive_sponsor": N_("Executive sponsor"),
        "decision_maker": N_("Decision maker"),
        "champion": N_("Champion"),
        "user": N_("User"),
        "influencer": N_("Influencer"),
        "detractor": N_("Detractor"),
        "other": N_("Other"),
    },
    "goal_statuses": {
        "not_started": N_("Not started"),
        "on_track": N_("On track"),
        "at_risk": N_("At risk"),
        "achieved": N_("Achieved"),
        "missed": N_("Missed"),
    },
    "risk_statuses": {"open": N_("Open"), "mitigating": N_("Mitigating"), "closed": N_("Closed")},
    "account_statuses": {"active": N_("Active"), "churned": N_("Churned")},
    "action_statuses": {"open": N_("Open"), "done": N_("Done"), "cancelled": N_("Cancelled")},
    "stages": {
        "identified": N_("Identified"),
        "qualified": N_("Qualified"),
        "proposal": N_("Proposal"),
        "negotiation": N_("Negotiation"),
        "closed": N_("Closed"),
    },
    "opportunity_types": {
        "upsell": N_("Upsell"),
        "cross_sell": N_("Cross-sell"),
        "seats": N_("Additional seats"),
        "tier_upgrade": N_("Tier upgrade"),
        "services": N_("Services"),
    },
    "outcomes": {
        "open": N_("Open"),
        "won": N_("Won"),
        "lost": N_("Lost"),
        "renewed": N_("Renewed"),
        "churned": N_("Churned"),
    },
    "review_kinds": {
        "qbr": N_("QBR"),
        "ebr": N_("Executive business review"),
        "check_in": N_("Check-in"),
        "renewal_review": N_("Renewal review"),
    },
    "sentiments": {
        "positive": N_("Positive"),
        "neutral": N_("Neutral"),
        "negative": N_("Negative"),
    },
    "influence": {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")},
    "movements": {
        "new": N_("new"),
        "expansion": N_("expansion"),
        "contraction": N_("contraction"),
        "churn": N_("churn"),
        "reactivation": N_("reactivation"),
    },
    "interactions": {
        "meeting": N_("meeting"),
        "call": N_("call"),
        "email": N_("email"),
        "request": N_("request"),
        "reply": N_("reply"),
        "other": N_("other"),
    },
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
        self._own: dict[str, dict[str, str]] = {}
        for kind, names in (overrides or {}).items():
            self._names.setdefault(kind, {}).update(names)
            self._own.setdefault(kind, {}).update(names)

    def __call__(
        self, key: object, kind: str | None = None, translate: Callable[[str], str] = str
    ) -> str:
        """The display name of `key` (a string key, or None -> '') as a `kind` of key; a
        built-in name through `translate` (the document's catalog), the workspace's own names
        as written."""
        if key is None:
            return ""
        text = str(key)
        if kind is not None:
            own = self._own.get(kind)
            if own is not None and text in own:
                return own[text]
            names = self._names.get(kind)
            if names is not None and text in names:
                return translate(names[text])
        return humanize(text)

    def names(self, kind: str) -> dict[str, str]:
        """Every known display name of one kind (built-in and workspace)."""
        return dict(self._names.get(kind, {}))
