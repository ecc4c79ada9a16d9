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

The cache is read as an index (key, input hash, where the entry's JSON sits in the file), not
as 35 MB of text for 10,000 accounts: an entry's JSON is read from the file when it is used,
by this process or by the worker processes (`CacheReader`), which check that they read the
same file (device, inode, size, time) and otherwise read nothing; the cache is written back
entry by entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(slots=True)
class _Entry:
    input_hash: str
    body: str | None = None
    """The validated account as JSON (the fields the file gave, so `model_fields_set` agrees);
    None for an entry of the file (or the spool), read from `start` (`length` bytes) when used."""
    start: int = 0
    length: int = 0
    spooled: bool = False
    """Read from the spool (the new entries of this run), not the cache file."""


Identity = tuple[int, int, int, int]
"""A file's device, inode, size and modification time (ns): the same file, unchanged."""


def _identity(stat: os.stat_result) -> Identity:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass
class CacheReader:
    """The cache file's entries for worker processes: input hash and account JSON by key, read
    from the file by position (picklable: the index and the file's path and identity)."""

    path: Path | None
    identity: Identity | None
    index: dict[str, tuple[str, int, int]]
    """Key -> (input hash, start, length)."""

    def __post_init__(self) -> None:
        self._handle: object = None

    def __getstate__(self) -> dict[str, object]:
        return {"path": self.path, "identity": self.identity, "index": self.index}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _handle=None)

    def get(self, key: str) -> tuple[str, bytes] | None:
        """(input hash, account JSON) of a key; None when unknown or the file was replaced."""
        found = self.index.get(key)
        if found is None or self.path is None:
            return None
        if self._handle is None:
            try:
                handle = open(self.path, "rb")  # noqa: SIM115 - kept open while the process reads
            except OSError:
                self.index = {}
                return None
            if _identity(os.fstat(handle.fileno())) != self.identity:
                handle.close()
                self.index = {}  # another run replaced it: every file is parsed
                return None
            self._handle = handle
        return found[0], os.pread(self._handle.fileno(), found[2], found[1])  # type: ignore[attr-defined]


class AccountCache:
    """Validated accounts by file content key; `save` writes the ones this run used."""

    def __init__(self, path: Path | None, keep_unused: bool = False):
        self.path = path
        self._stored: dict[str, _Entry] = {}
        self._used: dict[str, _Entry] = {}
        self._keep_unused = keep_unused
        self._changed = False
        self._handle: object = None
        self._identity: Identity | None = None
        self._spool: Any = None
        """A temporary file holding the new entries' JSON until `save` (not in memory)."""

    @classmethod
    def open(cls, output_dir: Path, keep_unused: bool = False) -> AccountCache:
        """The cache of a workspace's output folder (empty when absent, stale or turned off).
        `keep_unused` keeps entries of files this run did not read (a run on some files only)."""
        if os.environ.get("QBRGEN_CACHE", "").strip().lower() in {"off", "0", "no", "false"}:
            return cls(None)
        cache = cls(output_dir / CACHE_FILE, keep_unused)
        try:
            handle = open(cache.path, "rb")  # type: ignore[arg-type]  # noqa: SIM115
        except OSError:
            return cache
        try:
            first = handle.readline()
            try:
                stamp = first.rstrip(b"\n").decode("utf-8")
            except UnicodeDecodeError:
                stamp = ""
            if stamp != _stamp():
                cache._changed = True
                handle.close()
                return cache
            position = len(first)
            stored = cache._stored
            for line in handle:
                end = len(line) - (1 if line.endswith(b"\n") else 0)
                tab = line.find(b"\t")
                second = line.find(b"\t", tab + 1) if tab >= 0 else -1
                if second >= 0:
                    try:
                        key, input_hash = line[:tab].decode(), line[tab + 1 : second].decode()
                    except UnicodeDecodeError:
                        cache._changed = True
                    else:
                        stored[key] = _Entry(
                            input_hash, None, position + second + 1, end - second - 1
                        )
                position += len(line)
            cache._identity = _identity(os.fstat(handle.fileno()))
        except OSError:
            handle.close()
            cache._stored.clear()
            return cache
        cache._handle = handle
        return cache

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _body(self, entry: _Entry) -> str | bytes:
        if entry.body is not None:
            return entry.body
        handle = self._spool if entry.spooled else self._handle
        return os.pread(handle.fileno(), entry.length, entry.start)  # type: ignore[union-attr]

    def get(self, key: str) -> tuple[Account, str] | None:
        """The account validated from a file with this key, and its input hash; None on a miss
        (or when the stored JSON no longer validates)."""
        entry = self._stored.get(key)
        if entry is None:
            return None
        try:
            account = Account.model_validate_json(self._body(entry))
        except (ValueError, OSError):
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
        self._changed = True
        if self._spool is None:
            try:
                self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `close`
            except OSError:
                self._spool = False
        if self._spool:
            data = body.encode()
            start = self._spool.seek(0, os.SEEK_END)
            self._spool.write(data)
            self._spool.flush()
            self._used[key] = _Entry(input_hash, None, start, len(data), spooled=True)
        else:
            self._used[key] = _Entry(input_hash, body)

    def reader(self) -> CacheReader:
        """The stored entries, for worker processes to read and validate."""
        index = {key: (e.input_hash, e.start, e.length) for key, e in self._stored.items()}
        return CacheReader(self.path if self._handle else None, self._identity, index)

    def keep(self, key: str) -> None:
        """Keep a stored entry that a worker process read and validated (as `get` keeps it)."""
        entry = self._stored.get(key)
        if entry is not None:
            self._used[key] = entry

    def _lines(self, entries: dict[str, _Entry]) -> Iterator[bytes]:
        yield _stamp().encode()
        for key, entry in entries.items():
            body = self._body(entry)
            text = body.encode() if isinstance(body, str) else body
            yield b"\n" + f"{key}\t{entry.input_hash}\t".encode() + text

    def save(self) -> None:
        """Write the cache atomically when it changed; a cache that cannot be written is skipped
        (it only saves time). The cache file is closed after."""
        try:
            if self.path is None:
                return
            entries = dict(self._stored) if self._keep_unused else {}
            entries.update(self._used)
            if not self._changed and entries.keys() == self._stored.keys():
                return
            from qbrgen.output import atomic_write

            with contextlib.suppress(OSError):
                atomic_write(self.path, self._lines(entries))
        finally:
            self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()  # type: ignore[attr-defined]
            self._handle = None
        if self._spool:
            self._spool.close()
        self._spool = None
