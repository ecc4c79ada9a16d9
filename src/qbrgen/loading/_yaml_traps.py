"""YAML's own traps, explained: what the parser did with a line and how to write what was meant.

Two kinds. A file YAML cannot parse (a tab, a second ': ' in a value, a key one space off)
gets, instead of the parser's wording, the line, what YAML made of it and the fixed line.
A value YAML parsed as something else than the text the person typed (`region: NO` is the
boolean false, `version: 1.10` the number 1.1, `zip: 01234` the octal number 668) gets the
same in the validation message, through `reading` and `quoted_fix`.
"""

from __future__ import annotations

import re
from typing import Any

_KEY_LINE = re.compile(
    r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[^\s:#\-\"'][^:#]*?|\"[^\"]*\"|'[^']*'):(?:[ ]+(?P<value>.*?))?[ ]*$"
)
"""`  - title: Renewal: at risk` -> lead '  - ', key 'title', value 'Renewal: at risk'."""

_INDICATORS = {
    "@": "YAML reserves @ at the start of a value",
    "`": "YAML reserves ` at the start of a value",
    "%": "YAML reads % at the start of a value as a directive",
    "*": "YAML reads a value starting with * as an alias (a reference to an &anchor)",
    "!": "YAML reads a value starting with ! as a type tag",
}


def quote(text: str) -> str:
    """`text` as a quoted YAML scalar: double quotes unless it holds one."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def reading(text: str, value: Any) -> str:
    """What YAML made of the plain (unquoted) scalar `text`: 'which YAML reads as ...'."""
    if isinstance(value, bool):
        return f"which YAML reads as the yes/no value {'true' if value else 'false'}"
    if value is None:
        return "which YAML reads as empty (null)"
    if isinstance(value, int):
        bare = text.lstrip("+-")
        if ":" in bare:
            return f"which YAML reads as the base-60 number {value} (like a time)"
        if bare.lower().startswith("0x"):
            return f"which YAML reads as the hexadecimal number {value}"
        if bare.lower().startswith("0b"):
            return f"which YAML reads as the binary number {value}"
        if len(bare) > 1 and bare.startswith("0") and bare != str(value).lstrip("-"):
            return f"which YAML reads as the octal number {value} (a leading 0 means octal)"
        return f"which YAML reads as the number {value}"
    if isinstance(value, float):
        shown = repr(value).replace("inf", "infinity")
        return f"which YAML reads as the number {shown}"
    if isinstance(value, dict):
        if ": " in text and not text.lstrip().startswith("{"):
            return "which YAML reads as a key and a value, because of the ': '"
        return "which YAML reads as a mapping"
    if isinstance(value, list):
        return "which YAML reads as a list"
    return f"which YAML reads as {type(value).__name__}"


def quoted_fix(key: str | int | None, text: str) -> str:
    """What keeps `text` as text: `region: "NO"`, or `"NO"` for a list item."""
    return f"{key}: {quote(text)}" if isinstance(key, str) else quote(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Where the line's content starts once '- ' list markers count as indentation."""
    match = re.match(r"^[ ]*(?:-[ ]+)*", line)
    return match.end() if match else 0


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and stripped not in ("---", "...")


def _previous(lines: list[str], index: int) -> int | None:
    for i in range(index - 1, -1, -1):
        if _content(lines[i]):
            return i
    return None


def _shown(line: str) -> str:
    """A line as quoted in a message: tabs made visible, trailing blanks dropped."""
    return line.rstrip().replace("\t", "\\t")


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def explain_syntax(
    text: str,
    problem: str,
    line: int,
    column: int,
    context: str | None = None,
    context_line: int | None = None,
    context_column: int | None = None,
) -> tuple[str, int, int] | None:
    """(message, line, column) for a parser error at `line`/`column` (0-based), or None when
    it is not a trap we know; the position may move to the line the mistake is on."""
    lines = text.splitlines() or [""]
    line = min(line, len(lines) - 1)
    if context_line is not None:
        context_line = min(context_line, len(lines) - 1)
    here = lines[line]
    char = here[column] if column < len(here) else ""
    problem = problem or ""
    context = context or ""

    tab = _tab(lines, line, column, problem, char)
    if tab:
        return tab
    if "quoted scalar" in context and "end of stream" in problem and context_line is not None:
        opening = lines[context_line][context_column or 0 : (context_column or 0) + 1]
        return (
            f"the quoted value that starts here ({_shown(lines[context_line]).strip()}) is "
            f"never closed; add the closing {opening} at the end of the value",
            context_line,
            context_column or 0,
        )
    if "flow" in context and "expected ','" in problem and context_line is not None:
        opened = lines[context_line][context_column or 0 : (context_column or 0) + 1]
        closing = "]" if opened == "[" else "}"
        match = _KEY_LINE.match(lines[context_line])
        as_text = (
            f"; if the {opened} is part of the text, put the value in quotes: "
            f"{match.group('key')}: {quote(match.group('value'))}"
            if match is not None and match.group("value")
            else ""
        )
        return (
            f"the {opened} here starts a {'list' if opened == '[' else 'mapping'} that is never "
            f"closed with {closing}{as_text}",
            context_line,
            context_column or 0,
        )
    indicator = _indicator(here, column, problem, char)
    if indicator:
        return indicator[0], line, indicator[1]
    if "constructor for the tag" in problem:
        tag = re.search(r"tag '([^']*)'", problem)
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!") if tag else "!"
        return (
            f"the tag {shown} asks YAML to build a program object, and qbrgen reads plain data "
            "only: remove the tag (or put the value in quotes if the ! is part of the text)",
            line,
            column,
        )
    if "expected ':'" in problem and context_line is not None:
        return _no_space_after_colon(lines, context_line) or (
            f"'{lines[context_line].strip()}' is neither a key and a value (key: value) nor a "
            "list item (- value), and YAML cannot read the lines after it; add the ': ' or the "
            "'- ', or put text that runs over several lines in quotes",
            context_line,
            _indent(lines[context_line]),
        )
    if "mapping values are not allowed" in problem:
        return _mapping_values(lines, line, column)
    if "expected key" in problem or "expected '-'" in problem or "expected <block end>" in problem:
        return _quoted_then_text(here, line, column) or _misaligned(lines, line)
    return None


def _tab(
    lines: list[str], line: int, column: int, problem: str, char: str
) -> tuple[str, int, int] | None:
    here = lines[line]
    leading = here[: _indent_with_tabs(here)]
    if "\t" not in leading and char != "\t" and "tab" not in problem:
        return None
    if char == "\t" and "\t" not in leading:
        fixed = here[:column] + " " + here[column + 1 :]
        return (
            f'a tab here, where YAML expects a space; replace it with a space: "{fixed.rstrip()}"',
            line,
            column,
        )
    if "\t" not in leading:  # the parser may stop on the line after the tab
        for i in range(line, -1, -1):
            if "\t" in lines[i][: _indent_with_tabs(lines[i])]:
                line, here = i, lines[i]
                break
        else:
            return None
    previous = _previous(lines, line)
    content = here.lstrip(" \t")
    want = 0
    if previous is not None:
        above = lines[previous]
        if content.startswith("- ") and above.lstrip().startswith("- "):
            want = _indent(above)
        else:
            want = _key_column(above) + (2 if above.rstrip().endswith(":") else 0)
    fixed = " " * want + content
    return (
        "this line is indented with a tab, which YAML does not accept (it indents with "
        f'spaces only); replace the tab with spaces: "{fixed.rstrip()}"',
        line,
        0,
    )


def _indent_with_tabs(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _indicator(here: str, column: int, problem: str, char: str) -> tuple[str, int] | None:
    match = _KEY_LINE.match(here)
    if match is None or not match.group("value"):
        return None
    value = match.group("value")
    start = match.start("value")
    first = value[0]
    tagged = "tag" in problem and first == "!"
    if first not in _INDICATORS or not (
        "cannot start any token" in problem or "undefined alias" in problem or tagged
    ):
        return None
    if column not in (start, start + 1) and not tagged:
        return None
    fix = f"{match.group('key')}: {quote(value)}"
    return f"{_INDICATORS[first]}; put the value in quotes: {fix}", start


def _mapping_values(lines: list[str], line: int, column: int) -> tuple[str, int, int] | None:
    here = lines[line]
    match = _KEY_LINE.match(here)
    if match is not None and match.group("value") and match.start("value") <= column:
        value = match.group("value")
        before = here[match.start("value") : column].strip()
        return (
            f"the ': ' after '{before}' starts a second key on this line, which YAML does not "
            f"allow inside a value; if the colon is part of the text, put the value in quotes: "
            f"{match.group('key')}: {quote(value)}",
            line,
            column,
        )
    previous = _previous(lines, line)
    if previous is None:
        return None
    above = lines[previous]
    above_match = _KEY_LINE.match(above)
    if (
        above_match is not None
        and above_match.group("value")
        and _indent(here) > _key_column(above)
    ):
        want = _key_column(above)
        fixed = " " * want + here.strip()
        return (
            f"this line is indented {_spaces(_indent(here))}, more than "
            f"'{above[want:].strip()}' above it ({_spaces(want)}), so YAML reads it as more of that "
            f"value; line it up with '{above_match.group('key')}:': \"{fixed.rstrip()}\"",
            line,
            _indent(here),
        )
    return _no_space_after_colon(lines, previous)


def _no_space_after_colon(lines: list[str], line: int) -> tuple[str, int, int] | None:
    here = lines[line]
    match = re.match(r"^([ ]*(?:-[ ]+)*)([^\s:#]+):(\S.*)$", here)
    if match is None or ": " in here:
        return None
    key, value = match.group(2), match.group(3).strip()
    return (
        f"'{here.strip()}' has no space after the colon, so YAML reads the line as text, "
        f"not as a key and a value; write {key}: {value}",
        line,
        _indent(here),
    )


def _quoted_then_text(here: str, line: int, column: int) -> tuple[str, int, int] | None:
    match = _KEY_LINE.match(here)
    if match is None or not match.group("value"):
        return None
    value = match.group("value")
    opening = value[0]
    if opening not in "\"'":
        return None
    close = value.find(opening, 1)
    if close < 0 or close == len(value) - 1 or match.start("value") + close >= column:
        return None
    rest = value[close + 1 :].strip()
    return (
        f"the value starts with a quote, so YAML ends it at the closing {opening} and "
        f"cannot read '{rest}' after it; put the whole value in quotes: "
        f"{match.group('key')}: {quote(value)}",
        line,
        match.start("value"),
    )


def _misaligned(lines: list[str], line: int) -> tuple[str, int, int] | None:
    here = lines[line]
    indent = _indent(here)
    columns: dict[int, str] = {}  # where the open blocks above start: column -> their line
    lowest: int | None = None
    for i in range(line - 1, -1, -1):
        if not _content(lines[i]):
            continue
        start = _indent(lines[i])
        if lowest is None or start < lowest:
            lowest = start
            columns.setdefault(start, lines[i].strip())
            columns.setdefault(_key_column(lines[i]), lines[i][_key_column(lines[i]) :].strip())
        if start == 0:
            break
    if not columns or indent in columns:
        return None
    want = min(columns, key=lambda column: (abs(column - indent), -column))
    fixed = " " * want + here.strip()
    return (
        f"this line is indented {_spaces(indent)}, which lines up with no line above it; "
        f"YAML reads keys as one mapping only when they start in the same column. Indent it "
        f"{_spaces(want)} like '{columns[want]}': \"{fixed.rstrip()}\"",
        line,
        indent,
    )


def explain_syntax_error(text: str, exc: Any) -> tuple[str, int, int] | None:
    """`explain_syntax` for a yaml.MarkedYAMLError (PyYAML's or libyaml's wording)."""
    mark = exc.problem_mark
    if mark is None:
        return None
    context_mark = exc.context_mark
    return explain_syntax(
        text,
        exc.problem or "",
        mark.line,
        mark.column,
        exc.context,
        context_mark.line if context_mark is not None else None,
        context_mark.column if context_mark is not None else None,
    )
