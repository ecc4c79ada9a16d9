"""The KPI history database: SQLite in the workspace by default, PostgreSQL for a team that
builds from several machines. Every statement is SQLAlchemy Core, so the same code runs on
both; the only dialect-specific lines are SQLite's connection settings (WAL, busy timeout,
`BEGIN IMMEDIATE` for writers), from SQLAlchemy's own pysqlite recipe.

Writers are serialised (a locked row on PostgreSQL, SQLite's write lock taken at BEGIN), and
a run recorded again for the same as_of replaces the earlier record in one transaction: a
reader sees the old snapshot or the new one, never half of either.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qbrgen.history import HistoryError
from qbrgen.history.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    account_snapshots,
    schema_version,
    snapshots,
    writer_lock,
)

URL_ENV = "QBRGEN_HISTORY_URL"
"""Environment variable that overrides `history.url` (keeps passwords out of qbrgen.yaml)."""
WRITE_ATTEMPTS = 8
"""Attempts at a write that meets a busy database (SQLite) or a migration race (PostgreSQL)."""


@dataclass(frozen=True)
class AccountRow:
    """One account in one recorded run."""

    as_of: dt.date
    account_id: str
    health_score: float | None
    health_band: str | None
    facts: dict[str, Any] = field(default_factory=dict)
    kpis: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRun:
    """A recorded run: its date, when it was recorded, and its accounts' facts."""

    as_of: dt.date
    recorded_at: dt.datetime
    command: str
    facts: dict[str, dict[str, Any]]
    """Account id -> the key facts recorded for it."""


@dataclass
class RunRecord:
    """What one run writes: the snapshot's header and one row per account."""

    as_of: dt.date
    quarter: str
    command: str
    version: str
    portfolio: dict[str, Any]
    accounts: list[dict[str, Any]]
    """Rows of account_snapshots (without snapshot_id)."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_settings(engine: sa.Engine) -> None:
    """pysqlite: let SQLAlchemy own the transactions (the driver's own BEGIN is deferred and
    would let two writers deadlock), WAL so readers never block the writer, a busy timeout."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        writing = conn.get_execution_options().get("qbrgen_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def describe_url(url: str, root: Path | None = None) -> str:
    """The database as shown to a user: a SQLite path relative to the workspace, a server URL
    without its password."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        from qbrgen.errors import display_path

        return display_path(Path(parsed.database), root)
    return parsed.render_as_string(hide_password=True)


class HistoryStore:
    """One history database: record runs, read them back."""

    def __init__(self, url: str, label: str | None = None):
        self.url = url
        self.label = label or describe_url(url)
        parsed = sa.make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.sqlite_file = (
            Path(parsed.database)
            if self.sqlite and parsed.database not in (None, ":memory:")
            else None
        )
        if self.sqlite:
            self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            _sqlite_settings(self.engine)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
        self._migrated = False

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(qbrgen_write=True)
            with conn.begin():
                yield conn

    def _retrying(self, what: str, action: Any) -> Any:
        delay = 0.05
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return action()
            except (sa.exc.OperationalError, sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                # SQLite busy past its timeout, or two first writers creating the tables at
                # once on PostgreSQL: the other one won; try again.
                if attempt == WRITE_ATTEMPTS - 1:
                    raise HistoryError(f"{self.label}: could not {what}: {exc.orig}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- schema --------------------------------------------------------------------------------

    def version(self) -> int:
        """The schema version of the database (0 when it holds no history tables)."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(schema_version.name):
                return 0
            return int(conn.execute(sa.select(schema_version.c.version)).scalar() or 0)

    def migrate(self) -> None:
        """Create or upgrade the tables to SCHEMA_VERSION, once per store."""
        if self._migrated:
            return
        if self.sqlite_file is not None:
            self.sqlite_file.parent.mkdir(parents=True, exist_ok=True)

        def run() -> None:
            with self._writing() as conn:
                inspector = sa.inspect(conn)
                current = 0
                if inspector.has_table(schema_version.name):
                    current = int(conn.execute(sa.select(schema_version.c.version)).scalar() or 0)
                if current > SCHEMA_VERSION:
                    raise HistoryError(
                        f"{self.label}: the history was written by a newer qbrgen (schema "
                        f"version {current}, this one knows {SCHEMA_VERSION}); upgrade qbrgen"
                    )
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    for table in MIGRATIONS[version]:
                        table.create(conn, checkfirst=True)
                    if version == 1:
                        conn.execute(sa.insert(writer_lock).values(id=1))
                        conn.execute(sa.insert(schema_version).values(version=0))
                if current < SCHEMA_VERSION:
                    conn.execute(sa.update(schema_version).values(version=SCHEMA_VERSION))

        self._retrying("create the history tables", run)
        self._migrated = True

    def _readable(self) -> bool:
        """True when the database holds history tables this qbrgen can read (a SQLite file
        that does not exist yet is never created by reading)."""
        if self.sqlite_file is not None and not self.sqlite_file.exists():
            return False
        try:
            version = self.version()
        except sa.exc.SQLAlchemyError as exc:
            raise HistoryError(f"{self.label}: could not read the history: {exc}") from exc
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.label}: the history was written by a newer qbrgen (schema version "
                f"{version}, this one knows {SCHEMA_VERSION}); upgrade qbrgen"
            )
        return version > 0

    # --- writing -------------------------------------------------------------------------------

    def record(self, record: RunRecord) -> bool:
        """Store one run; a run already recorded for the same as_of is replaced. Returns True
        when it replaced one."""
        self.migrate()
        now = dt.datetime.now(dt.UTC)

        def run() -> bool:
            with self._writing() as conn:
                # Every writer locks the same row first: one at a time, whole runs only.
                conn.execute(
                    sa.select(writer_lock.c.id).where(writer_lock.c.id == 1).with_for_update()
                )
                old = conn.execute(
                    sa.select(snapshots.c.id).where(snapshots.c.as_of == record.as_of)
                ).scalar()
                if old is not None:
                    conn.execute(
                        sa.delete(account_snapshots).where(account_snapshots.c.snapshot_id == old)
                    )
                    conn.execute(sa.delete(snapshots).where(snapshots.c.id == old))
                result = conn.execute(
                    sa.insert(snapshots).values(
                        as_of=record.as_of,
                        quarter=record.quarter,
                        recorded_at=now,
                        command=record.command,
                        qbrgen_version=record.version,
                        accounts=len(record.accounts),
                        portfolio=record.portfolio,
                    )
                )
                key = result.inserted_primary_key
                assert key is not None  # an INSERT of one row always has one
                snapshot_id = key[0]
                if record.accounts:
                    conn.execute(
                        sa.insert(account_snapshots),
                        [
                            {**row, "snapshot_id": snapshot_id, "as_of": record.as_of}
                            for row in record.accounts
                        ],
                    )
                return old is not None

        replaced: bool = self._retrying("record the run", run)
        return replaced

    # --- reading -------------------------------------------------------------------------------

    def runs(self) -> list[tuple[dt.date, dt.datetime, str, int]]:
        """Every recorded run: (as_of, recorded_at, command, accounts), oldest first."""
        if not self._readable():
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    snapshots.c.as_of,
                    snapshots.c.recorded_at,
                    snapshots.c.command,
                    snapshots.c.accounts,
                ).order_by(snapshots.c.as_of)
            )
            return [(r.as_of, r.recorded_at, r.command, r.accounts) for r in rows]

    def previous(self, before: dt.date) -> RecordedRun | None:
        """The latest run recorded for an as_of before `before`, with its accounts' facts."""
        if not self._readable():
            return None
        with self.engine.connect() as conn:
            head = conn.execute(
                sa.select(
                    snapshots.c.id, snapshots.c.as_of, snapshots.c.recorded_at, snapshots.c.command
                )
                .where(snapshots.c.as_of < before)
                .order_by(snapshots.c.as_of.desc())
                .limit(1)
            ).first()
            if head is None:
                return None
            rows = conn.execute(
                sa.select(account_snapshots.c.account_id, account_snapshots.c.facts).where(
                    account_snapshots.c.snapshot_id == head.id
                )
            )
            facts = {r.account_id: r.facts for r in rows}
        return RecordedRun(head.as_of, head.recorded_at, head.command, facts)

    def recorded_scores(self, start: dt.date, end: dt.date) -> dict[str, tuple[dt.date, float]]:
        """Per account, the latest health score recorded for a day in [start, end]."""
        if not self._readable():
            return {}
        table = account_snapshots.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.account_id, table.as_of, table.health_score)
                .where(table.as_of >= start, table.as_of <= end, table.health_score.is_not(None))
                .order_by(table.as_of)
            )
            return {r.account_id: (r.as_of, float(r.health_score)) for r in rows}

    def health_points(
        self, before: dt.date, count: int, account_ids: list[str] | None = None
    ) -> dict[str, list[tuple[dt.date, float | None, str | None]]]:
        """Per account, its health in the last `count` runs recorded before `before`,
        oldest first: (as_of, score, band)."""
        if not self._readable():
            return {}
        table = account_snapshots.c
        with self.engine.connect() as conn:
            dates = [
                r.as_of
                for r in conn.execute(
                    sa.select(snapshots.c.as_of)
                    .where(snapshots.c.as_of < before)
                    .order_by(snapshots.c.as_of.desc())
                    .limit(count)
                )
            ]
            if not dates:
                return {}
            query = sa.select(
                table.account_id, table.as_of, table.health_score, table.health_band
            ).where(table.as_of.in_(dates))
            if account_ids is not None:
                query = query.where(table.account_id.in_(account_ids))
            out: dict[str, list[tuple[dt.date, float | None, str | None]]] = {}
            for r in conn.execute(query.order_by(table.as_of)):
                out.setdefault(r.account_id, []).append((r.as_of, r.health_score, r.health_band))
            return out

    def account_rows(self, account_id: str) -> list[AccountRow]:
        """Every recorded run of one account, oldest first, with its KPIs."""
        if not self._readable():
            return []
        table = account_snapshots.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    table.as_of, table.account_id, table.health_score, table.health_band, table.kpis
                )
                .where(table.account_id == account_id)
                .order_by(table.as_of)
            )
            return [
                AccountRow(r.as_of, r.account_id, r.health_score, r.health_band, {}, r.kpis)
                for r in rows
            ]

    def account_ids(self) -> list[str]:
        """Every account id the history holds."""
        if not self._readable():
            return []
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(account_snapshots.c.account_id)
                    .distinct()
                    .order_by(account_snapshots.c.account_id)
                ).scalars()
            )


def configured_url(root: Path, path: str, url: str | None) -> str:
    """The history's database URL: QBRGEN_HISTORY_URL, else `history.url`, else the SQLite
    file `history.path` in the workspace."""
    chosen = os.environ.get(URL_ENV) or url
    if chosen:
        return chosen
    target = Path(path)
    return sqlite_url(target if target.is_absolute() else (root / target).resolve())
