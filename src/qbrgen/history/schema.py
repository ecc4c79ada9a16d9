"""The KPI history's tables (SQLAlchemy Core) and their versioned migrations.

One row per recorded run (`snapshots`, unique by as_of) and one per account in it
(`account_snapshots`: the validated key facts and every KPI with its reasons, as JSON, plus
the columns queries need: health score and band, ARR in cents). `schema_version` holds the
version the tables are at; `writer_lock` is the one row every writer locks first, so two
writers never interleave (PostgreSQL row lock; SQLite takes its write lock at BEGIN).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA_VERSION = 1
"""The version these tables describe; `migrate` brings an older database up to it."""

metadata = sa.MetaData()
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

schema_version = sa.Table(
    "qbrgen_schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

writer_lock = sa.Table(
    "qbrgen_writer_lock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
)

snapshots = sa.Table(
    "qbrgen_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date, nullable=False, unique=True),
    sa.Column("quarter", sa.String(8), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("command", sa.String(16), nullable=False),
    sa.Column("qbrgen_version", sa.String(32), nullable=False),
    sa.Column("accounts", sa.Integer, nullable=False),
    sa.Column("portfolio", JSONType, nullable=False),
)

account_snapshots = sa.Table(
    "qbrgen_account_snapshots",
    metadata,
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("qbrgen_snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("arr_cents", sa.BigInteger, nullable=False),
    sa.Column("health_score", sa.Float, nullable=True),
    sa.Column("health_band", sa.String(16), nullable=True),
    sa.Column("facts", JSONType, nullable=False),
    sa.Column("kpis", JSONType, nullable=False),
    sa.Index("ix_qbrgen_account_history", "account_id", "as_of"),
)

MIGRATIONS: dict[int, list[sa.Table]] = {
    1: [schema_version, writer_lock, snapshots, account_snapshots],
}
"""Version -> the tables it adds. A later version lists its own changes here (new tables, or
statements run through SQLAlchemy's DDL constructs), applied in order by `migrate`."""
