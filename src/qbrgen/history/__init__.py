"""The KPI history: a record of every run's key facts and KPIs, keyed by as_of.

`read_history` gives a run what the past holds (once, when the run opens): the previous
recorded run's facts for the digest's "what moved", the health scores recorded about one
quarter earlier for the health trend, and the recent health points for the scorecard and the
plan. `record_run` stores a run (`qbrgen build`, `qbrgen snapshot`). With no history yet,
every document works as before and says "first recorded run".

This module and the pure helpers documents use (`facts`, `changes`) never import SQLAlchemy:
the database (`store`, `schema`) is imported only where a run opens one, so a workspace with
the history off, and every render module, starts without it (about 0.3 s of imports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qbrgen.errors import QbrgenError
from qbrgen.history.facts import account_facts, account_kpi_record, arr_cents
from qbrgen.kpis.health import RECORDED_DAYS
from qbrgen.kpis.periods import shift_months

if TYPE_CHECKING:
    from qbrgen.config import LoadedWorkspace
    from qbrgen.history.store import HistoryStore, RecordedRun, RunRecord
    from qbrgen.run import Run

__all__ = [
    "FIRST_RUN",
    "HistoryError",
    "HistoryView",
    "open_store",
    "read_history",
    "record_run",
]

FIRST_RUN = "first recorded run"
"""What documents say where they would compare with the history and there is none yet."""
HEALTH_POINTS = 13
"""Health points the scorecard and the plan show: the current run and up to 12 recorded ones
(the last 13 that exist)."""


class HistoryError(QbrgenError):
    """The KPI history could not be read or written (the message says where and why)."""


def open_store(workspace: LoadedWorkspace) -> HistoryStore | None:
    """The workspace's history database, or None when `history.enabled` is false."""
    settings = workspace.config.history
    if not settings.enabled:
        return None
    from qbrgen.history.store import HistoryStore, configured_url, describe_url

    url = configured_url(workspace.root, settings.path, settings.url)
    return HistoryStore(url, describe_url(url, workspace.root))


@dataclass
class HistoryView:
    """What the KPI history holds for one run (read once, when the run opens)."""

    where: str = ""
    """The database, as shown to the user ('' when the history is off)."""
    enabled: bool = False
    previous: RecordedRun | None = None
    """The latest run recorded before this run's as_of."""
    recorded: dict[str, tuple[dt.date, float]] = field(default_factory=dict)
    """Health scores recorded within 14 days before as_of − 3 months, per account."""
    error: str | None = None
    """Why the history could not be read (the run then works without it)."""
    store: HistoryStore | None = field(default=None, repr=False)
    as_of: dt.date | None = None
    _points: dict[str, list[tuple[dt.date, float | None, str | None]]] | None = field(
        default=None, repr=False
    )

    @property
    def first_run(self) -> bool:
        return self.previous is None

    def health_points(
        self, account_ids: list[str] | None = None
    ) -> dict[str, list[tuple[dt.date, float | None, str | None]]]:
        """Per account, its health in the runs recorded before this one (the last 12 that
        exist), oldest first; read on first use."""
        if self.store is None or self.as_of is None or self.error:
            return {}
        if self._points is None:
            import sqlalchemy as sa

            try:
                self._points = self.store.health_points(self.as_of, HEALTH_POINTS - 1)
            except (HistoryError, sa.exc.SQLAlchemyError) as exc:
                self.error = str(exc)
                self._points = {}
        if account_ids is None:
            return self._points
        return {a: self._points[a] for a in account_ids if a in self._points}


def read_history(workspace: LoadedWorkspace, as_of: dt.date) -> HistoryView:
    """What the past holds for a run as of `as_of`. Never raises: a history that cannot be
    read gives an empty view whose `error` says why."""
    store = open_store(workspace)
    if store is None:
        return HistoryView()
    import sqlalchemy as sa

    view = HistoryView(store.label, True, store=store, as_of=as_of)
    earlier = shift_months(as_of, -3)
    try:
        view.previous = store.previous(as_of)
        view.recorded = store.recorded_scores(earlier - dt.timedelta(days=RECORDED_DAYS), earlier)
    except (HistoryError, sa.exc.SQLAlchemyError) as exc:
        view.error = str(exc)
        view.previous, view.recorded = None, {}
    return view


@dataclass(frozen=True)
class Recorded:
    """What `record_run` did."""

    where: str
    as_of: dt.date
    accounts: int
    replaced: bool

    def __str__(self) -> str:
        again = ", replacing the earlier record of that date" if self.replaced else ""
        return f"recorded the run of {self.as_of.isoformat()} ({self.accounts} accounts) in {self.where}{again}"


def run_record(run: Run, command: str) -> RunRecord:
    """The records one run writes: every valid account's facts and KPIs, and the portfolio's."""
    from qbrgen.history.store import RunRecord
    from qbrgen.kpis import portfolio_json

    report = run.report
    rows = []
    for item in run.accounts:
        account = item.account
        kpis = report.accounts[account.id]
        rows.append(
            {
                "account_id": account.id,
                "name": account.name,
                "owner": account.owner,
                "arr_cents": arr_cents(kpis["arr"]),
                "health_score": kpis.health.score,
                "health_band": kpis.health.band,
                "facts": account_facts(account, kpis),
                "kpis": account_kpi_record(kpis),
            }
        )
    portfolio = portfolio_json(report)
    portfolio.pop("series", None)
    return RunRecord(report.as_of, str(report.quarter), command, run.version, portfolio, rows)


def record_run(run: Run, command: str, store: HistoryStore | None = None) -> Recorded | None:
    """Store the run in the workspace's history (None when the history is off)."""
    store = store or open_store(run.workspace)
    if store is None:
        return None
    import sqlalchemy as sa

    record = run_record(run, command)
    try:
        replaced = store.record(record)
    except sa.exc.SQLAlchemyError as exc:
        raise HistoryError(f"{store.label}: could not record the run: {exc}") from exc
    return Recorded(store.label, record.as_of, len(record.accounts), replaced)
