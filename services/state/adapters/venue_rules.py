"""Reads a venue's booking rules from the floor-plan tables (written by availability, read here)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.state.domain.validation import ServicePeriod, TurnTime, VenueRules

# One round trip for every CreateBooking: the venue, its zones, periods and turn times.
RULES = text(
    """
    SELECT v.timezone, v.max_party_size,
        (SELECT coalesce(array_agg(z.zone_id), '{}') FROM zones z
            WHERE z.venue_id = v.venue_id) AS zone_ids,
        (SELECT coalesce(json_agg(json_build_array(p.weekday, p.start_local, p.end_local)), '[]')
            FROM service_periods p WHERE p.venue_id = v.venue_id) AS periods,
        (SELECT coalesce(json_agg(json_build_array(t.min_party, t.max_party, t.minutes)), '[]')
            FROM turn_times t WHERE t.venue_id = v.venue_id) AS bands
    FROM venues v WHERE v.venue_id = :venue_id
    """
)


class PostgresVenueRules:
    """Venue rules straight from PostgreSQL, the truth, read in the booking's own transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get(self, venue_id: str) -> VenueRules | None:
        row = (await self._db.execute(RULES, {"venue_id": venue_id})).first()
        if row is None:
            return None
        return VenueRules(
            venue_id=venue_id,
            timezone=ZoneInfo(row.timezone),
            max_party_size=row.max_party_size,
            zone_ids=frozenset(row.zone_ids),
            service_periods=tuple(
                ServicePeriod(weekday, time.fromisoformat(start), time.fromisoformat(end))
                for weekday, start, end in row.periods
            ),
            turn_times=tuple(TurnTime(*band) for band in row.bands),
        )
