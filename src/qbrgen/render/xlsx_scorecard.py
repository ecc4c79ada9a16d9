"""The portfolio scorecard workbook (openpyxl): Summary, Charts, Accounts, Renewals, By owner.

`plan()` packs the KpiReport's numbers into plain rows; `render()` lays them out. Every number
is a value read from the KPI engine (no formulas); the only arithmetic here is presentation:
quarter-on-quarter changes, per-owner sums of the engine's money amounts (GRR/NRR per owner
from those sums, never averaged ratios) and renewal readiness checks. The workbook is written
in openpyxl's write-only mode so a 10,000-account book stays fast and small in memory.

This module is the renderer (plan, render, registration); the rest is one module per part:
`_scorecard_rows` (the plain data), `_scorecard_cells` (styles, number formats, the sheet
writer shared by every sheet), `_scorecard_summary`, `_scorecard_charts` and
`_scorecard_tables` (Accounts, Renewals, Health history, By owner).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from qbrgen.kpis.periods import Quarter
from qbrgen.labels import N_
from qbrgen.output import file_word
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._scorecard_cells import Styles, data_sheet, pad_format
from qbrgen.render._scorecard_charts import charts_sheet
from qbrgen.render._scorecard_rows import (
    READINESS_CHECKS,
    AccountRows,
    account_row,
    arrange,
    display_names,
    health_history,
    portfolio_data,
    renewal_rows,
)
from qbrgen.render._scorecard_summary import LAGGING_ROWS, LEADING_ROWS, summary_sheet
from qbrgen.render._scorecard_tables import (
    OWNER_COLUMNS,
    RENEWAL_COLUMNS,
    account_columns,
    accounts_rules,
    health_history_sheet,
    owner_rules,
    owner_total,
    renewals_rules,
)

if TYPE_CHECKING:
    from qbrgen.run import Run

__all__ = ["LAGGING_ROWS", "LEADING_ROWS", "SHEETS", "output_path", "pad_format", "plan", "render"]

SHEETS = ("Summary", "Charts", "Accounts", "Renewals", "Health history", "By owner")
"""The sheets' names in English (each written in the workspace's language)."""


def output_path(quarter: str, fmt: Any = None) -> str:
    """Where the scorecard of a review quarter goes, relative to the output folder (its word
    in the team's language, `fmt`)."""
    word = file_word(N_("scorecard"), fmt)
    return f"portfolio/{word}-{quarter}.xlsx"


def plan(run: Run, selection: Selection) -> list[Job]:
    """One job: the whole portfolio's scorecard for the review quarter. From a lean run
    (`open_run(lean=account_row)`), the rows come from `selection.summaries`."""
    report = run.report
    periods = report.periods
    config = run.workspace.config
    items = selection.accounts
    as_of = periods.as_of
    fmt = run.formatter
    sha = hashlib.sha256()
    if selection.summaries is not None:  # a lean run: rows made where accounts were loaded
        if run.lean is None or len(run.lean) != len(selection.summaries):
            raise ValueError("a lean scorecard covers the lean run's accounts, all of them")
        rows = AccountRows(lean=run.lean)
        for summary in selection.summaries:
            sha.update(summary.input_hash.encode())
    else:
        rows = AccountRows(
            [account_row(i.account, report.accounts[i.account.id], as_of, fmt) for i in items]
        )
        for item in items:
            sha.update(item.input_hash.encode())
    quarter = str(periods.quarter)
    horizon = Quarter.of(as_of).shift(1).end
    history = health_history(run)
    order, owners, history_digest = arrange(rows, horizon, history)
    payload = {
        "as_of": as_of,
        "quarter": quarter,
        "prev_quarter": str(periods.quarter.prev()),
        "ttm": (periods.ttm.start, periods.ttm.end),
        "renewal_horizon": horizon,
        "company": config.company.name,
        "currency": config.currency,
        "locale": config.locale,
        "bands": (config.health.bands.red_max, config.health.bands.yellow_max),
        "colours": config.branding.colours.model_dump(),
        "fonts": (config.branding.fonts.heading, config.branding.fonts.body),
        "portfolio": portfolio_data(report.portfolio),
        "accounts": rows,
        "order": order,
        "owners": owners,
        "health_history": history,
    }
    inputs = {
        "accounts": sha.hexdigest(),
        "config": config.model_dump_json(),
        "as_of": as_of.isoformat(),
        "version": run.version,
        "history": history_digest[:16],
    }
    return [Job("scorecard", "portfolio", [output_path(quarter, fmt)], payload, inputs)]


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The scorecard workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    payload = job.payload
    styles = Styles(
        payload["colours"], payload["currency"], payload["bands"],
        payload.get("fonts", ("DejaVu Sans", "DejaVu Sans")), env.formatter.label,
        env.config.plan.page_size, env.formatter,
    )  # fmt: skip
    rows: AccountRows = payload["accounts"]
    order: dict[str, Sequence[int]] = payload["order"]

    def shown(sheet: str) -> Iterator[dict[str, Any]]:
        """The rows of a sheet, in its order, each with its display names."""
        return display_names(rows.at(order[sheet]), env.formatter.label)

    as_of: dt.date = payload["as_of"]
    quarter = payload["quarter"]
    wb = Workbook(write_only=True)
    wb._fonts = IndexedList([styles.base])  # the default font: brand, not Calibri
    fmt = env.formatter
    _ = fmt.gettext
    wb.properties.title = _("Portfolio scorecard %(quarter)s", quarter=fmt.quarter(quarter))
    wb.properties.creator = f"qbrgen {env.version}"
    wb.properties.language = fmt.language_tag
    summary_sheet(wb, payload, styles)
    charts_sheet(wb, payload, styles)
    count = len(order["accounts"])
    data_sheet(
        wb, N_("Accounts"), "Accounts", account_columns(fmt.quarter(quarter), fmt),
        shown("accounts"), styles,
        [_("Accounts — %(count)s, worst health first (as of %(date)s)",
           count=fmt.number(count), date=fmt.date(as_of))],
        accounts_rules(styles, as_of), pages_wide=4,
    )  # fmt: skip

    def renewals() -> Iterator[dict[str, Any]]:
        for row in renewal_rows(shown("renewals"), as_of):
            row["risk"] = fmt.label(row["risk"].lower(), "severities")  # its display name
            yield row

    count = len(order["renewals"])
    horizon: dt.date = payload["renewal_horizon"]
    checks = fmt.join([_(check[0]) for check in READINESS_CHECKS])
    data_sheet(
        wb, N_("Renewals"), "Renewals", RENEWAL_COLUMNS, renewals(), styles,
        [_("Renewals from %(start)s to %(end)s (and past due): %(count)s",
           start=fmt.date(as_of), end=fmt.date(horizon), count=fmt.number(count)),
         _("Readiness: share of %(checks)s.", checks=checks)],
        renewals_rules(styles, as_of), pages_wide=1,
    )  # fmt: skip
    health_history_sheet(wb, payload, shown("names"), styles)
    owners = payload["owners"]
    values = payload["portfolio"]["values"]
    total = owner_total(owners, values, styles)
    data_sheet(
        wb, N_("By owner"), "ByOwner", OWNER_COLUMNS, owners, styles,
        [_("Books by account manager — GRR and NRR from summed money, not averaged ratios")],
        owner_rules(styles), tail=[total],
    )  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    from qbrgen.render._zip import normalise_zip  # created and modified: the as-of date

    return {job.outputs[0]: normalise_zip(buffer.getvalue(), env.stamp)}


register(
    Renderer(
        "scorecard",
        "Portfolio scorecard workbook (xlsx): Summary, Charts, Accounts, Renewals, By owner",
        plan,
        render,
    )
)
