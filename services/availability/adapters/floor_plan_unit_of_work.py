"""A floor-plan unit of work on one PostgreSQL transaction: commit on request, else roll back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.availability.adapters.floor_plan_repository import PostgresFloorPlanRepository


class PostgresFloorPlanUnitOfWork:
    """Opens a connection and a transaction; `commit()` ends it, leaving without it rolls back.

    A read-only unit reads one snapshot (REPEATABLE READ), so a floor plan read in several
    queries is the plan of one version; writers use READ COMMITTED behind the venue's row lock.
    """

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self.floor_plans: PostgresFloorPlanRepository

    async def __aenter__(self) -> PostgresFloorPlanUnitOfWork:
        self._connection = await self._engine.connect()
        if self._read_only:
            await self._connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        await self._connection.begin()
        self.floor_plans = PostgresFloorPlanRepository(self._connection)
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
