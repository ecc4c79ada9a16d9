"""Load the hiring-kit content library from the theme: built-in files, then workspace files,
each in English and then in the kit's language.

Merge rule (documented in docs/hiring-kits.md):

1. Every `kits/*.yaml` on the template search path is read. A workspace file with the same
   name as a built-in one replaces that whole file (the theme's usual file-by-file override).
2. Files are merged in order: built-in names first (sorted), then names only the workspace
   has (sorted). Within each section an item whose id is already known replaces the earlier
   item in place; a new id is appended. `remove: [id, ...]` drops earlier items.
3. `company:` fields merge field by field: a later file sets only the fields it names.
4. A kit in another language L (de, fr, es, ja) also reads the overlays `kits/L/*.yaml`, in
   four layers: built-in English, built-in L, workspace English, workspace L. A team's own
   English item therefore wins over the stock translation of the same id (it is never
   silently replaced), and a workspace L file translates the team's items. A built-in
   overlay translates the built-in English file of the same name: when the workspace
   replaces that file (rule 1), its built-in translation is not read either. A workspace
   item (or company text) that only English sets in an L kit is a warning (`warnings`),
   one per file, naming the ids: the kit shows it in English.

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
from qbrgen.formatting import counted
from qbrgen.i18n import SOURCE_LANGUAGE
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
    warnings: list[Problem] = field(default_factory=list)
    """Workspace items a kit in `language` shows in English (no overlay translates them)."""
    language: str = SOURCE_LANGUAGE
    """The language the library was read for."""

    def section(self, name: str) -> list[Any]:
        return list(self.sections[name].values())

    @property
    def industries(self) -> list[str]:
        return list(self.sections["industries"])


def _origins(theme: Theme, folder: str) -> dict[str, list[str]]:
    """`<folder>/<file>.yaml` -> the origins holding a copy, in search-path order (the first
    one wins: "workspace", "extra" or "built-in")."""
    found: dict[str, list[str]] = {}
    for root, origin in theme.dirs:
        kits = root / folder
        if not kits.is_dir():
            continue
        for path in kits.iterdir():
            if (
                path.is_file()
                and path.suffix in (".yaml", ".yml")
                and not path.name.startswith(".")
            ):
                found.setdefault(f"{folder}/{path.name}", []).append(origin)
    return found


def content_files(theme: Theme, language: str = SOURCE_LANGUAGE) -> list[str]:
    """Names (`kits/<file>.yaml`, `kits/<L>/<file>.yaml`) of the content files on the search
    path, in merge order (module docstring, rules 2 and 4)."""
    return [name for name, _ in _layers(theme, language)]


def _layers(theme: Theme, language: str) -> list[tuple[str, bool]]:
    """(name, from the workspace) of every content file in merge order: for English the
    built-in names (sorted, the workspace's copy where it has one) then the workspace's own;
    for another language built-in English, built-in overlays, workspace English, workspace
    overlays."""
    english = _origins(theme, KITS_DIR)
    builtin = sorted(n for n, origins in english.items() if "built-in" in origins)
    ordered = builtin + sorted(set(english) - set(builtin))
    mine = {n for n in ordered if english[n][0] != "built-in"}
    if language == SOURCE_LANGUAGE:
        return [(name, name in mine) for name in ordered]
    overlays = _origins(theme, f"{KITS_DIR}/{language}")
    stock = [
        n
        for n in sorted(overlays)
        if overlays[n][0] == "built-in" and f"{KITS_DIR}/{n.rsplit('/', 1)[1]}" not in mine
    ]  # a built-in translation of a file the workspace replaced is not read
    return (
        [(n, False) for n in ordered if n not in mine]
        + [(n, False) for n in stock]
        + [(n, True) for n in ordered if n in mine]
        + [(n, True) for n in sorted(overlays) if overlays[n][0] != "built-in"]
    )


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


COMPANY_TEXT = ("about", "location", "benefits", "apply", "equal_opportunity")
"""Company fields written in a language (the name, CRM, tools and salary are not)."""


def load_library(theme: Theme, language: str = SOURCE_LANGUAGE) -> Library:
    """Read, validate and merge every content file for a kit in `language`; raises
    InputError listing every problem. Workspace items only English sets in a kit of another
    language are the library's `warnings`."""
    problems = ProblemList()
    layers = _layers(theme, language)
    if not layers:
        raise InputError(
            [
                Problem(
                    Location(KITS_DIR), "no content files (kits/*.yaml) on the template search path"
                )
            ]
        )
    company = Company()
    merged: dict[str, dict[str, _Placed]] = {section: {} for section in SECTIONS}
    english_only: dict[tuple[str, str], tuple[str, _Placed]] = {}
    """(section, id) -> (file, where) of items a workspace English file set last."""
    company_english: dict[str, tuple[str, Location]] = {}
    overlay_prefix = f"{KITS_DIR}/{language}/"
    for name, from_workspace in layers:
        read = _read(name, theme, problems)
        if read is None:
            continue
        content, locator = read
        track = (
            language != SOURCE_LANGUAGE and from_workspace and not name.startswith(overlay_prefix)
        )
        if content.company is not None:
            fields = content.company.model_fields_set
            company = company.model_copy(
                update={key: getattr(content.company, key) for key in fields}
            )
            for key in fields & set(COMPANY_TEXT):
                if track and getattr(content.company, key):
                    company_english[key] = (name, locator.locate(("company", key)))
                else:
                    company_english.pop(key, None)
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
                placed = _Placed(item, locator, (section, index))
                merged[section][item.id] = placed
                if track:
                    english_only[(section, item.id)] = (name, placed)
                else:
                    english_only.pop((section, item.id), None)
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
                english_only.pop((section, item_id), None)
    _cross_check(merged, problems)
    if problems.errors:
        raise InputError(problems.errors)
    sections = {
        section: {key: placed.item for key, placed in items.items()}
        for section, items in merged.items()
    }
    warnings = _untranslated(english_only, company_english, language)
    return Library(company, sections, [name for name, _ in layers], warnings, language)


def language_name(language: str) -> str:
    """'German' for 'de' (CLI messages are English)."""
    from babel import Locale

    return str(Locale.parse(language).get_display_name("en"))


def _untranslated(
    english_only: dict[tuple[str, str], tuple[str, _Placed]],
    company: dict[str, tuple[str, Location]],
    language: str,
) -> list[Problem]:
    """One warning per workspace file whose items a kit in `language` shows in English."""
    by_file: dict[str, list[tuple[Location, str]]] = {}
    for (section, item_id), (name, placed) in english_only.items():
        by_file.setdefault(name, []).append((placed.where("id"), f"{section} {item_id}"))
    for key, (name, where) in company.items():
        by_file.setdefault(name, []).append((where, f"company.{key}"))
    out: list[Problem] = []
    words = language_name(language)
    for name, found in by_file.items():
        found.sort(key=lambda f: (f[0].line or 0, f[0].column or 0))
        first = found[0][0]
        overlay = f"{KITS_DIR}/{language}/{name.rsplit('/', 1)[1]}"
        out.append(
            Problem(
                first,
                f"{counted(len(found), 'item')} of this file without {words} text: a {words} "
                f"kit shows them in English ({some_of([label for _, label in found])})",
                severity="warning",
                hint=f"add them, with the same ids, to {overlay} in the workspace's templates",
            )
        )
    return sorted(out, key=lambda p: str(p.location))


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
