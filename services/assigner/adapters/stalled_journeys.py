"""Bookings whose journey stopped moving: in a state the coordinator moves on, idle too long."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.read_only_tables import bookings, venue_policies
from services.assigner.domain.booking import BookingState

# The states the coordinator takes a booking out of on its own; ASSIGNED only where the venue
# confirms automatically (elsewhere it waits for the guest or ops, as it should).
MOVING_ON = (
    BookingState.CREATED,
    BookingState.CAPACITY_VERIFIED,
    BookingState.ASSIGNMENT_PENDING,
    BookingState.ASSIGNMENT_IN_PROGRESS,
)
DRIFTED = text("""
    SELECT b.venue_id, b.booking_id
    FROM bookings b
    LEFT JOIN (SELECT booking_id, array_agg(table_id ORDER BY table_id) AS tables
               FROM allocations
               WHERE kind = 'ASSIGNMENT' AND release_time IS NULL
               GROUP BY booking_id) live ON live.booking_id = b.booking_id
    WHERE b.state IN ('ASSIGNED', 'CONFIRMED')
      AND b.update_time < :idle_since AND b.start_time > :now
      AND ARRAY(SELECT t FROM unnest(b.table_ids) AS t ORDER BY t) IS DISTINCT FROM live.tables
      AND (live.tables IS NOT NULL OR cardinality(b.table_ids) > 0)
    ORDER BY b.update_time
    LIMIT :limit
""")


class PostgresStalledJourneys:
    """Reads the bookings table (the state service's; read only, as DESIGN allows)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def stalled(
        self, idle_since: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, UUID]]:
        """(venue, booking) of future bookings unchanged since `idle_since`, oldest first."""
        auto_confirmed = and_(
            bookings.c.state == BookingState.ASSIGNED, venue_policies.c.auto_confirm.is_not(False)
        )
        query = (
            select(bookings.c.venue_id, bookings.c.booking_id)
            .select_from(
                bookings.outerjoin(venue_policies, venue_policies.c.venue_id == bookings.c.venue_id)
            )
            .where(
                or_(bookings.c.state.in_(MOVING_ON), auto_confirmed),
                bookings.c.update_time < idle_since,
                bookings.c.start_time > now,
            )
            .order_by(bookings.c.update_time)
            .limit(limit)
        )
        async with self._engine.connect() as db:
            return [(venue_id, booking_id) for venue_id, booking_id in await db.execute(query)]

    async def drifted(
        self, idle_since: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, UUID]]:
        """(venue, booking) of future ASSIGNED or CONFIRMED bookings, unchanged since
        `idle_since`, whose tables in the state service are not those of their live assignment
        (a move committed whose record was cut off), or that have no live assignment at all
        (their tables were released under a record that landed after all)."""
        async with self._engine.connect() as db:
            found = await db.execute(
                DRIFTED, {"idle_since": idle_since, "now": now, "limit": limit}
            )
            return [(venue_id, booking_id) for venue_id, booking_id in found]
