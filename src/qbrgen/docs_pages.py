"""The documentation pages qbrgen writes from its own code, so they cannot drift from it:
the KPI reference (from kpis/definitions.py), every command's help (from the CLI) and every
account field (from the models' docstrings).

    python -m qbrgen.docs_pages docs          # rewrite docs/kpis.md, commands.md, account-fields.md
    python -m qbrgen.docs_pages docs --check  # exit 1 naming each page that is out of date
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

GENERATED = "<!-- Written by `python -m qbrgen.docs_pages` ({source}); do not edit by hand. -->"

COMMAND_ORDER = (
    "init",
    "validate",
    "kpis",
    "qbr",
    "plan",
    "scorecard",
    "digest",
    "build",
    "kit",
    "templates",
    "schema",
    "template-workbook",
    "import",
    "demo-data",
)
"""The order a newcomer meets the commands in; commands added later follow, sorted."""


def commands_markdown() -> str:
    """Every command's `--help`, as one page."""
    import click

    from qbrgen.cli import main

    def context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
        settings = {"terminal_width": 90, "max_content_width": 90, **command.context_settings}
        return click.Context(command, info_name=name, parent=parent, **settings)

    root = context(main, "qbrgen", None)
    names = main.list_commands(root)
    ordered = [n for n in COMMAND_ORDER if n in names] + sorted(
        n for n in names if n not in COMMAND_ORDER
    )
    out = [
        "# Commands",
        "",
        GENERATED.format(source="from src/qbrgen/cli.py"),
        "",
        "Every command and option, as `--help` prints them. Commands find the workspace (the "
        "folder holding `qbrgen.yaml`) from the current folder or its parents, or from "
        "`-w DIR`. Exit codes: 0 when everything worked, 1 when an input was invalid or a "
        "document failed (the rest is still made), 2 for a usage error.",
        "",
        "```text",
        main.get_help(root).rstrip(),
        "```",
        "",
    ]
    for name in ordered:
        command = main.get_command(root, name)
        if command is None or command.hidden:
            continue
        out += [
            f"## qbrgen {name}",
            "",
            "```text",
            command.get_help(context(command, name, root)).rstrip(),
            "```",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    """A JSON Schema fragment in words: 'date (YYYY-MM-DD)', 'list of [Ticket](#ticket)'."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if any(s.get("type") == "number" for s in kinds):
            return "number"
        return " or ".join(dict.fromkeys(_type(s, defs) for s in kinds))
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type")
    if kind == "string":
        form = schema.get("format")
        if form == "date":
            return "date (YYYY-MM-DD)"
        if form == "date-time":
            return "date and time (YYYY-MM-DDTHH:MM)"
        return "text"
    if kind == "array":
        return "list of " + _type(schema.get("items", {}), defs)
    if kind == "object":
        return "mapping of name → " + _type(schema.get("additionalProperties", {}), defs)
    return {"integer": "whole number", "number": "number", "boolean": "true or false"}.get(
        str(kind), str(kind)
    )


def _default(field: dict[str, Any]) -> str:
    if "default" not in field:
        return ""
    value = field["default"]
    if value in ([], {}, None):
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def account_fields_markdown() -> str:
    """Every field of an account file, from the models' docstrings."""
    from qbrgen.models import account_json_schema

    schema: dict[str, Any] = account_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    out = [
        "# Account fields",
        "",
        GENERATED.format(source="from the field docstrings in src/qbrgen/models.py"),
        "",
        "Every field of an account file. *Required* fields must be there; the others may be "
        "left out (the default applies). The same descriptions are in the JSON Schema "
        "(`qbrgen schema`) your editor can use; [Account files](account-files.md) explains "
        "the format and YAML's traps.",
        "",
    ]
    models = [("Account", schema), *((name, defs[name]) for name in defs)]
    for name, model in models:
        required = set(model.get("required", []))
        out += [f"## {name}", "", model.get("description", "").strip(), ""]
        out += ["| field | type | required / default | description |", "|---|---|---|---|"]
        for key, field in model.get("properties", {}).items():
            need = "required" if key in required else (_default(field) or "empty")
            text = " ".join(str(field.get("description", "")).split()).replace("|", "\\|")
            out.append(f"| `{key}` | {_type(field, defs)} | {need} | {text} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def kpis_markdown() -> str:
    from qbrgen.kpis.reference import reference_markdown

    return reference_markdown()


PAGES: dict[str, Callable[[], str]] = {
    "kpis.md": kpis_markdown,
    "commands.md": commands_markdown,
    "account-fields.md": account_fields_markdown,
}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv and not argv[0].startswith("-") else Path("docs")
    check = "--check" in argv
    stale = []
    for name, make in PAGES.items():
        path = folder / name
        text = make()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(
            f"out of date: {', '.join(stale)}; run `make docs-pages` "
            "(python -m qbrgen.docs_pages docs) and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
