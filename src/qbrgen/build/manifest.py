"""`output/manifest.json`: what every output file was built from, and its own hash.

Crash safety: before a new file is renamed into place, a line is appended (and fsynced) to
`output/.manifest.journal`. A build that dies between the rename and the manifest save leaves
the journal behind; the next build replays it, adopting each journalled file whose bytes on
disk match the journalled hash. So a file is never mistaken for a hand edit because its build
was interrupted, and the manifest never claims a file that is not there.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qbrgen.output import atomic_write, file_hash

MANIFEST = "manifest.json"
JOURNAL = ".manifest.journal"
FORMAT = 1


@dataclass
class Entry:
    """One output file's record."""

    renderer: str
    key: str
    fingerprint: str
    """Hash of everything the document depends on."""
    inputs: dict[str, str]
    """Per-dependency hashes (account, config, templates, as_of, version)."""
    as_of: str
    version: str
    output_hash: str
    built_at: str
    account: str | None = None
    """The account id of an account document (None for portfolio documents and kits)."""


@dataclass
class Manifest:
    """All entries, by output path relative to the output folder."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        manifest = cls(folder)
        path = folder / MANIFEST
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                for rel, raw in data.get("files", {}).items():
                    manifest.entries[rel] = Entry(**raw)
            except (ValueError, TypeError):
                # A corrupt manifest only costs a full rebuild; hand edits are then detected
                # by the journal-less comparison below (no entry -> treated as unknown file).
                manifest.entries = {}
        manifest._replay_journal()
        return manifest

    def _replay_journal(self) -> None:
        journal = self.folder / JOURNAL
        if not journal.is_file():
            return
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                rel, entry = record["path"], Entry(**record["entry"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line from a kill mid-append
            if file_hash(self.folder / rel) == entry.output_hash:
                self.entries[rel] = entry

    def journal(self, rel: str, entry: Entry) -> None:
        """Record an entry durably before its file is renamed into place. The entry counts
        (in memory, and on replay) only once the file on disk has its hash: call `commit`
        after the rename."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"path": rel, "entry": asdict(entry)}, sort_keys=True) + "\n"
        with open(self.folder / JOURNAL, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def commit(self, rel: str, entry: Entry) -> None:
        """The file is in place: from now on the manifest describes it."""
        self.entries[rel] = entry

    def save(self) -> None:
        """Write manifest.json atomically, then drop the journal it now contains."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "files": {rel: asdict(e) for rel, e in sorted(self.entries.items())},
        }
        atomic_write(self.folder / MANIFEST, json.dumps(data, indent=1, sort_keys=True).encode())
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL).unlink()
