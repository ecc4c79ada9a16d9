"""The deck template (`deck/qbr.yaml` on the theme search path): which slides, in what order, on
which layout, with which headlines, bullets, tables, charts, visuals and notes, as Jinja text.

The YAML is read with a safe loader; every string in it is a Jinja template rendered in the
theme's sandboxed environment (StrictUndefined). Account text only ever arrives as values in
the context, so `{{ }}` inside a risk title is printed, never run. Autoescape is off here
because slides are not HTML: `<script>` must appear as typed, not as `&lt;script&gt;`.

A deck template has an audience: `customer` unless it says `audience: internal` at its top.
A customer deck is rendered with the customer context (`render.context.customer_context`),
in which internal names do not exist, so a template that names one fails with an error
saying so; each slide's `brief` (the presenter's private notes) is rendered with the internal
context, and only into the prep brief. This module imports no document library: the deck
renderer and the prep brief both read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jinja2
import yaml

from qbrgen.errors import TemplateError, some_of
from qbrgen.kpis.definitions import BY_KEY, HEALTH_COMPONENT_DEFINITIONS
from qbrgen.render.audience import CUSTOMER_KPIS, internal_hint
from qbrgen.templates import Formatter, Theme, strict_filter, use_language

DECK_TEMPLATE = "deck/qbr.yaml"
KINDS = (
    "cover", "agenda", "section", "bullets", "summary", "chart", "table", "text",
    "goals", "tiles", "items", "quotes",
)  # fmt: skip
ROLES = ("title", "section", "content", "chart", "table", "closing")
TOP_KEYS = {"slides", "defaults", "audience"}
SLIDE_KEYS = {
    "id", "kind", "layout", "when", "title", "kicker", "subtitle", "bullets", "notes", "brief",
    "definitions", "table", "chart", "numbers", "text", "empty", "agenda", "columns", "items",
    "goals", "quotes", "closing",
}  # fmt: skip
COVER_KINDS = ("cover", "section")
"""Kinds that are not content slides (no content area to fill)."""


@dataclass
class Bullet:
    text: str
    level: int = 0


@dataclass
class Column:
    header: str
    width: float
    align: str


@dataclass
class TableSpec:
    columns: list[Column]
    rows: list[list[str]]


@dataclass
class Card:
    """A big number on a summary slide, optionally with a progress bar (0-1)."""

    label: str
    value: str
    caption: str = ""
    band: str = ""
    progress: float | None = None


@dataclass
class Item:
    """One entry of an items, tiles or quotes slide."""

    title: str
    text: str = ""
    chip: str = ""
    band: str = ""
    value: str = ""
    label: str = ""


@dataclass
class TextList:
    """A heading and its lines (cover attendees, agenda objectives)."""

    heading: str
    lines: list[str]


@dataclass
class SlideSpec:
    """One slide of the template, rendered for one account (a table may still span pages)."""

    id: str
    kind: str
    layout: str
    title: str
    kicker: str = ""
    subtitle: str = ""
    bullets: list[Bullet] = field(default_factory=list)
    notes: str = ""
    brief: str = ""
    definitions: list[tuple[str, str]] = field(default_factory=list)
    table: TableSpec | None = None
    chart: dict[str, str] = field(default_factory=dict)
    numbers: list[Card] = field(default_factory=list)
    text: str = ""
    empty: str = ""
    agenda: bool = True
    columns: list[TextList] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    goals: list[Any] = field(default_factory=list)
    """The goal records a goals slide draws (from its `goals` expression)."""
    closing: bool = False
    """A closing slide (like a cover: no content area to fill)."""


class DeckTemplate:
    """A parsed deck template, compiled once per process and rendered per account."""

    def __init__(self, theme: Theme, formatter: Formatter, name: str = DECK_TEMPLATE):
        self.name = name
        found = theme.require(name)
        self.path = found.path
        try:
            data = yaml.safe_load(found.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{name}:{mark.line + 1}" if mark is not None else name
            raise TemplateError(f"{where}: invalid YAML: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("slides"), list):
            raise TemplateError(f"{name}: expected a mapping with a 'slides' list")
        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise TemplateError(
                f"{name}: unknown top-level key(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(sorted(TOP_KEYS))}"
            )
        self.audience = str(data.get("audience", "customer"))
        if self.audience not in ("customer", "internal"):
            raise TemplateError(
                f"{name}: audience: expected customer or internal, got {self.audience!r}"
            )
        self.slides: list[dict[str, Any]] = data["slides"]
        self.defaults: dict[str, Any] = data.get("defaults") or {}
        self.env = deck_env(theme, formatter)
        self.formatter = formatter
        self._templates: dict[str, jinja2.Template] = {}
        self._expressions: dict[str, Callable[..., Any]] = {}
        for index, slide in enumerate(self.slides):
            self._check(index, slide)

    @property
    def customer(self) -> bool:
        return self.audience == "customer"

    def _check(self, index: int, slide: Any) -> None:
        label = f"{self.name}: slide {index + 1}"
        if not isinstance(slide, dict) or "id" not in slide:
            raise TemplateError(f"{label}: expected a mapping with at least 'id' and 'kind'")
        unknown = sorted(set(slide) - SLIDE_KEYS)
        if unknown:
            raise TemplateError(
                f"{label} ('{slide['id']}'): unknown key(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(SLIDE_KEYS))}"
            )
        kind = slide.get("kind", "bullets")
        if kind not in KINDS:
            raise TemplateError(
                f"{label} ('{slide['id']}'): unknown kind '{kind}'; expected one of {', '.join(KINDS)}"
            )
        role = slide.get("layout", _default_role(kind))
        if role not in ROLES:
            raise TemplateError(
                f"{label} ('{slide['id']}'): unknown layout role '{role}'; "
                f"expected one of {', '.join(ROLES)}"
            )
        # The definitions go into the speaker notes, which travel with a customer deck.
        _definitions(
            slide.get("definitions") or [], f"{self.name}: slide '{slide['id']}'", self.customer
        )

    # --- Jinja -------------------------------------------------------------------------------

    def _error(self, label: str, exc: Exception) -> TemplateError:
        message = str(exc)
        hint = internal_hint(message) if self.customer else ""
        return TemplateError(f"{self.name}: {label}: {message}{hint}")

    @contextmanager
    def _located(self, label: str, what: str) -> Iterator[None]:
        """Turn a Jinja error into a TemplateError naming the deck template, slide and field."""
        try:
            yield
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{self.name}: {label}: {what} syntax error: {exc.message}"
            ) from exc
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
            raise self._error(label, exc) from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateError(f"{self.name}: {label}: {type(exc).__name__}: {exc}") from exc

    def text(self, source: Any, ctx: dict[str, Any], label: str) -> str:
        """Render one template string; errors name the deck template, slide and field."""
        if source is None:
            return ""
        source = str(source)
        if "{" not in source:
            return source.strip()
        with self._located(label, "template"):
            template = self._templates.get(source)
            if template is None:
                template = self.env.from_string(source)
                self._templates[source] = template
            return template.render(ctx).strip()
        raise AssertionError("unreachable")  # pragma: no cover

    def value(self, expression: Any, ctx: dict[str, Any], label: str) -> Any:
        """Evaluate a Jinja expression (a `when` condition, a table's `rows`)."""
        if isinstance(expression, bool | int | float | list):
            return expression
        source = str(expression)
        with self._located(label, "expression"):
            compiled = self._expressions.get(source)
            if compiled is None:
                compiled = self.env.compile_expression(source, undefined_to_none=False)
                self._expressions[source] = compiled
            result = compiled(**ctx)
            if isinstance(result, jinja2.Undefined):
                result._fail_with_undefined_error()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # --- rendering ---------------------------------------------------------------------------

    def render(
        self, ctx: dict[str, Any], brief_ctx: dict[str, Any] | None = None
    ) -> list[SlideSpec]:
        """The slides this account gets, in template order (slides whose `when` is false are
        left out). With `brief_ctx` (the internal context), each slide's `brief` is rendered
        too, for the prep brief; the deck itself never renders it."""
        out: list[SlideSpec] = []
        for slide in self.slides:
            label = f"slide '{slide['id']}'"
            if "when" in slide and not self.value(slide["when"], ctx, f"{label} when"):
                continue
            spec = self._slide(slide, ctx, label)
            if brief_ctx is not None and slide.get("brief"):
                spec.brief = self.text(slide["brief"], brief_ctx, f"{label} brief")
            out.append(spec)
        return out

    def _slide(self, slide: dict[str, Any], ctx: dict[str, Any], label: str) -> SlideSpec:
        kind = slide.get("kind", "bullets")
        spec = SlideSpec(
            id=str(slide["id"]),
            kind=kind,
            layout=slide.get("layout", _default_role(kind)),
            title=self.text(slide.get("title", ""), ctx, f"{label} title"),
            kicker=self.text(slide.get("kicker"), ctx, f"{label} kicker"),
            subtitle=self.text(slide.get("subtitle"), ctx, f"{label} subtitle"),
            notes=self.text(slide.get("notes"), ctx, f"{label} notes"),
            text=self.text(slide.get("text"), ctx, f"{label} text"),
            empty=self.text(slide.get("empty"), ctx, f"{label} empty"),
            agenda=bool(slide.get("agenda", kind not in ("cover", "agenda", "section"))),
            closing=bool(slide.get("closing", slide.get("layout") == "closing")),
        )
        spec.bullets = self._bullets(slide.get("bullets") or [], ctx, label)
        spec.definitions = [
            (self.formatter.translate(name), self.formatter.translate(text))
            for name, text in _definitions(
                slide.get("definitions") or [], f"{self.name}: {label}", self.customer
            )
        ]
        if "numbers" in slide:
            spec.numbers = [
                Card(
                    self.text(card.get("label"), ctx, f"{label} numbers label"),
                    self.text(card.get("value"), ctx, f"{label} numbers value"),
                    self.text(card.get("caption"), ctx, f"{label} numbers caption"),
                    self.text(card.get("band"), ctx, f"{label} numbers band"),
                    _fraction(self.value(card["progress"], ctx, f"{label} numbers progress"))
                    if "progress" in card
                    else None,
                )
                for card in slide["numbers"]
                if "when" not in card or self.value(card["when"], ctx, f"{label} numbers when")
            ]
        if "table" in slide:
            spec.table = self._table(slide["table"], ctx, label)
        if "chart" in slide:
            chart = slide["chart"]
            if not isinstance(chart, dict) or "kind" not in chart:
                raise TemplateError(f"{self.name}: {label}: chart needs a 'kind'")
            spec.chart = {
                key: self.text(value, ctx, f"{label} chart {key}") for key, value in chart.items()
            }
        if "columns" in slide:
            spec.columns = [
                self._text_list(column, ctx, f"{label} columns") for column in slide["columns"]
            ]
        for key in ("items", "quotes"):
            if key in slide:
                spec.items = self._items(slide[key], ctx, f"{label} {key}")
        if "goals" in slide:
            spec.goals = list(self.value(slide["goals"], ctx, f"{label} goals") or [])
        return spec

    def _rows(self, spec: dict[str, Any], ctx: dict[str, Any], label: str) -> list[Any]:
        if "rows" not in spec:
            raise TemplateError(f"{self.name}: {label}: needs 'rows' (an expression)")
        rows = list(self.value(spec["rows"], ctx, f"{label} rows") or [])
        limit = spec.get("limit")
        return rows[: int(limit)] if limit is not None else rows

    def _text_list(self, spec: Any, ctx: dict[str, Any], label: str) -> TextList:
        if not isinstance(spec, dict):
            raise TemplateError(f"{self.name}: {label}: expected a mapping {{heading, rows, text}}")
        heading = self.text(spec.get("heading"), ctx, f"{label} heading")
        lines = []
        for row in self._rows(spec, ctx, label):
            line = self.text(spec.get("text", "{{ row }}"), {**ctx, "row": row}, f"{label} text")
            if line:
                lines.append(line)
        return TextList(heading, lines)

    def _items(self, spec: Any, ctx: dict[str, Any], label: str) -> list[Item]:
        if not isinstance(spec, dict):
            raise TemplateError(f"{self.name}: {label}: expected a mapping with 'rows'")
        out = []
        for row in self._rows(spec, ctx, label):
            row_ctx = {**ctx, "row": row}
            out.append(
                Item(
                    *(
                        self.text(spec.get(key), row_ctx, f"{label} {key}")
                        for key in ("title", "text", "chip", "band", "value", "label")
                    )
                )
            )
        return out

    def _bullets(self, items: list[Any], ctx: dict[str, Any], label: str) -> list[Bullet]:
        out: list[Bullet] = []
        for item in items:
            if not isinstance(item, dict):
                text = self.text(item, ctx, f"{label} bullet")
                if text:
                    out.append(Bullet(text))
                continue
            level = int(item.get("level", 0))
            if "when" in item and not self.value(item["when"], ctx, f"{label} bullet when"):
                continue
            if "for" in item:
                values = self.value(item["for"], ctx, f"{label} bullet for") or []
                limit = int(item.get("limit", 1000))
                for value in list(values)[:limit]:
                    text = self.text(item.get("text"), {**ctx, "item": value}, f"{label} bullet")
                    if text:
                        out.append(Bullet(text, level))
                continue
            text = self.text(item.get("text"), ctx, f"{label} bullet")
            if text:
                out.append(Bullet(text, level))
        return out

    def _table(self, table: Any, ctx: dict[str, Any], label: str) -> TableSpec:
        if not isinstance(table, dict) or "rows" not in table or "columns" not in table:
            raise TemplateError(f"{self.name}: {label}: a table needs 'rows' and 'columns'")
        columns = [
            Column(
                self.text(col.get("header", ""), ctx, f"{label} column header"),
                float(col.get("width", 1)),
                str(col.get("align", "left")),
            )
            for col in table["columns"]
        ]
        rows: list[list[str]] = []
        for row in self._rows(table, ctx, f"{label} table"):
            row_ctx = {**ctx, "row": row}
            rows.append(
                [
                    self.text(
                        col.get("value", ""), row_ctx, f"{label} column '{col.get('header')}'"
                    )
                    for col in table["columns"]
                ]
            )
        return TableSpec(columns, rows)


def deck_env(theme: Theme, formatter: Formatter, **options: Any) -> jinja2.Environment:
    """The Jinja environment of deck text: the theme's sandbox (StrictUndefined), autoescape
    off (slides are not HTML), the formatter's filters plus `amount` and `unit_words`, and the
    catalog of the formatter's language (`_()`, `{% trans %}`). The deck template and a designed
    deck's tokens both render in it."""
    env = theme.env.overlay(autoescape=False, **options)
    use_language(env, formatter)
    env.filters["amount"] = strict_filter(lambda value, unit=None: amount(value, unit, formatter))
    env.filters["unit_words"] = strict_filter(unit_words)
    return env


_LOADED: dict[tuple[Any, ...], DeckTemplate] = {}


def load_deck_template(theme: Theme, formatter: Formatter, name: str) -> DeckTemplate:
    """The workspace's deck template, parsed once per process (reparsed when the file, the
    search path or the locale changes)."""
    path = theme.require(name).path
    stat = path.stat()
    key = (
        name,
        str(path),
        stat.st_mtime_ns,
        formatter.locale,
        formatter.currency,
        formatter.language,
    ) + tuple(str(folder) for folder in theme.folders)
    if key not in _LOADED:
        _LOADED[key] = DeckTemplate(theme, formatter, name)
    return _LOADED[key]


def _currency(unit: str | None) -> str | None:
    """The ISO currency code a unit starts with ('USD', 'EUR cost avoided'), if any."""
    head = (unit or "").split(" ", 1)[0]
    return head if len(head) == 3 and head.isalpha() and head.isupper() else None


def unit_words(unit: str | None) -> str:
    """What a value counts, without its currency code: 'EUR cost avoided' -> 'cost avoided'."""
    if not unit or unit in ("%", "pts"):
        return ""  # written onto the number itself
    if _currency(unit):
        return unit.split(" ", 1)[1] if " " in unit else ""
    return unit


def amount(value: Any, unit: str | None, formatter: Formatter) -> str:
    """A quantity for a slide: money when the unit starts with a currency code, else the
    number (a decimal only when it has one) with short units attached ('12%', '3.5 days')."""
    if value is None:
        return ""
    number = float(value)
    currency = _currency(unit)
    if currency:
        return Formatter(formatter.locale, currency, formatter.labels, formatter.language).money(
            value
        )
    digits = 0 if number.is_integer() else 1
    if unit == "%":
        return formatter.percent(number / 100, digits)  # the locale's percent: '12 %' in de
    text = formatter.number(value, digits)
    if unit == "pts":
        return f"{text} {formatter.gettext('pts')}"
    return text


def _default_role(kind: str) -> str:
    return {"cover": "title", "section": "section", "chart": "chart", "table": "table"}.get(
        kind, "content"
    )


def _fraction(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return max(0.0, min(1.0, float(value)))
    except (TypeError, ValueError):
        return None


def _definitions(keys: list[Any], label: str, customer: bool) -> list[tuple[str, str]]:
    """(label, definition) pairs for the KPI keys a slide names, for its speaker notes."""
    out: list[tuple[str, str]] = []
    for key in keys:
        key = str(key)
        if key in BY_KEY:
            if customer and key not in CUSTOMER_KPIS:
                raise TemplateError(
                    f"{label}: definitions: KPI '{key}' is internal and speaker notes travel "
                    "with a customer deck; name it in the slide's `brief` instead (or declare "
                    "`audience: internal` at the top of the deck template)"
                )
            out.append((BY_KEY[key].label, BY_KEY[key].definition))
        elif key.startswith("health:") and key[7:] in HEALTH_COMPONENT_DEFINITIONS:
            if customer:
                raise TemplateError(
                    f"{label}: definitions: '{key}' is part of the health score, which is "
                    "internal; name it in the slide's `brief` instead"
                )
            name = key[7:]
            out.append((f"Health component '{name}'", HEALTH_COMPONENT_DEFINITIONS[name]))
        else:
            known = some_of(sorted(BY_KEY), close_to=key)
            raise TemplateError(
                f"{label}: unknown KPI '{key}' in definitions; expected one of {known} "
                "or health:<component>"
            )
    return out
