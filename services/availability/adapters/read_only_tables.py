"""The other services' tables availability reads, only the columns it reads, never written here.

DESIGN.md ("Who owns what") lets a service read another's table where a query must be fast (a
snapshot), and never write it. These are lightweight `table()` clauses outside the shared
MetaData: no migration or DDL sees them, and the owner's definition
(`services/<owner>/adapters/tables.py`) stays the only one.
"""

from sqlalchemy import BigInteger, Boolean, Date, Integer, SmallInteger, Text, column, table
from sqlalchemy.dialects.postgresql import TIMESTAMP, TSTZRANGE, UUID

# Owner: state. Bookings that need tables, and the ones seated at a table being changed.
bookings = table(
    "bookings",
    column("booking_id", UUID(as_uuid=True)),
    column("venue_id", Text),
    column("party_size", Integer),
    column("start_time", TIMESTAMP(timezone=True)),
    column("end_time", TIMESTAMP(timezone=True)),
    column("state", Text),
    column("version", BigInteger),
    column("pinned", Boolean),  # a re-pack never moves a pinned booking
    column("preferred_zone_id", Text),
)

# Owner: assigner. The live holds and assignments a snapshot shows.
allocations = table(
    "allocations",
    column("allocation_id", BigInteger),
    column("group_id", UUID(as_uuid=True)),
    column("venue_id", Text),
    column("table_id", Text),
    column("booking_id", UUID(as_uuid=True)),
    column("kind", Text),
    column("during", TSTZRANGE),
    column("expire_time", TIMESTAMP(timezone=True)),
    column("release_time", TIMESTAMP(timezone=True)),
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
