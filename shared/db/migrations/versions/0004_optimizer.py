"""Optimizer runs and the plans they propose; owner: optimizer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB, TIMESTAMP, UUID

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json(name: str, empty: str) -> sa.Column[Any]:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text(f"'{empty}'::jsonb"))


def _time(name: str, *, nullable: bool) -> sa.Column[datetime]:
    default = None if nullable else sa.text("now()")
    return sa.Column(name, TIMESTAMP(timezone=True), nullable=nullable, server_default=default)


def upgrade() -> None:
    op.create_table(
        "optimizer_runs",
        sa.Column("run_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("service_date", sa.Date, nullable=False),
        sa.Column("period_name", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("time_limit_seconds", sa.Numeric, nullable=False),
        sa.Column("current_objective", DOUBLE_PRECISION),
        sa.Column("objective", DOUBLE_PRECISION),
        sa.Column("best_bound", DOUBLE_PRECISION),
        sa.Column("optimal", sa.Boolean),
        sa.Column("benefit_percent", DOUBLE_PRECISION),
        sa.Column("error", sa.Text, nullable=False, server_default=sa.text("''")),
        _time("start_time", nullable=False),
        _time("finish_time", nullable=True),
        sa.CheckConstraint("time_limit_seconds > 0", name="ck_optimizer_runs_time_limit_positive"),
    )
    op.create_index(
        "ix_optimizer_runs_venue_id_service_date", "optimizer_runs", ["venue_id", "service_date"]
    )
    op.create_table(
        "optimizer_plans",
        sa.Column("plan_id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "run_id",
            UUID(as_uuid=True),
            sa.ForeignKey("optimizer_runs.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("service_date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("benefit_percent", DOUBLE_PRECISION, nullable=False),
        _json("moves", "[]"),
        _json("newly_seated", "[]"),
        _json("apply_report", "{}"),
        _time("create_time", nullable=False),
        _time("apply_time", nullable=True),
    )
    op.create_index("ix_optimizer_plans_run_id", "optimizer_plans", ["run_id"])
    op.create_index(
        "ix_optimizer_plans_venue_id_service_date",
        "optimizer_plans",
        ["venue_id", "service_date"],
    )


def downgrade() -> None:
    op.drop_table("optimizer_plans")
    op.drop_table("optimizer_runs")
