"""What the database must still hold after the fuzz: every change whole, nothing overlapping."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Each query counts the rows that break one rule; every count must be 0.
RULES = {
    "bookings without a history row": """
        SELECT count(*) FROM bookings b WHERE NOT EXISTS (
            SELECT 1 FROM booking_state_history h WHERE h.booking_id = b.booking_id)""",
    "bookings whose latest history row names another state": """
        SELECT count(*) FROM bookings b JOIN LATERAL (
            SELECT to_state FROM booking_state_history h WHERE h.booking_id = b.booking_id
            ORDER BY h.version DESC, h.history_id DESC LIMIT 1) latest ON true
        WHERE latest.to_state <> b.state""",
    "bookings without the idempotency key of their creation": """
        SELECT count(*) FROM bookings b WHERE NOT EXISTS (
            SELECT 1 FROM idempotency_keys k WHERE k.venue_id = b.venue_id
            AND k.request_id = b.request_id AND k.booking_id = b.booking_id)""",
    "idempotency keys of a booking that does not exist": """
        SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS (
            SELECT 1 FROM bookings b WHERE b.booking_id = k.booking_id)""",
    "history rows of a venue other than their booking's": """
        SELECT count(*) FROM booking_state_history h JOIN bookings b USING (booking_id)
        WHERE h.venue_id <> b.venue_id""",
    "overlapping allocations in force": """
        SELECT count(*) FROM allocations a JOIN allocations b
        ON a.venue_id = b.venue_id AND a.table_id = b.table_id AND a.allocation_id < b.allocation_id
        AND a.during && b.during
        WHERE a.release_time IS NULL AND b.release_time IS NULL
        AND (a.kind <> 'HOLD' OR a.expire_time > now())
        AND (b.kind <> 'HOLD' OR b.expire_time > now())""",
    "allocations of a table their venue does not have": """
        SELECT count(*) FROM allocations a WHERE NOT EXISTS (
            SELECT 1 FROM dining_tables t
            WHERE t.venue_id = a.venue_id AND t.table_id = a.table_id)""",
    "assignments of a booking that does not exist or is in another venue": """
        SELECT count(*) FROM allocations a LEFT JOIN bookings b USING (booking_id)
        WHERE a.kind = 'ASSIGNMENT' AND (b.booking_id IS NULL OR b.venue_id <> a.venue_id)""",
    "tables in a zone their venue does not have": """
        SELECT count(*) FROM dining_tables t WHERE NOT EXISTS (
            SELECT 1 FROM zones z WHERE z.venue_id = t.venue_id AND z.zone_id = t.zone_id)""",
}


async def broken_rules(engine: AsyncEngine) -> dict[str, int]:
    """Each rule the database breaks, with how many rows break it."""
    broken = {}
    async with engine.connect() as db:
        for rule, query in RULES.items():
            count = int(await db.scalar(text(query)) or 0)
            if count:
                broken[rule] = count
    return broken
