"""Commands that write documents: build (everything), qbr, plan, scorecard, digest, kit, and
clean (tidy stale outputs). All write through the build's one write path."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qbrgen.cli._common import (
    AccountChoice,
    IsoDate,
    as_of_option,
    handle_errors,
    jobs_option,
    no_wait_option,
    open_checked,
    open_run_at,
    report_problems,
    selection_options,
    workspace_option,
    write_and_report,
)
from qbrgen.formatting import counted

if TYPE_CHECKING:
    from qbrgen.run import Run


@click.command()
@selection_options
@workspace_option
@as_of_option
@click.option(
    "--only",
    "only",
    multiple=True,
    help="Only these document types (qbr, brief, plan, scorecard, digest, kit).",
)
@jobs_option
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
@no_wait_option
@handle_errors
def build(
    choice: AccountChoice,
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
    run = open_run_at(workspace, as_of)
    if not as_json:
        report_problems(run, quiet_warnings=True)
    days = parse_days(choice.renewing_within) if choice.renewing_within else None
    wanted = [o for item in only for o in item.split(",") if o]
    if not as_json and (not wanted or {"qbr", "brief"} & set(wanted)):
        _presented(run, run.select(choice.ids, choice.owner, days))
    options = BuildOptions(
        accounts=choice.ids,
        owner=choice.owner,
        renewing_within=days,
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


@click.command()
@selection_options
@click.option("--no-brief", is_flag=True, help="Write the decks only, not the prep briefs.")
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
def qbr(
    choice: AccountChoice,
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
            choice,
            presented=True,
        )  # fmt: skip
    )


def _per_account(
    renderers: list[str],
    what: str,
    workspace: Path,
    as_of: dt.datetime | None,
    no_wait: bool,
    choice: AccountChoice,
    presented: bool = False,
) -> int:
    """Each renderer's document per selected account (qbr and brief, plan); with
    `presented`, churned accounts are left out with a word why. Returns the exit code."""
    from qbrgen.render import Selection

    run, errors = open_checked(workspace, as_of, f"{what} are made for the valid accounts only")
    chosen, _ = choice.choose(run)
    if presented:
        chosen = _presented(run, chosen)
    if not chosen:
        click.echo(
            f"qbrgen: no account {choice.narrowed(run)}; no {what} written",
            err=True,
        )
        return 1 if errors else 0
    failed = [write_and_report(run, renderer, Selection(chosen), no_wait) for renderer in renderers]
    return 1 if errors or any(failed) else 0


@click.command()
@selection_options
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
def plan(
    choice: AccountChoice,
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
            choice,
        )  # fmt: skip
    )


@click.command()
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
def scorecard(workspace: Path, as_of: dt.datetime | None, no_wait: bool) -> None:
    """Write the portfolio scorecard workbook to output/portfolio/scorecard-<quarter>.xlsx.

    Sheets: Summary (lagging and leading KPIs, quarter vs previous and TTM), Charts, Accounts,
    Renewals (next two quarters), By owner. Exit code 0 when written, 1 when an input was
    invalid (the workbook then covers the valid accounts only).
    """
    from qbrgen.render import Selection
    from qbrgen.render._scorecard_rows import account_row

    # A lean run: each account's row is made where it is loaded, and kept on disk until the
    # workbook is written (the run's spill, removed when the run closes).
    consequence = "the scorecard covers the valid accounts only"
    run, errors = open_checked(workspace, as_of, consequence, lean=account_row)
    with run:
        selection = Selection([], summaries=run.summaries)
        failed = write_and_report(run, "scorecard", selection, no_wait)
    sys.exit(1 if errors or failed else 0)


@click.command()
@selection_options
@click.option("--no-pdf", is_flag=True, help="Write the Markdown only (no WeasyPrint needed).")
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
def digest(
    choice: AccountChoice,
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

    run, errors = open_checked(workspace, as_of, "the digest covers the valid accounts only")
    chosen, canonical = choice.choose(run)
    selection = Selection(chosen, {"owner": canonical, "pdf": not no_pdf})
    failed = write_and_report(run, "digest", selection, no_wait)
    sys.exit(1 if errors or failed else 0)


@click.command()
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
    "--language",
    type=click.Choice(["en", "de", "fr", "es", "ja"]),
    default=None,
    help="Language of the kit's documents; default `language` in qbrgen.yaml.",
)
@jobs_option
@workspace_option
@no_wait_option
@handle_errors
def kit(
    seniority: str | None,
    industry: str | None,
    start: dt.datetime | None,
    portfolio: bool,
    build_all: bool,
    language: str | None,
    jobs: int,
    workspace: Path,
    no_wait: bool,
) -> None:
    """Build hiring kits under output/kits/<seniority>-<industry>/: job description (PDF and
    Markdown), interview guide, 30-60-90 onboarding plan and tracker (XLSX).

    Without --seniority/--industry or --all, builds the kits listed in qbrgen.yaml (kits.build).
    A kit in another language than English goes to output/kits/<language>/<seniority>-<industry>/,
    its file names in that language.
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
        errors = report_problems(run, quiet_warnings=True)
        if errors:
            click.echo(
                f"qbrgen: {counted(errors, 'input error')}; invalid accounts are left out", err=True
            )
    options: dict[str, Any] = {"all": build_all, "portfolio": portfolio}
    if language:
        options["language"] = language
    if seniority and industry:
        options["kits"] = [f"{seniority}-{industry}"]
    if start:
        options["start"] = start.date()
    workers = jobs or os.cpu_count() or 1
    selection = Selection(list(run.accounts), options)
    sys.exit(write_and_report(run, "kit", selection, no_wait, workers, prefix="wrote "))


@click.command()
@click.option(
    "--stale",
    is_flag=True,
    help="Move outputs no current account or document makes to output/.stale/<date>/.",
)
@click.option("--json", "as_json", is_flag=True, help="List what was moved as JSON.")
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
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
    run = open_run_at(workspace, as_of)
    if not as_json:
        report_problems(run, quiet_warnings=True)
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
