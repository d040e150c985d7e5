"""Bookings, their state history, the outbox and idempotency keys; owner: state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy: migrations never import application code, which keeps changing after them.
BOOKING_STATES = (
    "CREATED",
    "CAPACITY_VERIFIED",
    "ASSIGNMENT_PENDING",
    "ASSIGNMENT_IN_PROGRESS",
    "ASSIGNED",
    "CONFIRMED",
    "SEATED",
    "COMPLETED",
    "MANUAL_REVIEW",
    "REJECTED",
    "CANCELLED",
    "NO_SHOW",
)


def _text(name: str) -> sa.Column[str]:
    """A required text column that defaults to the empty string."""
    return sa.Column(name, sa.Text, nullable=False, server_default=sa.text("''"))


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(
        name, TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def upgrade() -> None:
    states = ", ".join(f"'{state}'" for state in BOOKING_STATES)
    op.create_table(
        "bookings",
        sa.Column("booking_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("venue_id", sa.Text, sa.ForeignKey("venues.venue_id"), nullable=False),
        sa.Column("party_size", sa.Integer, nullable=False),
        sa.Column("start_time", TIMESTAMP(timezone=True), nullable=False),
        sa.Column("end_time", TIMESTAMP(timezone=True), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        _text("guest_reference"),
        _text("notes"),
        sa.Column("preferred_zone_id", sa.Text),
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column(
            "table_ids", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
        ),
        _text("state_reason"),
        sa.Column("request_id", sa.Text, nullable=False),
        _now("create_time"),
        _now("update_time"),
        sa.CheckConstraint("party_size > 0", name="ck_bookings_party_size_positive"),
        sa.CheckConstraint("end_time > start_time", name="ck_bookings_window"),
        sa.CheckConstraint(f"state IN ({states})", name="ck_bookings_state_known"),
        sa.CheckConstraint("version >= 1", name="ck_bookings_version_positive"),
    )
    op.create_index(
        "ix_bookings_venue_id_start_time", "bookings", ["venue_id", "start_time", "booking_id"]
    )
    op.create_index("ix_bookings_venue_id_state", "bookings", ["venue_id", "state"])
    op.create_table(
        "booking_state_history",
        sa.Column("history_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column(
            "booking_id", UUID(as_uuid=True), sa.ForeignKey("bookings.booking_id"), nullable=False
        ),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        _text("reason"),
        _text("trace_id"),
        _now("change_time"),
    )
    op.create_index(
        "ix_booking_state_history_booking_id",
        "booking_state_history",
        ["booking_id", "history_id"],
    )
    op.create_table(
        "outbox",
        sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("aggregate_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("trace_context", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        _now("create_time"),
        sa.Column("publish_time", TIMESTAMP(timezone=True)),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["event_id"],
        postgresql_where=sa.text("publish_time IS NULL"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("request_id", sa.Text, nullable=False),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("booking_id", UUID(as_uuid=True), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        _now("create_time"),
        sa.PrimaryKeyConstraint("venue_id", "request_id"),
    )


def downgrade() -> None:
    for table in ("idempotency_keys", "outbox", "booking_state_history", "bookings"):
        op.drop_table(table)
