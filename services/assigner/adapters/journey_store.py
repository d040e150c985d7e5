"""The coordinator's records in PostgreSQL: venue rules, and one attempt row per try."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.read_only_tables import venue_policies
from services.assigner.adapters.tables import assignment_attempts
from services.assigner.application.coordinator_ports import Seating, VenueRules
from services.assigner.metrics import ASSIGNMENT_OUTCOMES
from shared.db.compiled_once import CompiledOnce

_ATTEMPTS = assignment_attempts
# The booking's next attempt, numbered after its last; ON CONFLICT has no cache key, so the
# statement is compiled once here rather than on every try.
INSERT_ATTEMPT = CompiledOnce(
    insert(_ATTEMPTS)
    .values(
        venue_id=bindparam("venue_id"),
        booking_id=bindparam("booking_id"),
        attempt_number=select(func.count() + 1)
        .where(_ATTEMPTS.c.booking_id == bindparam("booking_id"))
        .scalar_subquery(),
        outcome=bindparam("outcome"),
        reason=bindparam("reason"),
        strategy=bindparam("strategy"),
        table_ids=bindparam("table_ids"),
        booking_version=bindparam("booking_version"),
    )
    .on_conflict_do_nothing(
        index_elements=[_ATTEMPTS.c.booking_id, _ATTEMPTS.c.booking_version],
        index_where=text("outcome = 'NO_TABLE'"),  # a literal: the index must be inferable
    )
)


class PostgresRules:
    """The venue policy the coordinator obeys (defaults when a venue has no policy row)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, venue_id: str) -> VenueRules:
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    select(venue_policies.c.auto_confirm, venue_policies.c.retry_budget).where(
                        venue_policies.c.venue_id == venue_id
                    )
                )
            ).first()
        return VenueRules(auto_confirm=row[0], retry_budget=row[1]) if row else VenueRules(True, 5)


class PostgresAttempts:
    """Every try at seating a booking, and how many failed since it was last seated."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(
        self,
        venue_id: str,
        booking_id: UUID,
        outcome: str,
        seating: Seating | None,
        version: int | None = None,
    ) -> int:
        async with self._engine.begin() as db:
            inserted = await insert_attempt(
                db,
                venue_id,
                booking_id,
                outcome,
                reason=seating.reason if seating else outcome.lower(),
                strategy=seating.strategy if seating else "",
                table_ids=seating.table_ids if seating else (),
                booking_version=version,
            )
        if inserted:
            ASSIGNMENT_OUTCOMES.labels(
                strategy=seating.strategy if seating else "", outcome=outcome.lower()
            ).inc()
        if outcome == "ASSIGNED":
            return 0  # failures count from the last seating, which this row is: no need to read
        failures, _ = await self.last_failure(booking_id)
        return failures

    async def last_failure(self, booking_id: UUID) -> tuple[int, datetime | None]:
        attempts = assignment_attempts
        async with self._engine.connect() as db:
            seated = await db.scalar(
                select(func.max(attempts.c.attempt_id)).where(
                    attempts.c.booking_id == booking_id, attempts.c.outcome == "ASSIGNED"
                )
            )
            row = (
                await db.execute(
                    select(func.count(), func.max(attempts.c.create_time)).where(
                        attempts.c.booking_id == booking_id,
                        attempts.c.outcome != "ASSIGNED",
                        attempts.c.attempt_id > (seated or 0),
                    )
                )
            ).one()
        return int(row[0]), row[1]


async def insert_attempt(
    db: AsyncConnection,
    venue_id: str,
    booking_id: UUID,
    outcome: str,
    *,
    reason: str,
    strategy: str,
    table_ids: Sequence[str],
    booking_version: int | None = None,
) -> bool:
    """Add the booking's next attempt row, numbered after its last, in one statement; False
    when a NO_TABLE try at this booking version is on record already (a rival replica's)."""
    added = await INSERT_ATTEMPT.execute(
        db,
        {
            "venue_id": venue_id,
            "booking_id": booking_id,
            "outcome": outcome,
            "reason": reason,
            "strategy": strategy,
            "table_ids": list(table_ids),
            "booking_version": booking_version,
        },
    )
    return bool(added.rowcount)
