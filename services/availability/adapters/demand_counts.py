"""The venue's demand counts read from PostgreSQL for the yield policy's say in slot searches."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.read_only_tables import demand_date_counts, demand_days
from shared.db.demand_history import read_demand_history
from shared.seating.demand import DemandHistory


class PostgresDemandCounts:
    """One short read per search, and only for a venue whose yield policy is on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def history(self, venue_id: str, day: date) -> DemandHistory:
        async with self._engine.connect() as db:
            return await read_demand_history(db, demand_date_counts, demand_days, venue_id, day)
