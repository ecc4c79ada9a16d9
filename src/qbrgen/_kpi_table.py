"""`qbrgen kpis` as readable tables (rich): portfolio first, then accounts worst health first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from qbrgen.kpis.definitions import DEFINITIONS

if TYPE_CHECKING:
    from qbrgen.kpis import KpiSet
    from qbrgen.run import Run

BAND_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}


def _value(run: Run, kpis: KpiSet, key: str, kind: str) -> str:
    value = kpis.get(key)
    fmt = run.formatter
    if key == "support_trend" and value is not None:
        return f"{fmt.percent(value['all'])} of last quarter"
    if (
        key == "stakeholder_coverage"
        and value is not None
        and "stakeholder_roles_covered" in kpis.values
    ):
        roles = ", ".join(kpis["stakeholder_roles_covered"]) or "no key role"
        return f"{value} active ({roles})"
    if key == "stakeholder_coverage" and value is not None:
        return f"{fmt.number(value, 1)} active per account"
    if key == "pipeline" and value is not None:
        stages = kpis.get("pipeline_by_stage") or {}
        detail = ", ".join(f"{s} {fmt.money(v)}" for s, v in stages.items())
        return f"{fmt.money(value)}" + (f" ({detail})" if detail else "")
    if key == "health_score" and value is not None and kpis.get("health_band"):
        return f"{fmt.number(value)} {kpis['health_band']}"
    return fmt.kpi(value, kind)


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
        f"Portfolio — {p['accounts']} accounts, ARR {fmt.money(p['arr'])} — "
        f"as of {report.as_of.isoformat()}, review quarter {report.quarter}, "
        f"TTM window {report.periods.ttm.start} → {report.periods.ttm.end}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
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
    table.add_row("Single-threaded accounts", str(p["single_threaded_accounts"]), "", "")
    table.add_row("Open escalations", str(p["open_escalations"]), "", "")
    console.print(table)

    rows = [k for k in report.worst_first() if not account_ids or k.account_id in account_ids]
    accounts = Table(title="Accounts, worst health first", title_justify="left")
    for name, justify in (
        ("account", "left"),
        ("ARR", "right"),
        ("health", "right"),
        ("trend", "right"),
        ("GRR", "right"),
        ("NRR", "right"),
        ("util.", "right"),
        ("adopt.", "right"),
        ("coverage", "right"),
        ("renewal", "right"),
        ("warnings", "left"),
    ):
        accounts.add_column(name, justify=justify)  # type: ignore[arg-type]
    for k in rows:
        band = k.health.band
        health = (
            f"[{BAND_STYLE.get(band or '', 'dim')}]{fmt.number(k.health.score)} {band or 'n/a'}[/]"
        )
        days = k["days_to_renewal"]
        accounts.add_row(
            f"{k.name} ({k.account_id})",
            fmt.money(k["arr"]),
            health,
            fmt.points(k["health_trend"]),
            fmt.kpi(k["grr"], "ratio"),
            fmt.kpi(k["nrr"], "ratio"),
            fmt.kpi(k["seat_utilisation"], "ratio"),
            fmt.points(k["adoption_trend"]),
            f"{k['stakeholder_coverage']}" + (" single" if k["single_threaded"] else ""),
            "churned" if days is None else f"{days} d",
            ", ".join(sorted({w.code for w in k.warnings})),
        )
    console.print(accounts)
    if detail:
        for k in rows:
            table = Table(title=f"{k.name} ({k.account_id})", title_justify="left")
            table.add_column("KPI")
            table.add_column("TTM", justify="right")
            table.add_column(f"{report.quarter}", justify="right")
            table.add_column("n/a because", style="dim")
            _kpi_rows(run, k, table, quarterly=True)
            if k.health.score is not None:
                parts = ", ".join(
                    f"{c} {fmt.number(s)} (w {fmt.percent(k.health.weights[c])})"
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
