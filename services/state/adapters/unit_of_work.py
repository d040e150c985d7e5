"""A unit of work on one PostgreSQL transaction: commits on request, rolls back otherwise."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.state.adapters.repository import PostgresBookingRepository


class PostgresUnitOfWork:
    """Opens a connection and a transaction; `commit()` ends it, leaving without it rolls back."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self.bookings: PostgresBookingRepository

    async def __aenter__(self) -> PostgresUnitOfWork:
        self._connection = await self._engine.connect()
        await self._connection.begin()
        self.bookings = PostgresBookingRepository(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                await self._connection.rollback()
        finally:
            await self._connection.close()
            self._connection = None

    async def commit(self) -> None:
        assert self._connection is not None
        await self._connection.commit()
