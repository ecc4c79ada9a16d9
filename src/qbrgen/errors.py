"""The one exception root and the located problem record every stage reports with."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file, and inside it a line/column or a sheet cell."""

    path: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return (
                f"{self.path}:{self.sheet}!{self.cell}"
                if self.cell
                else f"{self.path}:{self.sheet}"
            )
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one input, with where and what to do."""

    location: Location
    message: str
    field: str = ""
    severity: str = "error"  # "error" or "warning"
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: {self.message}" if self.field else self.message
        tail = f" ({self.hint})" if self.hint else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}{prefix}{what}{tail}"


class QbrgenError(Exception):
    """Root of every error qbrgen raises on purpose; the CLI prints it without a traceback."""

    exit_code = 1


class UsageError(QbrgenError):
    """The command was called wrongly (unknown account id, bad option value)."""

    exit_code = 2


class InputError(QbrgenError):
    """One or more input files are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateError(QbrgenError):
    """A template failed to load or render; the message names the template and line."""


class RenderError(QbrgenError):
    """A document could not be rendered for one account."""


class MissingSystemDependency(QbrgenError):
    """A system library a renderer needs (Pango for WeasyPrint, LibreOffice) is missing."""


@dataclass
class ProblemList:
    """Collects problems across files so a bad file never stops the others being checked."""

    items: list[Problem] = field(default_factory=list)

    def add(self, location: Location, message: str, field: str = "", hint: str = "") -> None:
        self.items.append(Problem(location, message, field, "error", hint))

    def warn(self, location: Location, message: str, field: str = "", hint: str = "") -> None:
        self.items.append(Problem(location, message, field, "warning", hint))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]


def some_of(names: Iterable[str], shown: int = 6, close_to: str | None = None) -> str:
    """A list of known names for a message: the closest matches to `close_to` first, at most
    `shown` of them, then '… and 57 more' (never 60 names on one line)."""
    items = list(dict.fromkeys(names))
    if not items:
        return "none"
    if close_to is not None:
        close = difflib.get_close_matches(close_to, items, n=3, cutoff=0.6)
        items = close + [n for n in items if n not in close]
    if len(items) <= shown + 1:
        return ", ".join(items)
    return f"{', '.join(items[:shown])} … and {len(items) - shown} more"


@functools.lru_cache(maxsize=512)
def _resolved_folder(folder: Path) -> Path:
    return folder.resolve()


@functools.lru_cache(maxsize=512)
def _folder_label(folder: Path, root: Path | None, cwd: Path) -> str | None:
    """How `folder` (absolute) is shown: relative to the root or cwd when inside one of them,
    as a prefix to put before a file name ('' for the folder itself); None when outside both."""
    resolved = _resolved_folder(folder)
    for base in (root, cwd):
        if base is None:
            continue
        try:
            relative = resolved.relative_to(
                _resolved_folder(base if base.is_absolute() else cwd / base)
            )
        except ValueError:
            continue
        return "" if relative == Path() else f"{relative}/"
    return None


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the user would type it: relative to the workspace (or cwd) when inside it.

    Resolved per folder, not per file: a 10,000-account folder costs one resolve, not 10,000.
    """
    cwd = Path.cwd()
    absolute = path if path.is_absolute() else cwd / path
    if absolute.name not in ("", ".", ".."):
        prefix = _folder_label(absolute.parent, root, cwd)
        if prefix is not None:
            return prefix + absolute.name
    prefix = _folder_label(absolute.resolve(), root, cwd)  # a root itself, or outside both
    return str(path) if prefix is None else (prefix.rstrip("/") or ".")


def display_paths(paths: Sequence[Path], root: Path | None = None) -> list[str]:
    """`display_path` of many paths: the working folder read once, each folder's label once."""
    cwd = Path.cwd()
    prefixes: dict[Path, str | None] = {}
    out = []
    for path in paths:
        folder, name = path.parent, path.name
        if name in ("", ".", "..") or not path.is_absolute():
            out.append(display_path(path, root))
            continue
        if folder not in prefixes:
            prefixes[folder] = _folder_label(folder, root, cwd)
        prefix = prefixes[folder]
        out.append(display_path(path, root) if prefix is None else prefix + name)
    return out
