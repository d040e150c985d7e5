"""The optimizer service's tables: its runs and the plans they made."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import (
    DOUBLE_PRECISION,
    JSONB,
    UUID,
)

from shared.db.schema import (
    EMPTY_OBJECT,
    EMPTY_TEXT,
    metadata,
    timestamp_column,
)

# The only writer of these tables (DESIGN.md, "Who owns what"); other services that read one
# keep their own read-only definition of the columns they read.
# Every change here needs a migration in shared/db/migrations: tests compare the two.

optimizer_runs = Table(
    "optimizer_runs", metadata,
    Column("run_id", UUID(as_uuid=True), primary_key=True),
    Column("venue_id", Text, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("period_name", Text),
    Column("status", Text, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("time_limit_seconds", Numeric, nullable=False),
    Column("current_objective", DOUBLE_PRECISION),
    Column("objective", DOUBLE_PRECISION),
    Column("best_bound", DOUBLE_PRECISION),
    Column("optimal", Boolean),
    Column("benefit_percent", DOUBLE_PRECISION),
    Column("error", Text, nullable=False, server_default=EMPTY_TEXT),
    timestamp_column("start_time"),
    timestamp_column("finish_time", nullable=True),
    # 0011: who ran it and how, from which snapshot, and the caller's request id.
    Column("request_id", Text),
    Column("actor", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("options", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    Column("snapshot_version", BigInteger, nullable=False, server_default=text("0")),
    Column("solve_seconds", DOUBLE_PRECISION, nullable=False, server_default=text("0")),
    Column("unassigned", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    CheckConstraint("time_limit_seconds > 0", name="ck_optimizer_runs_time_limit_positive"),
    Index("ix_optimizer_runs_venue_id_service_date", "venue_id", "service_date"),
    Index("ux_optimizer_runs_venue_id_request_id", "venue_id", "request_id", unique=True,
          postgresql_where=text("request_id IS NOT NULL")),
)  # fmt: skip

optimizer_plans = Table(
    "optimizer_plans", metadata,
    Column("plan_id", UUID(as_uuid=True), primary_key=True),
    Column("run_id", UUID(as_uuid=True), nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("benefit_percent", DOUBLE_PRECISION, nullable=False),
    Column("moves", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("newly_seated", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("apply_report", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    timestamp_column("create_time"),
    timestamp_column("apply_time", nullable=True),
    ForeignKeyConstraint(["run_id"], ["optimizer_runs.run_id"], ondelete="CASCADE"),
    Index("ix_optimizer_plans_run_id", "run_id"),
    Index("ix_optimizer_plans_venue_id_service_date", "venue_id", "service_date"),
)  # fmt: skip
