"""Build progress: a rich progress bar on a terminal, plain log lines otherwise (CI, pipes).

The console is injected so tests capture exact output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from qbrgen.formatting import counted

if TYPE_CHECKING:
    from qbrgen.build import BuildSummary, DocResult


class Reporter:
    """Prints progress to stderr and the summary to stdout (unless JSON was asked for)."""

    def __init__(
        self,
        console: Console | None = None,
        summary_console: Console | None = None,
        quiet: bool = False,
    ):
        self.console = console or Console(stderr=True)
        self.summary_console = summary_console or Console()
        self.quiet = quiet
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int, to_build: int) -> None:
        if self.quiet:
            return
        unchanged = total - to_build
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=total)
        else:
            self.console.print(
                f"build: {counted(total, 'document')}, {to_build} to render, {unchanged} unchanged",
                highlight=False,
            )

    def done(self, result: DocResult) -> None:
        if self.quiet:
            return
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=f"{result.kind} {result.key}")
            if result.status == "failed":
                self._progress.console.print(
                    f"[red]failed[/] {result.kind} {result.key}: {result.error}", highlight=False
                )
        elif result.status != "unchanged":
            where = ", ".join(result.outputs)
            line = f"{result.status} {result.kind} {result.key}: {result.error if result.error else where}"
            self.console.print(line, highlight=False, soft_wrap=True)

    def finish(self, summary: BuildSummary) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self.quiet:
            return
        console = self.summary_console
        table = Table(
            title=f"qbrgen build — as of {summary.as_of}, quarter {summary.quarter}",
            title_justify="left",
        )
        for column in ("document", "built", "unchanged", "kept", "failed"):
            table.add_column(column, justify="left" if column == "document" else "right")
        for kind, counts in summary.counts().items():
            table.add_row(kind, *(str(counts[c]) for c in ("built", "unchanged", "kept", "failed")))
        console.print(table)
        for failure in summary.failed:
            console.print(
                f"[red]failed[/] {failure.kind} for {failure.key}: {failure.error}",
                highlight=False,
                soft_wrap=True,
            )
        for item in summary.hand_edited:
            console.print(
                f"[yellow]hand-edited[/] {item['path']}: {item['action']}",
                highlight=False,
                soft_wrap=True,
            )
        self._stale(summary)
        if summary.input_errors:
            console.print(
                f"[red]{counted(len(summary.input_errors), 'input error')}[/]; invalid accounts were left out (run `qbrgen validate`)"
            )
        for warning in summary.warnings:
            console.print(f"[yellow]warning[/]: {warning}", highlight=False, soft_wrap=True)
        if summary.kpi_warnings:
            warnings = ", ".join(
                f"{code} {count}" for code, count in sorted(summary.kpi_warnings.items())
            )
            console.print(f"KPI warnings: {warnings}", highlight=False, soft_wrap=True)
        if summary.history:
            console.print(f"KPI history: {summary.history}", highlight=False, soft_wrap=True)
        if summary.history_error:
            console.print(f"[red]KPI history: {summary.history_error}[/]", highlight=False)
        if summary.manifest_error:
            console.print(
                f"[red]{summary.manifest_error}[/]; the next build recovers it", highlight=False
            )
        if summary.interrupted:
            console.print(
                "[yellow]interrupted[/]: finished files are complete; run the build again to finish the rest"
            )
        console.print(f"{summary.seconds:.1f} s, outputs in {summary.output_dir}/", highlight=False)

    def _stale(self, summary: BuildSummary, shown: int = 10) -> None:
        """The stale files: moved ones with where they went, the others with why and how."""
        if not summary.stale:
            return
        console = self.summary_console
        moved = [s for s in summary.stale if s.moved_to]
        left = [s for s in summary.stale if not s.moved_to]
        if moved:
            console.print(
                f"[yellow]moved {counted(len(moved), 'stale file')}[/] to {summary.output_dir}/.stale/:",
                highlight=False,
            )
        them = "it" if len(left) == 1 else "them"
        if left:
            console.print(
                f"[yellow]{counted(len(left), 'stale file')}[/]: "
                f"no current account or document makes {them} any more:",
                highlight=False,
                soft_wrap=True,
            )
        for item in (moved + left)[:shown]:
            edited = " (changed by hand)" if item.edited else ""
            where = f" -> {item.moved_to}" if item.moved_to else f": {item.reason}"
            console.print(f"  {item.path}{edited}{where}", highlight=False, soft_wrap=True)
        if len(summary.stale) > shown:
            console.print(
                f"  … and {len(summary.stale) - shown} more (`--json` lists them all)",
                highlight=False,
            )
        if left:
            console.print(
                f"  `qbrgen build --prune` or `qbrgen clean --stale` moves {them} to "
                f"{summary.output_dir}/.stale/<date>/ (nothing is deleted)",
                highlight=False,
                soft_wrap=True,
            )
