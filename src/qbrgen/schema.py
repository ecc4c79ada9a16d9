"""The JSON Schema of account files (`qbrgen schema`), matching what `qbrgen validate` accepts
field by field, so an editor pointed at it marks exactly the values validate rejects.

Pydantic's own schema says what Python would emit, not what validation accepts: it declares
`date-time` (RFC 3339, seconds and zone required) where validate reads `2026-10-15T09:30`,
accepts any string for an amount (`"€142,500"`), and only JSON booleans where validate reads
`yes`. Here every scalar type describes the inputs Pydantic's lax mode accepts: valid calendar
dates, ISO date-times with or without seconds, amounts as numbers or digit strings with at
most two decimals, booleans and their words, whole numbers as numbers or digit strings.

Left out, because JSON Schema cannot say it: cross-field rules (renewal before start, a
won opportunity's close date, ...) and the two-decimal limit on amounts written as YAML
numbers (`arr: 12.345`; floating-point `multipleOf` is not exact in validators).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

_LEAP = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_DAY = (
    r"\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
)
DATE = rf"(?:{_DAY}|{_LEAP})"
"""A calendar date YYYY-MM-DD that exists (2026-02-30 does not; 2028-02-29 does)."""
_ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_MIDNIGHT = r"T00:00(?::00(?:\.0{1,6})?)?(?:Z|[+-]00:?00)?"
_BOOL_WORDS = (
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "t",
    "f",
    "1",
    "0",
)


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


class AccountSchema(GenerateJsonSchema):
    """Pydantic's schema generator, with scalar types that accept what validation accepts."""

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "pattern": rf"^{DATE}(?:{_MIDNIGHT})?$"},
                {"type": "integer", "multipleOf": 86400},
            ],
            "description": "A date, YYYY-MM-DD.",
        }

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "pattern": rf"^{DATE}(?:[T ]{_TIME}{_ZONE}?)?$"},
                {"type": "string", "pattern": r"^\d+(?:\.\d+)?$"},
                {"type": "number", "minimum": 0},
            ],
            "description": "A date and time, YYYY-MM-DDTHH:MM (or a date, YYYY-MM-DD).",
        }

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        words = "|".join(_any_case(w) for w in _BOOL_WORDS)
        return {
            "anyOf": [
                {"type": "boolean"},
                {"enum": [0, 1]},
                {"type": "string", "pattern": rf"^(?:{words})$"},
            ]
        }

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        number: dict[str, Any] = {"type": "integer"}
        ge, le = schema.get("ge"), schema.get("le")
        if ge is not None:
            number["minimum"] = ge
        if le is not None:
            number["maximum"] = le
        if ge == 0 and le == 10:
            digits = r"0*(?:10|\d)"
        elif ge == 1:
            digits = r"0*[1-9]\d*"
        elif ge == 0:
            digits = r"\d+"
        else:
            digits = r"-?\d+"
        text = {"type": "string", "pattern": rf"^\s*\+?{digits}(?:\.0*)?\s*$"}
        flags: dict[str, Any] = {"type": "boolean"} if ge in (None, 0) else {"const": True}
        return {"anyOf": [number, text, flags]}

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        ge, le = schema.get("ge"), schema.get("le")
        number: dict[str, Any] = {"type": "number"}
        if ge is not None:
            number["minimum"] = ge
        if le is not None:
            number["maximum"] = le
        if ge == 0 and le == 1:
            pattern = r"^\s*\+?(?:0*(?:\.\d*)?|0*1(?:\.0*)?|\.\d+)\s*$"
        else:
            pattern = r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$"
        return {"anyOf": [number, {"type": "string", "pattern": pattern}, {"type": "boolean"}]}

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        places = schema.get("decimal_places")
        digits = schema.get("max_digits")
        whole = (digits - (places or 0)) if digits else None
        fraction = rf"(?:\.\d{{0,{places}}}0*)?" if places is not None else r"(?:\.\d*)?"
        head = rf"\d{{1,{whole}}}" if whole else r"\d+"
        sign = r"\+?" if schema.get("ge") == 0 else r"[+-]?"
        number: dict[str, Any] = {"type": "number"}
        if schema.get("ge") is not None:
            number["minimum"] = schema["ge"]
        if whole:
            number["exclusiveMaximum"] = 10**whole
        return {
            "anyOf": [
                number,
                {"type": "string", "pattern": rf"^\s*{sign}{head}{fraction}\s*$"},
            ],
            "description": "An amount: a number with at most two decimals, no currency sign.",
        }

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        out: JsonSchemaValue = {"type": "string"}
        pattern = schema.get("pattern")
        if pattern is not None:
            inner = str(pattern).removeprefix("^").removesuffix("$")
            out["pattern"] = rf"^\s*{inner}\s*$"  # validation strips whitespace first
        if schema.get("min_length"):
            out["pattern"] = out.get("pattern", r"\S")
        if schema.get("max_length") is not None:
            out["maxLength"] = schema["max_length"]
        return out


def account_schema() -> dict[str, Any]:
    """The JSON Schema of an account file, for editors."""
    from qbrgen.models import Account

    schema = Account.model_json_schema(mode="validation", schema_generator=AccountSchema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qbrgen account file"
    return schema
