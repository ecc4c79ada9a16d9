"""One run's shared state: workspace, validated portfolio, the KPI report, the theme.

Loading, validation and KPIs happen here exactly once per run; every renderer reads from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from qbrgen import __version__
from qbrgen.config import LoadedWorkspace
from qbrgen.errors import Location, ProblemList, UsageError, some_of
from qbrgen.history import HistoryView, read_history
from qbrgen.kpis import AccountKpis, AccountKpisMaker, KpiReport, compute
from qbrgen.kpis.checks import check_contract_arr
from qbrgen.kpis.engine import AccountData, LeanData, LeanKpis, compute_lean
from qbrgen.loading import (
    AccountSummary,
    Portfolio,
    SourcedAccount,
    gc_paused,
    load_portfolio,
    load_summaries,
    open_workspace,
)
from qbrgen.spill import Spill
from qbrgen.templates import Formatter, Theme


@dataclass
class Run:
    """Everything a renderer needs, computed once."""

    workspace: LoadedWorkspace
    portfolio: Portfolio
    report: KpiReport
    theme: Theme
    formatter: Formatter
    config_problems: ProblemList
    history: HistoryView = field(default_factory=HistoryView)
    """What the KPI history holds for this run (empty when off or on the first run)."""
    lean: LeanData | None = None
    """A lean run's accounts' data, by id (on disk: `close` removes it); None in a full run."""

    def close(self) -> None:
        """Remove what the run keeps on disk (a lean run's spill); the run's documents are
        made by then. Also done when the run is garbage-collected or the interpreter exits."""
        if self.lean is not None:
            self.lean.spill.remove()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> str:
        return __version__

    @property
    def accounts(self) -> list[SourcedAccount]:
        return self.portfolio.accounts

    @property
    def summaries(self) -> list[AccountSummary]:
        """A lean run's accounts (`open_run(lean=...)`), by id: their ids, sources and input
        hashes (what the run's `AccountData` step made of each is in `lean`). Empty in a full
        run."""
        return self.portfolio.summaries

    def select(
        self,
        ids: tuple[str, ...] | list[str] = (),
        owner: str | None = None,
        renewing_within: int | None = None,
    ) -> list[SourcedAccount]:
        """The accounts named (all when none), narrowed by owner and renewal window. An
        unknown id or an owner with no account at all is a UsageError listing what exists."""
        chosen = [self.portfolio.by_id(i) for i in ids] if ids else list(self.accounts)
        if owner:
            owners = sorted({a.account.owner for a in self.accounts})
            if not any(o.casefold() == owner.casefold() for o in owners):
                raise UsageError(
                    f"no account owned by {owner!r}; owners are: {some_of(owners, close_to=owner)}"
                )
            chosen = [a for a in chosen if a.account.owner.casefold() == owner.casefold()]
        if renewing_within is not None:
            chosen = [
                a
                for a in chosen
                if (days := self.report.accounts[a.account.id]["days_to_renewal"]) is not None
                and 0 <= days <= renewing_within
            ]
        return chosen

    def inputs_hash(self, account: SourcedAccount | None = None) -> str:
        """Short hash of what a document was made from: the account (or all), config, as-of, version."""
        sha = hashlib.sha256()
        sha.update(self.workspace.config.model_dump_json().encode())
        sha.update(self.report.as_of.isoformat().encode())
        sha.update(__version__.encode())
        for item in [account] if account else self.accounts:
            sha.update(item.input_hash.encode())
        return sha.hexdigest()[:12]


def parse_days(text: str) -> int:
    """'120d', '120', '4w' or '3m' as a number of days."""
    match = re.fullmatch(r"\s*(\d+)\s*([dwm]?)\s*", text)
    if not match:
        raise UsageError(f"expected a number of days like '120d', '6w' or '3m', got {text!r}")
    value, unit = int(match.group(1)), match.group(2) or "d"
    return value * {"d": 1, "w": 7, "m": 30}[unit]


def open_run(
    start: Path,
    as_of: dt.date | None = None,
    paths: tuple[Path, ...] = (),
    with_accounts: bool = True,
    lean: AccountData | None = None,
) -> Run:
    """Load the workspace at (or above) `start`: config, accounts, KPIs. Never raises for bad
    accounts: their problems are on `run.portfolio.problems` and the valid ones are kept.
    `with_accounts=False` reads the config alone, for documents that need no account data.

    `lean` makes a lean run, for a document of the whole portfolio made from a few values per
    account (the scorecard): the same problems and portfolio KPIs, but of each account only
    what `lean` makes of it and its KPIs is kept (`run.summaries`), made where it is loaded;
    no account model and no per-account KPIs (`run.accounts` and `run.report.accounts` are
    empty), so the memory does not grow with every account's: what `lean` makes of each
    account is on disk (`run.lean`), until `run.close()` (or `with open_run(...) as run`)."""
    spill = Spill() if with_accounts and lean is not None else None
    try:
        return _open_run(start, as_of, paths, with_accounts, lean, spill)
    except BaseException:
        if spill is not None:
            spill.remove()
        raise


def _open_run(
    start: Path,
    as_of: dt.date | None,
    paths: tuple[Path, ...],
    with_accounts: bool,
    lean: AccountData | None,
    spill: Spill | None,
) -> Run:
    config_problems = ProblemList()
    workspace = open_workspace(start, config_problems)
    config = workspace.config
    day = as_of or config.as_of or dt.date.today()
    history = HistoryView()
    portfolio = Portfolio(workspace)
    step: LeanKpis | None = None
    if with_accounts:
        history = read_history(workspace, day)
        if lean is not None and spill is not None:
            step = LeanKpis(config, day, history.recorded, lean)
            portfolio = load_summaries(workspace, list(paths), step, spill)
        else:
            # Each account's KPIs are made where it is loaded (worker processes, when many).
            maker = AccountKpisMaker(config, day, history.recorded)
            portfolio = load_portfolio(workspace, list(paths), enrich=maker)
    portfolio.problems.items[:0] = config_problems.items
    if with_accounts:
        if step is None:
            check_contract_arr(portfolio, day, Formatter.for_config(config))
        if history.error:
            where = workspace.config_path.name if workspace.config_path else "qbrgen.yaml"
            portfolio.problems.warn(
                Location(where),
                f"the KPI history could not be read ({history.error}); trends and the digest "
                "are computed without it",
                "history",
            )
    kept: LeanData | None = None
    with gc_paused():  # the report lives as long as the run: nothing in it to collect
        if step is not None and spill is not None:
            records = [s.summary for s in portfolio.summaries]
            report, kept = compute_lean(records, step, spill)
        else:
            accounts = portfolio.accounts
            known = [a.enriched if isinstance(a.enriched, AccountKpis) else None for a in accounts]
            report = compute([a.account for a in accounts], config, day, history.recorded, known)
    return Run(
        workspace,
        portfolio,
        report,
        Theme(workspace),
        Formatter.for_config(config),
        config_problems,
        history,
        kept,
    )
