"""Load the hiring-kit content library from the theme: built-in files, then workspace files.

Merge rule (documented in docs/hiring-kits.md):

1. Every `kits/*.yaml` on the template search path is read. A workspace file with the same
   name as a built-in one replaces that whole file (the theme's usual file-by-file override).
2. Files are merged in order: built-in names first (sorted), then names only the workspace
   has (sorted). Within each section an item whose id is already known replaces the earlier
   item in place; a new id is appended. `remove: [id, ...]` drops earlier items.
3. `company:` fields merge field by field: a later file sets only the fields it names.

Every problem is reported with its file, line and column, all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from qbrgen.errors import (
    InputError,
    Location,
    Problem,
    ProblemList,
    UsageError,
    display_path,
    some_of,
)
from qbrgen.kits.models import SECTIONS, SENIORITIES, Company, ContentFile, Tagged
from qbrgen.loading._messages import describe_all, field_path
from qbrgen.loading._yaml import NodeLocator, YamlFileError, read_yaml
from qbrgen.templates import Theme

KITS_DIR = "kits"


@dataclass
class _Placed:
    """An item and where it was written, for errors found after merging."""

    item: BaseModel
    locator: NodeLocator
    loc: tuple[str | int, ...]

    def where(self, *more: str | int) -> Location:
        return self.locator.locate((*self.loc, *more))


@dataclass
class Library:
    """The merged content library: every section as an ordered id -> item mapping."""

    company: Company
    sections: dict[str, dict[str, Any]]
    files: list[str] = field(default_factory=list)
    """Template names of the content files read, in merge order."""

    def section(self, name: str) -> list[Any]:
        return list(self.sections[name].values())

    @property
    def industries(self) -> list[str]:
        return list(self.sections["industries"])


def content_files(theme: Theme) -> list[str]:
    """Names (`kits/<file>.yaml`) of the content files on the search path, in merge order."""
    builtin: set[str] = set()
    other: set[str] = set()
    for folder, origin in theme.dirs:
        kits = folder / KITS_DIR
        if not kits.is_dir():
            continue
        for path in kits.iterdir():
            if (
                path.is_file()
                and path.suffix in (".yaml", ".yml")
                and not path.name.startswith(".")
            ):
                name = f"{KITS_DIR}/{path.name}"
                (builtin if origin == "built-in" else other).add(name)
    return sorted(builtin) + sorted(other - builtin)


def _label(path: Path, theme: Theme) -> str:
    root = theme.workspace.root if theme.workspace is not None else None
    return display_path(path, root)


def _read(name: str, theme: Theme, problems: ProblemList) -> tuple[ContentFile, NodeLocator] | None:
    found = theme.require(name)
    label = _label(found.path, theme)
    try:
        data, text = read_yaml(found.path)
    except YamlFileError as exc:
        if str(exc) == "the file is empty":
            return ContentFile(), NodeLocator(label, "{}")
        problems.add(Location(label, exc.line, exc.column), str(exc))
        return None
    locator = NodeLocator(label, text)
    if data is None:
        return ContentFile(), locator
    if not isinstance(data, dict):
        problems.add(
            Location(label, 1, 1), "expected a mapping of sections (company, questions, ...)"
        )
        return None
    try:
        return ContentFile.model_validate(data), locator
    except ValidationError as exc:
        found_problems = [
            (locator.locate(loc), msg, field_path(loc))
            for loc, msg in describe_all(exc, ContentFile, locator.source)
        ]
        for where, message, path in sorted(
            found_problems, key=lambda f: (f[0].line or 0, f[0].column or 0)
        ):
            problems.add(where, message, path)
        return None


def load_library(theme: Theme) -> Library:
    """Read, validate and merge every content file; raises InputError listing every problem."""
    problems = ProblemList()
    names = content_files(theme)
    if not names:
        raise InputError(
            [
                Problem(
                    Location(KITS_DIR), "no content files (kits/*.yaml) on the template search path"
                )
            ]
        )
    company = Company()
    merged: dict[str, dict[str, _Placed]] = {section: {} for section in SECTIONS}
    for name in names:
        read = _read(name, theme, problems)
        if read is None:
            continue
        content, locator = read
        if content.company is not None:
            company = company.model_copy(
                update={
                    key: getattr(content.company, key) for key in content.company.model_fields_set
                }
            )
        for section in SECTIONS:
            seen: set[str] = set()
            for index, item in enumerate(getattr(content, section)):
                if item.id in seen:
                    where = locator.locate((section, index, "id"))
                    problems.add(
                        where,
                        f"id '{item.id}' appears twice in this file",
                        f"{section}[{index}].id",
                    )
                seen.add(item.id)
                merged[section][item.id] = _Placed(item, locator, (section, index))
        for index, item_id in enumerate(content.remove):
            owners = [section for section in SECTIONS if item_id in merged[section]]
            if not owners:
                problems.add(
                    locator.locate(("remove", index)),
                    f"no item with id '{item_id}' in the files read before this one",
                    f"remove[{index}]",
                )
            for section in owners:
                del merged[section][item_id]
    _cross_check(merged, problems)
    if problems.errors:
        raise InputError(problems.errors)
    sections = {
        section: {key: placed.item for key, placed in items.items()}
        for section, items in merged.items()
    }
    return Library(company, sections, names)


def _cross_check(merged: dict[str, dict[str, _Placed]], problems: ProblemList) -> None:
    """References between sections: industry tags, competencies, one level per seniority."""
    industries = set(merged["industries"])
    competencies = set(merged["competencies"])
    for section in SECTIONS:
        for placed in merged[section].values():
            item = placed.item
            if isinstance(item, Tagged):
                for index, tag in enumerate(item.industries):
                    if tag != "all" and tag not in industries:
                        known = ", ".join(["all", *sorted(industries)])
                        problems.add(
                            placed.where("industries", index),
                            f"unknown industry '{tag}'; expected one of {known} "
                            "(or add it to an `industries:` section)",
                            field_path((*placed.loc, "industries", index)),
                        )
            competency = getattr(item, "competency", None)
            if section == "questions" and competency not in competencies:
                problems.add(
                    placed.where("competency"),
                    f"unknown competency '{competency}'; expected one of {some_of(sorted(competencies), close_to=str(competency))}",
                    field_path((*placed.loc, "competency")),
                )
    missing = [s for s in SENIORITIES if s not in merged["levels"]]
    if missing:
        problems.add(Location(KITS_DIR), f"levels: no entry for {', '.join(missing)}", "levels")


def parse_kit_name(name: str, library: Library) -> tuple[str, str]:
    """'senior-regulated' -> ('senior', 'regulated'); UsageError naming what is known."""
    seniority, _, industry = name.partition("-")
    if not industry:
        raise UsageError(f"kit '{name}': expected '<seniority>-<industry>', e.g. senior-saas")
    check_choice(seniority, industry, library)
    return seniority, industry


def check_choice(seniority: str, industry: str, library: Library) -> None:
    """UsageError when the seniority or industry is not one the library knows."""
    if seniority not in SENIORITIES:
        raise UsageError(
            f"unknown seniority '{seniority}'; expected one of {', '.join(SENIORITIES)}"
        )
    if industry not in library.industries:
        raise UsageError(
            f"unknown industry '{industry}'; expected one of {', '.join(library.industries)} "
            "(a workspace adds one with an `industries:` section in templates/kits/*.yaml)"
        )


def all_kits(library: Library) -> Sequence[tuple[str, str]]:
    """Every seniority × industry pair the library can build."""
    return [(s, i) for s in SENIORITIES for i in library.industries]
