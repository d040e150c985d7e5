"""The state service's unit of work: bookings, history, outbox and keys in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.state.adapters.repository import PostgresBookingRepository
from shared.db.transaction import Transaction


class PostgresUnitOfWork(Transaction):
    """Everything written through `bookings` commits together or not at all."""

    bookings: PostgresBookingRepository

    def opened(self, connection: AsyncConnection) -> None:
        self.bookings = PostgresBookingRepository(connection)
