"""SQLAlchemy Core tables for the whole database, mirroring the Alembic migrations at head."""

from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    DOUBLE_PRECISION,
    JSONB,
    TIMESTAMP,
    TSTZRANGE,
    UUID,
    ExcludeConstraint,
)

from shared.seating import policy_defaults as defaults

# Each table has one writing service (DESIGN.md, "Who owns what"); the owner is noted per group.
# Every change here needs a migration in shared/db/migrations: tests compare the two.
metadata = MetaData()

NOW = text("now()")
EMPTY_TEXT = text("''")
EMPTY_OBJECT = text("'{}'::jsonb")
EMPTY_TEXT_ARRAY = text("'{}'::text[]")
BOOKING_STATES = (
    "CREATED", "CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS", "ASSIGNED",
    "CONFIRMED", "SEATED", "COMPLETED", "MANUAL_REVIEW", "REJECTED", "CANCELLED", "NO_SHOW",
)  # fmt: skip
DISPLAY_STATUSES = (
    "PENDING", "PENDING_ALLOCATION", "CONFIRMED", "CHECKED_IN", "COMPLETED", "CANCELLED", "NO_SHOW",
)  # fmt: skip


def _timestamp(name: str, *, nullable: bool = False) -> Column[datetime]:
    """A timestamptz column; the non-null ones default to the database's clock."""
    return Column(
        name, TIMESTAMP(timezone=True), nullable=nullable, server_default=None if nullable else NOW
    )


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# --- floor plans (owner: availability) ---------------------------------------------------------

venues = Table(
    "venues", metadata,
    Column("venue_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("max_party_size", Integer, nullable=False, server_default=text("12")),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    _timestamp("create_time"),
    _timestamp("update_time"),
    # 0009: the request id of the CreateVenue call, so a replay returns the venue.
    Column("create_request_id", Text),
    CheckConstraint("max_party_size > 0", name="ck_venues_max_party_size_positive"),
    CheckConstraint("version >= 1", name="ck_venues_version_positive"),
)  # fmt: skip

# Zone and table ids are unique within their venue only (0013-0015): every key and every
# reference to them names the venue too.
zones = Table(
    "zones", metadata,
    Column("zone_id", Text),
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("sort_order", Integer, nullable=False, server_default=text("0")),
    _timestamp("create_time"),  # 0009
    _timestamp("update_time"),  # 0009
    Column("create_request_id", Text),  # 0009
    PrimaryKeyConstraint("venue_id", "zone_id"),
    Index("ix_zones_venue_id", "venue_id"),
)  # fmt: skip

dining_tables = Table(
    "dining_tables", metadata,
    Column("table_id", Text),
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("zone_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("min_seats", Integer, nullable=False),
    Column("max_seats", Integer, nullable=False),
    Column("combinable", Boolean, nullable=False, server_default=text("true")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    _timestamp("create_time"),  # 0009
    _timestamp("update_time"),  # 0009
    Column("create_request_id", Text),  # 0009
    CheckConstraint("min_seats >= 1 AND min_seats <= max_seats", name="ck_dining_tables_seats"),
    CheckConstraint("version >= 1", name="ck_dining_tables_version_positive"),
    PrimaryKeyConstraint("venue_id", "table_id"),
    ForeignKeyConstraint(["venue_id", "zone_id"], ["zones.venue_id", "zones.zone_id"],
                         name="dining_tables_venue_id_zone_id_fkey"),
    UniqueConstraint("venue_id", "name", name="uq_dining_tables_venue_id_name"),
    Index("ix_dining_tables_venue_id_zone_id", "venue_id", "zone_id"),
)  # fmt: skip

table_adjacency = Table(
    "table_adjacency", metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("table_a", Text),
    Column("table_b", Text),
    PrimaryKeyConstraint("venue_id", "table_a", "table_b"),
    ForeignKeyConstraint(["venue_id", "table_a"],
                         ["dining_tables.venue_id", "dining_tables.table_id"],
                         name="table_adjacency_venue_id_table_a_fkey", ondelete="CASCADE"),
    ForeignKeyConstraint(["venue_id", "table_b"],
                         ["dining_tables.venue_id", "dining_tables.table_id"],
                         name="table_adjacency_venue_id_table_b_fkey", ondelete="CASCADE"),
    # One row per unordered pair: the smaller id always goes first.
    CheckConstraint("table_a < table_b", name="ck_table_adjacency_ordered"),
    Index("ix_table_adjacency_venue_id", "venue_id"),
    Index("ix_table_adjacency_venue_id_table_b", "venue_id", "table_b"),
)  # fmt: skip

venue_policies = Table(
    "venue_policies", metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), primary_key=True),
    Column("slot_interval_minutes", Integer, nullable=False, server_default=text("15")),
    Column("cleaning_buffer_minutes", Integer, nullable=False, server_default=text("15")),
    Column("pacing_max_covers_per_slot", Integer),
    Column("pacing_max_parties_per_slot", Integer),
    Column("hold_ttl_seconds", Integer, nullable=False,
           server_default=text(str(defaults.HOLD_TTL // timedelta(seconds=1)))),
    Column("auto_confirm", Boolean, nullable=False, server_default=text("true")),
    Column("optimizer_threshold_percent", Numeric(5, 2), nullable=False,
           server_default=text(f"{defaults.OPTIMIZER_THRESHOLD_PERCENT:g}")),
    Column("max_tables_per_combination", Integer, nullable=False,
           server_default=text(str(defaults.MAX_TABLES_PER_COMBINATION))),
    Column("allow_cross_zone_combinations", Boolean, nullable=False,
           server_default=text("false")),
    Column("retry_budget", Integer, nullable=False,
           server_default=text(str(defaults.RETRY_ATTEMPTS))),
    Column("freeze_window_minutes", Integer, nullable=False,
           server_default=text(str(defaults.FREEZE_WINDOW // timedelta(minutes=1)))),
    Column("strategy_weights", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    # 0009: the rest of the retry budget, and when the policy last changed.
    Column("retry_initial_backoff_ms", Integer, nullable=False, server_default=text("1000")),
    Column("retry_max_backoff_ms", Integer, nullable=False, server_default=text("30000")),
    Column("retry_deadline_seconds", Integer, nullable=False, server_default=text("120")),
    _timestamp("update_time"),
    CheckConstraint("slot_interval_minutes > 0", name="ck_venue_policies_slot_interval_positive"),
    CheckConstraint("cleaning_buffer_minutes >= 0",
                    name="ck_venue_policies_cleaning_buffer_not_negative"),
    CheckConstraint("pacing_max_covers_per_slot IS NULL OR pacing_max_covers_per_slot > 0",
                    name="ck_venue_policies_pacing_covers_positive"),
    CheckConstraint("pacing_max_parties_per_slot IS NULL OR pacing_max_parties_per_slot > 0",
                    name="ck_venue_policies_pacing_parties_positive"),
    CheckConstraint("hold_ttl_seconds > 0", name="ck_venue_policies_hold_ttl_positive"),
    CheckConstraint("optimizer_threshold_percent BETWEEN 0 AND 100",
                    name="ck_venue_policies_optimizer_threshold_percent"),
    CheckConstraint("max_tables_per_combination >= 1",
                    name="ck_venue_policies_max_tables_positive"),
    CheckConstraint("retry_budget >= 0", name="ck_venue_policies_retry_budget_not_negative"),
    CheckConstraint("freeze_window_minutes >= 0",
                    name="ck_venue_policies_freeze_window_not_negative"),
    CheckConstraint("jsonb_typeof(strategy_weights) = 'object'",
                    name="ck_venue_policies_strategy_weights_object"),
    CheckConstraint("version >= 1", name="ck_venue_policies_version_positive"),
    CheckConstraint("retry_initial_backoff_ms > 0 "
                    "AND retry_max_backoff_ms >= retry_initial_backoff_ms",
                    name="ck_venue_policies_retry_backoff"),
    CheckConstraint("retry_deadline_seconds > 0", name="ck_venue_policies_retry_deadline_positive"),
)  # fmt: skip

turn_times = Table(
    "turn_times", metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE")),
    Column("min_party", Integer),
    Column("max_party", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    PrimaryKeyConstraint("venue_id", "min_party"),
    CheckConstraint("min_party >= 1 AND min_party <= max_party", name="ck_turn_times_party_range"),
    CheckConstraint("minutes > 0", name="ck_turn_times_minutes_positive"),
)  # fmt: skip

service_periods = Table(
    "service_periods", metadata,
    Column("period_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("start_local", Time, nullable=False),
    Column("end_local", Time, nullable=False),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_service_periods_weekday"),
    # 0009: one seating time only (first = last seating) is a period too.
    CheckConstraint("start_local <= end_local", name="ck_service_periods_window"),
    Index("ix_service_periods_venue_id_weekday", "venue_id", "weekday"),
    comment="Bookings may start from start_local to end_local, both included, "
    "in venue local time. "
    "Weekday 0 is Monday.",
)  # fmt: skip

# --- booking lifecycle (owner: state) ----------------------------------------------------------

bookings = Table(
    "bookings", metadata,
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
    _timestamp("create_time"),
    _timestamp("update_time"),
    # The Ops UI's linear status, derived from state (migrations 0005-0007).
    Column("display_status", Text, nullable=False),
    CheckConstraint("party_size > 0", name="ck_bookings_party_size_positive"),
    CheckConstraint("end_time > start_time", name="ck_bookings_window"),
    CheckConstraint(_one_of("state", BOOKING_STATES), name="ck_bookings_state_known"),
    CheckConstraint("version >= 1", name="ck_bookings_version_positive"),
    CheckConstraint(_one_of("display_status", DISPLAY_STATUSES),
                    name="ck_bookings_display_status_known"),
    Index("ix_bookings_venue_id_start_time", "venue_id", "start_time", "booking_id"),
    Index("ix_bookings_venue_id_state", "venue_id", "state"),
    Index("ix_bookings_venue_id_display_status", "venue_id", "display_status", "start_time"),
)  # fmt: skip

booking_state_history = Table(
    "booking_state_history", metadata,
    Column("history_id", BigInteger, primary_key=True, autoincrement=True),
    Column("booking_id", UUID(as_uuid=True), ForeignKey("bookings.booking_id"), nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("from_state", Text),
    Column("to_state", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("trace_id", Text, nullable=False, server_default=EMPTY_TEXT),
    _timestamp("change_time"),
    Index("ix_booking_state_history_booking_id", "booking_id", "history_id"),
)  # fmt: skip

outbox = Table(
    "outbox", metadata,
    Column("event_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("trace_context", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    _timestamp("create_time"),
    _timestamp("publish_time", nullable=True),
    # The relay only ever scans unpublished rows; published ones stay out of this index.
    Index("ix_outbox_unpublished", "event_id", postgresql_where=text("publish_time IS NULL")),
)  # fmt: skip

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("venue_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True), nullable=False),
    Column("response", LargeBinary, nullable=False),
    _timestamp("create_time"),
    PrimaryKeyConstraint("venue_id", "request_id"),
)  # fmt: skip

# --- allocations and learning (owner: assigner) ------------------------------------------------

allocations = Table(
    "allocations", metadata,
    Column("allocation_id", BigInteger, primary_key=True, autoincrement=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("venue_id", Text, nullable=False),
    Column("table_id", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True)),
    Column("kind", Text, nullable=False),
    Column("during", TSTZRANGE, nullable=False),
    _timestamp("expire_time", nullable=True),
    _timestamp("release_time", nullable=True),
    Column("actor", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("strategy", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("score_breakdown", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    _timestamp("create_time"),
    CheckConstraint("kind IN ('HOLD', 'ASSIGNMENT')", name="ck_allocations_kind_known"),
    CheckConstraint("NOT isempty(during)", name="ck_allocations_during_not_empty"),
    # Windows are [start, end) with both ends finite, so back-to-back seatings never collide.
    CheckConstraint("lower_inc(during) AND NOT upper_inc(during) AND NOT upper_inf(during)",
                    name="ck_allocations_during_half_open"),
    CheckConstraint("kind <> 'HOLD' OR expire_time IS NOT NULL",
                    name="ck_allocations_hold_expires"),
    CheckConstraint("kind <> 'ASSIGNMENT' OR booking_id IS NOT NULL",
                    name="ck_allocations_assignment_has_booking"),
    ForeignKeyConstraint(["venue_id", "table_id"],
                         ["dining_tables.venue_id", "dining_tables.table_id"],
                         name="allocations_venue_id_table_id_fkey"),
    # No double booking: the database, not a lock, is the judge (DESIGN.md, "Assignment").
    # A table is its venue's: two venues' tables of the same id never collide (0013-0015).
    ExcludeConstraint(
        ("venue_id", "="), ("table_id", "="), ("during", "&&"),
        name="allocations_no_overlap", using="gist", where=text("release_time IS NULL"),
    ),
    Index("ix_allocations_group_id", "group_id"),
    Index("ix_allocations_booking_id", "booking_id"),
    Index("ix_allocations_venue_id", "venue_id"),
)  # fmt: skip

assignment_attempts = Table(
    "assignment_attempts", metadata,
    Column("attempt_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True), nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("strategy", Text, nullable=False, server_default=EMPTY_TEXT),
    Column("table_ids", ARRAY(Text), nullable=False, server_default=EMPTY_TEXT_ARRAY),
    _timestamp("create_time"),
    CheckConstraint("attempt_number >= 1", name="ck_assignment_attempts_attempt_number_positive"),
    Index("ix_assignment_attempts_booking_id", "booking_id", "attempt_id"),
)  # fmt: skip

# Aggregated counts only: no guest identity ever reaches the learning data.
assignment_success_counts = Table(
    "assignment_success_counts", metadata,
    Column("venue_id", Text),
    Column("table_key", Text),
    Column("party_band", Text),
    Column("hour", SmallInteger),
    Column("successes", BigInteger, nullable=False, server_default=text("0")),
    Column("failures", BigInteger, nullable=False, server_default=text("0")),
    _timestamp("update_time"),
    PrimaryKeyConstraint("venue_id", "table_key", "party_band", "hour"),
    CheckConstraint("hour BETWEEN 0 AND 23", name="ck_assignment_success_counts_hour"),
    CheckConstraint("successes >= 0 AND failures >= 0",
                    name="ck_assignment_success_counts_not_negative"),
)  # fmt: skip

# --- day re-planning (owner: optimizer) --------------------------------------------------------

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
    _timestamp("start_time"),
    _timestamp("finish_time", nullable=True),
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
    _timestamp("create_time"),
    _timestamp("apply_time", nullable=True),
    ForeignKeyConstraint(["run_id"], ["optimizer_runs.run_id"], ondelete="CASCADE"),
    Index("ix_optimizer_plans_run_id", "run_id"),
    Index("ix_optimizer_plans_venue_id_service_date", "venue_id", "service_date"),
)  # fmt: skip

# --- availability: change versions (0008) -------------------------------------------------
# Bumped by the maitred_bump_venue_version trigger on every watched table, once per transaction.

venue_change_versions = Table(
    "venue_change_versions", metadata,
    Column("venue_id", Text, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("last_txid", BigInteger),
    _timestamp("update_time"),
    comment="The change version of each venue: +1 per transaction that touches it.",
)  # fmt: skip

# One row per written row of a watched table, with the version it made (migration 0018); the
# availability service reads it to catch its day models up and prunes it by age.

venue_changes = Table(
    "venue_changes", metadata,
    Column("change_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True)),
    Column("group_id", UUID(as_uuid=True)),
    _timestamp("change_time"),
    Index("ix_venue_changes_venue_version", "venue_id", "version"),
    Index("ix_venue_changes_change_time", "change_time"),
    comment="What each venue version changed: one row per written row of a watched table.",
)  # fmt: skip
