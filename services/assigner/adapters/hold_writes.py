"""Holds as rows of the allocations table: placed, extended, released, confirmed and swept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_reads import AllocationReads
from services.assigner.adapters.allocation_writes import (
    allocation_rows,
    group_venue,
    insert_rows,
    lock_booking,
    lock_venues,
    lock_venues_of,
    refused_booking,
    release_expired_holds,
)
from services.assigner.adapters.tables import allocations
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.errors import HoldExpired


class HoldWrites:
    """Writes holds, one transaction per call; answers with what `reads` reads back."""

    def __init__(self, engine: AsyncEngine, reads: AllocationReads) -> None:
        self._engine = engine
        self._reads = reads

    async def place_hold(
        self,
        venue_id: str,
        table_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        ttl: timedelta,
        now: datetime,
        actor: str,
        booking_id: uuid.UUID | None = None,
        strategy: str = "",
        breakdown: dict[str, Any] | None = None,
    ) -> Allocation:
        """Reserve the tables over [start, end) until now + ttl; AllocationConflict if taken."""
        group_id = uuid.uuid4()
        async with self._engine.begin() as db:
            await lock_venues(db, (venue_id,))
            await release_expired_holds(db, venue_id, table_ids, start, end, now)
            await insert_rows(
                db,
                allocation_rows(
                    group_id,
                    venue_id,
                    table_ids,
                    start,
                    end,
                    kind="HOLD",
                    booking_id=booking_id,
                    expire_time=now + ttl,
                    actor=actor,
                    strategy=strategy,
                    score_breakdown=json.loads(json.dumps(breakdown or {})),
                ),
            )
        return await self._reads.get(group_id)  # type: ignore[return-value]

    async def extend_hold(self, group_id: uuid.UUID, ttl: timedelta, now: datetime) -> Allocation:
        async with self._engine.begin() as db:
            await lock_venues_of(db, group_venue(group_id))
            changed = await db.execute(
                update(allocations)
                .where(*self._live_hold(group_id, now))
                .values(expire_time=now + ttl)
            )
            if changed.rowcount == 0:
                raise HoldExpired(hold_id=group_id)
        return await self._reads.get(group_id)  # type: ignore[return-value]

    async def release_hold(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release a hold; False when it was not live (releasing twice is not an error)."""
        async with self._engine.begin() as db:
            await lock_venues_of(db, group_venue(group_id))
            changed = await db.execute(
                update(allocations)
                .where(
                    allocations.c.group_id == group_id,
                    allocations.c.kind == "HOLD",
                    allocations.c.release_time.is_(None),
                )
                .values(release_time=now)
            )
        return bool(changed.rowcount)

    async def confirm_hold(
        self, group_id: uuid.UUID, booking_id: uuid.UUID, now: datetime, actor: str
    ) -> Allocation:
        """Turn a live hold into the booking's assignment, atomically (same rows, same window)."""
        try:
            async with self._engine.begin() as db:
                venue_id = await db.scalar(group_venue(group_id))
                if venue_id is None:
                    raise HoldExpired(hold_id=group_id)
                await lock_booking(db, booking_id, venue_id)
                changed = await db.execute(
                    update(allocations)
                    .where(*self._live_hold(group_id, now))
                    .values(
                        kind="ASSIGNMENT",
                        booking_id=booking_id,
                        expire_time=None,
                        actor=actor,
                        strategy="hold",
                    )
                )
                if changed.rowcount == 0:
                    raise HoldExpired(hold_id=group_id)
        except IntegrityError as error:
            refused = refused_booking(error, booking_id)
            if refused is None:
                raise
            raise refused from error
        return await self._reads.get(group_id)  # type: ignore[return-value]

    async def sweep_expired_holds(self, now: datetime) -> int:
        """Release every expired hold (they already stopped counting; this tidies the rows)."""
        expired = (
            allocations.c.kind == "HOLD",
            allocations.c.release_time.is_(None),
            allocations.c.expire_time <= now,
        )
        async with self._engine.begin() as db:
            await lock_venues_of(db, select(allocations.c.venue_id).where(*expired).distinct())
            changed = await db.execute(update(allocations).where(*expired).values(release_time=now))
        return int(changed.rowcount)

    @staticmethod
    def _live_hold(group_id: uuid.UUID, now: datetime) -> list[Any]:
        return [
            allocations.c.group_id == group_id,
            allocations.c.kind == "HOLD",
            allocations.c.release_time.is_(None),
            allocations.c.expire_time > now,
        ]
