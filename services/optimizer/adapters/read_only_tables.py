"""The other services' tables the optimizer reads, only the columns it reads, never written here.

DESIGN.md ("Who owns what") lets a service read another's table where a query must be fast,
and never write it; the optimizer changes seatings through the assigner's MoveBookings only.
These are lightweight `table()` clauses outside the shared MetaData: no migration or DDL sees
them, and the owner's definition (`services/<owner>/adapters/tables.py`) stays the only one.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    Numeric,
    SmallInteger,
    Text,
    Time,
    column,
    table,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, TSTZRANGE, UUID

# Owner: state. The day's bookings, the problem to re-plan.
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
)

# Owner: assigner. Who sits where now, and the holds the plan must work around.
allocations = table(
    "allocations",
    column("venue_id", Text),
    column("table_id", Text),
    column("booking_id", UUID(as_uuid=True)),
    column("kind", Text),
    column("during", TSTZRANGE),
    column("expire_time", TIMESTAMP(timezone=True)),
    column("release_time", TIMESTAMP(timezone=True)),
)

# Owner: availability. The floor plan, the policy and the venue's change version.
venues = table("venues", column("venue_id", Text), column("timezone", Text))

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
    column("max_tables_per_combination", Integer),
    column("allow_cross_zone_combinations", Boolean),
    column("freeze_window_minutes", Integer),
    column("optimizer_threshold_percent", Numeric(5, 2)),
    column("combination_seats_lost_per_join", Integer),
    column("combination_min_covers", Integer),
    column("table_combinations", JSONB),
    column("rescue_time_limit_ms", Integer),
    column("rescue_max_movers", Integer),
)

service_periods = table(
    "service_periods",
    column("venue_id", Text),
    column("weekday", SmallInteger),
    column("name", Text),
    column("start_local", Time),
    column("end_local", Time),
)

venue_change_versions = table(
    "venue_change_versions", column("venue_id", Text), column("version", BigInteger)
)
