"""Stale outputs: files the manifest records that the workspace no longer makes.

A file is stale when running the command that made it today would not write that path: its
account was removed or renamed (a new file name), a newer quarter or date replaced it, its
owner has no accounts left, or its document type no longer exists. Stale files are listed by
every build; `qbrgen build --prune` and `qbrgen clean --stale` move them (hand-edited ones
and their `.edited-*` copies included) to `output/.stale/<date>/`, never delete them, and
drop them from the manifest.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qbrgen.build.manifest import Manifest
from qbrgen.errors import QbrgenError
from qbrgen.output import file_hash
from qbrgen.render import Job, Renderer, Selection, load_renderers
from qbrgen.run import Run

STALE_DIR = ".stale"
"""Where stale files are moved, inside the output folder."""


@dataclass
class StaleFile:
    """One output the workspace no longer makes."""

    path: str
    """Relative to the output folder."""
    document: str
    key: str
    reason: str
    edited: bool = False
    """Changed by hand since it was written."""
    held: bool = False
    """Not moved: an invalid account file may be the one that makes it."""
    moved_to: str | None = None
    """Relative to the output folder, once moved."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _selection(renderer: Renderer, run: Run, key: str, account: str | None) -> Selection | None:
    ids = {item.account.id: item for item in run.accounts}
    if account is None and renderer.selection_for is not None:
        return renderer.selection_for(run, key)
    if account is not None or key in ids:  # older manifests record no account
        found = ids.get(account or key)
        return Selection([found], {"build": True}) if found is not None else None
    if key == "portfolio":
        return Selection(run.accounts, {"build": True})
    return None


def find_stale(
    run: Run,
    manifest: Manifest,
    planned: list[Job],
    failed: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> list[StaleFile]:
    """Every manifest entry no current account or document makes. `planned` are the jobs of
    this run (their outputs are current by definition); a document in `failed` keeps its old
    files until it builds again."""
    produced = {rel for job in planned for rel in job.outputs}
    pending: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
    for rel, entry in manifest.entries.items():
        if rel not in produced and (entry.renderer, entry.key) not in failed:
            pending[(entry.renderer, entry.key, entry.account)].append(rel)
    if not pending:
        return []
    renderers = load_renderers()
    ids = {item.account.id for item in run.accounts}
    invalid = len(run.portfolio.invalid_files)
    out = manifest.folder
    found: list[StaleFile] = []
    for (kind, key, account), rels in sorted(pending.items(), key=lambda p: p[1][0]):
        renderer = renderers.get(kind)
        held = False
        current: list[str] = []
        if renderer is None:
            reason = f"no document type '{kind}' any more"
        else:
            try:
                selection = _selection(renderer, run, key, account)
                if selection is not None:
                    current = [
                        o for job in renderer.plan(run, selection) if job.key == key
                        for o in job.outputs
                    ]  # fmt: skip
            except QbrgenError:
                continue  # cannot tell today (a broken template or library): keep it
            if selection is None and (account is not None or kind in ("qbr", "plan")):
                name = account or key
                reason = f"account '{name}' is no longer in the workspace"
                held = name not in ids and invalid > 0
                if held:
                    reason += f" (or is in one of the {invalid} invalid account file(s): not moved)"
            elif current:
                reason = "replaced by " + ", ".join(current)
                if not all((out / rel).exists() for rel in current):
                    reason += " (not built yet)"  # e.g. by a build of other documents only
            elif selection is not None:
                reason = f"no {kind} is made for '{key}' any more (e.g. a churned account's deck)"
            else:
                reason = "no current account or document makes it"
        for rel in sorted(rels):
            if rel in current:
                continue
            entry = manifest.entries[rel]
            on_disk = file_hash(out / rel)
            if on_disk is None:
                continue  # already gone: `prune` drops the entry quietly
            found.append(StaleFile(rel, kind, key, reason, on_disk != entry.output_hash, held))
    return found


def forget_missing(manifest: Manifest) -> int:
    """Drop entries whose file no longer exists (deleted by hand); returns how many."""
    missing = [rel for rel in manifest.entries if not (manifest.folder / rel).exists()]
    for rel in missing:
        del manifest.entries[rel]
    return len(missing)


def move_stale(manifest: Manifest, stale: list[StaleFile], today: dt.date | None = None) -> int:
    """Move stale files (not `held` ones) and their `.edited-*` copies to
    `.stale/<date>/<same path>`, drop them from the manifest; returns how many were moved.
    Nothing is deleted: a name already taken there gets a numbered suffix."""
    out = manifest.folder
    day = (today or dt.date.today()).isoformat()
    moved = 0
    for item in stale:
        if item.held:
            continue
        source = out / item.path
        target = _free(out / STALE_DIR / day / item.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        item.moved_to = target.relative_to(out).as_posix()
        moved += 1
        for copy in sorted(source.parent.glob(f"{source.stem}.edited-*{source.suffix}")):
            copy_target = _free(target.parent / copy.name)
            shutil.move(copy, copy_target)
        manifest.entries.pop(item.path, None)
        _remove_empty_parents(source.parent, out)
    return moved


def _free(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(path)


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    """Remove folders the move left empty (an account's folder), up to the output folder."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
