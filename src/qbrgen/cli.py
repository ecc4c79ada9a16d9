"""The `qbrgen` command line. Imports stay lazy so `qbrgen --help` starts fast: no document
library (python-pptx, WeasyPrint, openpyxl) and no Pydantic model is imported until a
command needs it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qbrgen.formatting import counted

if TYPE_CHECKING:
    from qbrgen.config import LoadedWorkspace
    from qbrgen.errors import ProblemList
    from qbrgen.run import Run

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
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


def _as_of_option(func: F) -> F:
    return click.option(
        "--as-of",
        type=IsoDate(),
        default=None,
        help="Date the numbers are true at; default from qbrgen.yaml, else today.",
    )(func)


def _workspace_option(func: F) -> F:
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Workspace folder (holding qbrgen.yaml); parents are searched.",
    )(func)


def _open(workspace: Path, as_of: dt.datetime | None, paths: tuple[Path, ...] = ()) -> Run:
    from qbrgen.loading import require_workspace
    from qbrgen.run import open_run

    return open_run(require_workspace(workspace), as_of.date() if as_of else None, paths)


def _selection_options(func: F) -> F:
    """ACCOUNT_IDS, --accounts, --owner, --renewing-within: the same on qbr, plan, build, digest."""
    func = click.option(
        "--renewing-within",
        default=None,
        metavar="DAYS",
        help="Only accounts whose renewal falls within DAYS from as-of, e.g. 120d, 6w, 3m.",
    )(func)
    func = click.option(
        "--owner", metavar="NAME", default=None, help="Only this account manager's book."
    )(func)
    func = click.option(
        "--accounts",
        "account_list",
        multiple=True,
        metavar="IDS",
        help="Only these account ids (repeat, or comma-separate); the same as naming them.",
    )(func)
    return click.argument("account_ids", nargs=-1)(func)


def _no_wait_option(func: F) -> F:
    return click.option(
        "--no-wait",
        is_flag=True,
        help="When another qbrgen command is writing this workspace, exit at once (code 2) "
        "instead of waiting for it.",
    )(func)


def _account_ids(account_ids: tuple[str, ...], account_list: tuple[str, ...]) -> list[str]:
    return [a for item in (*account_ids, *account_list) for a in item.split(",") if a]


def _choose(
    run: Run,
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
) -> tuple[list[Any], str | None]:
    """The accounts the selection flags name, and the owner's name as the data spells it.
    An unknown id or owner is a usage error listing what exists."""
    from qbrgen.run import parse_days

    days = parse_days(renewing_within) if renewing_within is not None else None
    chosen = run.select(_account_ids(account_ids, account_list), owner, days)
    canonical = chosen[0].account.owner if owner and chosen else owner
    return chosen, canonical


def _write(
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
    for failure in summary.failed:
        click.echo(f"qbrgen: {failure.key}: {failure.error}", err=True)
    if summary.manifest_error:
        click.echo(f"qbrgen: {summary.manifest_error}", err=True)
    return 1 if summary.failed or summary.manifest_error else 0


def _report_problems(run: Run, quiet_warnings: bool = False) -> int:
    """Print every problem to stderr; returns the number of errors."""
    return _print_problems(run.portfolio.problems, quiet_warnings)


def _print_problems(problems: ProblemList, quiet_warnings: bool = False) -> int:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qbrgen")
def main() -> None:
    """qbrgen: QBR decks, account plans, a portfolio scorecard and hiring kits from account data.

    Run commands inside a workspace (a folder with qbrgen.yaml, accounts/ and templates/).
    """


def _presented(run: Run, accounts: list[Any]) -> list[Any]:
    """The accounts that get a QBR; for each that does not (churned), say why on stderr."""
    from qbrgen.render.context import not_presented

    kept = []
    for item in accounts:
        why = not_presented(run, item)
        if why:
            click.echo(f"qbrgen: {item.account.id}: {why}", err=True)
        else:
            kept.append(item)
    return kept


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_workspace_option
@_handle_errors
def validate(paths: tuple[Path, ...], workspace: Path) -> None:
    """Check the config and account files (all, or PATHS), reporting every problem.

    Exit code 0 when everything is valid, 1 when any input is invalid, 2 for usage errors.
    """
    from qbrgen.errors import ProblemList
    from qbrgen.formatting import Formatter
    from qbrgen.kpis.checks import check_contract_arr
    from qbrgen.loading import load_portfolio, open_workspace, require_workspace

    config_problems = ProblemList()
    # Named files can be checked anywhere (with default settings); the whole workspace
    # needs one.
    root = workspace if paths else require_workspace(workspace)
    loaded = open_workspace(root, config_problems)
    portfolio = load_portfolio(loaded, list(paths))
    portfolio.problems.items[:0] = config_problems.items
    check_contract_arr(
        portfolio, loaded.config.as_of or dt.date.today(), Formatter.for_config(loaded.config)
    )
    errors = _print_problems(portfolio.problems)
    warnings = len(portfolio.problems.warnings)
    config = 1 if loaded.config_path is not None else 0
    checked = len(portfolio.files_checked) + config
    invalid = len(portfolio.invalid_files) + (1 if config and config_problems.errors else 0)
    summary = (
        f"{counted(checked, 'file')} checked: {checked - invalid} valid, {invalid} invalid; "
        f"{counted(len(portfolio.accounts), 'account')} ready to build; "
        f"{counted(errors, 'error')}" + (f", {counted(warnings, 'warning')}" if warnings else "")
    )
    click.echo(summary, err=errors > 0)
    sys.exit(1 if errors else 0)


@main.command()
@click.argument("account_ids", nargs=-1)
@_workspace_option
@_as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the KPIs as JSON.")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print one CSV row per account (for a spreadsheet)."
)
@click.option(
    "--detail", is_flag=True, help="Show every KPI of every account, with reasons for n/a."
)
@click.option(
    "--definitions", is_flag=True, help="Explain what every KPI means and how it is computed."
)
@_handle_errors
def kpis(
    account_ids: tuple[str, ...],
    workspace: Path,
    as_of: dt.datetime | None,
    as_json: bool,
    as_csv: bool,
    detail: bool,
    definitions: bool,
) -> None:
    """Compute and print every KPI: the portfolio first, then accounts worst health first.

    The table fits the terminal: on a narrow one, names wrap and the least needed columns
    are left out (and named); --csv and --json always have everything.
    """
    if as_json and as_csv:
        raise click.UsageError("choose one: --json or --csv")
    if definitions:
        _print_definitions()
        return
    run = _open(workspace, as_of)
    errors = _report_problems(run, quiet_warnings=True)
    if errors:
        click.echo(
            f"qbrgen: {counted(errors, 'input error')}; KPIs below leave out the invalid accounts",
            err=True,
        )
    for account_id in account_ids:
        run.portfolio.by_id(account_id)
    if as_json:
        from qbrgen.kpis import report_json

        data = report_json(run.report)
        if account_ids:
            data["accounts"] = {k: v for k, v in data["accounts"].items() if k in account_ids}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif as_csv:
        from qbrgen._kpi_table import kpis_csv

        click.echo(kpis_csv(run, list(account_ids)), nl=False)
    else:
        from qbrgen._kpi_table import print_report

        print_report(run, list(account_ids), detail or bool(account_ids))
    sys.exit(1 if errors else 0)


def _print_definitions() -> None:
    """The KPI reference: rendered on a terminal, Markdown when piped (docs/kpis.md's text)."""
    from qbrgen.kpis.reference import reference_markdown

    text = reference_markdown()
    if sys.stdout.isatty():
        import re

        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(re.sub(r"<!--.*?-->\n\n", "", text, flags=re.DOTALL)))
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--config", is_flag=True, help="Schema of qbrgen.yaml instead.")
@click.option("--account", is_flag=True, help="Schema of an account file (the default).")
def schema(config: bool, account: bool) -> None:
    """Print the JSON Schema of account files (or of qbrgen.yaml) for editors."""
    if config and account:
        raise click.UsageError("choose one: --config (qbrgen.yaml) or --account (account files)")
    if config:
        from qbrgen.config import Workspace

        data = Workspace.model_json_schema()
        data["title"] = "qbrgen workspace config"
    else:
        from qbrgen.models import account_json_schema

        data = account_json_schema()
    click.echo(json.dumps(data, indent=2))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_handle_errors
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY: qbrgen.yaml, two example accounts, templates/."""
    from qbrgen.scaffold import create_workspace, next_steps

    for path in create_workspace(directory):
        click.echo(f"created {path}")
    click.echo(next_steps(directory), nl=False)


@main.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option(
    "--copy",
    "copy_name",
    metavar="NAME",
    help="Copy the built-in template NAME (a file, or a folder such as plan) into the "
    "workspace's templates/ to edit it; DEST to put it elsewhere.",
)
@click.option("--force", is_flag=True, help="With --copy: replace a copy already there.")
@_workspace_option
@_handle_errors
def templates(dest: Path | None, copy_name: str | None, force: bool, workspace: Path) -> None:
    """List every template and which folder it comes from (workspace overrides built-in),
    or copy a built-in one into the workspace to change it:

    \b
      qbrgen templates --copy deck/qbr.yaml   # the QBR slides -> templates/deck/qbr.yaml
      qbrgen templates --copy plan            # every account-plan template
    """
    from rich.console import Console
    from rich.table import Table

    from qbrgen.loading import open_workspace, require_workspace
    from qbrgen.templates import Theme

    loaded = open_workspace(require_workspace(workspace))
    if copy_name is not None:
        _copy_template(loaded, copy_name, dest, force)
        return
    if dest is not None:
        raise click.UsageError("DEST goes with --copy NAME: qbrgen templates --copy NAME [DEST]")
    theme = Theme(loaded)
    table = Table("template", "from", "path", box=None, pad_edge=False)
    for item in theme.files():
        table.add_row(item.name, item.origin, str(item.path))
    console = Console(width=max(120, Console().width))
    console.print("search path: " + "  →  ".join(f"{d} ({o})" for d, o in theme.dirs))
    console.print(table)


def _copy_template(loaded: LoadedWorkspace, name: str, dest: Path | None, force: bool) -> None:
    """`templates --copy`: copy, then say where it went, whether it now wins, how to go back."""
    from qbrgen.errors import display_path
    from qbrgen.templates import builtin_names, copy_builtin

    clean = name.strip().strip("/")
    is_file = clean in builtin_names()
    target = dest if dest is not None else loaded.templates_dir / clean
    if dest is not None and is_file and dest.is_dir():
        target = dest / Path(clean).name
    root = loaded.root
    written = copy_builtin(clean, target, force, lambda path: display_path(path, root))
    for item, path in written:
        click.echo(f"copied the built-in {item} to {display_path(path, root)}")
    shown = display_path(target, root)
    overrides = (loaded.templates_dir / clean).resolve() == target.resolve()
    if overrides:
        it = "your copy" if is_file else "your copies"
        click.echo(
            f"Edit {it}: qbrgen uses {'it' if is_file else 'them'} from now on in place of the "
            f"built-in {'one' if is_file else 'ones'} (`qbrgen templates` shows which file wins)."
        )
    else:
        click.echo(
            f"{shown} does not replace the built-in {clean} (that would be "
            f"{display_path(loaded.templates_dir / clean, root)}); it is used only where "
            "qbrgen.yaml names it, e.g. deck.slides or deck.template."
        )
    if is_file:
        click.echo(f"To go back to the built-in {clean}, delete {shown}.")
    else:
        click.echo(f"To go back to the built-in {clean} templates, delete the files copied above.")


@main.command()
@_selection_options
@_workspace_option
@_as_of_option
@click.option(
    "--only",
    "only",
    multiple=True,
    help="Only these document types (qbr, brief, plan, scorecard, digest, kit).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes (default: one per core).",
)
@click.option("--force", is_flag=True, help="Rebuild everything, even what is unchanged.")
@click.option(
    "--prune",
    is_flag=True,
    help="Move stale outputs (no current account or document makes them) to output/.stale/<date>/.",
)
@click.option(
    "--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True
)
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_no_wait_option
@_handle_errors
def build(
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
    workspace: Path,
    as_of: dt.datetime | None,
    only: tuple[str, ...],
    jobs: int,
    force: bool,
    prune: bool,
    executor: str,
    scheduler: str | None,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Build everything the workspace asks for: a deck, a prep brief and a plan per account,
    the scorecard, the digest and the configured kits. Incremental, parallel, never
    half-written; lists the stale outputs (and with --prune moves them to output/.stale/)."""
    from qbrgen.build import BuildOptions
    from qbrgen.build import build as run_build
    from qbrgen.build.progress import Reporter
    from qbrgen.errors import UsageError
    from qbrgen.run import parse_days

    if executor == "dask" and not scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:8786")
    run = _open(workspace, as_of)
    if not as_json:
        _report_problems(run, quiet_warnings=True)
    wanted = [o for item in only for o in item.split(",") if o]
    if not as_json and (not wanted or {"qbr", "brief"} & set(wanted)):
        days = parse_days(renewing_within) if renewing_within else None
        _presented(run, run.select(_account_ids(account_ids, account_list), owner, days))
    options = BuildOptions(
        accounts=_account_ids(account_ids, account_list),
        owner=owner,
        renewing_within=parse_days(renewing_within) if renewing_within else None,
        only=[o for item in only for o in item.split(",") if o],
        jobs=jobs,
        force=force,
        executor=executor,
        scheduler=scheduler,
        prune=prune,
        wait=not no_wait,
    )
    summary = run_build(run, options, Reporter(quiet=as_json))
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    sys.exit(130 if summary.interrupted else summary.exit_code)


@main.command()
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def snapshot(workspace: Path, as_of: dt.datetime | None, no_wait: bool) -> None:
    """Record this run's key facts and KPIs in the KPI history, without building documents
    (`qbrgen build` records every run too). Recording the same as-of again replaces it.

    Exit code 0 when recorded, 1 when an input was invalid (the valid accounts are recorded).
    """
    from qbrgen.build.lock import workspace_lock
    from qbrgen.errors import UsageError
    from qbrgen.history import record_run

    run = _open(workspace, as_of)
    errors = _report_problems(run, quiet_warnings=True)
    if not run.workspace.config.history.enabled:
        raise UsageError("the KPI history is off (history.enabled: false in qbrgen.yaml)")
    with workspace_lock(run.workspace, "snapshot", wait=not no_wait):
        recorded = record_run(run, "snapshot")
    click.echo(str(recorded))
    sys.exit(1 if errors else 0)


@main.command()
@click.argument("account_id")
@click.option(
    "--kpi",
    "kpi_key",
    default="health_score",
    show_default=True,
    help="The KPI to show over time (any key of `qbrgen kpis --json`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the points as JSON.")
@_workspace_option
@_handle_errors
def history(account_id: str, kpi_key: str, as_json: bool, workspace: Path) -> None:
    """Print one account's KPI over every recorded run, oldest first."""
    from qbrgen.history.report import print_history

    print_history(workspace, account_id, kpi_key, as_json)


@main.command()
@click.option(
    "--stale",
    is_flag=True,
    help="Move outputs no current account or document makes to output/.stale/<date>/.",
)
@click.option("--json", "as_json", is_flag=True, help="List what was moved as JSON.")
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def clean(
    stale: bool, as_json: bool, workspace: Path, as_of: dt.datetime | None, no_wait: bool
) -> None:
    """Tidy output/: with --stale, move every stale output (hand-edited ones and their
    .edited copies included) to output/.stale/<date>/ and drop it from the manifest. Nothing
    is ever deleted."""
    from qbrgen.build import clean_stale
    from qbrgen.errors import UsageError

    if not stale:
        raise UsageError("say what to clean: --stale")
    run = _open(workspace, as_of)
    if not as_json:
        _report_problems(run, quiet_warnings=True)
    found = clean_stale(run, wait=not no_wait)
    if as_json:
        click.echo(json.dumps({"stale": [item.to_json() for item in found]}, indent=2))
        return
    moved = [item for item in found if item.moved_to]
    for item in found:
        edited = " (changed by hand)" if item.edited else ""
        where = f"moved to {item.moved_to}" if item.moved_to else f"not moved: {item.reason}"
        click.echo(f"{item.path}{edited}: {where}")
    out = run.workspace.output_dir.name
    click.echo(f"{counted(len(moved), 'stale file')} moved to {out}/.stale/", err=True)


@main.command("demo-data")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--accounts", "count", type=click.IntRange(1, 1_000_000), default=100, show_default=True
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same portfolio.")
@click.option("--as-of", type=IsoDate(), default="2026-10-15", show_default=True)
@_handle_errors
def demo_data(directory: Path, count: int, seed: int, as_of: dt.datetime) -> None:
    """Write a synthetic workspace of COUNT accounts to DIRECTORY (for benchmarks)."""
    from qbrgen.demo import write_workspace

    write_workspace(directory, count, seed, as_of.date())
    click.echo(f"wrote {count} accounts to {directory / 'accounts'}")


@main.command()
@_selection_options
@click.option("--no-brief", is_flag=True, help="Write the decks only, not the prep briefs.")
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def qbr(
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
    no_brief: bool,
    workspace: Path,
    as_of: dt.datetime | None,
    no_wait: bool,
) -> None:
    """Write a QBR deck (.pptx, for the customer) and the presenter's prep brief (.pdf,
    internal) per account (all, or the ones selected) to output/<account-id>/.

    Churned accounts get neither (the command says so). Exit code 0 when every deck was
    written, 1 when an input was invalid or a deck failed.
    """
    sys.exit(
        _per_account(
            ["qbr"] if no_brief else ["qbr", "brief"],
            "decks",
            workspace,
            as_of,
            no_wait,
            account_ids,
            account_list,
            owner,
            renewing_within,
            presented=True,
        )  # fmt: skip
    )


def _per_account(
    renderers: list[str],
    what: str,
    workspace: Path,
    as_of: dt.datetime | None,
    no_wait: bool,
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
    presented: bool = False,
) -> int:
    """Each renderer's document per selected account (qbr and brief, plan); with
    `presented`, churned accounts are left out with a word why. Returns the exit code."""
    from qbrgen.render import Selection

    run = _open(workspace, as_of)
    errors = _report_problems(run, quiet_warnings=True)
    if errors:
        click.echo(
            f"qbrgen: {counted(errors, 'input error')}; {what} are made for the valid accounts only",
            err=True,
        )
    chosen, _ = _choose(run, account_ids, account_list, owner, renewing_within)
    if presented:
        chosen = _presented(run, chosen)
    if not chosen:
        click.echo(
            f"qbrgen: no account {_narrowed(run, owner, renewing_within)}; no {what} written",
            err=True,
        )
        return 1 if errors else 0
    failed = [_write(run, renderer, Selection(chosen), no_wait) for renderer in renderers]
    return 1 if errors or any(failed) else 0


def _narrowed(run: Run, owner: str | None, renewing_within: str | None) -> str:
    """'renewing within 10 days of 2026-10-15' / 'of Ana Ruiz's' for an empty selection."""
    from qbrgen.run import parse_days

    parts = []
    if owner:
        parts.append(f"owned by {owner}")
    if renewing_within is not None:
        parts.append(f"renewing within {parse_days(renewing_within)} days of {run.report.as_of}")
    return " and ".join(parts) or "selected"


@main.group("deck-template")
def deck_template() -> None:
    """Check a company PowerPoint template before using it for QBR decks."""


@deck_template.command("check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--designed/--master",
    default=None,
    help="Read FILE as a designed deck (its slides filled per account) or as a master "
    "(its layouts used by deck/qbr.yaml); default: designed when its slides hold tokens, "
    "`qbr:` names or markers.",
)
@_workspace_option
@_handle_errors
def deck_template_check(file: Path, designed: bool | None, workspace: Path) -> None:
    """Check a PowerPoint file before using it for QBR decks.

    As a master (deck.template): FILE's slide size, layouts and placeholders, which deck role
    (title, section, content, chart, table, closing) each layout could serve, the layout each
    role will use (with deck.layouts of the workspace, if any) and what to rename.

    As a designed deck (deck.designed): each slide's notes markers, tokens and `qbr:` charts,
    tables and pictures with what each holds, every problem found without an account (syntax,
    unknown or internal names), and the chart, table and picture names available.

    Exit code 0 when there is no problem, 1 otherwise.
    """
    from qbrgen.errors import ProblemList, TemplateError
    from qbrgen.loading import open_workspace
    from qbrgen.render._pptx_layouts import check_report

    try:
        from pptx import Presentation

        prs = Presentation(str(file))
    except Exception as exc:  # python-pptx raises assorted errors for non-pptx files
        raise TemplateError(f"{file}: not a readable .pptx file: {exc}") from exc
    loaded = open_workspace(workspace, ProblemList())
    if designed is None:
        from qbrgen.render.pptx_designed import looks_designed

        designed = looks_designed(prs)
    if designed:
        from qbrgen.render.pptx_designed import check_designed
        from qbrgen.templates import Formatter, Theme

        lines, ok = check_designed(
            prs, str(file), Theme(loaded), Formatter.for_config(loaded.config)
        )
        for line in lines:
            click.echo(line)
        sys.exit(0 if ok else 1)
    lines = check_report(prs, dict(loaded.config.deck.layouts), str(file))
    for line in lines:
        click.echo(line)
    sys.exit(1 if "problems:" in lines else 0)


@main.command()
@click.option(
    "--seniority", type=click.Choice(["junior", "senior", "strategic"]), help="Level of the role."
)
@click.option(
    "--industry", metavar="ID", help="saas, regulated, services (or one your content adds)."
)
@click.option(
    "--start",
    type=IsoDate(),
    default=None,
    help="New hire's first day (YYYY-MM-DD) for due dates; default the next Monday.",
)
@click.option(
    "--portfolio", is_flag=True, help="Name real accounts to shadow and own (healthy, small first)."
)
@click.option("--all", "build_all", is_flag=True, help="Every seniority × industry combination.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    help="Worker processes (default: one per core).",
)
@_workspace_option
@_no_wait_option
@_handle_errors
def kit(
    seniority: str | None,
    industry: str | None,
    start: dt.datetime | None,
    portfolio: bool,
    build_all: bool,
    jobs: int,
    workspace: Path,
    no_wait: bool,
) -> None:
    """Build hiring kits under output/kits/<seniority>-<industry>/: job description (PDF and
    Markdown), interview guide, 30-60-90 onboarding plan and tracker (XLSX).

    Without --seniority/--industry or --all, builds the kits listed in qbrgen.yaml (kits.build).
    """
    import os

    from qbrgen.errors import UsageError
    from qbrgen.loading import require_workspace
    from qbrgen.render import Selection
    from qbrgen.run import open_run

    if build_all and (seniority or industry):
        raise UsageError("--all builds every kit; leave out --seniority and --industry")
    if bool(seniority) != bool(industry):
        raise UsageError("give both --seniority and --industry (or --all)")
    run = open_run(
        require_workspace(workspace), with_accounts=portfolio
    )  # kits need accounts only to name them
    if portfolio:
        errors = _report_problems(run, quiet_warnings=True)
        if errors:
            click.echo(
                f"qbrgen: {counted(errors, 'input error')}; invalid accounts are left out", err=True
            )
    options: dict[str, Any] = {"all": build_all, "portfolio": portfolio}
    if seniority and industry:
        options["kits"] = [f"{seniority}-{industry}"]
    if start:
        options["start"] = start.date()
    workers = jobs or os.cpu_count() or 1
    selection = Selection(list(run.accounts), options)
    sys.exit(_write(run, "kit", selection, no_wait, workers, prefix="wrote "))


@main.command("template-workbook")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@_handle_errors
def template_workbook(file: Path, force: bool) -> None:
    """Write an account workbook to start from: every sheet with its header row, drop-downs
    for choices, date formats, and one example account (see docs/spreadsheets-and-crm.md)."""
    from qbrgen.errors import UsageError
    from qbrgen.loading.xlsx_source import write_template

    if file.suffix.lower() != ".xlsx":
        raise UsageError(f"{file}: the workbook name must end in .xlsx")
    if file.exists() and not force:
        raise UsageError(f"{file} exists; use --force to replace it")
    write_template(file)
    click.echo(
        f"wrote {file}: delete the example-co rows, add your accounts, then `qbrgen validate {file}`"
    )


@main.command("import")
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "system",
    type=click.Choice(["salesforce", "hubspot", "csv"]),
    required=True,
    help="Where the exports come from (picks the built-in column mappings).",
)
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Your own column mapping (YAML) instead of the built-in ones; repeat for several.",
)
@click.option("--encoding", help="The files' text encoding (default: detected), e.g. cp932.")
@click.option(
    "--date-format",
    help="How the exports write dates when a column could be read both ways: MM/DD/YYYY, "
    "DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD or a pattern like %d/%m/%Y.",
)
@click.option(
    "--decimal-separator",
    help="'.' or ',' when amounts like 142,500 could be read both ways.",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace fields edited by hand with the CRM's values too."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing; show each account that would be written and every field's source column.",
)
@_workspace_option
@_handle_errors
def import_(
    exports: tuple[Path, ...],
    system: str,
    mappings: tuple[Path, ...],
    encoding: str | None,
    date_format: str | None,
    decimal_separator: str | None,
    overwrite: bool,
    dry_run: bool,
    workspace: Path,
) -> None:
    """Create or update accounts/<id>.yaml from CRM exports (CSV or .xlsx), several at once.

    Salesforce: report exports (accounts, opportunities, contacts) or object files with API
    names (Account.csv Opportunity.csv Contact.csv User.csv, Contract.csv, ...). HubSpot:
    companies, deals and contacts exports, with labels or property names. Any CSV with
    --mapping. Fields that came from the CRM are updated on the next import; fields you edited
    by hand, comments and your own additions are kept. A field the CRM has no value for is
    left empty with a comment, for you to fill in. Exit code 1 when a written account is not
    valid yet or an export could not be read without guessing.
    """
    from qbrgen.errors import InputError, ProblemList
    from qbrgen.loading import open_workspace, require_workspace
    from qbrgen.loading._formats import check_encoding, parse_date_format, parse_decimal_mark
    from qbrgen.loading.crm_import import ImportOptions, import_exports

    for check, value, name in (
        (check_encoding, encoding, "--encoding"),
        (parse_date_format, date_format, "--date-format"),
        (parse_decimal_mark, decimal_separator, "--decimal-separator"),
    ):
        if value:
            try:
                check(value)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint=name) from exc
    problems = ProblemList()
    loaded = open_workspace(require_workspace(workspace), problems)
    if _print_problems(problems):
        sys.exit(1)
    options = ImportOptions(
        system,
        mappings,
        overwrite=overwrite,
        dry_run=dry_run,
        encoding=encoding,
        date_format=date_format,
        decimal_separator=decimal_separator,
    )
    try:
        result = import_exports(loaded, list(exports), options)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("qbrgen: import stopped, nothing written", err=True)
        sys.exit(1)
    for line in result.lines():
        click.echo(line)
    sys.exit(1 if result.errors else 0)


@main.command()
@_selection_options
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def plan(
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
    workspace: Path,
    as_of: dt.datetime | None,
    no_wait: bool,
) -> None:
    """Write an account plan (PDF) per account (all, or the ones selected) to output/<account-id>/.

    Before renewals: `qbrgen plan --renewing-within 120d`. Exit code 0 when every plan was
    written, 1 when an input was invalid or a plan failed.
    """
    sys.exit(
        _per_account(
            ["plan"],
            "plans",
            workspace,
            as_of,
            no_wait,
            account_ids,
            account_list,
            owner,
            renewing_within,
        )  # fmt: skip
    )


@main.command()
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def scorecard(workspace: Path, as_of: dt.datetime | None, no_wait: bool) -> None:
    """Write the portfolio scorecard workbook to output/portfolio/scorecard-<quarter>.xlsx.

    Sheets: Summary (lagging and leading KPIs, quarter vs previous and TTM), Charts, Accounts,
    Renewals (next two quarters), By owner. Exit code 0 when written, 1 when an input was
    invalid (the workbook then covers the valid accounts only).
    """
    from qbrgen.render import Selection

    run = _open(workspace, as_of)
    errors = _report_problems(run, quiet_warnings=True)
    if errors:
        click.echo(
            f"qbrgen: {counted(errors, 'input error')}; the scorecard covers the valid accounts only",
            err=True,
        )
    failed = _write(run, "scorecard", Selection(run.accounts), no_wait)
    sys.exit(1 if errors or failed else 0)


@main.command()
@_selection_options
@click.option("--no-pdf", is_flag=True, help="Write the Markdown only (no WeasyPrint needed).")
@_workspace_option
@_as_of_option
@_no_wait_option
@_handle_errors
def digest(
    account_ids: tuple[str, ...],
    account_list: tuple[str, ...],
    owner: str | None,
    renewing_within: str | None,
    no_pdf: bool,
    workspace: Path,
    as_of: dt.datetime | None,
    no_wait: bool,
) -> None:
    """Write the weekly account review: output/portfolio/digest-<as-of>[-<owner>].md and .pdf.

    For each account: did it move this week (reduced risk, increased value, a clarified next
    step) or stall; then what needs action, most urgent first.
    """
    from qbrgen.render import Selection

    run = _open(workspace, as_of)
    errors = _report_problems(run, quiet_warnings=True)
    if errors:
        click.echo(
            f"qbrgen: {counted(errors, 'input error')}; the digest covers the valid accounts only",
            err=True,
        )
    chosen, canonical = _choose(run, account_ids, account_list, owner, renewing_within)
    selection = Selection(chosen, {"owner": canonical, "pdf": not no_pdf})
    failed = _write(run, "digest", selection, no_wait)
    sys.exit(1 if errors or failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
