"""Allocations (holds and assignments), attempts and success counts; owner: assigner.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP, TSTZRANGE, UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str) -> sa.Column[str]:
    """A required text column that defaults to the empty string."""
    return sa.Column(name, sa.Text, nullable=False, server_default=sa.text("''"))


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(
        name, TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def upgrade() -> None:
    # Lets one GiST index hold the text equality (table_id) beside the range overlap (during).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "allocations",
        sa.Column("allocation_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("table_id", sa.Text, sa.ForeignKey("dining_tables.table_id"), nullable=False),
        sa.Column("booking_id", UUID(as_uuid=True)),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("during", TSTZRANGE, nullable=False),
        sa.Column("expire_time", TIMESTAMP(timezone=True)),
        sa.Column("release_time", TIMESTAMP(timezone=True)),
        _text("actor"),
        _text("strategy"),
        sa.Column("score_breakdown", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        _now("create_time"),
        sa.CheckConstraint("kind IN ('HOLD', 'ASSIGNMENT')", name="ck_allocations_kind_known"),
        sa.CheckConstraint("NOT isempty(during)", name="ck_allocations_during_not_empty"),
        sa.CheckConstraint(
            "lower_inc(during) AND NOT upper_inc(during) AND NOT upper_inf(during)",
            name="ck_allocations_during_half_open",
        ),
        sa.CheckConstraint(
            "kind <> 'HOLD' OR expire_time IS NOT NULL", name="ck_allocations_hold_expires"
        ),
        sa.CheckConstraint(
            "kind <> 'ASSIGNMENT' OR booking_id IS NOT NULL",
            name="ck_allocations_assignment_has_booking",
        ),
    )
    # Released rows (expired holds, cancellations) stay as history and stop blocking the table.
    op.create_exclude_constraint(
        "allocations_no_overlap",
        "allocations",
        ("table_id", "="),
        ("during", "&&"),
        using="gist",
        where="release_time IS NULL",
    )
    op.create_index("ix_allocations_group_id", "allocations", ["group_id"])
    op.create_index("ix_allocations_booking_id", "allocations", ["booking_id"])
    op.create_index("ix_allocations_venue_id", "allocations", ["venue_id"])
    op.create_table(
        "assignment_attempts",
        sa.Column("attempt_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("booking_id", UUID(as_uuid=True), nullable=False),
        sa.Column("attempt_number", sa.Integer, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        _text("reason"),
        _text("strategy"),
        sa.Column(
            "table_ids", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
        ),
        _now("create_time"),
        sa.CheckConstraint(
            "attempt_number >= 1", name="ck_assignment_attempts_attempt_number_positive"
        ),
    )
    op.create_index(
        "ix_assignment_attempts_booking_id", "assignment_attempts", ["booking_id", "attempt_id"]
    )
    op.create_table(
        "assignment_success_counts",
        sa.Column("venue_id", sa.Text),
        sa.Column("table_key", sa.Text),
        sa.Column("party_band", sa.Text),
        sa.Column("hour", sa.SmallInteger),
        sa.Column("successes", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("failures", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        _now("update_time"),
        sa.PrimaryKeyConstraint("venue_id", "table_key", "party_band", "hour"),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name="ck_assignment_success_counts_hour"),
        sa.CheckConstraint(
            "successes >= 0 AND failures >= 0", name="ck_assignment_success_counts_not_negative"
        ),
    )


def downgrade() -> None:
    for table in ("assignment_success_counts", "assignment_attempts", "allocations"):
        op.drop_table(table)
    # btree_gist stays: extensions belong to the database, and other schemas may rely on it.
