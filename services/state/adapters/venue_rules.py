"""Reads a venue's booking rules from the floor-plan tables (written by availability, read here)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.state.domain.validation import ServicePeriod, TurnTime, VenueRules
from shared.db.schema import service_periods, turn_times, venues, zones


class PostgresVenueRules:
    """Venue rules straight from PostgreSQL, the truth; one short read transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, venue_id: str) -> VenueRules | None:
        async with self._engine.connect() as db:
            venue = (
                await db.execute(
                    select(venues.c.timezone, venues.c.max_party_size).where(
                        venues.c.venue_id == venue_id
                    )
                )
            ).first()
            if venue is None:
                return None
            zone_ids = (
                await db.execute(select(zones.c.zone_id).where(zones.c.venue_id == venue_id))
            ).scalars()
            periods = await db.execute(
                select(
                    service_periods.c.weekday,
                    service_periods.c.start_local,
                    service_periods.c.end_local,
                ).where(service_periods.c.venue_id == venue_id)
            )
            bands = await db.execute(
                select(turn_times.c.min_party, turn_times.c.max_party, turn_times.c.minutes).where(
                    turn_times.c.venue_id == venue_id
                )
            )
            return VenueRules(
                venue_id=venue_id,
                timezone=ZoneInfo(venue.timezone),
                max_party_size=venue.max_party_size,
                zone_ids=frozenset(zone_ids),
                service_periods=tuple(ServicePeriod(*row) for row in periods),
                turn_times=tuple(TurnTime(*row) for row in bands),
            )
