"""`qbrgen import`: turn CRM exports (Salesforce, HubSpot, any CSV) into account files.

One command reads any number of export files of one CRM: report exports (one row per
opportunity or contact, account columns repeated), object files as Salesforce's Data Loader
and warehouse syncs write them (Account, Opportunity, Contact, User, ... joined by their ids),
HubSpot UI and property-name exports. Each file is recognised by its columns and read with a
*mapping* (YAML; built-ins in `mappings/`).

Nothing is guessed: the encoding is detected or given; every date and number column is read
in the one format that fits all its values, or the import stops naming the column and two
example values. A field the CRM does not hold is not invented: the account file gets an empty
value with a comment saying so, and `qbrgen validate` reports it until it is filled in.

The stages, one module each: `_crm_read` (read an export, choose its mapping, decide its
formats), `_crm_join` (rows -> accounts, files joined by their ids) and `_crm_merge` (write the
account files: ruamel.yaml round-trip, so comments and hand edits survive a re-import). This
module runs them and reports the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import InputError, Problem, UsageError, display_path
from qbrgen.loading._crm_join import Joined, collect_lookups, collect_rows
from qbrgen.loading._crm_mapping import BUILT_IN_SYSTEMS, built_in, load_mapping
from qbrgen.loading._crm_read import (
    Export,
    ImportOptions,
    choose_mapping,
    decide_formats,
    read_export,
)
from qbrgen.loading._formats import encoding_label

__all__ = ["ImportOptions", "ImportResult", "import_exports", "load_mapping"]


def read_exports(
    paths: Sequence[Path], options: ImportOptions
) -> tuple[list[Export], Joined, list[Problem]]:
    """Read, recognise and join every export of one import. Returns the problems that stop
    it (unreadable file, ambiguous column, unknown export) separately from those that only
    leave a field empty."""
    if options.system not in BUILT_IN_SYSTEMS:
        raise UsageError(f"unknown CRM '{options.system}'; expected salesforce, hubspot or csv")
    candidates = (
        [load_mapping(p) for p in options.mappings]
        if options.mappings
        else built_in(options.system)
    )
    stop: list[Problem] = []
    exports = []
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{display_path(path)}: no such file")
        try:
            export = read_export(path, options.encoding)
        except InputError as exc:
            stop.extend(exc.problems)
            continue
        export.mapping = choose_mapping(export, options, candidates)
        decide_formats(export, options, stop)
        exports.append(export)
    system = exports[0].mapping.system if exports and exports[0].mapping else options.system
    joined = Joined(system)
    if stop:
        return exports, joined, stop
    for export in exports:
        collect_lookups(export, joined)
    # Files naming accounts (objects, reports) before those that only add to them.
    ordered = sorted(
        exports, key=lambda e: 0 if e.mapping and e.mapping.account and not e.mapping.records else 1
    )
    for export in ordered:
        collect_rows(export, joined)
    return exports, joined, stop


def summary_line(export: Export) -> str:
    """How a file was read: its mapping, encoding, rows and the formats decided."""
    mapping = export.mapping.name if export.mapping else "?"
    if export.encoding == "xlsx":
        how = "Excel workbook"
    else:
        how = f"encoding {encoding_label(export.encoding)}" + (
            " (detected)" if export.detected else " (--encoding)"
        )
    notes = "; ".join(export.notes)
    return f"read      {export.label}: {mapping}; {how}; {len(export.rows)} row(s)" + (
        f"; {notes}" if notes else ""
    )


def import_exports(
    workspace: LoadedWorkspace, paths: Sequence[Path], options: ImportOptions
) -> ImportResult:
    """Create or update the account files of `workspace` from CRM exports (with
    `options.dry_run`, only report what would change). Raises InputError when an export
    cannot be read without guessing (encoding, ambiguous dates or numbers)."""
    from qbrgen.loading._crm_merge import write_accounts

    exports, joined, stop = read_exports(paths, options)
    if stop:
        raise InputError(stop)
    result = ImportResult(
        ", ".join(dict.fromkeys(e.mapping.name for e in exports if e.mapping)),
        dry_run=options.dry_run,
        read=[summary_line(e) for e in exports],
    )
    result.problems.extend(joined.problems)
    for rows in joined.orphans.values():
        names = [n for _, n in rows if n]
        result.problems.append(
            Problem(
                rows[0][0],
                f"{len(rows)} row(s) belong to no account and are not imported"
                + (
                    f" ({', '.join(repr(n) for n in names[:3])}{', ...' if len(names) > 3 else ''})"
                    if names
                    else ""
                ),
                severity="warning",
                hint="a row needs the account's id or name, or a link from another file",
            )
        )
    as_of = options.as_of or workspace.config.as_of or dt.date.today()
    write_accounts(workspace, joined, exports, options, as_of, result)
    return result


@dataclass
class FileResult:
    """What an import did to one account file."""

    path: str
    action: str  # created, updated, unchanged
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, value, source) of every value read, for --dry-run."""


@dataclass
class ImportResult:
    """Every file the import touched, in order."""

    mapping: str
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False
    read: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        own = sum(1 for p in self.problems if p.severity == "error")
        return own + sum(len([p for p in f.problems if p.severity == "error"]) for f in self.files)

    def lines(self) -> list[str]:
        out = [f"mapping: {self.mapping}" + (" (dry run: nothing written)" if self.dry_run else "")]
        out.extend(self.read)
        out.extend(f"  {p}" for p in self.problems)
        for item in self.files:
            action = (
                f"would {item.action[:-1]}"
                if self.dry_run and item.action != "unchanged"
                else item.action
            )
            head = f"{action:9} {item.path}"
            if item.action == "created":
                added = [c for c in item.changes if c.startswith("added ")]
                crm = [c for c in item.changes if c not in added]
                head += f": {len(crm)} field(s) from the export"
                head += f", {len(added)} record(s)" if added else ""
            elif item.changes:
                head += ": " + "; ".join(item.changes)
            out.append(head)
            if self.dry_run:
                out.extend(_source_lines(item.sources))
            if item.kept:
                out.append(
                    f"{'kept':9} {item.path}: "
                    + "; ".join(item.kept)
                    + " (edited by hand; --overwrite replaces)"
                )
            if item.missing:
                out.append(
                    f"{'missing':9} {item.path}: "
                    + ", ".join(item.missing)
                    + " (the CRM had no value: fill in by hand)"
                )
            out.extend(f"  {p}" for p in item.problems)
        counts = {
            a: sum(1 for f in self.files if f.action == a)
            for a in ("created", "updated", "unchanged")
        }
        out.append(
            f"{len(self.files)} account(s): {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged; {self.errors} error(s)"
        )
        return out


def _source_lines(sources: list[tuple[str, str, str]]) -> list[str]:
    """--dry-run: each field, its value and the export cell it came from; records grouped."""
    width = max((len(n.rpartition("'].")[2]) for n, _, _ in sources), default=0)
    out: list[str] = []
    group = ""
    for name, value, source in sources:
        head, sep, leaf = name.rpartition("'].")
        if sep:
            if head != group:
                out.append(f"    {head}']")
                group = head
            out.append(f"      {leaf:{width}}  {value}  ← {source}")
        else:
            out.append(f"    {name:{width + 2}}  {value}  ← {source}")
    return out
