"""`qbrgen kpis` as readable tables (rich): portfolio first, then accounts worst health first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qbrgen.kpis.definitions import DEFINITIONS, SENTIMENT_PERIOD, SUPPORTING_DEFINITIONS

if TYPE_CHECKING:
    from qbrgen.kpis import KpiSet
    from qbrgen.run import Run

BAND_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}
DEFINED = {d.key: d for d in SUPPORTING_DEFINITIONS}


def _value(run: Run, kpis: KpiSet, key: str, kind: str) -> str:
    value = kpis.get(key)
    fmt = run.formatter
    if key == "support_trend" and value is not None:
        return f"{fmt.kpi(value['all'], 'ratio')} of last quarter"
    if (
        key == "stakeholder_coverage"
        and value is not None
        and "stakeholder_roles_covered" in kpis.values
    ):
        roles = ", ".join(kpis["stakeholder_roles_covered"]) or "no key role"
        return f"{fmt.kpi(value, key)} ({roles})"
    if key == "stakeholder_coverage" and value is not None:
        return f"{fmt.kpi(value, key)} per account"
    if key == "pipeline" and value is not None:
        stages = kpis.get("pipeline_by_stage") or {}
        detail = ", ".join(f"{s} {fmt.kpi(v, 'money')}" for s, v in stages.items())
        return f"{fmt.kpi(value, key)}" + (f" ({detail})" if detail else "")
    if key == "health_score" and value is not None and kpis.get("health_band"):
        return f"{fmt.kpi(value, key)} {kpis['health_band']}"
    if key == "health_trend" and value is not None:
        return fmt.health_trend(kpis.values)
    return fmt.kpi(value, key)


def _kpi_rows(run: Run, kpis: KpiSet, table: Table, quarterly: bool) -> None:
    for definition in DEFINITIONS:
        key = definition.key
        if key not in kpis.values:
            continue
        row: list[Any] = [definition.label, _value(run, kpis, key, definition.kind)]
        if quarterly:
            q_key = key + "_q"
            row.append(_value(run, kpis, q_key, definition.kind) if q_key in kpis.values else "")
        reasons = [kpis.reason(key)] if kpis.get(key) is None else []
        quarter_reason = kpis.reason(key + "_q")
        if quarterly and kpis.get(key + "_q", 0) is None and quarter_reason not in reasons:
            reasons.append(f"quarter: {quarter_reason}")
        row.append("; ".join(r for r in reasons if r))
        table.add_row(*row)


def print_report(
    run: Run, account_ids: list[str], detail: bool, console: Console | None = None
) -> None:
    """Print the portfolio KPIs, the accounts table, and per-account detail when asked."""
    console = console or Console()
    report = run.report
    fmt = run.formatter
    p = report.portfolio
    title = (
        f"Portfolio — {p['accounts']} accounts, current ARR {fmt.kpi(p['arr'], 'arr')} — "
        f"as of {report.as_of.isoformat()}, review quarter {report.quarter}, "
        f"TTM window {report.periods.ttm.start} → {report.periods.ttm.end}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("KPI", no_wrap=True)
    table.add_column("TTM", justify="right")
    table.add_column(f"{report.quarter}", justify="right")
    table.add_column("n/a because", style="dim")
    _kpi_rows(run, p, table, quarterly=True)
    dist = p.health_distribution
    table.add_row(
        "Health distribution",
        f"{dist['green']} green · {dist['yellow']} yellow · {dist['red']} red · {dist['unscored']} unscored",
        "",
        "",
    )
    for key in ("single_threaded_accounts", "open_escalations", "accounts_without_revenue_history"):
        table.add_row(DEFINED[key].label, fmt.kpi(p[key], key), "", "")
    console.print(table)

    rows = [k for k in report.worst_first() if not account_ids or k.account_id in account_ids]
    _print_accounts(run, rows, console)
    if detail:
        for k in rows:
            table = Table(title=f"{k.name} ({k.account_id})", title_justify="left")
            table.add_column("KPI", no_wrap=True)
            table.add_column("TTM", justify="right")
            table.add_column(f"{report.quarter}", justify="right")
            table.add_column("n/a because", style="dim")
            _kpi_rows(run, k, table, quarterly=True)
            if k.health.score is not None:
                parts = ", ".join(
                    f"{c}{' (' + SENTIMENT_PERIOD + ')' if c == 'sentiment' else ''} "
                    f"{fmt.kpi(s, 'score')} (w {fmt.kpi(k.health.weights[c], 'ratio')})"
                    for c, s in k.health.components.items()
                )
                dropped = "; ".join(f"{c}: {why}" for c, why in k.health.missing.items())
                table.add_row(
                    "Health components", parts, "", f"dropped {dropped}" if dropped else ""
                )
                table.add_row("Biggest drag", k["health_biggest_drag"] or "none", "", "")
            for warning in k.warnings:
                table.add_row("[yellow]warning[/]", warning.message, "", "")
            console.print(table)


ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account", "left"),
    ("current ARR", "right"),
    ("health", "right"),
    ("trend", "right"),
    ("GRR", "right"),
    ("NRR", "right"),
    ("util.", "right"),
    ("adopt.", "right"),
    ("coverage", "right"),
    ("renewal", "right"),
    ("warnings", "left"),
)
DROP_ORDER = ("adopt.", "util.", "GRR", "coverage", "NRR", "trend", "renewal", "current ARR")
"""Columns left out, first to last, when the table is wider than the terminal (account and
health always stay; warnings move below the table)."""


def _account_cells(run: Run, k: Any, two_lines: bool) -> dict[str, Any]:
    fmt = run.formatter
    band = k.health.band
    days = k["days_to_renewal"]
    name = Text(k.name)
    name.append("\n" if two_lines else " ")
    name.append(
        k.account_id if two_lines else f"({k.account_id})", style="dim" if two_lines else ""
    )
    return {
        "account": name,
        "current ARR": fmt.kpi(k["arr"], "arr"),
        "health": f"[{BAND_STYLE.get(band or '', 'dim')}]{fmt.kpi(k.health.score, 'health_score')} {band or 'n/a'}[/]",
        "trend": fmt.kpi(k["health_trend"], "health_trend"),
        "GRR": fmt.kpi(k["grr"], "grr"),
        "NRR": fmt.kpi(k["nrr"], "nrr"),
        "util.": fmt.kpi(k["seat_utilisation"], "seat_utilisation"),
        "adopt.": fmt.kpi(k["adoption_trend"], "adoption_trend"),
        "coverage": fmt.kpi(k["stakeholder_coverage"], "stakeholder_coverage")
        + (" single" if k["single_threaded"] else ""),
        "renewal": "churned" if days is None else f"{days} d",
        "warnings": "\n".join(sorted({w.code for w in k.warnings})),
    }


def _width(column: str, cells: list[dict[str, Any]]) -> int:
    """The widest line of a column, header included."""
    widest = len(column)
    for row in cells:
        cell = row[column]
        text = cell if isinstance(cell, Text) else Text.from_markup(cell)
        widest = max(widest, *(line.cell_len for line in text.split()))
    return widest


def _accounts_table(columns: list[str], cells: list[dict[str, Any]], wrap: bool) -> Table:
    table = Table(title="Accounts, worst health first", title_justify="left")
    justify = dict(ACCOUNT_COLUMNS)
    for name in columns:
        table.add_column(
            name,
            justify=justify[name],  # type: ignore[arg-type]
            no_wrap=not (wrap and name == "account"),
            overflow="fold",
        )
    for row in cells:
        table.add_row(*(row[name] for name in columns))
    return table


def _print_accounts(run: Run, rows: list[Any], console: Console) -> None:
    """The accounts table, as wide as the terminal allows: every column when it fits; else
    names over two lines, warnings listed below, and the least needed columns left out (and
    named), so a name is never cut to 'acc…'."""
    columns = [name for name, _ in ACCOUNT_COLUMNS]
    one_line = [_account_cells(run, k, two_lines=False) for k in rows]

    def fits(names: list[str], cells: list[dict[str, Any]]) -> bool:
        # each column: its widest line, plus two of padding and one of border; one more border
        return sum(_width(name, cells) + 3 for name in names) + 1 <= console.width

    if fits(columns, one_line):
        console.print(_accounts_table(columns, one_line, wrap=False))
        return
    cells = [_account_cells(run, k, two_lines=True) for k in rows]
    columns.remove("warnings")
    dropped: list[str] = []
    for name in DROP_ORDER:
        if fits(columns, cells):
            break
        columns.remove(name)
        dropped.append(name)
    console.print(_accounts_table(columns, cells, wrap=True))
    for k, row in zip(rows, cells, strict=True):
        if row["warnings"]:
            console.print(
                f"{k.account_id}: [yellow]{row['warnings'].replace(chr(10), ', ')}[/]",
                highlight=False,
            )
    if dropped:
        console.print(
            f"[dim]{', '.join(c for c, _ in ACCOUNT_COLUMNS if c in dropped)} left out at {console.width} columns: widen the "
            "terminal, or see them with --detail, --csv or --json[/]",
            highlight=False,
        )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with these as a formula (OWASP CSV injection)."""


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def kpis_csv(run: Run, account_ids: list[str]) -> str:
    """`qbrgen kpis --csv`: one row per account (worst health first) with every KPI that is
    one value, keyed as in --json; ratios as fractions, money in currency units, empty for
    n/a. Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    import csv
    import io

    from qbrgen.kpis import report_json

    accounts = report_json(run.report)["accounts"]
    order = [k.account_id for k in run.report.worst_first()]
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {"id": None, "name": None}
    for account_id in order:
        if account_ids and account_id not in account_ids:
            continue
        item = accounts[account_id]
        row: dict[str, Any] = {"id": account_id, "name": _csv_text(item["name"])}
        for key, value in item.items():
            if key == "support_trend" and isinstance(value, dict):
                value = value.get("all")
            elif key == "stakeholder_roles_covered" and isinstance(value, list):
                value = ";".join(value)
            elif key == "warning_list":
                key, value = "warnings", ";".join(sorted({w["code"] for w in value}))
            elif isinstance(value, dict | list) or key in row:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, float):
                value = round(value, 6)
            elif isinstance(value, str):
                value = _csv_text(value)
            row[key] = value
            columns.setdefault(key, None)
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
