"""One transaction that reads a venue's day and writes the assignment ranked on it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.assignment_writes import AssignmentWrites
from services.assigner.adapters.read_only_tables import bookings
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.venue_day import VenueDay
from services.assigner.metrics import ASSIGNMENT_OUTCOMES
from shared.seating.admission import SeatedBooking
from shared.seating.demand import DemandHistory


@dataclass
class DaySession:
    """The reads and the assignment write of one try, in one READ COMMITTED transaction.

    The read takes no lock; taking up an assignment already made holds the booking's row FOR
    SHARE (`version`), and the write takes the booking's and the venue's (`lock_booking`) as
    every allocation writer does, and the exclusion constraint judges the plan as ever, so a
    floor that changed between the read and the write costs a refused plan, never an overlap.
    The write is refused too when the booking left the version the try acts on.
    """

    db: AsyncConnection
    reader: SeatingReader
    assigned: list[str] = field(default_factory=list)  # strategies of attempts noted
    day: VenueDay | None = None  # the day this session read, once read

    async def read(
        self,
        venue_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        excluding: uuid.UUID | None = None,
    ) -> VenueDay | None:
        self.day = await self.reader.read_in(self.db, venue_id, start, end, now, excluding)
        return self.day

    async def yield_view(
        self, venue_id: str, day_start: datetime, day_end: datetime, day: date, now: datetime
    ) -> tuple[tuple[SeatedBooking, ...], DemandHistory]:
        return await self.reader.yield_view_in(self.db, venue_id, day_start, day_end, day, now)

    async def version(self, booking_id: uuid.UUID) -> int | None:
        # FOR SHARE, as `lock_booking` takes it: the version cannot move until the session
        # ends, and a sweep skips the booking meanwhile. This path takes no venue row after.
        return await self.db.scalar(
            select(bookings.c.version)
            .where(bookings.c.booking_id == booking_id)
            .with_for_update(read=True)
        )

    async def tried(self, booking_id: uuid.UUID) -> bool:
        return await self.reader.tried_in(self.db, booking_id)

    async def assign(
        self,
        venue_id: str,
        booking_id: uuid.UUID,
        table_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        actor: str,
        strategy: str,
        breakdown: dict[str, Any],
        attempt_reason: str | None = None,
        version: int | None = None,
    ) -> tuple[Allocation, bool]:
        written, wrote = await AssignmentWrites.assign_in(
            self.db,
            venue_id,
            booking_id,
            table_ids,
            start,
            end,
            now=now,
            actor=actor,
            strategy=strategy,
            breakdown=breakdown,
            attempt_reason=attempt_reason,
            version=version,
            release_holds=self._expired_hold_on(table_ids),
        )
        if wrote and attempt_reason is not None:
            self.assigned.append(written.strategy)
        return written, wrote

    def _expired_hold_on(self, table_ids: Sequence[str]) -> bool:
        """Whether an expired hold may be in the way of these tables. Another's hold live when
        the day was read left its tables busy, so no plan takes them; one placed and expired
        since (its whole TTL within the try) costs the plan a conflict, never an overlap."""
        return self.day is None or not self.day.expired_holds.isdisjoint(table_ids)


class DayWrites:
    """Opens day sessions over one engine; a session commits when its block ends normally."""

    def __init__(self, engine: AsyncEngine, reader: SeatingReader | None = None) -> None:
        # READ COMMITTED said, not assumed from the server's default: the read takes no lock and
        # each statement sees what committed before it, so the write sees rivals' allocations.
        self._engine = engine.execution_options(isolation_level="READ COMMITTED")
        self._reader = reader or SeatingReader(engine)  # share one to share its combinations

    @asynccontextmanager
    async def session(self) -> AsyncIterator[DaySession]:
        async with self._engine.begin() as db:
            session = DaySession(db, self._reader)
            yield session
        for strategy in session.assigned:  # counted once committed
            ASSIGNMENT_OUTCOMES.labels(strategy=strategy, outcome="assigned").inc()
