"""`qbrgen build`: the whole portfolio in one run, reading top to bottom as the pipeline.

load + validate + KPIs (once, in `run`) → plan every renderer's jobs → skip what is unchanged
→ render the rest in workers → write each file atomically (journal first) → save the manifest
→ summary.
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

from qbrgen.build.executors import Outcome, run_dask, run_local
from qbrgen.build.manifest import Entry, Manifest
from qbrgen.build.progress import Reporter
from qbrgen.errors import display_path
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
    scheduler: Any = None
    """Dask scheduler address (or a Cluster object, in tests)."""
    max_tasks_per_worker: int = 40


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
    seconds: float = 0.0
    workers: int = 0
    peak_worker_rss_mb: float = 0.0
    parent_rss_mb: float = 0.0
    interrupted: bool = False
    manifest_error: str | None = None
    history: str | None = None
    """What the KPI history recorded ("recorded the run of ... in history/qbrgen.sqlite")."""
    history_error: str | None = None

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
        failed (not written this time)."""
        kept = {item["path"] for item in self.hand_edited if "copy" not in item}
        by_status: dict[str, set[str]] = {
            "written": set(),
            "unchanged": set(),
            "kept": {item["copy"] for item in self.hand_edited if "copy" in item} | kept,
            "failed": set(),
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
            "peak_worker_rss_mb": round(self.peak_worker_rss_mb, 1),
            "parent_rss_mb": round(self.parent_rss_mb, 1),
            "interrupted": self.interrupted,
            "manifest_error": self.manifest_error,
            "history": self.history,
            "history_error": self.history_error,
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
        from qbrgen.errors import UsageError

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
    started = time.perf_counter()
    reporter = reporter or Reporter()
    out = run.workspace.output_dir
    summary = BuildSummary(
        display_path(out, run.workspace.root), run.report.as_of.isoformat(), str(run.report.quarter)
    )
    summary.input_errors = [str(p) for p in run.portfolio.problems.errors]
    summary.kpi_warnings = dict(Counter(w.code for w in run.report.portfolio.warnings))

    jobs = plan_jobs(run, options)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    manifest = Manifest.load(out)
    digests = _TemplateDigests(run.theme)

    todo: list[tuple[Job, str, dict[str, str]]] = []
    for job in jobs:
        fingerprint, inputs = _fingerprint(job, digests.of(job.templates), run)
        status = _current_status(job, fingerprint, manifest, out, summary)
        if status and not options.force:
            summary.results.append(DocResult(job.kind, job.key, status, job.outputs))
        else:
            todo.append((job, fingerprint, inputs))

    reporter.start(len(jobs), len(todo))
    for result in summary.results:
        reporter.done(result)
    env = render_env(run)
    workers = options.jobs or os.cpu_count() or 1
    summary.workers = 0 if not todo else (workers if options.executor == "local" else -1)
    outcomes: Iterator[Outcome]
    if options.executor == "dask":
        outcomes = run_dask([j for j, _, _ in todo], env, options.scheduler)
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
    if not summary.interrupted:
        _record_history(run, summary)
    summary.seconds = time.perf_counter() - started
    summary.parent_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reporter.finish(summary)
    return summary


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
        )
        manifest.journal(rel, entry)
        atomic_write(path, data)
        manifest.commit(rel, entry)
    return DocResult(job.kind, job.key, "built", sorted(outcome.files), seconds=outcome.seconds)
