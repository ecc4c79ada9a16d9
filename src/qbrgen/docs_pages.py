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
    "deck-template",
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
        GENERATED.format(source="from src/qbrgen/cli/"),
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
        here = context(command, name, root)
        out += [f"## qbrgen {name}", "", "```text", command.get_help(here).rstrip(), "```", ""]
        if isinstance(command, click.Group):  # a group's subcommands, each with its help
            for sub in command.list_commands(here):
                subcommand = command.get_command(here, sub)
                if subcommand is None or subcommand.hidden:
                    continue
                help_text = subcommand.get_help(context(subcommand, sub, here)).rstrip()
                out += [f"### qbrgen {name} {sub}", "", "```text", help_text, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _words(annotation: Any) -> str:
    """A field's type in words: 'date (YYYY-MM-DD)', 'list of [Ticket](#ticket)'."""
    import datetime as dt
    import types
    import typing
    from decimal import Decimal

    from pydantic import BaseModel

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _words(args[0])
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{value}`" for value in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_words(arg) for arg in args if arg is not type(None))
    if origin is list:
        return "list of " + _words(args[0])
    if origin is dict:
        return "mapping of name → " + _words(args[1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    known = {
        dt.datetime: "date and time (YYYY-MM-DDTHH:MM)",
        dt.date: "date (YYYY-MM-DD)",
        str: "text",
        bool: "true or false",
        int: "whole number",
        float: "number",
        Decimal: "amount",
    }
    return known.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _models(root: Any) -> list[Any]:
    """`root` and every model inside it, in the order their fields name them."""
    import typing

    from pydantic import BaseModel

    found: list[Any] = []
    queue = [root]
    while queue:
        model = queue.pop(0)
        if model in found:
            continue
        found.append(model)
        for info in model.model_fields.values():
            stack = [info.annotation]
            while stack:
                item = stack.pop(0)
                if isinstance(item, type) and issubclass(item, BaseModel):
                    queue.append(item)
                stack.extend(typing.get_args(item))
    return found


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if value in ([], {}, None):
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def account_fields_markdown() -> str:
    """Every field of an account file, from the models' annotations and docstrings."""
    from qbrgen.models import Account

    out = [
        "# Account fields",
        "",
        GENERATED.format(source="from the fields of src/qbrgen/models.py"),
        "",
        "Every field of an account file. *Required* fields must be there; the others may be "
        "left out (the default applies). The same descriptions are in the JSON Schema "
        "(`qbrgen schema`) your editor can use; [Account files](account-files.md) explains "
        "the format and YAML's traps.",
        "",
    ]
    for model in _models(Account):
        out += [f"## {model.__name__}", "", " ".join((model.__doc__ or "").split()), ""]
        out += ["| field | type | required / default | description |", "|---|---|---|---|"]
        for key, info in model.model_fields.items():
            text = " ".join((info.description or "").split()).replace("|", "\\|")
            out.append(f"| `{key}` | {_words(info.annotation)} | {_default(info)} | {text} |")
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
