"""The state service's unit of work: bookings, history, outbox, keys and venue rules."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.state.adapters.repository import PostgresBookingRepository
from services.state.adapters.venue_rules import PostgresVenueRules
from shared.db.transaction import Transaction


class PostgresUnitOfWork(Transaction):
    """Everything written through `bookings` commits together or not at all."""

    bookings: PostgresBookingRepository
    venues: PostgresVenueRules

    def opened(self, connection: AsyncConnection) -> None:
        self.bookings = PostgresBookingRepository(connection)
        self.venues = PostgresVenueRules(connection)

    async def commit(self) -> None:
        await self.bookings.flush()  # the rows the repository still holds go with this commit
        await super().commit()
