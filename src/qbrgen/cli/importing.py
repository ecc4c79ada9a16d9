"""The `import` command: create or update account files from CRM exports (CSV or .xlsx)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from qbrgen.cli._common import handle_errors, print_problems, workspace_option


@click.command("import")
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
@workspace_option
@handle_errors
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
    if print_problems(problems):
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
