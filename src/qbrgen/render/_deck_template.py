"""The deck template (`deck/qbr.yaml` on the theme search path): which slides, in what order, on
which layout, with which titles, bullets, tables, charts and notes, as Jinja text.

The YAML is read with a safe loader; every string in it is a Jinja template rendered in the
theme's sandboxed environment (StrictUndefined). Account text only ever arrives as values in
the context, so `{{ }}` inside a risk title is printed, never run. Autoescape is off here
because slides are not HTML: `<script>` must appear as typed, not as `&lt;script&gt;`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jinja2
import yaml

from qbrgen.errors import TemplateError
from qbrgen.kpis.definitions import BY_KEY, HEALTH_COMPONENT_DEFINITIONS
from qbrgen.templates import Formatter, Theme

DECK_TEMPLATE = "deck/qbr.yaml"
KINDS = ("cover", "agenda", "section", "bullets", "summary", "chart", "table", "text")
ROLES = ("title", "section", "content", "chart", "table", "closing")
SLIDE_KEYS = {
    "id", "kind", "layout", "when", "title", "subtitle", "bullets", "notes", "definitions",
    "table", "chart", "numbers", "text", "empty", "agenda",
}  # fmt: skip


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
    max_lines: int = 3


@dataclass
class Card:
    """A big number on the executive summary."""

    label: str
    value: str
    caption: str = ""
    band: str = ""


@dataclass
class SlideSpec:
    """One slide of the template, rendered for one account (a table may still span pages)."""

    id: str
    kind: str
    layout: str
    title: str
    subtitle: str = ""
    bullets: list[Bullet] = field(default_factory=list)
    notes: str = ""
    definitions: list[tuple[str, str]] = field(default_factory=list)
    table: TableSpec | None = None
    chart: dict[str, str] = field(default_factory=dict)
    numbers: list[Card] = field(default_factory=list)
    text: str = ""
    empty: str = ""
    agenda: bool = True


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
        self.slides: list[dict[str, Any]] = data["slides"]
        self.defaults: dict[str, Any] = data.get("defaults") or {}
        env = theme.env.overlay(autoescape=False)
        env.filters.update(formatter.filters())
        env.globals.update(fmt=formatter)
        self.env = env
        self._templates: dict[str, jinja2.Template] = {}
        self._expressions: dict[str, Callable[..., Any]] = {}
        for index, slide in enumerate(self.slides):
            self._check(index, slide)

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

    # --- Jinja -------------------------------------------------------------------------------

    def text(self, source: Any, ctx: dict[str, Any], label: str) -> str:
        """Render one template string; errors name the deck template, slide and field."""
        if source is None:
            return ""
        source = str(source)
        if "{" not in source:
            return source.strip()
        template = self._templates.get(source)
        try:
            if template is None:
                template = self.env.from_string(source)
                self._templates[source] = template
            return template.render(ctx).strip()
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{self.name}: {label}: template syntax error: {exc.message}"
            ) from exc
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
            raise TemplateError(f"{self.name}: {label}: {exc}") from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateError(f"{self.name}: {label}: {type(exc).__name__}: {exc}") from exc

    def value(self, expression: Any, ctx: dict[str, Any], label: str) -> Any:
        """Evaluate a Jinja expression (a `when` condition, a table's `rows`)."""
        if isinstance(expression, bool | int | float | list):
            return expression
        source = str(expression)
        compiled = self._expressions.get(source)
        try:
            if compiled is None:
                compiled = self.env.compile_expression(source, undefined_to_none=False)
                self._expressions[source] = compiled
            return compiled(**ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{self.name}: {label}: expression syntax error: {exc.message}"
            ) from exc
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
            raise TemplateError(f"{self.name}: {label}: {exc}") from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateError(f"{self.name}: {label}: {type(exc).__name__}: {exc}") from exc

    # --- rendering ---------------------------------------------------------------------------

    def render(self, ctx: dict[str, Any]) -> list[SlideSpec]:
        """The slides this account gets, in template order (slides whose `when` is false are
        left out)."""
        out: list[SlideSpec] = []
        for slide in self.slides:
            label = f"slide '{slide['id']}'"
            if "when" in slide and not self.value(slide["when"], ctx, f"{label} when"):
                continue
            out.append(self._slide(slide, ctx, label))
        return out

    def _slide(self, slide: dict[str, Any], ctx: dict[str, Any], label: str) -> SlideSpec:
        kind = slide.get("kind", "bullets")
        spec = SlideSpec(
            id=str(slide["id"]),
            kind=kind,
            layout=slide.get("layout", _default_role(kind)),
            title=self.text(slide.get("title", ""), ctx, f"{label} title"),
            subtitle=self.text(slide.get("subtitle"), ctx, f"{label} subtitle"),
            notes=self.text(slide.get("notes"), ctx, f"{label} notes"),
            text=self.text(slide.get("text"), ctx, f"{label} text"),
            empty=self.text(slide.get("empty"), ctx, f"{label} empty"),
            agenda=bool(slide.get("agenda", kind not in ("cover", "agenda", "section"))),
        )
        spec.bullets = self._bullets(slide.get("bullets") or [], ctx, label)
        spec.definitions = _definitions(slide.get("definitions") or [], f"{self.name}: {label}")
        if "numbers" in slide:
            spec.numbers = [
                Card(
                    self.text(card.get("label"), ctx, f"{label} numbers label"),
                    self.text(card.get("value"), ctx, f"{label} numbers value"),
                    self.text(card.get("caption"), ctx, f"{label} numbers caption"),
                    self.text(card.get("band"), ctx, f"{label} numbers band"),
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
        return spec

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
        for row in self.value(table["rows"], ctx, f"{label} table rows") or []:
            row_ctx = {**ctx, "row": row}
            rows.append(
                [
                    self.text(
                        col.get("value", ""), row_ctx, f"{label} column '{col.get('header')}'"
                    )
                    for col in table["columns"]
                ]
            )
        return TableSpec(columns, rows, int(table.get("max_lines", 3)))


def _default_role(kind: str) -> str:
    return {"cover": "title", "section": "section", "chart": "chart", "table": "table"}.get(
        kind, "content"
    )


def _definitions(keys: list[Any], label: str) -> list[tuple[str, str]]:
    """(label, definition) pairs for the KPI keys a slide names, for its speaker notes."""
    out: list[tuple[str, str]] = []
    for key in keys:
        key = str(key)
        if key in BY_KEY:
            out.append((BY_KEY[key].label, BY_KEY[key].definition))
        elif key.startswith("health:") and key[7:] in HEALTH_COMPONENT_DEFINITIONS:
            name = key[7:]
            out.append((f"Health component '{name}'", HEALTH_COMPONENT_DEFINITIONS[name]))
        else:
            known = ", ".join(sorted(BY_KEY))
            raise TemplateError(
                f"{label}: unknown KPI '{key}' in definitions; expected one of {known} "
                "or health:<component>"
            )
    return out
