"""Writing generated files: always to a temporary file in the same folder, then renamed into
place, so a reader (or an interrupted run) only ever sees the old file or the new one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> str:
    """Write `data` (bytes, or chunks of bytes written as they come) to `path` atomically;
    returns the sha256 of what was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    sha = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
                handle.write(chunk)
                sha.update(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a normal write would have.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return sha.hexdigest()


def file_hash(path: Path) -> str | None:
    """sha256 of a file, or None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporaries a killed run left behind (`.name.xxxx.tmp`); returns how many."""
    count = 0
    if folder.is_dir():
        for tmp in folder.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()
                count += 1
    return count


def file_word(message: str, fmt: Any = None) -> str:
    """A document type's word in a file name ('account-plan'), in the language of its reader
    (`fmt`, a Formatter: 'Accountplan', 'plan-de-compte', 'アカウントプラン'); English keeps
    the words as written. Changing the language renames the files: a build lists the old
    names as stale ('replaced by ...'), as after an account's rename."""
    return safe_filename(fmt.translate(message) if fmt is not None else message)


def safe_filename(text: str, limit: int = 60) -> str:
    """A file-name-safe version of a customer name: letters, digits, '-' only."""
    cleaned = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-")
    return cleaned[:limit].rstrip("-") or "account"
