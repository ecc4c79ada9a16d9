"""Records kept on disk instead of in memory: a run's data that grows with every account (a
lean run's account rows, a sheet's cells) written to a private temporary file as it is made
and read back one record at a time, so a process's memory does not grow with the portfolio.

A record is bytes: callers pickle their own data (`put`/`get` do it for them). The file is
made by this process with `mkstemp` (readable and writable by its owner only) and read back
by this process or one it hands the spill to (pickled: the path and where each record ends,
never an open file); it holds nothing read from anywhere else, so unpickling it unpickles
only what this run wrote. The spill that made the file removes it (`remove`, or leaving a
`with` block), and at the latest when it is garbage-collected or the interpreter exits.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload


class Spill:
    """An append-only file of records, read back by number (0, 1, ... in the order added)."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="qbrgen-", suffix=".spill")
        self._fd: int | None = fd
        self._ends = array("q")
        self._owner = True
        self._finalizer: Any = weakref.finalize(self, _remove, fd, self.path, os.getpid())

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "ends": self._ends}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A copy in another process: it reads the records, never adds or removes one."""
        self.path, self._ends = state["path"], state["ends"]
        self._fd, self._owner = None, False
        self._finalizer = weakref.finalize(self, _close, None)

    def __len__(self) -> int:
        return len(self._ends)

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _close, self._fd)
        return self._fd

    def append(self, record: bytes) -> int:
        """Add a record; returns its number."""
        if not self._owner:
            raise ValueError("a spill handed to another process is read-only")
        start = self._ends[-1] if self._ends else 0
        view = memoryview(record)
        while view:
            view = view[os.pwrite(self._file(), view, start + len(record) - len(view)) :]
        self._ends.append(start + len(record))
        return len(self._ends) - 1

    def read(self, number: int) -> bytes:
        """Record `number`, as it was added."""
        start = self._ends[number - 1] if number else 0
        length = self._ends[number] - start
        data = os.pread(self._file(), length, start)
        while len(data) < length:  # a short read (a signal): read the rest
            more = os.pread(self._file(), length - len(data), start + len(data))
            if not more:
                raise OSError(f"{self.path}: the spill file was cut short")
            data += more
        return data

    def put(self, value: Any) -> int:
        """Add a value, pickled; returns its number."""
        return self.append(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self, number: int) -> Any:
        """The value of record `number` (added with `put`)."""
        return pickle.loads(self.read(number))  # noqa: S301 - this run's own file, see above

    def values(self, numbers: Iterable[int] | None = None) -> Iterator[Any]:
        """The values of the records `numbers` (all, in order, when None), one at a time."""
        for number in range(len(self)) if numbers is None else numbers:
            yield self.get(number)

    def remove(self) -> None:
        """Delete the file (its maker only; a copy in another process just closes it)."""
        self._finalizer()
        if self._owner:
            self._fd = None
            self._ends = array("q")


def _remove(fd: int | None, path: str, maker: int) -> None:
    if os.getpid() != maker:  # a forked worker's copy of the maker's spill: not its file
        return
    _close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _close(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


class SpilledList(Sequence[Any]):
    """A read-only list whose values are records of a spill (`numbers`, in the list's order),
    read one at a time: a long list a run hands out without holding it (a lean run's KPI
    warnings). Equal to any sequence of the same values."""

    def __init__(self, spill: Spill, numbers: array[int]):
        self.spill = spill
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self.spill.values(self.numbers[index]))
        return self.spill.get(self.numbers[index])

    def __iter__(self) -> Iterator[Any]:
        return self.spill.values(self.numbers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpilledList({len(self)} values in {self.spill.path})"
