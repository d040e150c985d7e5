"""The availability service's tables: floor plans, venue policies and the change feed."""

from datetime import timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
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
    JSONB,
    UUID,
)

from shared.db.schema import (
    EMPTY_OBJECT,
    metadata,
    timestamp_column,
)
from shared.seating import policy_defaults as defaults
from shared.seating.knobs import SeatingKnobs

# The seating knobs a venue that sets none gets (the domain defines them once).
KNOBS = SeatingKnobs()

# The only writer of these tables (DESIGN.md, "Who owns what"); other services that read one
# keep their own read-only definition of the columns they read.
# Every change here needs a migration in shared/db/migrations: tests compare the two.

# --- floor plans ---------------------------------------------------------------------------------

venues = Table(
    "venues",
    metadata,
    Column("venue_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("max_party_size", Integer, nullable=False, server_default=text("12")),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    timestamp_column("create_time"),
    timestamp_column("update_time"),
    # 0009: the request id of the CreateVenue call, so a replay returns the venue.
    Column("create_request_id", Text),
    CheckConstraint("max_party_size > 0", name="ck_venues_max_party_size_positive"),
    CheckConstraint("version >= 1", name="ck_venues_version_positive"),
)

# Zone and table ids are unique within their venue only (0013-0015): every key and every
# reference to them names the venue too.
zones = Table(
    "zones",
    metadata,
    Column("zone_id", Text),
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("sort_order", Integer, nullable=False, server_default=text("0")),
    timestamp_column("create_time"),  # 0009
    timestamp_column("update_time"),  # 0009
    Column("create_request_id", Text),  # 0009
    PrimaryKeyConstraint("venue_id", "zone_id"),
    Index("ix_zones_venue_id", "venue_id"),
)

dining_tables = Table(
    "dining_tables",
    metadata,
    Column("table_id", Text),
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("zone_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("min_seats", Integer, nullable=False),
    Column("max_seats", Integer, nullable=False),
    Column("combinable", Boolean, nullable=False, server_default=text("true")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    timestamp_column("create_time"),  # 0009
    timestamp_column("update_time"),  # 0009
    Column("create_request_id", Text),  # 0009
    CheckConstraint("min_seats >= 1 AND min_seats <= max_seats", name="ck_dining_tables_seats"),
    CheckConstraint("version >= 1", name="ck_dining_tables_version_positive"),
    PrimaryKeyConstraint("venue_id", "table_id"),
    ForeignKeyConstraint(
        ["venue_id", "zone_id"],
        ["zones.venue_id", "zones.zone_id"],
        name="dining_tables_venue_id_zone_id_fkey",
    ),
    UniqueConstraint("venue_id", "name", name="uq_dining_tables_venue_id_name"),
    Index("ix_dining_tables_venue_id_zone_id", "venue_id", "zone_id"),
)

table_adjacency = Table(
    "table_adjacency",
    metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), nullable=False),
    Column("table_a", Text),
    Column("table_b", Text),
    PrimaryKeyConstraint("venue_id", "table_a", "table_b"),
    ForeignKeyConstraint(
        ["venue_id", "table_a"],
        ["dining_tables.venue_id", "dining_tables.table_id"],
        name="table_adjacency_venue_id_table_a_fkey",
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["venue_id", "table_b"],
        ["dining_tables.venue_id", "dining_tables.table_id"],
        name="table_adjacency_venue_id_table_b_fkey",
        ondelete="CASCADE",
    ),
    # One row per unordered pair: the smaller id always goes first.
    CheckConstraint("table_a < table_b", name="ck_table_adjacency_ordered"),
    Index("ix_table_adjacency_venue_id", "venue_id"),
    Index("ix_table_adjacency_venue_id_table_b", "venue_id", "table_b"),
)

venue_policies = Table(
    "venue_policies",
    metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE"), primary_key=True),
    Column("slot_interval_minutes", Integer, nullable=False, server_default=text("15")),
    Column("cleaning_buffer_minutes", Integer, nullable=False, server_default=text("15")),
    Column("pacing_max_covers_per_slot", Integer),
    Column("pacing_max_parties_per_slot", Integer),
    Column(
        "hold_ttl_seconds",
        Integer,
        nullable=False,
        server_default=text(str(defaults.HOLD_TTL // timedelta(seconds=1))),
    ),
    Column("auto_confirm", Boolean, nullable=False, server_default=text("true")),
    Column(
        "optimizer_threshold_percent",
        Numeric(5, 2),
        nullable=False,
        server_default=text(f"{defaults.OPTIMIZER_THRESHOLD_PERCENT:g}"),
    ),
    Column(
        "max_tables_per_combination",
        Integer,
        nullable=False,
        server_default=text(str(defaults.MAX_TABLES_PER_COMBINATION)),
    ),
    Column("allow_cross_zone_combinations", Boolean, nullable=False, server_default=text("false")),
    Column(
        "retry_budget", Integer, nullable=False, server_default=text(str(defaults.RETRY_ATTEMPTS))
    ),
    Column(
        "freeze_window_minutes",
        Integer,
        nullable=False,
        server_default=text(str(defaults.FREEZE_WINDOW // timedelta(minutes=1))),
    ),
    Column("strategy_weights", JSONB, nullable=False, server_default=EMPTY_OBJECT),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    # 0009: the rest of the retry budget, and when the policy last changed.
    Column("retry_initial_backoff_ms", Integer, nullable=False, server_default=text("1000")),
    Column("retry_max_backoff_ms", Integer, nullable=False, server_default=text("30000")),
    Column("retry_deadline_seconds", Integer, nullable=False, server_default=text("120")),
    timestamp_column("update_time"),
    # 0019: combinations as the venue defines them, and the seating knobs.
    Column("combination_seats_lost_per_join", Integer, nullable=False, server_default=text("0")),
    Column("combination_min_covers", Integer, nullable=False, server_default=text("0")),
    Column(
        "rescue_time_limit_ms",
        Integer,
        nullable=False,
        server_default=text(str(KNOBS.rescue_time_limit // timedelta(milliseconds=1))),
    ),
    Column(
        "rescue_max_movers",
        Integer,
        nullable=False,
        server_default=text(str(KNOBS.rescue_max_movers)),
    ),
    Column(
        "look_ahead_horizon_minutes",
        Integer,
        nullable=False,
        server_default=text(str(KNOBS.look_ahead_horizon // timedelta(minutes=1))),
    ),
    Column("table_combinations", JSONB, nullable=False, server_default=text("'[]'")),
    CheckConstraint(
        "combination_seats_lost_per_join >= 0",
        name="ck_venue_policies_combination_seats_lost_per_join",
    ),
    CheckConstraint("combination_min_covers >= 0", name="ck_venue_policies_combination_min_covers"),
    CheckConstraint(
        "rescue_time_limit_ms BETWEEN 1 AND 2000", name="ck_venue_policies_rescue_time_limit_ms"
    ),
    CheckConstraint(
        "rescue_max_movers BETWEEN 1 AND 200", name="ck_venue_policies_rescue_max_movers"
    ),
    CheckConstraint(
        "look_ahead_horizon_minutes BETWEEN 1 AND 1440",
        name="ck_venue_policies_look_ahead_horizon_minutes",
    ),
    CheckConstraint(
        "jsonb_typeof(table_combinations) = 'array'",
        name="ck_venue_policies_table_combinations_array",
    ),
    CheckConstraint("slot_interval_minutes > 0", name="ck_venue_policies_slot_interval_positive"),
    CheckConstraint(
        "cleaning_buffer_minutes >= 0", name="ck_venue_policies_cleaning_buffer_not_negative"
    ),
    CheckConstraint(
        "pacing_max_covers_per_slot IS NULL OR pacing_max_covers_per_slot > 0",
        name="ck_venue_policies_pacing_covers_positive",
    ),
    CheckConstraint(
        "pacing_max_parties_per_slot IS NULL OR pacing_max_parties_per_slot > 0",
        name="ck_venue_policies_pacing_parties_positive",
    ),
    CheckConstraint("hold_ttl_seconds > 0", name="ck_venue_policies_hold_ttl_positive"),
    CheckConstraint(
        "optimizer_threshold_percent BETWEEN 0 AND 100",
        name="ck_venue_policies_optimizer_threshold_percent",
    ),
    CheckConstraint(
        "max_tables_per_combination >= 1", name="ck_venue_policies_max_tables_positive"
    ),
    CheckConstraint("retry_budget >= 0", name="ck_venue_policies_retry_budget_not_negative"),
    CheckConstraint(
        "freeze_window_minutes >= 0", name="ck_venue_policies_freeze_window_not_negative"
    ),
    CheckConstraint(
        "jsonb_typeof(strategy_weights) = 'object'",
        name="ck_venue_policies_strategy_weights_object",
    ),
    CheckConstraint("version >= 1", name="ck_venue_policies_version_positive"),
    CheckConstraint(
        "retry_initial_backoff_ms > 0 AND retry_max_backoff_ms >= retry_initial_backoff_ms",
        name="ck_venue_policies_retry_backoff",
    ),
    CheckConstraint("retry_deadline_seconds > 0", name="ck_venue_policies_retry_deadline_positive"),
    # 0020: the yield (admission) policy, off by default; a NULL minimum takes the domain's default.
    Column("yield_enabled", Boolean, nullable=False, server_default=text("false")),
    Column("yield_min_days_observed", Integer),
    CheckConstraint(
        "yield_min_days_observed IS NULL OR yield_min_days_observed >= 1",
        name="ck_venue_policies_yield_min_days_positive",
    ),
)

turn_times = Table(
    "turn_times",
    metadata,
    Column("venue_id", Text, ForeignKey("venues.venue_id", ondelete="CASCADE")),
    Column("min_party", Integer),
    Column("max_party", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    PrimaryKeyConstraint("venue_id", "min_party"),
    CheckConstraint("min_party >= 1 AND min_party <= max_party", name="ck_turn_times_party_range"),
    CheckConstraint("minutes > 0", name="ck_turn_times_minutes_positive"),
)

service_periods = Table(
    "service_periods",
    metadata,
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
)

# --- change versions (0008) -------------------------------------------------------------------
# Bumped by the maitred_bump_venue_version trigger on every watched table, once per transaction.

venue_change_versions = Table(
    "venue_change_versions",
    metadata,
    Column("venue_id", Text, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("last_txid", BigInteger),
    timestamp_column("update_time"),
    comment="The change version of each venue: +1 per transaction that touches it.",
)

# One row per written row of a watched table, with the version it made (migration 0018); the
# availability service reads it to catch its day models up and prunes it by age.

venue_changes = Table(
    "venue_changes",
    metadata,
    Column("change_id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("booking_id", UUID(as_uuid=True)),
    Column("group_id", UUID(as_uuid=True)),
    timestamp_column("change_time"),
    Index("ix_venue_changes_venue_version", "venue_id", "version"),
    Index("ix_venue_changes_change_time", "change_time"),
    comment="What each venue version changed: one row per written row of a watched table.",
)
