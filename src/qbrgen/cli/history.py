"""Commands on the KPI history: snapshot (record this run) and history (one KPI over time)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from qbrgen.cli._common import (
    as_of_option,
    handle_errors,
    no_wait_option,
    open_run_at,
    report_problems,
    workspace_option,
)


@click.command()
@workspace_option
@as_of_option
@no_wait_option
@handle_errors
def snapshot(workspace: Path, as_of: dt.datetime | None, no_wait: bool) -> None:
    """Record this run's key facts and KPIs in the KPI history, without building documents
    (`qbrgen build` records every run too). Recording the same as-of again replaces it.

    Exit code 0 when recorded, 1 when an input was invalid (the valid accounts are recorded).
    """
    from qbrgen.build.lock import workspace_lock
    from qbrgen.errors import UsageError
    from qbrgen.history import record_run

    run = open_run_at(workspace, as_of)
    errors = report_problems(run, quiet_warnings=True)
    if not run.workspace.config.history.enabled:
        raise UsageError("the KPI history is off (history.enabled: false in qbrgen.yaml)")
    with workspace_lock(run.workspace, "snapshot", wait=not no_wait):
        recorded = record_run(run, "snapshot")
    click.echo(str(recorded))
    sys.exit(1 if errors else 0)


@click.command()
@click.argument("account_id")
@click.option(
    "--kpi",
    "kpi_key",
    default="health_score",
    show_default=True,
    help="The KPI to show over time (any key of `qbrgen kpis --json`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the points as JSON.")
@workspace_option
@handle_errors
def history(account_id: str, kpi_key: str, as_json: bool, workspace: Path) -> None:
    """Print one account's KPI over every recorded run, oldest first."""
    from qbrgen.history.report import print_history

    print_history(workspace, account_id, kpi_key, as_json)
