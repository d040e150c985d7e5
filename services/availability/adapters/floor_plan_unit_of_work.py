"""A floor-plan unit of work on one PostgreSQL transaction: commit on request, else roll back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.floor_plan_repository import PostgresFloorPlanRepository
from shared.db.transaction import Transaction


class PostgresFloorPlanUnitOfWork(Transaction):
    """Readers see one snapshot of the plan; writers use READ COMMITTED behind the venue's lock."""

    floor_plans: PostgresFloorPlanRepository

    def opened(self, connection: AsyncConnection) -> None:
        self.floor_plans = PostgresFloorPlanRepository(connection)
