"""The state service's tables: bookings, their history, the outbox, idempotency keys, demand."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    JSONB,
    TIMESTAMP,
    UUID,
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
DISPLAY_STATUSES = (
    "PENDING",
    "PENDING_ALLOCATION",
    "CONFIRMED",
    "CHECKED_IN",
    "COMPLETED",
    "CANCELLED",
    "NO_SHOW",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


bookings = Table(
    "bookings",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("venue_id", Text, ForeignKey("venues.venue_id"), nullable=False),
    Column("party_size", Integer, nullable=False),
    Column("start_time", TIMESTAMP(timezone=True), nullable=False),
    Column("end_time", TIMESTAMP(timezone=True), nullable=False),
    Column("state", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("guest_reference", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("notes", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("preferred_zone_id", Text),
    Column("pinned", Boolean, nullable=False, server_default=text("false")),
    Column("table_ids", ARRAY(Text), nullable=False, server_default=EMPTY_TEXT_ARRAY),
    Column("state_reason", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("request_id", Text, nullable=False),
    timestamp_column("create_time"),
    timestamp_column("update_time"),
    # The Ops UI's linear status, derived from state (migrations 0005-0007).
    Column("display_status", Text, nullable=False),
    CheckConstraint("party_size > 0", name="ck_bookings_party_size_positive"),
    CheckConstraint("end_time > start_time", name="ck_bookings_window"),
    CheckConstraint(_one_of("state", BOOKING_STATES), name="ck_bookings_state_known"),
    CheckConstraint("version >= 1", name="ck_bookings_version_positive"),
    CheckConstraint(
        _one_of("display_status", DISPLAY_STATUSES), name="ck_bookings_display_status_known"
    ),
    Index("ix_bookings_venue_id_start_time", "venue_id", "start_time", "booking_id"),
    Index("ix_bookings_venue_id_state", "venue_id", "state"),
    Index("ix_bookings_venue_id_display_status", "venue_id", "display_status", "start_time"),
)

booking_state_history = Table(
    "booking_state_history",
    metadata,
    Column("history_id", BigInteger, primary_key=True, autoincrement=True),
    Column("booking_id", UUID(as_uuid=True), ForeignKey("bookings.booking_id"), nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("from_state", Text),
    Column("to_state", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("trace_id", Text, nullable=False, server_default=EMPTY_TEXT),
    timestamp_column("change_time"),
    Index("ix_booking_state_history_booking_id", "booking_id", "history_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("event_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("trace_context", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    timestamp_column("create_time"),
    timestamp_column("publish_time", nullable=True),
    # The relay only ever scans unpublished rows; published ones stay out of this index.
    Index("ix_outbox_unpublished", "event_id", postgresql_where=text("publish_time IS NULL")),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("venue_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True), nullable=False),
    Column("response", LargeBinary, nullable=False),
    timestamp_column("create_time"),
    PrimaryKeyConstraint("venue_id", "request_id"),
)

# 0020: the demand counts by weekday; no longer written since 0023 (dropped by a later contract).
demand_counts = Table(
    "demand_counts",
    metadata,
    Column("venue_id", Text),
    Column("weekday", SmallInteger),
    Column("slot_minute", SmallInteger),
    Column("party_size", SmallInteger),
    Column("lead_bucket", SmallInteger),
    Column("requests", BigInteger, nullable=False),
    PrimaryKeyConstraint("venue_id", "weekday", "slot_minute", "party_size", "lead_bucket"),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_counts_weekday"),
    CheckConstraint("slot_minute >= 0", name="ck_demand_counts_slot_not_negative"),
    CheckConstraint("party_size > 0", name="ck_demand_counts_party_size_positive"),
    CheckConstraint("lead_bucket >= 0", name="ck_demand_counts_lead_bucket_not_negative"),
    CheckConstraint("requests > 0", name="ck_demand_counts_requests_positive"),
    comment="Booking requests per venue, local weekday, start slot, party size and lead bucket: "
    "counts only, no guest data.",
)

# 0023: the demand the yield forecast learns from, counted by CreateBooking per service date.
demand_date_counts = Table(
    "demand_date_counts",
    metadata,
    Column("venue_id", Text),
    Column("service_date", Date),
    Column("slot_minute", SmallInteger),
    Column("party_size", SmallInteger),
    Column("lead_bucket", SmallInteger),
    Column("weekday", SmallInteger, nullable=False),
    Column("requests", BigInteger, nullable=False),
    PrimaryKeyConstraint("venue_id", "service_date", "slot_minute", "party_size", "lead_bucket"),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_date_counts_weekday"),
    CheckConstraint("slot_minute >= 0", name="ck_demand_date_counts_slot_not_negative"),
    CheckConstraint("party_size > 0", name="ck_demand_date_counts_party_size_positive"),
    CheckConstraint("lead_bucket >= 0", name="ck_demand_date_counts_lead_bucket_not_negative"),
    CheckConstraint("requests > 0", name="ck_demand_date_counts_requests_positive"),
    comment="Booking requests per venue, local service date, start slot, party size and "
    "lead bucket: counts only, no guest data.",
)

demand_days = Table(
    "demand_days",
    metadata,
    Column("venue_id", Text),
    Column("service_date", Date),
    Column("weekday", SmallInteger, nullable=False),
    PrimaryKeyConstraint("venue_id", "service_date"),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_days_weekday"),
    comment="The local service dates demand_counts has seen requests for, to count days "
    "per weekday.",
)
