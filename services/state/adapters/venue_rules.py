"""Reads a venue's booking rules from the floor-plan tables (written by availability, read here)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.state.domain.validation import ServicePeriod, TurnTime, VenueRules
from shared.db.schema import service_periods, turn_times, venues, zones

# Built once: the statements of every CreateBooking, bound per call.
_VENUE: BindParameter[str] = bindparam("venue_id")
VENUE = select(venues.c.timezone, venues.c.max_party_size).where(venues.c.venue_id == _VENUE)
ZONES = select(zones.c.zone_id).where(zones.c.venue_id == _VENUE)
PERIODS = select(
    service_periods.c.weekday, service_periods.c.start_local, service_periods.c.end_local
).where(service_periods.c.venue_id == _VENUE)
BANDS = select(turn_times.c.min_party, turn_times.c.max_party, turn_times.c.minutes).where(
    turn_times.c.venue_id == _VENUE
)


class PostgresVenueRules:
    """Venue rules straight from PostgreSQL, the truth, read in the booking's own transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get(self, venue_id: str) -> VenueRules | None:
        key = {"venue_id": venue_id}
        venue = (await self._db.execute(VENUE, key)).first()
        if venue is None:
            return None
        zone_ids = (await self._db.execute(ZONES, key)).scalars()
        periods = await self._db.execute(PERIODS, key)
        bands = await self._db.execute(BANDS, key)
        return VenueRules(
            venue_id=venue_id,
            timezone=ZoneInfo(venue.timezone),
            max_party_size=venue.max_party_size,
            zone_ids=frozenset(zone_ids),
            service_periods=tuple(ServicePeriod(*row) for row in periods),
            turn_times=tuple(TurnTime(*row) for row in bands),
        )
