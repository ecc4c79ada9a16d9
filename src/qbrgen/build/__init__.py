"""`qbrgen build`: the whole portfolio in one run, reading top to bottom as the pipeline.

load + validate + KPIs (once, in `run`) → plan every renderer's jobs → take the workspace
lock → skip what is unchanged → render the rest in workers → write each file atomically
(journal first, hand edits kept) → save the manifest → list (and with `prune`, move) stale
files → summary.

This is the one write path: the single-document commands (`qbrgen qbr`, `plan`, `scorecard`,
`digest`, `kit`) come in through `write_documents`, which runs the same steps for the jobs
they ask for, so every file in `output/` is locked, written and recorded the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import resource
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbrgen.build.executors import Outcome, run_dask, run_inline, run_local
from qbrgen.build.lock import workspace_lock
from qbrgen.build.manifest import Entry, Manifest
from qbrgen.build.progress import Reporter
from qbrgen.build.stale import StaleFile, find_stale, forget_missing, move_stale
from qbrgen.errors import RenderError, UsageError, display_path
from qbrgen.output import atomic_write, file_hash, remove_stale_temporaries
from qbrgen.render import Job, Selection, load_renderers, render_env
from qbrgen.run import Run
from qbrgen.templates import Theme


@dataclass
class BuildOptions:
    """What to build and how."""

    accounts: list[str] = field(default_factory=list)
    owner: str | None = None
    renewing_within: int | None = None
    only: list[str] = field(default_factory=list)
    """Renderer names to run (default: all registered)."""
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    force: bool = False
    executor: str = "local"
    """local (worker processes), dask, or inline (this process: single-document commands)."""
    scheduler: Any = None
    """Dask scheduler address (or a Cluster object, in tests)."""
    max_tasks_per_worker: int = 40
    prune: bool = False
    """Move stale outputs to output/.stale/<date>/ (they are always listed)."""
    wait: bool = True
    """Wait for another writer of the workspace; False raises LockedError at once."""
    command: str = "build"
    """What the lock says holds it ('build', 'qbr', ...)."""


@dataclass
class DocResult:
    kind: str
    key: str
    status: str  # built | unchanged | failed | kept
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    detail: str | None = None
    seconds: float = 0.0


@dataclass
class BuildSummary:
    """What a build did, for the terminal and for `--json`."""

    output_dir: str
    as_of: str
    quarter: str
    results: list[DocResult] = field(default_factory=list)
    hand_edited: list[dict[str, str]] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    kpi_warnings: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """About the machine rather than the data (a missing library that makes PDFs slower)."""
    seconds: float = 0.0
    workers: int = 0
    peak_worker_rss_mb: float = 0.0
    parent_rss_mb: float = 0.0
    interrupted: bool = False
    manifest_error: str | None = None
    history: str | None = None
    """What the KPI history recorded ("recorded the run of ... in history/qbrgen.sqlite")."""
    history_error: str | None = None
    stale: list[StaleFile] = field(default_factory=list)
    """Outputs no current account or document makes (moved when `prune` was asked)."""

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = defaultdict(
            lambda: {"built": 0, "unchanged": 0, "failed": 0, "kept": 0}
        )
        for result in self.results:
            table[result.kind][result.status] += 1
        return dict(table)

    @property
    def exit_code(self) -> int:
        return (
            1
            if (
                self.failed
                or self.input_errors
                or self.interrupted
                or self.manifest_error
                or self.history_error
            )
            else 0
        )

    def files(self) -> dict[str, list[str]]:
        """Every output file by what happened to it, as paths under the workspace: written,
        unchanged, kept (hand edits left in place, and the copies kept of replaced ones),
        failed (not written this time), stale (where each stale file is now: in .stale/ once
        moved; `stale` in to_json says why)."""
        kept = {item["path"] for item in self.hand_edited if "copy" not in item}
        by_status: dict[str, set[str]] = {
            "written": set(),
            "unchanged": set(),
            "kept": {item["copy"] for item in self.hand_edited if "copy" in item} | kept,
            "failed": set(),
            "stale": {item.moved_to or item.path for item in self.stale},
        }
        for result in self.results:
            for rel in result.outputs:
                if rel in kept:
                    continue
                status = {"built": "written", "kept": "unchanged"}.get(result.status, result.status)
                by_status[status].add(rel)
        root = self.output_dir.rstrip("/")
        return {
            status: [f"{root}/{rel}" for rel in sorted(paths)]
            for status, paths in by_status.items()
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "quarter": self.quarter,
            "output_dir": self.output_dir,
            "seconds": round(self.seconds, 3),
            "workers": self.workers,
            "counts": self.counts(),
            "files": self.files(),
            "failures": [{"document": r.kind, "key": r.key, "error": r.error} for r in self.failed],
            "hand_edited": self.hand_edited,
            "input_errors": self.input_errors,
            "kpi_warnings": self.kpi_warnings,
            "warnings": self.warnings,
            "peak_worker_rss_mb": round(self.peak_worker_rss_mb, 1),
            "parent_rss_mb": round(self.parent_rss_mb, 1),
            "interrupted": self.interrupted,
            "manifest_error": self.manifest_error,
            "history": self.history,
            "history_error": self.history_error,
            "stale": [item.to_json() for item in self.stale],
            "exit_code": self.exit_code,
        }


class _TemplateDigests:
    """Hashes of the template folders jobs use (a job depends on every file in the top-level
    folders of the templates it names, so an included partial or CSS file counts too)."""

    def __init__(self, theme: Theme):
        self.theme = theme
        self._files = {f.name: f for f in theme.files()}
        self._cache: dict[str, str] = {}

    def folder(self, top: str) -> str:
        if top not in self._cache:
            sha = hashlib.sha256()
            for name, item in sorted(self._files.items()):
                if name == top or name.startswith(top + "/"):
                    sha.update(name.encode())
                    sha.update(item.path.read_bytes())
            self._cache[top] = sha.hexdigest()[:16]
        return self._cache[top]

    def of(self, names: list[str]) -> dict[str, str]:
        tops = sorted({name.split("/", 1)[0] for name in names})
        return {f"templates:{top}": self.folder(top) for top in tops}


def _fingerprint(job: Job, template_hashes: dict[str, str], run: Run) -> tuple[str, dict[str, str]]:
    inputs = dict(job.inputs)
    inputs.update(template_hashes)
    inputs["renderer"] = job.kind
    inputs["version"] = run.version
    inputs["as_of"] = run.report.as_of.isoformat()
    if os.environ.get("SOURCE_DATE_EPOCH"):  # the documents' timestamp instead of as_of
        inputs["source_date_epoch"] = os.environ["SOURCE_DATE_EPOCH"]
    sha = hashlib.sha256()
    for key, value in sorted(inputs.items()):
        sha.update(f"{key}={value}\n".encode())
    compact = {
        k: (v if len(v) <= 64 else hashlib.sha256(v.encode()).hexdigest()[:16])
        for k, v in inputs.items()
    }
    return sha.hexdigest()[:24], compact


def _keep_copy(path: Path) -> Path:
    """Save a hand-edited output beside itself before it is replaced."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    copy = path.with_name(f"{path.stem}.edited-{stamp}{path.suffix}")
    shutil.copy2(path, copy)
    return copy


def plan_jobs(run: Run, options: BuildOptions) -> list[Job]:
    """Every document the workspace asks for, as jobs."""
    renderers = load_renderers(options.only or None)
    unknown = [name for name in options.only if name not in renderers]
    if unknown:
        raise UsageError(
            f"unknown document type {', '.join(unknown)}; known: {', '.join(renderers)}"
        )
    accounts = run.select(options.accounts, options.owner, options.renewing_within)
    owner = accounts[0].account.owner if options.owner and accounts else None
    subset = bool(options.accounts or options.owner or options.renewing_within is not None)
    selection = Selection(accounts, {"build": True, "subset": subset, "owner": owner})
    jobs: list[Job] = []
    for name, renderer in renderers.items():
        if options.only and name not in options.only:
            continue
        for job in renderer.plan(run, selection):
            job.module = renderer.module
            jobs.append(job)
    return jobs


def build(run: Run, options: BuildOptions, reporter: Reporter | None = None) -> BuildSummary:
    """Build every requested document; returns the summary (never raises for one bad document)."""
    return _execute(run, plan_jobs(run, options), options, reporter or Reporter(), whole_build=True)


def write_documents(
    run: Run,
    kind: str,
    selection: Selection,
    workers: int = 1,
    wait: bool = True,
    reporter: Reporter | None = None,
) -> BuildSummary:
    """Render and write one renderer's documents for `selection`, exactly as the build writes
    them (lock, atomic writes, manifest, hand edits), always rendering: the single-document
    commands. With `workers` > 1 they render in the build's worker pool, else in this process."""
    renderers = load_renderers([kind])
    if kind not in renderers:
        raise UsageError(f"unknown document type {kind}")
    renderer = renderers[kind]
    jobs = renderer.plan(run, selection)
    for job in jobs:
        job.module = renderer.module
    options = BuildOptions(
        only=[kind],
        jobs=workers,
        force=True,
        executor="local" if workers > 1 and len(jobs) > 1 else "inline",
        wait=wait,
        command=kind,
    )
    return _execute(run, jobs, options, reporter or Reporter(quiet=True), whole_build=False)


def render_now(run: Run, kind: str, selection: Selection, workers: int = 1) -> list[Path]:
    """`write_documents`, returning the paths written; documents that failed are reported
    together in one RenderError after the others are written."""
    summary = write_documents(run, kind, selection, workers)
    if summary.failed:
        raise RenderError("; ".join(f"{r.kind} {r.key}: {r.error}" for r in summary.failed))
    out = run.workspace.output_dir
    return [out / rel for r in summary.results if r.status == "built" for rel in r.outputs]


def clean_stale(run: Run, wait: bool = True) -> list[StaleFile]:
    """`qbrgen clean --stale`: every stale output of the workspace, moved to
    output/.stale/<date>/ (except those an invalid account file may still make)."""
    with workspace_lock(run.workspace, "clean --stale", wait=wait):
        manifest = Manifest.load(run.workspace.output_dir)
        stale = find_stale(run, manifest, plan_jobs(run, BuildOptions()))
        move_stale(manifest, stale)
        forget_missing(manifest)
        manifest.save()
    return stale


def _execute(
    run: Run, jobs: list[Job], options: BuildOptions, reporter: Reporter, whole_build: bool
) -> BuildSummary:
    """Lock, write, and for a whole build (not a single-document command) list the stale
    files and record the run in the KPI history, under the same lock."""
    started = time.perf_counter()
    out = run.workspace.output_dir
    summary = BuildSummary(
        display_path(out, run.workspace.root), run.report.as_of.isoformat(), str(run.report.quarter)
    )
    summary.input_errors = [str(p) for p in run.portfolio.problems.errors]
    summary.kpi_warnings = dict(Counter(w.code for w in run.report.portfolio.warnings))
    for job in jobs:  # e.g. a kit's workspace content without a translation
        summary.warnings += [w for w in job.warnings if w not in summary.warnings]
    with workspace_lock(run.workspace, options.command, wait=options.wait):
        remove_stale_temporaries(out)
        manifest = Manifest.load(out)
        _render_and_write(run, jobs, options, reporter, manifest, summary)
        if whole_build and not summary.interrupted:
            failed = {(r.kind, r.key) for r in summary.failed}
            summary.stale = find_stale(run, manifest, jobs, failed)
        try:
            moved = move_stale(manifest, summary.stale) if options.prune else 0
            if forget_missing(manifest) or moved:  # the manifest never claims a missing file
                manifest.save()
        except OSError as exc:
            summary.manifest_error = f"stale files not all moved: {exc.strerror or exc}"
        if whole_build and not summary.interrupted:
            _record_history(run, summary)
    summary.seconds = time.perf_counter() - started
    summary.parent_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reporter.finish(summary)
    return summary


def _render_and_write(
    run: Run,
    jobs: list[Job],
    options: BuildOptions,
    reporter: Reporter,
    manifest: Manifest,
    summary: BuildSummary,
) -> None:
    out = manifest.folder
    digests = _TemplateDigests(run.theme)
    todo: list[tuple[Job, str, dict[str, str]]] = []
    for job in jobs:
        fingerprint, inputs = _fingerprint(job, digests.of(job.templates), run)
        status = (
            None if options.force else _current_status(job, fingerprint, manifest, out, summary)
        )
        if status:
            summary.results.append(DocResult(job.kind, job.key, status, job.outputs))
        else:
            todo.append((job, fingerprint, inputs))

    if any(rel.endswith(".pdf") for job, _, _ in todo for rel in job.outputs):
        from qbrgen.system_check import HARFBUZZ_HINT, harfbuzz_subset_problem

        problem = harfbuzz_subset_problem()
        if problem is not None:
            summary.warnings.append(f"{problem}: {HARFBUZZ_HINT}")
    reporter.start(len(jobs), len(todo))
    for result in summary.results:
        reporter.done(result)
    env = render_env(run)
    workers = options.jobs or os.cpu_count() or 1
    summary.workers = 0 if not todo else (workers if options.executor == "local" else -1)
    outcomes: Iterator[Outcome]
    if options.executor == "dask":
        outcomes = run_dask(
            [j for j, _, _ in todo], env, options.scheduler, options.max_tasks_per_worker
        )
    elif options.executor == "inline":
        summary.workers = 0
        outcomes = run_inline([j for j, _, _ in todo], env)
    else:
        outcomes = run_local([j for j, _, _ in todo], env, workers, options.max_tasks_per_worker)
    try:
        for outcome in outcomes:
            job, fingerprint, inputs = todo[outcome.index]
            summary.peak_worker_rss_mb = max(
                summary.peak_worker_rss_mb, outcome.worker_rss_kb / 1024
            )
            try:
                result = _write(job, outcome, fingerprint, inputs, manifest, out, run, summary)
            except OSError as exc:  # a full disk, a read-only folder: the old file stays whole
                result = DocResult(
                    job.kind,
                    job.key,
                    "failed",
                    job.outputs,
                    f"could not write: {exc.strerror or exc}",
                )
            summary.results.append(result)
            reporter.done(result)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        try:
            manifest.save()
        except OSError as exc:
            # The journal (if it could be written) still holds what was built; the next
            # build replays it.
            summary.manifest_error = f"manifest not saved: {exc.strerror or exc}"


def _record_history(run: Run, summary: BuildSummary) -> None:
    """Every build records its run in the KPI history (when it is on): the numbers are the
    run's whatever documents were selected or failed."""
    from qbrgen.history import HistoryError, record_run

    try:
        recorded = record_run(run, "build")
    except HistoryError as exc:
        summary.history_error = str(exc)
        return
    summary.history = str(recorded) if recorded else None


def _current_status(
    job: Job, fingerprint: str, manifest: Manifest, out: Path, summary: BuildSummary
) -> str | None:
    """'unchanged' or 'kept' when nothing needs building, else None."""
    kept = False
    for rel in job.outputs:
        entry = manifest.entries.get(rel)
        if entry is None or entry.fingerprint != fingerprint:
            return None
        on_disk = file_hash(out / rel)
        if on_disk is None:
            return None
        if on_disk != entry.output_hash:
            kept = True
            summary.hand_edited.append(
                {"path": rel, "action": "left in place (its inputs did not change)"}
            )
    return "kept" if kept else "unchanged"


def _write(
    job: Job,
    outcome: Outcome,
    fingerprint: str,
    inputs: dict[str, str],
    manifest: Manifest,
    out: Path,
    run: Run,
    summary: BuildSummary,
) -> DocResult:
    if outcome.files is None:
        return DocResult(
            job.kind, job.key, "failed", job.outputs, outcome.error, outcome.detail, outcome.seconds
        )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for rel, data in outcome.files.items():
        path = out / rel
        new_hash = hashlib.sha256(data).hexdigest()
        on_disk = file_hash(path)
        entry = manifest.entries.get(rel)
        if (
            on_disk is not None
            and on_disk != new_hash
            and (entry is None or on_disk != entry.output_hash)
        ):
            copy = _keep_copy(path)
            summary.hand_edited.append(
                {
                    "path": rel,
                    "action": f"changed by hand; kept a copy as {copy.name}",
                    "copy": str(Path(rel).with_name(copy.name).as_posix()),
                }
            )
        entry = Entry(
            job.kind,
            job.key,
            fingerprint,
            inputs,
            run.report.as_of.isoformat(),
            run.version,
            new_hash,
            now,
            job.account_id,
        )
        manifest.journal(rel, entry)
        atomic_write(path, data)
        manifest.commit(rel, entry)
    return DocResult(job.kind, job.key, "built", list(outcome.files), seconds=outcome.seconds)
