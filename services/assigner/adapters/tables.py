"""The assigner service's tables: allocations (holds and assignments), attempts and counts."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    JSONB,
    TSTZRANGE,
    UUID,
    ExcludeConstraint,
)

from shared.db.schema import (
    EMPTY_OBJECT,
    EMPTY_TEXT,
    EMPTY_TEXT_ARRAY,
    metadata,
    timestamp_column,
)

# The only writer of these tables (DESIGN.md, "Who owns what"); other services that read one
# keep their own read-only definition of the columns they read.
# Every change here needs a migration in shared/db/migrations: tests compare the two.

allocations = Table(
    "allocations",
    metadata,
    Column("allocation_id", BigInteger, primary_key=True, autoincrement=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("table_id", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True)),
    Column("kind", Text, nullable=False),
    Column("during", TSTZRANGE, nullable=False),
    timestamp_column("expire_time", nullable=True),
    timestamp_column("release_time", nullable=True),
    Column("actor", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("strategy", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("score_breakdown", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    timestamp_column("create_time"),
    CheckConstraint("kind IN ('HOLD', 'ASSIGNMENT')", name="ck_allocations_kind_known"),
    CheckConstraint("NOT isempty(during)", name="ck_allocations_during_not_empty"),
    # Windows are [start, end) with both ends finite, so back-to-back seatings never collide.
    CheckConstraint(
        "lower_inc(during) AND NOT upper_inc(during) AND NOT upper_inf(during)",
        name="ck_allocations_during_half_open",
    ),
    CheckConstraint(
        "kind <> 'HOLD' OR expire_time IS NOT NULL", name="ck_allocations_hold_expires"
    ),
    CheckConstraint(
        "kind <> 'ASSIGNMENT' OR booking_id IS NOT NULL",
        name="ck_allocations_assignment_has_booking",
    ),
    ForeignKeyConstraint(
        ["venue_id", "table_id"],
        ["dining_tables.venue_id", "dining_tables.table_id"],
        name="allocations_venue_id_table_id_fkey",
    ),
    # No double booking: the database, not a lock, is the judge (DESIGN.md, "Assignment").
    # A table is its venue's: two venues' tables of the same id never collide (0013-0015).
    ExcludeConstraint(
        ("venue_id", "="),
        ("table_id", "="),
        ("during", "&&"),
        name="allocations_no_overlap",
        using="gist",
        where=text("release_time IS NULL"),
    ),
    Index("ix_allocations_group_id", "group_id"),
    Index("ix_allocations_booking_id", "booking_id"),
    Index("ix_allocations_venue_id", "venue_id"),
)

assignment_attempts = Table(
    "assignment_attempts",
    metadata,
    Column("attempt_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True), nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("strategy", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("table_ids", ARRAY(Text), nullable=False, server_default=EMPTY_TEXT_ARRAY),
    timestamp_column("create_time"),
    Column("booking_version", Integer),  # the booking's version the try was made at, if known
    CheckConstraint("attempt_number >= 1", name="ck_assignment_attempts_attempt_number_positive"),
    Index("ix_assignment_attempts_booking_id", "booking_id", "attempt_id"),
    # One NO_TABLE try per booking version: rival replicas at one version spend one retry.
    Index(
        "ux_assignment_attempts_no_table_version",
        "booking_id",
        "booking_version",
        unique=True,
        postgresql_where=text("outcome = 'NO_TABLE'"),
    ),
)

# Aggregated counts only: no guest identity ever reaches the learning data.
assignment_success_counts = Table(
    "assignment_success_counts",
    metadata,
    Column("venue_id", Text),
    Column("table_key", Text),
    Column("party_band", Text),
    Column("hour", SmallInteger),
    Column("successes", BigInteger, nullable=False, server_default=text("0")),
    Column("failures", BigInteger, nullable=False, server_default=text("0")),
    timestamp_column("update_time"),
    PrimaryKeyConstraint("venue_id", "table_key", "party_band", "hour"),
    CheckConstraint("hour BETWEEN 0 AND 23", name="ck_assignment_success_counts_hour"),
    CheckConstraint(
        "successes >= 0 AND failures >= 0", name="ck_assignment_success_counts_not_negative"
    ),
)
