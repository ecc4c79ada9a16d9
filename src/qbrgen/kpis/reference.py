"""The KPI reference (docs/kpis.md, `qbrgen kpis --definitions`), written from the texts the
engine uses, so the page can never say something the numbers do not do.

Every definition, health component, default weight, band and warning label below comes from
`definitions.py`, the config defaults and the formatter; the prose here only frames them.
`make docs-pages` (`python -m qbrgen.docs_pages docs`) regenerates the page, and a test fails
when the committed page differs from what this module writes.
"""

from __future__ import annotations

from qbrgen.config import Health
from qbrgen.formatting import Formatter
from qbrgen.kpis.definitions import (
    DEFINITIONS,
    HEALTH_COMPONENT_DEFINITIONS,
    WARNING_LABELS,
    KpiDefinition,
)

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Revenue",
        "ARR changes are recorded as dated movements (`new`, `expansion`, `contraction`, "
        "`churn`, `reactivation`, each a positive amount) or as ARR at each quarter end "
        "(`arr_snapshots`; a rise is expansion, a fall contraction, a fall to zero churn, a rise "
        "from zero reactivation). Both forms give the same numbers. An account's ARR at a date "
        "is the sum of its movements up to that date; an account with no revenue history at all "
        "has its `contract.arr` from its start date on, and its own retention figures are n/a "
        '("no revenue history") because what moved is unknown.\n\n'
        "Retention is measured over the **starting cohort**: the accounts that had ARR at the "
        "start of the window. New logos count in ending ARR but not in GRR or NRR. Portfolio "
        "values come from the summed amounts, never from averaging per-account percentages.",
        (
            "arr",
            "ending_arr",
            "grr",
            "nrr",
            "gross_revenue_churn",
            "logo_churn_rate",
            "expansion_revenue",
        ),
    ),
    (
        "Renewals",
        "A renewal counts in the period its due date falls in. Its `outcome` is `renewed`, "
        "`churned` or `open`; open renewals are listed (`renewals_open`), never counted in a "
        "rate.",
        ("renewal_rate_logos", "renewal_rate_revenue"),
    ),
    (
        "Growth",
        "Expansion opportunities (`opportunities` in the account file) with their stage and "
        "outcome.",
        ("upsell_conversion_rate", "pipeline"),
    ),
    (
        "Lifetime value",
        "Planning figures for the account team. Gross margin comes from `gross_margin` in "
        "qbrgen.yaml.",
        ("arpa", "clv", "expected_lifetime_value"),
    ),
    (
        "Engagement",
        "A stakeholder is **active** when touched (a meeting, a call, an email reply, or their "
        "`last_contact`) in the 90 days up to as-of. The key roles are executive sponsor, "
        "decision maker, champion and user.",
        ("stakeholder_coverage", "single_threaded", "qbr_completion_rate", "follow_up_time"),
    ),
    (
        "Health and risk",
        '"One quarter earlier" means as-of minus three months (same day of the month, or the '
        "month's last day), for the point-in-time trends of adoption and health.",
        (
            "seat_utilisation",
            "adoption_trend",
            "support_trend",
            "escalation_time_to_resolution",
            "health_score",
            "health_trend",
            "nps",
            "csat",
        ),
    ),
)
"""The reference's sections, in the order of the KPI contract: a title, the framing, the KPI
keys it holds. A key the engine defines that no section names goes under "Other KPIs"."""

KIND_EXAMPLES: tuple[tuple[str, str, object], ...] = (
    ("ratio", "a percentage with one decimal", 0.9152),
    ("money", "whole currency units, in the workspace locale", 136000),
    ("percentage_points", "percentage points, one decimal and a sign", -2.24),
    ("score", "a whole number (halves rounded up)", 75.5),
    ("score_points", "score points, one decimal and a sign", 4.25),
    ("days", "days, one decimal", 16.0),
    ("hours", "hours, one decimal", 3.66),
    ("count", "a whole number with its unit, e.g. 4 active stakeholders", 4),
    ("nps", "a whole number from −100 to 100", -12.5),
    ("csat", "one decimal, of 5", 4.25),
    ("flag", "yes or no", True),
)


def _definition(item: KpiDefinition) -> list[str]:
    kind = {k: rule for k, rule, _ in KIND_EXAMPLES}.get(item.kind, item.kind)
    if item.unit:
        kind += f" ('{item.unit}s')"
    if item.audience == "internal":
        kind += ", internal documents only"
    indicator = "lagging" if item.group == "lagging" else "leading"
    return [
        f"### {item.label}",
        "",
        item.definition,
        "",
        f"Key `{item.key}` · shown as {kind} · a {indicator} indicator",
        "",
    ]


def reference_markdown() -> str:
    """The whole KPI reference page, as Markdown."""
    fmt = Formatter()
    health = Health()
    by_key = {d.key: d for d in DEFINITIONS}
    placed = {key for _, _, keys in SECTIONS for key in keys}
    out: list[str] = [
        "# KPI reference",
        "",
        "<!-- Written by `python -m qbrgen.docs_pages` from src/qbrgen/kpis/definitions.py and",
        "     kpis/reference.py; edit the texts there, then `make docs-pages`. -->",
        "",
        "Every number qbrgen prints is computed once per run by one KPI engine, and every "
        "document of that run (deck, plan, scorecard, digest, `qbrgen kpis`) shows the same "
        "value for it. Where the inputs for a KPI are missing, it is **n/a** with the reason "
        "beside it (`reasons` in `qbrgen kpis --json`), never a guess.",
        "",
        "The same definitions are in every plan's KPI appendix, in the speaker notes of every "
        "deck, and in the terminal: `qbrgen kpis --definitions`.",
        "",
        "## Periods",
        "",
        "- **as-of**: the date the numbers are true at: `--as-of YYYY-MM-DD`, else `as_of` in "
        "qbrgen.yaml, else today. Every document prints it.",
        "- **Review quarter `Q`**: the latest calendar quarter that ended on or before as-of "
        "(or `quarter: 2026-Q3` in qbrgen.yaml).",
        "- **Window `W`**: the twelve months ending with `Q` (trailing twelve months, TTM). "
        "Period KPIs are given for `W`; in `qbrgen kpis --json` the same KPI for `Q` ends in "
        "`_q` and for the quarter before it in `_prev_q`.",
        "- Point-in-time KPIs (ARR, utilisation, health, coverage) are as of as-of.",
        "",
    ]
    for title, framing, keys in SECTIONS:
        present = [by_key[key] for key in keys if key in by_key]
        if not present:
            continue
        out += [f"## {title}", "", framing, ""]
        for item in present:
            out += _definition(item)
        if title == "Health and risk":
            out += _health_details(health, fmt)
    others = [d for d in DEFINITIONS if d.key not in placed]
    if others:
        out += ["## Other KPIs", ""]
        for item in others:
            out += _definition(item)
    out += _display(fmt)
    out += _warnings()
    return "\n".join(out).rstrip() + "\n"


def _health_details(health: Health, fmt: Formatter) -> list[str]:
    total = sum(health.weights.values()) or 1.0
    rows = [
        f"| {name} | {fmt.percent(health.weights.get(name, 0) / total)} | {text} |"
        for name, text in HEALTH_COMPONENT_DEFINITIONS.items()
    ]
    bands = health.bands
    red, yellow = int(bands.red_max), int(bands.yellow_max)
    return [
        "### Health score components",
        "",
        "Each component scores 0–100. The default weights below are set in qbrgen.yaml "
        "(`health.weights`); a component without inputs is left out and its weight shared "
        "among the others.",
        "",
        "| component | default weight | how it is scored |",
        "|---|---|---|",
        *rows,
        "",
        f"Bands, by default (`health.bands`): **red** 0–{red}, **yellow** {red + 1}–{yellow}, "
        f"**green** {yellow + 1}–100, applied to the score as displayed (a whole number). "
        "The *biggest drag* is the component that costs the score the most: the largest "
        "weight × (100 − score).",
        "",
    ]


def _display(fmt: Formatter) -> list[str]:
    rows = [
        f"| {kind} | {rule} | {fmt.kpi(example, kind)} |" for kind, rule, example in KIND_EXAMPLES
    ]
    return [
        "## Display",
        "",
        "Each kind of value has one display rule, used by every document of a run and by "
        "`qbrgen kpis`, so a number reads the same everywhere. Money and numbers follow "
        "`currency` and `locale` in qbrgen.yaml (examples: en_US, USD). Trends are computed "
        "from unrounded values; `--json` and `--csv` give the unrounded values, ratios as "
        "fractions (0.915 for 91.5%).",
        "",
        "| kind | shown as | example |",
        "|---|---|---|",
        *rows,
        "",
    ]


def _warnings() -> list[str]:
    rows = [f"| `{code}` | {label} |" for code, label in WARNING_LABELS.items()]
    return [
        "## Warnings",
        "",
        "The numbers raise warnings where a KPI alone would mislead or something needs a "
        "person's attention. They are internal: account plans, the scorecard, the digest and "
        "`qbrgen kpis` show them.",
        "",
        "| code | warning |",
        "|---|---|",
        *rows,
        "",
    ]
