"""The other services' tables the assigner reads, only the columns it reads, never written here.

DESIGN.md ("Who owns what") lets a service read another's table where a query must be fast,
and never write it. These are lightweight `table()` clauses outside the shared MetaData: no
migration or DDL sees them, and the owner's definition (`services/<owner>/adapters/tables.py`)
stays the only one. A column the assigner starts reading is added here.
"""

from sqlalchemy import BigInteger, Boolean, Date, Integer, SmallInteger, Text, column, table
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP, UUID

# Owner: state. Read to judge and move a booking's tables, FOR SHARE while moving them.
bookings = table(
    "bookings",
    column("booking_id", UUID(as_uuid=True)),
    column("venue_id", Text),
    column("party_size", Integer),
    column("start_time", TIMESTAMP(timezone=True)),
    column("end_time", TIMESTAMP(timezone=True)),
    column("state", Text),
    column("version", BigInteger),
    column("preferred_zone_id", Text),
    column("pinned", Boolean),
    column("table_ids", ARRAY(Text)),
    column("state_reason", Text),
    column("display_status", Text),
    column("update_time", TIMESTAMP(timezone=True)),
)

# Owner: availability. The floor plan and policy the assignment engine seats against.
venues = table("venues", column("venue_id", Text), column("timezone", Text))

zones = table(
    "zones", column("venue_id", Text), column("zone_id", Text), column("sort_order", Integer)
)

dining_tables = table(
    "dining_tables",
    column("venue_id", Text),
    column("table_id", Text),
    column("zone_id", Text),
    column("min_seats", Integer),
    column("max_seats", Integer),
    column("combinable", Boolean),
    column("active", Boolean),
)

table_adjacency = table(
    "table_adjacency", column("venue_id", Text), column("table_a", Text), column("table_b", Text)
)

venue_policies = table(
    "venue_policies",
    column("venue_id", Text),
    column("cleaning_buffer_minutes", Integer),
    column("hold_ttl_seconds", Integer),
    column("auto_confirm", Boolean),
    column("max_tables_per_combination", Integer),
    column("allow_cross_zone_combinations", Boolean),
    column("retry_budget", Integer),
    column("freeze_window_minutes", Integer),
    column("strategy_weights", JSONB),
    column("combination_seats_lost_per_join", Integer),
    column("combination_min_covers", Integer),
    column("table_combinations", JSONB),
    column("look_ahead_horizon_minutes", Integer),
    column("yield_enabled", Boolean),
    column("yield_min_days_observed", Integer),
)

turn_times = table(
    "turn_times",
    column("venue_id", Text),
    column("min_party", Integer),
    column("max_party", Integer),
    column("minutes", Integer),
)

# Owner: state. The request counts the yield forecast learns from (counts only, no guest data).
demand_date_counts = table(
    "demand_date_counts",
    column("venue_id", Text),
    column("service_date", Date),
    column("weekday", SmallInteger),
    column("slot_minute", SmallInteger),
    column("party_size", SmallInteger),
    column("lead_bucket", SmallInteger),
    column("requests", BigInteger),
)

demand_days = table(
    "demand_days",
    column("venue_id", Text),
    column("service_date", Date),
    column("weekday", SmallInteger),
)

# Owner: availability (migration 0008). Only locked, FOR UPDATE before an allocation is written,
# so the writers of one venue take turns (allocation_writes.lock_venues); its triggers write it.
venue_change_versions = table("venue_change_versions", column("venue_id", Text))
