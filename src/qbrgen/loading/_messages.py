"""Turns Pydantic's validation errors into 'field: expected X, got Y' messages a person can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from qbrgen.errors import some_of
from qbrgen.loading._yaml_traps import quoted_fix, reading

TypedText = Callable[[Sequence[str | int]], str | None]
"""The text of the value at a location as typed (an unquoted YAML scalar), or None."""

_EXPECTED = {
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_type": "a date (YYYY-MM-DD)",
    "datetime_parsing": "a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_from_date_parsing": "a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_type": "a date and time (YYYY-MM-DDTHH:MM)",
    "decimal_parsing": "a number",
    "decimal_type": "a number",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list (items starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "decimal_max_places": "an amount with at most 2 decimals",
    "decimal_max_digits": "an amount with at most 18 digits",
}


def field_path(loc: Sequence[str | int]) -> str:
    """('stakeholders', 2, 'sentiment') -> 'stakeholders[2].sentiment'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that owns the last key of `loc`, to suggest field names."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args:
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def suggest_choice(value: str, choices: Sequence[str]) -> str | None:
    """The choice a person most likely meant: same letters in another case ('Enterprise'),
    spaces or hyphens for underscores ('mid market'), or a close spelling ('negotation')."""
    folded = {choice.lower(): choice for choice in choices}
    typed = value.strip().lower()
    for candidate in (typed, re.sub(r"[\s\-]+", "_", typed)):
        if candidate in folded:
            return folded[candidate]
    close = difflib.get_close_matches(typed, list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _as_typed(
    loc: tuple[str | int, ...], value: Any, source: TypedText | None
) -> tuple[str, str] | None:
    """(the text as typed, what YAML made of it) for a value YAML read as something else
    than the text the person wrote: `NO` as false, `1.10` as 1.1, `a: b` as a mapping."""
    if source is None or isinstance(value, str):
        return None
    text = source(loc)
    if not text:
        return None
    return text, reading(text, value)


def describe(
    error: ErrorDetails, model: type[BaseModel], source: TypedText | None = None
) -> tuple[tuple[str | int, ...], str]:
    """(location path, message) for one Pydantic error; `source` gives the text of a value as
    typed, so a value YAML read as something else is explained with its fix."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    key = loc[-1] if loc else None
    typed = _as_typed(loc, value, source) if kind in ("string_type", "literal_error") else None
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        known = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; expected one of {some_of(known)}" if known else "")
        )
        return loc, f"unknown field '{loc[-1]}'{hint}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        expected = f"expected one of {', '.join(choices)}"
        if typed is not None:
            return loc, f"{expected}, got {typed[0]}, {typed[1]}"
        message = f"{expected}, got {_shown(value)}"
        meant = suggest_choice(value, choices) if isinstance(value, str) else None
        if meant is not None:
            fix = f"{key}: {meant}" if isinstance(key, str) else meant
            message += f"; did you mean '{meant}'? Write {fix}"
        return loc, message
    if kind == "string_type" and typed is not None:
        return (
            loc,
            f"expected text, got {typed[0]}, {typed[1]}; to keep it as text, put it in quotes: "
            f"{quoted_fix(key, typed[0])}",
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()), "")
        what = "an amount" if kind.startswith("greater") and bound in (0, "0") else "a value"
        return loc, f"expected {what} {sign} {bound}, got {_shown(value)}"
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "id":
            return (
                loc,
                f"expected lowercase letters, digits, '-' or '_' (e.g. 'acme-corp'), got {_shown(value)}",
            )
        if loc and loc[-1] == "quarter":
            return loc, f"expected a quarter like '2026-Q3', got {_shown(value)}"
        return loc, f"expected text matching {ctx.get('pattern')}, got {_shown(value)}"
    if kind == "string_too_short":
        return loc, "expected text, got an empty value"
    if kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return loc, message
    described = _EXPECTED.get(kind)
    if described:
        return loc, f"expected {described}, got {_shown(value)}"
    return loc, f"{error.get('msg', kind)}, got {_shown(value)}"


def describe_all(
    exc: ValidationError, model: type[BaseModel], source: TypedText | None = None
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every error of a ValidationError, described."""
    return [describe(err, model, source) for err in exc.errors(include_url=False)]
