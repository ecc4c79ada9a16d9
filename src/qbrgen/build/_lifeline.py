"""Preloaded by the forkserver the build's workers are forked from: ties the forkserver, and
every worker the moment it is forked, to the build process (Linux `PR_SET_PDEATHSIG`).

The build process sets `QBRGEN_BUILD_PID` before it starts the forkserver; this module does
nothing in any other process. Without it a worker still unpickling its start-up arguments
(seconds on a busy machine) would outlive a build killed with kill -9 until it reached the
watchdog its initializer starts.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

BUILD_PID_ENV = "QBRGEN_BUILD_PID"
PR_SET_PDEATHSIG = 1
"""prctl option: the signal a process gets when its parent dies (Linux)."""


def ask_for_parent_death_signal() -> bool:
    """SIGKILL this process when its parent dies; False where the OS has no such call."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        return False


def _in_forkserver_of_build() -> bool:
    return os.environ.get(BUILD_PID_ENV) == str(os.getppid())


if _in_forkserver_of_build() and ask_for_parent_death_signal():
    if os.environ.get(BUILD_PID_ENV) != str(os.getppid()):  # the build died before prctl
        os._exit(1)
    os.register_at_fork(after_in_child=ask_for_parent_death_signal)
