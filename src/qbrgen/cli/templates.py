"""Commands about templates: `templates` (list, copy a built-in to override it) and
`deck-template check` (vet a company PowerPoint file before using it for QBR decks)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qbrgen.cli._common import handle_errors, workspace_option

if TYPE_CHECKING:
    from qbrgen.config import LoadedWorkspace


@click.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option(
    "--copy",
    "copy_name",
    metavar="NAME",
    help="Copy the built-in template NAME (a file, or a folder such as plan) into the "
    "workspace's templates/ to edit it; DEST to put it elsewhere.",
)
@click.option("--force", is_flag=True, help="With --copy: replace a copy already there.")
@workspace_option
@handle_errors
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


@click.group("deck-template")
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
@workspace_option
@handle_errors
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
