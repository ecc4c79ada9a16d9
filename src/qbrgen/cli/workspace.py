"""Commands that set up and check a workspace: init, validate, kpis, schema, demo-data,
template-workbook."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from qbrgen.cli._common import (
    IsoDate,
    as_of_option,
    handle_errors,
    open_checked,
    print_problems,
    workspace_option,
)
from qbrgen.formatting import counted


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@workspace_option
@handle_errors
def validate(paths: tuple[Path, ...], workspace: Path) -> None:
    """Check the config and account files (all, or PATHS), reporting every problem.

    Exit code 0 when everything is valid, 1 when any input is invalid, 2 for usage errors.
    """
    from qbrgen.errors import ProblemList
    from qbrgen.kpis.checks import ContractArrCheck
    from qbrgen.loading import load_summaries, open_workspace, require_workspace

    config_problems = ProblemList()
    # Named files can be checked anywhere (with default settings); the whole workspace
    # needs one.
    root = workspace if paths else require_workspace(workspace)
    loaded = open_workspace(root, config_problems)
    # Lean: each account checked (in worker processes when many) and dropped, only its id kept.
    check = ContractArrCheck(loaded.config, loaded.config.as_of or dt.date.today())
    portfolio = load_summaries(loaded, list(paths), check)
    portfolio.problems.items[:0] = config_problems.items
    errors = print_problems(portfolio.problems)
    warnings = len(portfolio.problems.warnings)
    config = 1 if loaded.config_path is not None else 0
    checked = len(portfolio.files_checked) + config
    invalid = len(portfolio.invalid_files) + (1 if config and config_problems.errors else 0)
    summary = (
        f"{counted(checked, 'file')} checked: {checked - invalid} valid, {invalid} invalid; "
        f"{counted(len(portfolio.summaries), 'account')} ready to build; "
        f"{counted(errors, 'error')}" + (f", {counted(warnings, 'warning')}" if warnings else "")
    )
    click.echo(summary, err=errors > 0)
    sys.exit(1 if errors else 0)


@click.command()
@click.argument("account_ids", nargs=-1)
@workspace_option
@as_of_option
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
@handle_errors
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
    run, errors = open_checked(workspace, as_of, "KPIs below leave out the invalid accounts")
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


@click.command()
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


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@handle_errors
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY: qbrgen.yaml, two example accounts, templates/."""
    from qbrgen.scaffold import create_workspace, next_steps

    for path in create_workspace(directory):
        click.echo(f"created {path}")
    click.echo(next_steps(directory), nl=False)


@click.command("demo-data")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--accounts", "count", type=click.IntRange(1, 1_000_000), default=100, show_default=True
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same portfolio.")
@click.option("--as-of", type=IsoDate(), default="2026-10-15", show_default=True)
@handle_errors
def demo_data(directory: Path, count: int, seed: int, as_of: dt.datetime) -> None:
    """Write a synthetic workspace of COUNT accounts to DIRECTORY (for benchmarks)."""
    from qbrgen.demo import write_workspace

    write_workspace(directory, count, seed, as_of.date())
    click.echo(f"wrote {count} accounts to {directory / 'accounts'}")


@click.command("template-workbook")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@handle_errors
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
