"""Floor plans: venues, zones, tables, adjacency, policies, turn times; owner: availability.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _venue_fk(*, primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(
        "venue_id",
        sa.Text,
        sa.ForeignKey("venues.venue_id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def _int(name: str, default: int) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False, server_default=sa.text(str(default)))


def upgrade() -> None:
    op.create_table(
        "venues",
        sa.Column("venue_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        _int("max_party_size", 12),
        sa.Column("version", sa.BigInteger, nullable=False, server_default=sa.text("1")),
        sa.Column(
            "create_time", TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.Column(
            "update_time", TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.CheckConstraint("max_party_size > 0", name="ck_venues_max_party_size_positive"),
        sa.CheckConstraint("version >= 1", name="ck_venues_version_positive"),
    )
    op.create_table(
        "zones",
        sa.Column("zone_id", sa.Text, primary_key=True),
        _venue_fk(),
        sa.Column("name", sa.Text, nullable=False),
        _int("sort_order", 0),
    )
    op.create_index("ix_zones_venue_id", "zones", ["venue_id"])
    op.create_table(
        "dining_tables",
        sa.Column("table_id", sa.Text, primary_key=True),
        _venue_fk(),
        sa.Column("zone_id", sa.Text, sa.ForeignKey("zones.zone_id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("min_seats", sa.Integer, nullable=False),
        sa.Column("max_seats", sa.Integer, nullable=False),
        sa.Column("combinable", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("version", sa.BigInteger, nullable=False, server_default=sa.text("1")),
        sa.CheckConstraint(
            "min_seats >= 1 AND min_seats <= max_seats", name="ck_dining_tables_seats"
        ),
        sa.CheckConstraint("version >= 1", name="ck_dining_tables_version_positive"),
        sa.UniqueConstraint("venue_id", "name", name="uq_dining_tables_venue_id_name"),
    )
    op.create_index("ix_dining_tables_zone_id", "dining_tables", ["zone_id"])
    op.create_table(
        "table_adjacency",
        _venue_fk(),
        sa.Column("table_a", sa.Text, sa.ForeignKey("dining_tables.table_id", ondelete="CASCADE")),
        sa.Column("table_b", sa.Text, sa.ForeignKey("dining_tables.table_id", ondelete="CASCADE")),
        sa.PrimaryKeyConstraint("table_a", "table_b"),
        sa.CheckConstraint("table_a < table_b", name="ck_table_adjacency_ordered"),
    )
    op.create_index("ix_table_adjacency_venue_id", "table_adjacency", ["venue_id"])
    op.create_index("ix_table_adjacency_table_b", "table_adjacency", ["table_b"])
    _create_venue_policies()
    op.create_table(
        "turn_times",
        sa.Column("venue_id", sa.Text, sa.ForeignKey("venues.venue_id", ondelete="CASCADE")),
        sa.Column("min_party", sa.Integer),
        sa.Column("max_party", sa.Integer, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("venue_id", "min_party"),
        sa.CheckConstraint(
            "min_party >= 1 AND min_party <= max_party", name="ck_turn_times_party_range"
        ),
        sa.CheckConstraint("minutes > 0", name="ck_turn_times_minutes_positive"),
    )
    op.create_table(
        "service_periods",
        sa.Column("period_id", sa.BigInteger, primary_key=True, autoincrement=True),
        _venue_fk(),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_local", sa.Time, nullable=False),
        sa.Column("end_local", sa.Time, nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_service_periods_weekday"),
        sa.CheckConstraint("start_local < end_local", name="ck_service_periods_window"),
        comment="Bookings may start from start_local to end_local, both included, "
        "in venue local time. "
        "Weekday 0 is Monday.",
    )
    op.create_index(
        "ix_service_periods_venue_id_weekday", "service_periods", ["venue_id", "weekday"]
    )


def _create_venue_policies() -> None:
    op.create_table(
        "venue_policies",
        _venue_fk(primary_key=True),
        _int("slot_interval_minutes", 15),
        _int("cleaning_buffer_minutes", 15),
        sa.Column("pacing_max_covers_per_slot", sa.Integer),
        sa.Column("pacing_max_parties_per_slot", sa.Integer),
        _int("hold_ttl_seconds", 180),
        sa.Column("auto_confirm", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column(
            "optimizer_threshold_percent",
            sa.Numeric(5, 2),
            nullable=False,
            server_default=sa.text("10"),
        ),
        _int("max_tables_per_combination", 3),
        sa.Column(
            "allow_cross_zone_combinations",
            sa.Boolean,
            nullable=False,
            server_default=sa.text("false"),
        ),
        _int("retry_budget", 5),
        _int("freeze_window_minutes", 60),
        sa.Column("strategy_weights", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("version", sa.BigInteger, nullable=False, server_default=sa.text("1")),
        sa.CheckConstraint(
            "slot_interval_minutes > 0", name="ck_venue_policies_slot_interval_positive"
        ),
        sa.CheckConstraint(
            "cleaning_buffer_minutes >= 0", name="ck_venue_policies_cleaning_buffer_not_negative"
        ),
        sa.CheckConstraint(
            "pacing_max_covers_per_slot IS NULL OR pacing_max_covers_per_slot > 0",
            name="ck_venue_policies_pacing_covers_positive",
        ),
        sa.CheckConstraint(
            "pacing_max_parties_per_slot IS NULL OR pacing_max_parties_per_slot > 0",
            name="ck_venue_policies_pacing_parties_positive",
        ),
        sa.CheckConstraint("hold_ttl_seconds > 0", name="ck_venue_policies_hold_ttl_positive"),
        sa.CheckConstraint(
            "optimizer_threshold_percent BETWEEN 0 AND 100",
            name="ck_venue_policies_optimizer_threshold_percent",
        ),
        sa.CheckConstraint(
            "max_tables_per_combination >= 1", name="ck_venue_policies_max_tables_positive"
        ),
        sa.CheckConstraint("retry_budget >= 0", name="ck_venue_policies_retry_budget_not_negative"),
        sa.CheckConstraint(
            "freeze_window_minutes >= 0", name="ck_venue_policies_freeze_window_not_negative"
        ),
        sa.CheckConstraint(
            "jsonb_typeof(strategy_weights) = 'object'",
            name="ck_venue_policies_strategy_weights_object",
        ),
        sa.CheckConstraint("version >= 1", name="ck_venue_policies_version_positive"),
    )


def downgrade() -> None:
    for table in (
        "service_periods",
        "turn_times",
        "venue_policies",
        "table_adjacency",
        "dining_tables",
        "zones",
        "venues",
    ):
        op.drop_table(table)
