"""`qbrgen history ACCOUNT [--kpi KEY] [--json]`: one account's KPI over every recorded run."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from qbrgen.errors import UsageError
from qbrgen.formatting import Formatter
from qbrgen.history import FIRST_RUN, HistoryError, open_store
from qbrgen.kpis.definitions import definition_of


def kpi_points(workspace_dir: Path, account_id: str, kpi: str) -> dict[str, Any]:
    """{"account", "kpi", "label", "where", "points": [{"as_of", "value", "display", "reason"}]}."""
    from qbrgen.loading import open_workspace

    workspace = open_workspace(workspace_dir)
    store = open_store(workspace)
    if store is None:
        raise UsageError("the KPI history is off (history.enabled: false in qbrgen.yaml)")
    fmt = Formatter.for_config(workspace.config)
    try:
        rows = store.account_rows(account_id)
        known = store.account_ids() if not rows else []
    finally:
        store.close()
    definition = definition_of(kpi)
    out: dict[str, Any] = {
        "account": account_id,
        "kpi": kpi,
        "label": definition.label if definition else kpi,
        "where": store.label,
        "points": [],
    }
    if not rows:
        if known:
            near = [k for k in known if k.startswith(account_id)][:3] or difflib.get_close_matches(
                account_id, known, n=3
            )
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise UsageError(f"no recorded run holds account '{account_id}'{hint}")
        return out
    keys = set().union(*(r.kpis.keys() for r in rows)) - {"reasons", "warnings"}
    if kpi not in keys:
        near = [k for k in sorted(keys) if k.startswith(kpi)][:3] or difflib.get_close_matches(
            kpi, sorted(keys), n=3
        )
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise UsageError(f"no KPI '{kpi}' in the recorded runs of '{account_id}'{hint}")
    for row in rows:
        value = row.kpis.get(kpi)
        reason = (row.kpis.get("reasons") or {}).get(kpi, "") if value is None else ""
        display = fmt.kpi(value, kpi) if not isinstance(value, dict | list) else json.dumps(value)
        if kpi == "health_score" and value is not None and row.health_band:
            display += f" {row.health_band}"
        out["points"].append(
            {"as_of": row.as_of.isoformat(), "value": value, "display": display, "reason": reason}
        )
    return out


def print_history(workspace_dir: Path, account_id: str, kpi: str, as_json: bool) -> None:
    """Print the table (or JSON) of one account's KPI over time."""
    import click

    try:
        data = kpi_points(workspace_dir, account_id, kpi)
    except HistoryError as exc:
        raise UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not data["points"]:
        click.echo(
            f"{account_id}: no recorded run yet in {data['where']}; the {FIRST_RUN} comes with "
            "the next `qbrgen build` or `qbrgen snapshot`"
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{data['label']} of {account_id} over {len(data['points'])} recorded runs "
        f"({data['where']})",
        title_justify="left",
    )
    table.add_column("as of")
    table.add_column(data["label"], justify="right")
    table.add_column("n/a because", style="dim")
    for point in data["points"]:
        table.add_row(point["as_of"], point["display"], point["reason"])
    Console().print(table)
