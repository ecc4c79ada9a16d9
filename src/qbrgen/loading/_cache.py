"""Validated accounts cached by file content, so a file read before is not parsed again.

At 10,000 accounts, reading YAML and validating it is most of what `validate` and `scorecard`
cost. A file whose bytes were read and found valid before is taken from the cache instead:
its validated account as JSON, re-validated with Pydantic's JSON parser (about a quarter of
PyYAML's cost). The cache lives in the output folder (`output/.cache/accounts.jsonl`), one line
per file content, and is keyed by the file's sha256; the whole cache is dropped when qbrgen's
version, Pydantic's or the account models' source change. Only files that loaded with no
problem at all are cached, so every error and warning is found again on the next run.
`QBRGEN_CACHE=off` in the environment turns it off.

Two processes at once (two `qbrgen validate`, or one beside a build): the cache takes no
workspace lock. `validate` reads and writes no document, so it must not wait for, or make
wait, a build holding the lock for minutes; and loading sits below `build` in the pipeline,
which owns the lock. The file is written whole to a temporary file of the writer's own
(mkstemp) and renamed over the old one (`atomic_write`), so a reader always opens either the
old complete cache or a new complete one, never a mix. An entry is a function of the file's
bytes and the stamp line alone, so two writers never disagree about an entry: the last
rename wins, and the worst case is that it drops entries only the other run added, which
the next run parses again (time, not correctness). A temporary file another run's clean-up
removed, or a folder that cannot be written, only skips the save. Every entry read is
validated again by Pydantic, and a malformed line is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from qbrgen.models import Account, share_field_sets

CACHE_FILE = Path(".cache") / "accounts.jsonl"
"""Where the cache lives, inside the workspace's output folder."""


def _stamp() -> str:
    """The first line of a cache file: what its entries were validated with."""
    import pydantic

    from qbrgen import __version__, models

    source = hashlib.sha256(Path(models.__file__).read_bytes()).hexdigest()[:16]
    return (
        f"qbrgen accounts cache 1 qbrgen={__version__} pydantic={pydantic.VERSION} models={source}"
    )


@dataclass
class _Entry:
    input_hash: str
    body: str
    """The validated account as JSON (the fields the file gave, so `model_fields_set` agrees)."""


class AccountCache:
    """Validated accounts by file content key; `save` writes the ones this run used."""

    def __init__(self, path: Path | None, keep_unused: bool = False):
        self.path = path
        self._stored: dict[str, _Entry] = {}
        self._used: dict[str, _Entry] = {}
        self._keep_unused = keep_unused
        self._changed = False

    @classmethod
    def open(cls, output_dir: Path, keep_unused: bool = False) -> AccountCache:
        """The cache of a workspace's output folder (empty when absent, stale or turned off).
        `keep_unused` keeps entries of files this run did not read (a run on some files only)."""
        if os.environ.get("QBRGEN_CACHE", "").strip().lower() in {"off", "0", "no", "false"}:
            return cls(None)
        cache = cls(output_dir / CACHE_FILE, keep_unused)
        try:
            text = cache.path.read_text(encoding="utf-8")  # type: ignore[union-attr]
        except (OSError, UnicodeDecodeError):
            return cache
        lines = text.split("\n")
        if lines[0] != _stamp():
            cache._changed = True
            return cache
        for line in lines[1:]:
            parts = line.split("\t", 2)
            if len(parts) == 3:
                cache._stored[parts[0]] = _Entry(parts[1], parts[2])
        return cache

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def get(self, key: str) -> tuple[Account, str] | None:
        """The account validated from a file with this key, and its input hash; None on a miss
        (or when the stored JSON no longer validates)."""
        entry = self._stored.get(key)
        if entry is None:
            return None
        try:
            account = Account.model_validate_json(entry.body)
        except ValueError:
            self._changed = True
            return None
        share_field_sets(account)
        self._used[key] = entry
        return account, entry.input_hash

    def put(self, key: str, account: Account, input_hash: str) -> None:
        """Remember an account validated from a file with this key."""
        if not self.enabled:
            return
        self.put_json(key, account.model_dump_json(exclude_unset=True), input_hash)

    def put_json(self, key: str, body: str, input_hash: str) -> None:
        """Remember an account validated from a file with this key, as its JSON (the fields
        the file gave: `model_dump_json(exclude_unset=True)`)."""
        if not self.enabled:
            return
        self._used[key] = _Entry(input_hash, body)
        self._changed = True

    def bodies(self) -> dict[str, str]:
        """Every stored entry's account JSON by key (for worker processes to validate)."""
        return {key: entry.body for key, entry in self._stored.items()}

    def entries(self) -> dict[str, tuple[str, str]]:
        """Every stored entry's input hash and account JSON by key (for worker processes)."""
        return {key: (entry.input_hash, entry.body) for key, entry in self._stored.items()}

    def keep(self, key: str) -> None:
        """Keep a stored entry that a worker process read and validated (as `get` keeps it)."""
        entry = self._stored.get(key)
        if entry is not None:
            self._used[key] = entry

    def save(self) -> None:
        """Write the cache atomically when it changed; a cache that cannot be written is skipped
        (it only saves time)."""
        if self.path is None:
            return
        entries = dict(self._stored) if self._keep_unused else {}
        entries.update(self._used)
        if not self._changed and entries.keys() == self._stored.keys():
            return
        from qbrgen.output import atomic_write

        lines = [_stamp()] + [f"{key}\t{e.input_hash}\t{e.body}" for key, e in entries.items()]
        with contextlib.suppress(OSError):
            atomic_write(self.path, "\n".join(lines).encode())
