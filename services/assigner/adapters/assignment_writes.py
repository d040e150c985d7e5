"""Assignments as rows of the allocations table: a booking's live one, written, moved, released."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_reads import AllocationReads, load_groups
from services.assigner.adapters.allocation_writes import (
    allocation_rows,
    group_venue,
    insert_rows,
    lock_booking,
    lock_venues_of,
    release_expired_holds,
)
from services.assigner.adapters.journey_store import insert_attempt
from services.assigner.adapters.read_only_tables import bookings
from services.assigner.adapters.tables import allocations
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.booking import BookingState
from services.assigner.domain.unrecorded import keeps_unrecorded
from services.assigner.metrics import ASSIGNMENT_OUTCOMES, ENDED_ASSIGNMENTS_RELEASED

# A booking in one of these states has ended: it never needs a table again.
ENDED = (BookingState.CANCELLED, BookingState.NO_SHOW, BookingState.REJECTED)
# A booking in one of these states holds no tables. A write for it (a manual or moved seating)
# is recorded within moments; one still unrecorded after the grace lost its record to a crash.
# CREATED and CAPACITY_VERIFIED are not here: the coordinator's first try writes their tables
# and records them in the next advance, and the stall sweeper drives such a booking again until
# it does (or rejects, cancels or sends it back, which releases them); releasing them under a
# late drive would let that advance record tables no longer held.
WAITING = (
    BookingState.ASSIGNMENT_PENDING,
    BookingState.MANUAL_REVIEW,
)
UNRECORDED_GRACE = timedelta(minutes=2)


class AssignmentWrites:
    """Writes assignments, one transaction per call; answers with what `reads` reads back."""

    def __init__(self, engine: AsyncEngine, reads: AllocationReads) -> None:
        self._engine = engine
        self._reads = reads

    async def live_assignment(self, booking_id: uuid.UUID) -> Allocation | None:
        """The booking's assignment in force, if any."""
        async with self._engine.connect() as db:
            group = await self._live_group(db, booking_id, "ASSIGNMENT")
        return await self._reads.get(group) if group else None

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
    ) -> tuple[Allocation, bool]:
        """Allocate the tables to the booking; returns its live assignment (the one it already
        had, if any) and whether this call wrote it.

        With `attempt_reason` the ASSIGNED attempt of an allocation this call writes is noted in
        the same transaction; an allocation found already made was noted by its own writer.
        """
        async with self._engine.begin() as db:
            written, wrote = await self.assign_in(
                db,
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
            )
        if wrote and attempt_reason is not None:
            ASSIGNMENT_OUTCOMES.labels(strategy=written.strategy, outcome="assigned").inc()
        return written, wrote

    @staticmethod
    async def assign_in(
        db: AsyncConnection,
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
    ) -> tuple[Allocation, bool]:
        """`assign`, in the caller's transaction (one that read the day first, say); the
        caller counts the outcome once it commits."""
        await lock_booking(db, booking_id, venue_id)  # the venue's writers take turns
        existing = await AssignmentWrites._live_group(db, booking_id, "ASSIGNMENT")
        wrote = existing is None
        if existing is None:
            existing = uuid.uuid4()
            await _insert_assignment(
                db,
                existing,
                venue_id,
                booking_id,
                table_ids,
                start,
                end,
                now=now,
                actor=actor,
                strategy=strategy,
                breakdown=breakdown,
            )
        (written,) = await load_groups(db, [existing])  # in this transaction: no second
        if wrote and attempt_reason is not None:
            await insert_attempt(
                db,
                venue_id,
                booking_id,
                "ASSIGNED",
                reason=attempt_reason,
                strategy=written.strategy,
                table_ids=written.table_ids,
            )
        return written, wrote

    async def replace_assignment(
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
    ) -> tuple[Allocation, Allocation | None]:
        """Move the booking to these tables: its live assignment is released and the new one
        written in one transaction, or nothing changes (AllocationConflict). Returns both."""
        group_id = uuid.uuid4()
        async with self._engine.begin() as db:
            # Two replacements of one booking must not both see the old group and both insert.
            await lock_booking(db, booking_id, venue_id)
            previous = await self._live_group(db, booking_id, "ASSIGNMENT")
            if previous is not None:
                await db.execute(
                    update(allocations)
                    .where(allocations.c.group_id == previous, allocations.c.release_time.is_(None))
                    .values(release_time=now)
                )
            await _insert_assignment(
                db,
                group_id,
                venue_id,
                booking_id,
                table_ids,
                start,
                end,
                now=now,
                actor=actor,
                strategy=strategy,
                breakdown=breakdown,
            )
            # Read in this transaction: a release committed after it cannot make either vanish.
            groups = await load_groups(db, [group_id, *([previous] if previous else [])])
        return groups[0], groups[1] if previous else None

    async def release_allocation(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release one allocation of any kind; False when it was not in force."""
        async with self._engine.begin() as db:
            await lock_venues_of(db, group_venue(group_id))
            changed = await db.execute(
                update(allocations)
                .where(allocations.c.group_id == group_id, allocations.c.release_time.is_(None))
                .values(release_time=now)
            )
        return bool(changed.rowcount)

    async def release_unless_recorded(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release a live assignment whose record failed, unless the booking keeps it (see
        `keeps_unrecorded`); decided under the booking's row lock. True when it released."""
        async with self._engine.begin() as db:
            rows = (
                await db.execute(
                    select(
                        allocations.c.booking_id, allocations.c.venue_id, allocations.c.table_id
                    ).where(
                        allocations.c.group_id == group_id, allocations.c.release_time.is_(None)
                    )
                )
            ).all()
            if not rows:
                return False
            booking_id = rows[0].booking_id
            await lock_booking(db, booking_id, rows[0].venue_id)
            booking = (
                await db.execute(
                    select(bookings.c.state, bookings.c.table_ids).where(
                        bookings.c.booking_id == booking_id
                    )
                )
            ).first()
            others = await self._live_groups_besides(db, booking_id, group_id)
            if booking is not None and keeps_unrecorded(
                booking.state, booking.table_ids or (), [r.table_id for r in rows], others
            ):
                return False
            await db.execute(
                update(allocations)
                .where(allocations.c.group_id == group_id, allocations.c.release_time.is_(None))
                .values(release_time=now)
            )
        return True

    @staticmethod
    async def _live_groups_besides(
        db: AsyncConnection, booking_id: uuid.UUID, group_id: uuid.UUID
    ) -> int:
        found = await db.scalar(
            select(func.count(func.distinct(allocations.c.group_id))).where(
                allocations.c.booking_id == booking_id,
                allocations.c.kind == "ASSIGNMENT",
                allocations.c.release_time.is_(None),
                allocations.c.group_id != group_id,
            )
        )
        return int(found or 0)

    async def release_ended_assignments(self, now: datetime) -> int:
        """Release every live assignment of a booking that ended (what writes from before the
        database refused them left behind), and of a booking that holds no tables when the
        assignment is older than the grace (a crash between the write and its record);
        returns how many assignments it released."""
        ended = and_(
            allocations.c.kind == "ASSIGNMENT",
            allocations.c.release_time.is_(None),
            allocations.c.booking_id == bookings.c.booking_id,
            or_(
                bookings.c.state.in_(ENDED),
                and_(
                    bookings.c.state.in_(WAITING),
                    allocations.c.create_time < now - UNRECORDED_GRACE,
                ),
            ),
        )
        async with self._engine.begin() as db:
            await lock_venues_of(db, select(allocations.c.venue_id).where(ended).distinct())
            released = await db.execute(
                update(allocations)
                .where(ended)
                .values(release_time=now)
                .returning(allocations.c.group_id)
            )
            count = len({row.group_id for row in released})
        ENDED_ASSIGNMENTS_RELEASED.inc(count)
        return count

    @staticmethod
    async def _live_group(
        db: AsyncConnection, booking_id: uuid.UUID, kind: str
    ) -> uuid.UUID | None:
        found = await db.scalar(
            select(allocations.c.group_id)
            .where(
                allocations.c.booking_id == booking_id,
                allocations.c.kind == kind,
                allocations.c.release_time.is_(None),
            )
            .limit(1)
        )
        return found


async def _insert_assignment(
    db: AsyncConnection,
    group_id: uuid.UUID,
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
) -> None:
    """Write a booking's assignment over expired holds of the same tables (which it releases)."""
    await release_expired_holds(db, venue_id, table_ids, start, end, now)
    rows = allocation_rows(
        group_id,
        venue_id,
        table_ids,
        start,
        end,
        kind="ASSIGNMENT",
        booking_id=booking_id,
        actor=actor,
        strategy=strategy,
        score_breakdown=json.loads(json.dumps(breakdown)),
    )
    await insert_rows(db, rows)
