"""What every command shares: the error handler, the date type, the option decorators
(one definition of the account-selection flags for qbr, plan, build and digest), opening a
run, choosing accounts, writing through the build's write path and printing problems.

Imports stay lazy so `qbrgen --help` starts fast."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qbrgen.formatting import counted

if TYPE_CHECKING:
    from qbrgen.errors import ProblemList
    from qbrgen.run import Run

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn qbrgen's own errors into a clean message and exit code (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from qbrgen.errors import QbrgenError

        try:
            return func(*args, **kwargs)
        except QbrgenError as exc:
            click.echo(f"qbrgen: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


class IsoDate(click.ParamType):
    """A date typed as YYYY-MM-DD (given back as a datetime, like click.DateTime), with
    errors in words: 'there is no month 13', 'February 2026 has 28 days'."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        text = str(value).strip()
        try:
            if len(text) == 10:  # YYYY-MM-DD only, not the other forms fromisoformat accepts
                return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        except ValueError:
            pass
        self.fail(_date_problem(text), param, ctx)


def _date_problem(text: str) -> str:
    """Why `text` is not a YYYY-MM-DD date, in words, and what to type instead."""
    import calendar
    import re

    example = "a date as YYYY-MM-DD, e.g. 2026-10-15"
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    local = re.fullmatch(r"(\d{1,2})([./-])(\d{1,2})[./-](\d{4})", text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif local:
        first, second, year = int(local[1]), int(local[3]), int(local[4])
        if local[2] == "/" and first <= 12 and second <= 12 and first != second:
            return (
                f"'{text}' could be {year}-{first:02d}-{second:02d} or "
                f"{year}-{second:02d}-{first:02d}; write {example}"
            )
        # day first (15.10.2026, 15/10/2026), unless only the other order makes a date
        day, month = (second, first) if local[2] == "/" and second > 12 else (first, second)
    else:
        return f"'{text}' is not {example}"
    if not 1 <= month <= 12:
        return f"'{text}' is not a date: there is no month {month}"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"'{text}' is not a date: {calendar.month_name[month]} {year} has {last} days"
    return f"'{text}': write dates as YYYY-MM-DD, here {year:04d}-{month:02d}-{day:02d}"


def as_of_option(func: F) -> F:
    return click.option(
        "--as-of",
        type=IsoDate(),
        default=None,
        help="Date the numbers are true at; default from qbrgen.yaml, else today.",
    )(func)


def workspace_option(func: F) -> F:
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Workspace folder (holding qbrgen.yaml); parents are searched.",
    )(func)


def open_run_at(
    workspace: Path, as_of: dt.datetime | None, paths: tuple[Path, ...] = (), lean: Any = None
) -> Run:
    """The run of the workspace at (or above) `workspace`; `lean`: see `open_run`."""
    from qbrgen.loading import require_workspace
    from qbrgen.run import open_run

    day = as_of.date() if as_of else None
    return open_run(require_workspace(workspace), day, paths, lean=lean)


@dataclass(frozen=True)
class AccountChoice:
    """What the account-selection flags asked for: ids (ACCOUNT_IDS and --accounts, comma-
    separated or repeated), --owner and --renewing-within (as typed)."""

    ids: list[str]
    owner: str | None
    renewing_within: str | None

    def choose(self, run: Run) -> tuple[list[Any], str | None]:
        """The accounts the flags name, and the owner's name as the data spells it.
        An unknown id or owner is a usage error listing what exists."""
        from qbrgen.run import parse_days

        within = self.renewing_within
        chosen = run.select(
            self.ids, self.owner, parse_days(within) if within is not None else None
        )
        canonical = chosen[0].account.owner if self.owner and chosen else self.owner
        return chosen, canonical

    def narrowed(self, run: Run) -> str:
        """'renewing within 10 days of 2026-10-15' / 'owned by Ana Ruiz' for an empty choice."""
        from qbrgen.run import parse_days

        parts = []
        if self.owner:
            parts.append(f"owned by {self.owner}")
        if self.renewing_within is not None:
            days = parse_days(self.renewing_within)
            parts.append(f"renewing within {days} days of {run.report.as_of}")
        return " and ".join(parts) or "selected"


def selection_options(func: F) -> F:
    """ACCOUNT_IDS, --accounts, --owner, --renewing-within: one definition for qbr, plan, build
    and digest. The command receives them as one `choice: AccountChoice` argument."""

    @wraps(func)
    def wrapper(
        *args: Any,
        account_ids: tuple[str, ...],
        account_list: tuple[str, ...],
        owner: str | None,
        renewing_within: str | None,
        **kwargs: Any,
    ) -> Any:
        ids = [a for item in (*account_ids, *account_list) for a in item.split(",") if a]
        return func(*args, choice=AccountChoice(ids, owner, renewing_within), **kwargs)

    command: Any = click.option(
        "--renewing-within",
        default=None,
        metavar="DAYS",
        help="Only accounts whose renewal falls within DAYS from as-of, e.g. 120d, 6w, 3m.",
    )(wrapper)
    command = click.option(
        "--owner", metavar="NAME", default=None, help="Only this account manager's book."
    )(command)
    command = click.option(
        "--accounts",
        "account_list",
        multiple=True,
        metavar="IDS",
        help="Only these account ids (repeat, or comma-separate); the same as naming them.",
    )(command)
    return click.argument("account_ids", nargs=-1)(command)


MAX_JOBS = 256
"""The most worker processes `--jobs` takes (build and kit alike)."""


def jobs_option(func: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(0, MAX_JOBS),
        default=0,
        help="Worker processes (default: one per core).",
    )(func)


def no_wait_option(func: F) -> F:
    return click.option(
        "--no-wait",
        is_flag=True,
        help="When another qbrgen command is writing this workspace, exit at once (code 2) "
        "instead of waiting for it.",
    )(func)


def write_and_report(
    run: Run,
    renderer: str,
    selection: Any,
    no_wait: bool,
    workers: int = 1,
    prefix: str = "",
) -> int:
    """Write documents through the build's one write path (workspace lock, atomic writes,
    manifest, hand edits kept), printing each path written; a failed document is reported
    and the others are still written. Returns 1 when one failed, else 0."""
    from qbrgen.build import write_documents
    from qbrgen.errors import display_path

    summary = write_documents(run, renderer, selection, workers, wait=not no_wait)
    out = run.workspace.output_dir
    for result in summary.results:
        for rel in result.outputs if result.status == "built" else ():
            click.echo(prefix + display_path(out / rel, run.workspace.root))
    for item in summary.hand_edited:
        click.echo(f"qbrgen: {item['path']}: {item['action']}", err=True)
    for warning in summary.warnings:  # e.g. a kit's workspace content without a translation
        click.echo(f"qbrgen: warning: {warning}", err=True)
    for failure in summary.failed:
        click.echo(f"qbrgen: {failure.key}: {failure.error}", err=True)
    if summary.manifest_error:
        click.echo(f"qbrgen: {summary.manifest_error}", err=True)
    return 1 if summary.failed or summary.manifest_error else 0


def open_checked(
    workspace: Path, as_of: dt.datetime | None, consequence: str, lean: Any = None
) -> tuple[Run, int]:
    """Open the run (`lean`: see `open_run`) and print its problems (warnings quietly); when
    inputs are invalid, add one line: 'qbrgen: 2 input errors; <consequence>'. Returns the
    run and the error count."""
    run = open_run_at(workspace, as_of, lean=lean)
    errors = report_problems(run, quiet_warnings=True)
    if errors:
        click.echo(f"qbrgen: {counted(errors, 'input error')}; {consequence}", err=True)
    return run, errors


def report_problems(run: Run, quiet_warnings: bool = False) -> int:
    """Print every problem to stderr; returns the number of errors."""
    return print_problems(run.portfolio.problems, quiet_warnings)


def print_problems(problems: ProblemList, quiet_warnings: bool = False) -> int:
    """Print problems to stderr, ordered by file and line; returns the number of errors."""
    ordered = sorted(
        problems.items,
        key=lambda p: (p.location.path, p.location.line or 0, p.location.column or 0),
    )
    for problem in ordered:
        if problem.severity == "warning" and quiet_warnings:
            continue
        click.echo(str(problem), err=True)
    return len(problems.errors)
