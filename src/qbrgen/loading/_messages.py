"""Turns Pydantic's validation errors into 'field: expected X, got Y' messages a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

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


def describe(error: ErrorDetails, model: type[BaseModel]) -> tuple[tuple[str | int, ...], str]:
    """(location path, message) for one Pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        known = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; expected one of {', '.join(known)}" if known else "")
        )
        return loc, f"unknown field '{loc[-1]}'{hint}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return loc, f"expected one of {expected.replace(' or ', ', ')}, got {_shown(value)}"
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
    exc: ValidationError, model: type[BaseModel]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every error of a ValidationError, described."""
    return [describe(err, model) for err in exc.errors(include_url=False)]
