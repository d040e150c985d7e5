"""The database check every race and fault test ends with: tables follow the bookings' states."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ENDED_WITH_TABLES = """
SELECT DISTINCT b.booking_id FROM bookings b JOIN allocations a ON a.booking_id = b.booking_id
WHERE b.venue_id = :v AND a.kind = 'ASSIGNMENT' AND a.release_time IS NULL
  AND b.state IN ('CANCELLED', 'NO_SHOW', 'REJECTED')
"""
# A booking that holds tables has exactly the ones it recorded in force, no fewer, no others.
HOLDING_WITHOUT_THEIR_TABLES = """
SELECT b.booking_id FROM bookings b
WHERE b.venue_id = :v AND b.state IN ('ASSIGNED', 'CONFIRMED')
  AND (SELECT coalesce(array_agg(t ORDER BY t), '{}') FROM unnest(b.table_ids) t)
      IS DISTINCT FROM ARRAY(
      SELECT a.table_id FROM allocations a WHERE a.booking_id = b.booking_id
        AND a.kind = 'ASSIGNMENT' AND a.release_time IS NULL ORDER BY a.table_id)
"""
OVERLAPS = """
SELECT count(*) FROM allocations a JOIN allocations b
  ON a.venue_id = b.venue_id AND a.table_id = b.table_id AND a.allocation_id < b.allocation_id
  AND a.during && b.during
WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL
  AND (a.kind <> 'HOLD' OR a.expire_time > now()) AND (b.kind <> 'HOLD' OR b.expire_time > now())
"""


async def _ids(db: AsyncConnection, query: str, venue_id: str) -> list[str]:
    return sorted(str(row[0]) for row in await db.execute(text(query), {"v": venue_id}))


async def table_faults(engine: AsyncEngine, venue_id: str) -> dict[str, list[str]]:
    """What is wrong with the venue's tables: bookings that ended yet keep tables, assigned or
    confirmed bookings whose recorded tables are not the ones in force, and overlapping pairs
    (as many "pair" entries as there are). Empty lists everywhere: all is well."""
    async with engine.connect() as db:
        overlapping = int(await db.scalar(text(OVERLAPS), {"v": venue_id}) or 0)
        return {
            "ended_with_tables": await _ids(db, ENDED_WITH_TABLES, venue_id),
            "holding_without_their_tables": await _ids(db, HOLDING_WITHOUT_THEIR_TABLES, venue_id),
            "overlaps": ["pair"] * overlapping,
        }


def all_well(faults: dict[str, list[str]]) -> bool:
    return not any(faults.values())
