"""A designed deck's rules, without a document library: `{{ }}` tokens, the `qbr:` notes
markers, and what a chart or table named `qbr:<name>` holds.

A team's own PowerPoint (`deck.designed` in qbrgen.yaml) is filled per account: every `{{ }}`
in its text is a Jinja expression rendered in the deck template's environment (sandbox,
StrictUndefined, the same filters) with the same context as `deck/qbr.yaml`, so a customer
deck's tokens can only name what the customer may see (`render.context.customer_context`).
Each token is rendered once from the designer's text and its value inserted as text: account
data is never evaluated. The names a shape can carry (`qbr:risks`, `qbr:utilisation`) and
what each holds are listed here once, for the renderer, `qbrgen deck-template check` and the
docs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import nodes

from qbrgen.errors import TemplateError
from qbrgen.models import Account
from qbrgen.render._deck_template import deck_env
from qbrgen.render.audience import (
    CUSTOMER_FIELDS,
    CUSTOMER_KPIS,
    internal_hint,
    is_internal_name,
)

if TYPE_CHECKING:
    from qbrgen.templates import Formatter, Theme

TOKEN = re.compile(r"\{\{.*?\}\}", re.S)
"""A token: `{{ expression }}` (filters allowed), possibly typed across several runs."""
PREFIX = "qbr:"
"""Notes lines and shape names that speak to qbrgen start with it (any case)."""
DESIGNED_REMEDY = (
    "Leave it to the presenter's prep brief, or, for a deck that never leaves the company, "
    "type `qbr: audience internal` in the first slide's speaker notes; see "
    "docs/designed-decks.md, Audience"
)
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2009": " "}
)
"""PowerPoint's AutoCorrect turns typed quotes into curly ones and may insert no-break spaces:
inside a token or marker they are read as the plain characters Jinja expects."""


def plain(source: str) -> str:
    """A token or marker as Jinja reads it (curly quotes and no-break spaces made plain)."""
    return source.translate(_QUOTES)


def is_marker(line: str) -> bool:
    """Whether a speaker-notes line is a qbrgen marker (`qbr: ...`, any case)."""
    return line.strip()[:4].lower() == PREFIX


def shape_key(name: str | None) -> str | None:
    """'risks' for a shape named 'qbr:risks' (any case, spaces around ignored), else None."""
    text = (name or "").strip()
    if text[:4].lower() != PREFIX:
        return None
    return text[4:].strip()


# --- markers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """One `qbr:` line of a slide's speaker notes."""

    kind: str
    """'for' (one slide per item), 'when' (the slide only when true), 'audience'."""
    expression: str = ""
    name: str = ""
    """The loop variable of a `for` marker."""
    line: str = ""


_FOR = re.compile(r"^for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", re.S | re.I)
_WHEN = re.compile(r"^(?:when|if)\s+(.+)$", re.S | re.I)
_AUDIENCE = re.compile(r"^audience\s*:?\s*([A-Za-z]+)\s*$", re.I)
MARKER_FORMS = "'qbr: for NAME in LIST', 'qbr: when CONDITION' or 'qbr: audience internal'"


def parse_marker(line: str, where: str) -> Marker:
    """A notes line such as `qbr: for goal in goals_sorted` read as a marker."""
    body = plain(line).strip()[4:].strip()
    if found := _FOR.match(body):
        return Marker("for", found[2].strip(), found[1], line.strip())
    if found := _WHEN.match(body):
        return Marker("when", found[1].strip(), "", line.strip())
    if found := _AUDIENCE.match(body):
        audience = found[1].lower()
        if audience not in ("customer", "internal"):
            raise TemplateError(
                f"{where} notes marker {line.strip()!r}: audience: expected customer or "
                f"internal, got {found[1]!r}"
            )
        return Marker("audience", audience, "", line.strip())
    raise TemplateError(
        f"{where} notes marker {line.strip()!r}: expected {MARKER_FORMS} (one per line; the "
        "line is removed from the deck's notes)"
    )


class Loop:
    """`loop` in a repeated slide's or a table row's tokens: index (from 1), index0, first,
    last, length, like Jinja's own loop variable."""

    __slots__ = ("index0", "length")

    def __init__(self, index0: int, length: int):
        self.index0 = index0
        self.length = length

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1

    def __repr__(self) -> str:
        return f"<loop {self.index} of {self.length}>"


# --- what named charts and tables hold ------------------------------------------------------


@dataclass(frozen=True)
class ChartSource:
    """What a chart named `qbr:<name>` gets: one of the deck's chart kinds
    (`render._pptx_charts.CHARTS`), built from the KPI engine's series."""

    name: str
    kind: str
    holds: str
    internal: bool = False


CHART_SOURCES: dict[str, ChartSource] = {
    source.name: source
    for source in (
        ChartSource(
            "utilisation",
            "utilisation",
            "seat utilisation (active users ÷ licensed seats) at each of the last five "
            "quarters: one series, the quarters as categories, format 0%",
        ),
        ChartSource(
            "adoption_by_quarter", "utilisation", "the same as qbr:utilisation (another name)"
        ),
        ChartSource(
            "feature_adoption",
            "feature_adoption",
            "share of active users per feature in the latest usage period: one series, the "
            "features (label map names) as categories, the most adopted at the top of a bar "
            "chart, format 0%",
        ),
        ChartSource(
            "tickets",
            "tickets",
            "support tickets opened per quarter over the last five quarters: one series per "
            "severity (critical first), the quarters as categories",
        ),
        ChartSource(
            "seats",
            "seats",
            "active users and licensed seats at each of the last five quarters (two series, "
            "counts) and seat utilisation (a third series, 0%): made for a combination chart, "
            "two columns and a line on a secondary axis",
        ),
        ChartSource(
            "arr",
            "arr",
            "ARR at each of the last five quarter ends (internal: revenue history is not on "
            "a customer deck)",
            internal=True,
        ),
    )
}
"""Chart name (after `qbr:`) -> what it holds."""


@dataclass(frozen=True)
class TableSource:
    """What a table named `qbr:<name>` lists, one row per item; its first row with tokens is
    copied per item with `row` (the item) and `loop` bound."""

    name: str
    holds: str
    fields: str
    rows: Callable[[dict[str, Any], Formatter], Any]
    internal: bool = False


def _key(name: str) -> Callable[[dict[str, Any], Formatter], Any]:
    return lambda ctx, fmt: ctx[name]


def _review(name: str) -> Callable[[dict[str, Any], Formatter], Any]:
    return lambda ctx, fmt: getattr(ctx["next_review"], name) if ctx["next_review"] else []


def _features(ctx: dict[str, Any], fmt: Formatter) -> list[dict[str, Any]]:
    adoption = ctx["series"].get("feature_adoption") or {}
    ordered = sorted(adoption.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        {"name": fmt.label(key, "features"), "key": key, "share": float(value)}
        for key, value in ordered
    ]


def _quarters(ctx: dict[str, Any], fmt: Formatter) -> list[dict[str, Any]]:
    series = ctx["series"]
    utilisation = series.get("utilisation") or [None] * len(series["quarters"])
    tickets = series.get("tickets") or {}
    return [
        {
            "quarter": fmt.quarter(quarter),
            "utilisation": utilisation[i],
            "tickets": sum(values[i] for values in tickets.values()),
        }
        for i, quarter in enumerate(series["quarters"])
    ]


TABLE_SOURCES: dict[str, TableSource] = {
    source.name: source
    for source in (
        TableSource(
            "risks",
            "the open risks shared with the customer, most severe first",
            "title, severity, owner, side, opened, mitigation, status",
            _key("risks_sorted"),
        ),
        TableSource(
            "actions",
            "the mutual action plan: shared actions (not cancelled), open first, by due date",
            "title, owner, side, due, status, completed, agreed_at",
            _key("actions_sorted"),
        ),
        TableSource(
            "open_actions",
            "the shared actions still open",
            "title, owner, side, due, status",
            _key("open_actions"),
        ),
        TableSource(
            "agreed_last_time",
            "the shared actions agreed at the last review, done first",
            "title, owner, side, due, status, completed",
            _key("agreed_last_time"),
        ),
        TableSource(
            "goals",
            "the customer's goals",
            "title, metric, target, target_date, status, outcome, baseline, current, "
            "target_value, unit, milestones",
            _key("goals_sorted"),
        ),
        TableSource(
            "wins",
            "value delivered, newest first",
            "date, title, impact, value, unit (row.value|amount(row.unit))",
            _key("wins_sorted"),
        ),
        TableSource(
            "opportunities",
            "open opportunities shared with the customer (none while expansion is held back)",
            "title, type, rationale",
            _key("open_opportunities"),
        ),
        TableSource(
            "attendees",
            "the customer's people attending the review",
            "name, title, executive_sponsor",
            _key("customer_attendees"),
        ),
        TableSource(
            "our_attendees",
            "our people attending the review (names)",
            "row (the name)",
            _key("our_attendees"),
        ),
        TableSource(
            "stakeholders",
            "the customer's stakeholders, executive sponsor first",
            "name, title, executive_sponsor",
            _key("stakeholders_sorted"),
        ),
        TableSource(
            "escalations",
            "open escalated tickets",
            "id, subject, severity, opened, age_days, target_days, past_target",
            _key("open_escalations"),
        ),
        TableSource(
            "comments",
            "survey comments of the last twelve months, newest first (without names)",
            "date, kind (nps/csat), score, comment",
            _key("survey_comments"),
        ),
        TableSource(
            "priorities",
            "the customer's priorities, each with the roadmap items that serve it",
            "priority.title, priority.detail, roadmap (a list: title, quarter, relevance)",
            _key("priorities_matched"),
        ),
        TableSource(
            "roadmap",
            "roadmap items",
            "title, quarter, relevance, priority",
            lambda ctx, fmt: ctx["account"].roadmap,
        ),
        TableSource(
            "decisions",
            "the decisions needed at the review",
            "title, context, needed_by",
            _review("decisions"),
        ),
        TableSource(
            "objectives",
            "the review's objectives",
            "row (the objective)",
            _review("objectives"),
        ),
        TableSource(
            "features",
            "feature adoption in the latest usage period, most adopted first",
            "name (label map), key, share (row.share|percent)",
            _features,
        ),
        TableSource(
            "quarters",
            "the last five quarters",
            "quarter, utilisation (or none), tickets (opened)",
            _quarters,
        ),
        TableSource(
            "products",
            "the products in the contract",
            "row (the product)",
            lambda ctx, fmt: ctx["account"].contract.products,
        ),
        TableSource(
            "internal_risks",
            "open risks not shared with the customer",
            "title, severity, owner, mitigation, status, last_reviewed",
            _key("internal_risks"),
            internal=True,
        ),
        TableSource(
            "internal_actions",
            "actions not shared with the customer",
            "title, owner, due, status",
            _key("internal_actions"),
            internal=True,
        ),
        TableSource(
            "held_back_opportunities",
            "opportunities the customer deck does not show",
            "title, type, value, stage, next_step",
            _key("held_back_opportunities"),
            internal=True,
        ),
        TableSource(
            "warnings",
            "the account's KPI warnings",
            "code, message",
            _key("warnings"),
            internal=True,
        ),
    )
}
"""Table name (after `qbr:`) -> what it lists. Any other list of the deck's context
(`qbr:survey_responses`) works too."""

CUSTOMER_CONTEXT_NAMES: frozenset[str] = frozenset(
    {
        "audience", "account", "k", "reasons", "series", "open_escalations", "company",
        "branding", "colours", "as_of", "quarter", "periods", "definitions", "definition",
        "presenter", "open_risks", "risks_sorted", "open_actions", "overdue_actions",
        "actions_sorted", "open_opportunities", "stakeholders_sorted", "goals_sorted",
        "wins_sorted", "last_review", "agreed_last_time", "next_review", "meeting_date",
        "customer_attendees", "our_attendees", "survey_window", "survey_responses",
        "survey_comments", "nps_count", "csat_count", "licensed_seats", "active_users",
        "usage_period_end", "seats_in_use", "priorities_matched", "roadmap_unmatched",
        "deck_filename", "deck",
    }
)  # fmt: skip
"""The variables a customer deck's tokens may name (tests check it against the context)."""
SLIDE_NAMES = frozenset({"loop", "row", "table_page", "table_pages"})
"""Bound by qbrgen on some slides: the item of a repeated slide or table row, and the page of
a table that continues over several slides."""


# --- tokens --------------------------------------------------------------------------------


def _blank_none(value: Any) -> Any:
    """A token whose value is None shows nothing (a line left empty is then removed)."""
    return "" if value is None else value


class Tokens:
    """The Jinja side of one designed deck: tokens and marker expressions, compiled once per
    process; errors name the deck file, the slide, the shape and the expression."""

    def __init__(self, theme: Theme, formatter: Formatter, deck: str, customer: bool):
        self.deck = deck
        self.customer = customer
        self.formatter = formatter
        self.env = deck_env(theme, formatter, finalize=_blank_none)
        self._templates: dict[str, jinja2.Template] = {}
        self._expressions: dict[str, Callable[..., Any]] = {}

    @contextmanager
    def located(self, where: str, source: str) -> Iterator[None]:
        try:
            yield
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{self.deck}: {where}: {source}: syntax error: {exc.message}"
            ) from exc
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
            message = str(exc)
            hint = internal_hint(message, DESIGNED_REMEDY) if self.customer else ""
            raise TemplateError(f"{self.deck}: {where}: {source}: {message}{hint}") from exc
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            raise TemplateError(
                f"{self.deck}: {where}: {source}: {type(exc).__name__}: {exc}"
            ) from exc

    def render(self, token: str, ctx: dict[str, Any], where: str) -> str:
        """The text of one `{{ ... }}` token."""
        template = self._templates.get(token)
        if template is None:
            with self.located(where, token):
                template = self.env.from_string(plain(token))
            self._templates[token] = template
        with self.located(where, token):
            return template.render(ctx)
        raise AssertionError("unreachable")  # pragma: no cover

    def value(self, expression: str, ctx: dict[str, Any], where: str) -> Any:
        """The value of a marker's expression (a `when` condition, a `for` list)."""
        compiled = self._expressions.get(expression)
        if compiled is None:
            with self.located(where, expression):
                compiled = self.env.compile_expression(plain(expression), undefined_to_none=False)
            self._expressions[expression] = compiled
        with self.located(where, expression):
            result = compiled(**ctx)
            if isinstance(result, jinja2.Undefined):
                result._fail_with_undefined_error()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def table_rows(self, key: str, ctx: dict[str, Any], where: str) -> list[Any]:
        """The items a table named `qbr:<key>` lists."""
        source = TABLE_SOURCES.get(key)
        if source is not None and source.internal and self.customer:
            raise TemplateError(
                f"{self.deck}: {where}: table 'qbr:{key}' lists {source.holds}, which is "
                f"internal: a customer deck cannot show it. {DESIGNED_REMEDY}"
            )
        if source is not None:
            items = source.rows(ctx, self.formatter)
        elif key in ctx and isinstance(ctx[key], list | tuple):
            items = ctx[key]
        else:
            hint = (
                f" ({key} is internal: a customer deck's context does not hold it. "
                f"{DESIGNED_REMEDY})"
                if self.customer and is_internal_name(key)
                else ""
            )
            raise TemplateError(
                f"{self.deck}: {where}: no table 'qbr:{key}'; tables are named "
                f"{', '.join('qbr:' + n for n in TABLE_SOURCES if not self._hidden(n))} "
                f"(or qbr:<any list of the deck's context>){hint}"
            )
        return list(items or [])

    def chart_source(self, key: str, series: dict[str, Any], where: str) -> ChartSource:
        """What a chart named `qbr:<key>` draws (checked against the deck's audience)."""
        source = CHART_SOURCES.get(key)
        if source is None:
            raise TemplateError(
                f"{self.deck}: {where}: no chart 'qbr:{key}'; charts are named "
                f"{', '.join('qbr:' + n for n in CHART_SOURCES if not self._hidden(n, True))}"
            )
        if self.customer and source.internal:
            raise TemplateError(
                f"{self.deck}: {where}: chart 'qbr:{key}' draws {source.holds.split(' (')[0]}, "
                f"which is internal: a customer deck cannot show it. {DESIGNED_REMEDY}"
            )
        return source

    def _hidden(self, name: str, chart: bool = False) -> bool:
        source: ChartSource | TableSource = CHART_SOURCES[name] if chart else TABLE_SOURCES[name]
        return bool(self.customer and source.internal)


# --- static checks (for `qbrgen deck-template check`) --------------------------------------


def static_problems(
    source: str, env: jinja2.Environment, bound: set[str], customer: bool = True
) -> list[str]:
    """What is wrong with a token or marker expression on a customer deck, found without an
    account: a syntax error, an internal name (a KPI outside the customer's, an internal field
    of the account, an internal variable), or a name the context does not have."""
    text = plain(source)
    if not text.lstrip().startswith("{{"):
        text = "{{ " + text + " }}"
    try:
        tree = env.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [f"syntax error: {exc.message}"]
    if not customer:
        return []
    problems: list[str] = []
    known = CUSTOMER_CONTEXT_NAMES | SLIDE_NAMES | bound
    account_fields = CUSTOMER_FIELDS[Account]
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in known and node.name not in env.globals:
            problems.append(
                f"'{node.name}' is internal"
                if is_internal_name(node.name)
                else f"'{node.name}' is not a variable of the deck"
            )
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(access, "node", None)
        attr = (
            access.attr
            if isinstance(access, nodes.Getattr)
            else getattr(getattr(access, "arg", None), "value", None)
        )
        if not isinstance(target, nodes.Name) or not isinstance(attr, str):
            continue
        if target.name == "k" and attr not in CUSTOMER_KPIS:
            problems.append(
                f"KPI '{attr}' is internal" if is_internal_name(attr) else f"no KPI '{attr}'"
            )
        elif target.name == "account" and attr not in account_fields:
            problems.append(
                f"account.{attr} is internal"
                if is_internal_name(attr)
                else f"account.{attr} is not a field of the account"
            )
    return problems
