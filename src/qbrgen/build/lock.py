"""The workspace lock: one writer at a time in a workspace's `output/` (and its KPI history).

Every command that writes documents takes it through the one write path (`qbrgen.build`);
anything else that writes workspace state (the KPI history, for instance) takes it too:

    from qbrgen.build.lock import workspace_lock

    with workspace_lock(workspace, "build"):          # waits, saying who holds it
        ...                                           # write output/ or the history

    with workspace_lock(workspace, "build", wait=False):
        ...                                           # LockedError (exit code 2) if held

`workspace` is a `LoadedWorkspace`. The lock is re-entrant within a process (the build holds
it while a history writer it calls takes it again); `notify` receives the one-line "waiting
for ..." message (default: stderr).

How it works, and why not a library: the lock is an `fcntl` record lock (`lockf`) on
`output/.qbrgen.lock`, which the kernel releases the moment its process dies (kill -9
included) and which NFS (NLM/NFSv4) and SMB clients pass on to the server, so other machines
see it. filelock and fasteners take the same kind of lock but cannot say *who* holds it and
cannot tell a lock the filesystem silently does not share (a `nolock` NFS mount locks per
machine only). So the file also holds a record of its holder (pid, host, command, since,
heartbeat), rewritten every few seconds: waiters print it, and a record whose process is gone
(same host: the pid is dead; another host: no heartbeat for `STALE_AFTER` seconds) is taken
over. On a filesystem that refuses locks altogether the record alone decides, with a
write-then-verify step; that mode is best effort and is said so in the README.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qbrgen.errors import QbrgenError, display_path

if TYPE_CHECKING:
    from qbrgen.config import LoadedWorkspace

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the record alone decides
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".qbrgen.lock"
"""The lock's file, in the output folder."""
HEARTBEAT = 2.0
"""Seconds between two rewrites of the holder record."""
STALE_AFTER = 20.0
"""A holder on another host with no heartbeat for this long is taken to be gone."""
POLL = 0.25
"""Seconds between two attempts while waiting."""

_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


class LockedError(QbrgenError):
    """Another process is writing this workspace and the caller asked not to wait."""

    exit_code = 2


@dataclass
class Holder:
    """Who holds (or held) the lock: what the lock file records."""

    pid: int
    host: str
    command: str
    since: str
    """ISO time the lock was taken."""
    heartbeat: float
    """Unix time of the last rewrite."""
    token: str
    started: str = ""
    """Start time of the process (Linux), so a reused pid is not mistaken for the holder."""

    def describe(self, now: float | None = None) -> str:
        """'`qbrgen build` (pid 4242 on build-01, since 10:02:11, 3 min ago)'."""
        try:
            since = dt.datetime.fromisoformat(self.since)
        except ValueError:
            return f"`qbrgen {self.command}` (pid {self.pid} on {self.host})"
        now_dt = dt.datetime.fromtimestamp(now or time.time()).astimezone()
        shown = since.strftime("%H:%M:%S" if since.date() == now_dt.date() else "%Y-%m-%d %H:%M")
        return (
            f"`qbrgen {self.command}` (pid {self.pid} on {self.host}, since {shown}, "
            f"{_ago((now_dt - since).total_seconds())})"
        )


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), '' elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


def _pid_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now_started = _start_time(pid)
    return not (started and now_started and now_started != started)


class _Lock:
    """One held lock: its file descriptor, record and heartbeat thread."""

    def __init__(self, path: Path, fd: int, holder: Holder):
        self.path = path
        self.fd = fd
        self.holder = holder
        self.depth = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name="qbrgen-lock-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            self.holder.heartbeat = time.time()
            with contextlib.suppress(OSError):
                _write_record(self.fd, self.holder)

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.lockf(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


_HELD: dict[Path, _Lock] = {}
_HELD_GUARD = threading.Lock()


def _read_record(fd: int) -> Holder | None:
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def _write_record(fd: int, holder: Holder) -> None:
    data = (json.dumps(asdict(holder), sort_keys=True) + "\n").encode()
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def _gone(record: Holder, host: str, os_locked: bool) -> bool:
    """Is the recorded holder no longer running?"""
    if record.host == host:
        # On this machine the kernel's lock is authoritative: if we could take it, the
        # recorded process no longer holds it, whatever its pid is doing now.
        return os_locked or not _pid_alive(record.pid, record.started)
    return time.time() - record.heartbeat > STALE_AFTER


def _stderr(message: str) -> None:
    print(f"qbrgen: {message}", file=sys.stderr, flush=True)


def lock_path(workspace: LoadedWorkspace) -> Path:
    """Where the lock of `workspace` lives."""
    return workspace.output_dir / LOCK_FILE


def current_holder(workspace: LoadedWorkspace) -> Holder | None:
    """The recorded holder, when one holds the lock now (None when it is free)."""
    path = lock_path(workspace)
    if not path.is_file():
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        record = _read_record(fd)
    finally:
        os.close(fd)
    if record is None or _gone(record, socket.gethostname(), False):
        return None
    return record


@contextlib.contextmanager
def workspace_lock(
    workspace: LoadedWorkspace,
    command: str,
    wait: bool = True,
    notify: Callable[[str], None] | None = None,
) -> Iterator[Holder]:
    """Hold the workspace's write lock for the `with` block (see the module docstring)."""
    notify = notify or _stderr
    path = lock_path(workspace).absolute()
    with _HELD_GUARD:
        held = _HELD.get(path)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield held.holder
        finally:
            held.depth -= 1
        return
    lock = _acquire(path, command, wait, notify, display_path(path.parent, workspace.root))
    with _HELD_GUARD:
        _HELD[path] = lock
    try:
        yield lock.holder
    finally:
        with _HELD_GUARD:
            _HELD.pop(path, None)
        lock.release()


def _acquire(
    path: Path, command: str, wait: bool, notify: Callable[[str], None], shown: str
) -> _Lock:
    path.parent.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    pid = os.getpid()
    holder = Holder(pid, host, command, "", 0.0, uuid.uuid4().hex, _start_time(pid))
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    announced: str | None = None
    try:
        while True:
            os_locked = False
            busy: Holder | None = None
            held_by_os = False
            if fcntl is not None:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    os_locked = True
                except OSError as exc:
                    if exc.errno in (errno.EACCES, errno.EAGAIN):
                        held_by_os = True
                    elif exc.errno not in _NO_LOCKS:
                        raise
            record = _read_record(fd)
            if held_by_os:
                busy = record
            elif record is not None and not _gone(record, host, os_locked):
                busy = record  # a holder the filesystem's lock does not see (another host)
            if busy is None and not held_by_os:
                if record is not None:
                    notify(f"taking over the lock of {record.describe()}: that process is gone")
                holder.since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
                holder.heartbeat = time.time()
                _write_record(fd, holder)
                if os_locked:
                    return _Lock(path, fd, holder)
                time.sleep(POLL)  # no OS lock: write, then check nobody else wrote after us
                again = _read_record(fd)
                if again is not None and again.token == holder.token:
                    return _Lock(path, fd, holder)
                busy = again
            if os_locked:
                fcntl.lockf(fd, fcntl.LOCK_UN)
            who = busy.describe() if busy is not None else "another qbrgen process"
            if not wait:
                raise LockedError(
                    f"{shown}/ is being written by {who}; try again when it has finished "
                    "(or leave out --no-wait to wait for it)"
                )
            # Say it once per holder (a holder letting go shows an empty record for a moment).
            token = busy.token if busy is not None else ""
            if announced is None or (token and announced != token):
                notify(f"{shown}/ is being written by {who}; waiting for it to finish")
                announced = token
            time.sleep(POLL)
    except BaseException:
        os.close(fd)
        raise
