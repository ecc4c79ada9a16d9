"""Where documents render: a pool of local worker processes, or a Dask cluster.

Workers receive a `RenderEnv` once and then jobs; each returns the files' bytes to the parent,
which alone writes to `output/` and the manifest. Local workers import the document libraries
once, are reused, and are replaced after `max_tasks` jobs so memory stays flat (WeasyPrint
does not give memory back). A worker that dies (a crash in a native library, the OOM killer)
breaks only its pool: unfinished jobs are retried once in a fresh pool, then reported failed.

Workers never outlive the build: on Linux the forkserver and each worker, from the moment it
is forked, ask the kernel for SIGKILL when their parent dies (`PR_SET_PDEATHSIG`, see
`_lifeline`), and on every system a watchdog thread in each worker reads a pipe whose only
writer is the build process, so the end of that pipe (the build died, even by kill -9) ends
the worker. Dask workers belong to their cluster and are left to Dask.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from qbrgen.build._lifeline import BUILD_PID_ENV, ask_for_parent_death_signal
from qbrgen.render import Job, RenderEnv, renderer_for

_ENV: RenderEnv | None = None


@dataclass
class Outcome:
    """What came back for one job: its files, or the error."""

    index: int
    files: dict[str, bytes] | None
    error: str | None = None
    detail: str | None = None
    seconds: float = 0.0
    worker_rss_kb: int = 0


_LIFELINE: tuple[Connection, Connection] | None = None
"""(reader, writer) of the pipe workers watch; the writer never leaves the build process."""


def _lifeline() -> Connection:
    """The reading end workers get; created once per build process."""
    global _LIFELINE
    if _LIFELINE is None:
        _LIFELINE = multiprocessing.Pipe(duplex=False)
    return _LIFELINE[0]


def die_with_parent(lifeline: Connection | None) -> None:
    """Make this worker process end when the build process does (see the module docstring)."""
    if os.environ.get("QBRGEN_TEST_NO_PDEATHSIG") != "1":  # (tests check the watchdog alone)
        ask_for_parent_death_signal()
    if lifeline is None:
        return

    def watch() -> None:
        try:
            while True:
                lifeline.recv_bytes()  # nothing is ever sent: returns only at EOF
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="qbrgen-parent-watchdog", daemon=True).start()


def _warm_up(
    env: RenderEnv, renderers: list[tuple[str, str]], lifeline: Connection | None = None
) -> None:
    """Tie the worker's life to the build's, then import the renderers (python-pptx,
    WeasyPrint, openpyxl) and build the theme once per worker."""
    global _ENV
    die_with_parent(lifeline)
    _ENV = env
    for name, module in renderers:
        renderer_for(name, module)
    _ = env.theme.env, env.formatter


def render_one(index: int, job: Job, env: RenderEnv | None = None) -> Outcome:
    """Render one job; never raises, so one bad account cannot stop the others."""
    import resource
    import time

    from qbrgen.errors import QbrgenError

    started = time.perf_counter()
    env = env or _ENV
    assert env is not None, "worker not initialised"
    try:
        files = renderer_for(job.kind, job.module).render(job, env)
        outcome = Outcome(index, files)
    except QbrgenError as exc:
        outcome = Outcome(index, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - report any renderer bug per document
        outcome = Outcome(
            index, None, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8)
        )
    outcome.seconds = time.perf_counter() - started
    outcome.worker_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return outcome


def _start_forkserver(context: Any) -> None:
    """Start the forkserver (once per process) with `_lifeline` preloaded, telling it which
    process is the build; the variable is gone again before anything else is started.

    `_lifeline` is the first thing the forkserver imports, and `__main__` is not preloaded:
    multiprocessing imports a preloaded `__main__` before every other module, and the seconds
    spent importing the CLI on a busy machine were a window in which a killed build left its
    forkserver running. Workers find the renderers through `qbrgen.build.executors`."""
    from multiprocessing import forkserver

    os.environ[BUILD_PID_ENV] = str(os.getpid())
    try:
        context.set_forkserver_preload(["qbrgen.build._lifeline", "qbrgen.build.executors"])
        forkserver.ensure_running()
    finally:
        os.environ.pop(BUILD_PID_ENV, None)


def run_local(
    jobs: list[Job], env: RenderEnv, workers: int, max_tasks: int = 40
) -> Iterator[Outcome]:
    """Render in `workers` processes; yields outcomes as they finish.

    Workers are recycled by running the jobs in batches of `workers * max_tasks`, each batch
    in a fresh pool. (ProcessPoolExecutor's own max_tasks_per_child deadlocks on Python 3.11
    when it replaces a worker, and multiprocessing.Pool hangs when a worker dies.) Jobs lost
    to a dead worker are retried once, in a later batch, then reported failed.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods and os.environ.get("QBRGEN_TEST_NO_PDEATHSIG") != "1":
        _start_forkserver(context)
    kinds = sorted({(job.kind, job.module) for job in jobs})
    queue: list[tuple[int, int]] = [(i, 1) for i in range(len(jobs))]  # (job index, attempt)
    batch_size = max(1, workers) * max(1, max_tasks)
    while queue:
        batch, queue = queue[:batch_size], queue[batch_size:]
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(batch))),
            mp_context=context,
            initializer=_warm_up,
            initargs=(env, kinds, _lifeline()),
        )
        try:
            futures: dict[Future[Outcome], tuple[int, int]] = {
                pool.submit(render_one, index, jobs[index]): (index, attempt)
                for index, attempt in batch
            }
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    index, attempt = futures.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        if attempt == 1:
                            queue.append((index, 2))
                        else:
                            yield Outcome(
                                index,
                                None,
                                "the worker process rendering it died (crash or out of memory)",
                            )
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise
        else:
            pool.shutdown(wait=True)


def run_inline(jobs: list[Job], env: RenderEnv) -> Iterator[Outcome]:
    """Render in this process, one job after the other (single-document commands)."""
    for index, job in enumerate(jobs):
        yield render_one(index, job, env)


def _release_memory() -> None:
    """In a Dask worker without a nanny (it cannot be restarted): collect garbage and hand
    freed heap pages back to the system."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_dask(
    jobs: list[Job], env: RenderEnv, scheduler: str | Any, max_tasks: int = 40
) -> Iterator[Outcome]:
    """Render on a Dask cluster (`scheduler` is an address or a Cluster object).

    Memory is bounded as with local workers: jobs go out in batches of `max_tasks` per worker
    thread, each result is released on the worker once it is back, and between batches the
    workers are restarted by their nannies (those without one collect and trim their heap).
    """
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        from qbrgen.errors import UsageError

        raise UsageError(
            "the Dask executor needs the optional extra: pip install 'qbrgen[dask]'"
        ) from exc
    with Client(scheduler) as client:
        client.wait_for_workers(1)
        queue = list(range(len(jobs)))
        while queue:
            workers = client.scheduler_info(n_workers=-1)["workers"]
            threads = sum(w.get("nthreads", 1) for w in workers.values()) or 1
            batch, queue = (
                queue[: threads * max(1, max_tasks)],
                queue[threads * max(1, max_tasks) :],
            )
            env_future = client.scatter(env, broadcast=True)
            futures = [client.submit(render_one, i, jobs[i], env_future, pure=False) for i in batch]
            for future in as_completed(futures):
                outcome = future.result()
                future.release()
                yield outcome
            del futures, env_future
            if queue:
                _recycle(client, workers)


def _recycle(client: Any, workers: dict[str, Any]) -> None:
    """Restart the workers a nanny watches; trim the heap of the others."""
    nannied = [address for address, info in workers.items() if info.get("nanny")]
    if nannied:
        client.restart_workers(nannied, raise_for_error=False)
        client.wait_for_workers(1)
    others = [address for address in workers if address not in nannied]
    if others:
        client.run(_release_memory, workers=others)
