"""Assignments as rows of the allocations table: a booking's live one, written, moved, released."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_reads import AllocationReads, load_groups
from services.assigner.adapters.allocation_writes import (
    allocation_rows,
    group_venue,
    insert_rows,
    lock_booking,
    lock_venues,
    lock_venues_of,
    release_expired_holds,
)
from services.assigner.adapters.assignment_insert import insert_unless_live
from services.assigner.adapters.read_only_tables import bookings, venue_policies
from services.assigner.adapters.tables import allocations
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.booking import BookingState
from services.assigner.domain.errors import BookingNotReady
from services.assigner.domain.unrecorded import keeps_unrecorded
from services.assigner.metrics import ASSIGNMENT_OUTCOMES, ENDED_ASSIGNMENTS_RELEASED

# A booking in one of these states has ended: it never needs a table again.
ENDED = (BookingState.CANCELLED, BookingState.NO_SHOW, BookingState.REJECTED)
# A booking in one of these states holds no tables. A write for it (a manual or moved seating)
# is recorded within moments; one still unrecorded after the grace lost its record to a crash.
WAITING = (
    BookingState.ASSIGNMENT_PENDING,
    BookingState.MANUAL_REVIEW,
)
UNRECORDED_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500  # bookings a sweep takes at most: its locks and its statement stay small
# The coordinator's first try writes the tables of a booking in one of these states and records
# them in the next advance. While the booking lies ahead the stall sweeper drives it again until
# they are recorded (or it is rejected, cancelled or sent back, which releases them), so they
# are left alone: releasing them under that drive would let its advance record tables no longer
# held, however long the grace. A drive redelivered or reclaimed after the start still takes
# them up (and records them) without a capacity check, so they are released only once the
# booking's end has passed: no seating is harmed then, and a late record of them harms nobody.
FIRST_TRY = (
    BookingState.CREATED,
    BookingState.CAPACITY_VERIFIED,
)
# A booking in one of these states has its tables on record at the state service.
RECORDS_TABLES = (BookingState.ASSIGNED, BookingState.CONFIRMED)


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
        version: int | None = None,
    ) -> tuple[Allocation, bool]:
        """Allocate the tables to the booking; returns its live assignment (the one it already
        had, if any) and whether this call wrote it.

        With `attempt_reason` the ASSIGNED attempt of an allocation this call writes is noted in
        the same transaction; an allocation found already made was noted by its own writer.
        With `version` it writes only while the booking is at that version (BookingNotReady
        otherwise), judged under the booking's row lock: the state service cannot move it
        until this transaction ends.
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
                version=version,
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
        version: int | None = None,
        release_holds: bool = True,
    ) -> tuple[Allocation, bool]:
        """`assign`, in the caller's transaction (one that read the day first, say); the
        caller counts the outcome once it commits. `release_holds=False` skips the release of
        expired holds in the way, for a caller that read in this transaction that none is."""
        current = await lock_booking(db, booking_id, venue_id)  # the venue's writers take turns
        if version is not None and current != version:
            # A writer acting on a stale view of the booking (a duplicate event, say) writes
            # nothing: the booking moved on, and its tables are for the current version's drive.
            raise BookingNotReady("booking_moved", booking_id=booking_id)
        # Before the look for a live assignment, which is one statement with the write: an
        # expired hold is dead either way, so releasing it when nothing is written harms nobody.
        if release_holds:
            await release_expired_holds(db, venue_id, table_ids, start, end, now)
        return await insert_unless_live(
            db,
            venue_id,
            booking_id,
            table_ids,
            start,
            end,
            actor=actor,
            strategy=strategy,
            breakdown=breakdown,
            attempt_reason=attempt_reason,
        )

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

    async def restore_recorded(self, booking_id: uuid.UUID, now: datetime) -> Allocation | None:
        """Allocate again the tables an ASSIGNED or CONFIRMED booking recorded when it has no
        live assignment (one released under a record that landed after all); decided under the
        booking's row lock, so its state and tables cannot change meanwhile. Writes only free
        tables and never moves the booking: None when it wrote nothing (the booking moved on,
        has an assignment, or a rival holds one of its tables: AllocationConflict)."""
        async with self._engine.begin() as db:
            booking = (
                await db.execute(
                    select(
                        bookings.c.venue_id, bookings.c.state, bookings.c.table_ids,
                        bookings.c.start_time, bookings.c.end_time,
                    ).where(bookings.c.booking_id == booking_id)
                )
            ).first()  # fmt: skip
            if booking is None:
                return None
            await lock_booking(db, booking_id, booking.venue_id)
            booking = (  # read again under the lock, with the venue's cleaning buffer
                await db.execute(
                    select(
                        bookings.c.venue_id, bookings.c.state, bookings.c.table_ids,
                        bookings.c.start_time, bookings.c.end_time,
                        venue_policies.c.cleaning_buffer_minutes,
                    )
                    .select_from(bookings.outerjoin(
                        venue_policies, venue_policies.c.venue_id == bookings.c.venue_id
                    ))
                    .where(bookings.c.booking_id == booking_id)
                )
            ).one()  # fmt: skip
            if booking.state not in RECORDS_TABLES or not booking.table_ids:
                return None
            if await self._live_group(db, booking_id, "ASSIGNMENT") is not None:
                return None
            group_id = uuid.uuid4()
            buffer = timedelta(minutes=booking.cleaning_buffer_minutes or 0)
            await _insert_assignment(
                db,
                group_id,
                booking.venue_id,
                booking_id,
                booking.table_ids,
                booking.start_time,
                booking.end_time + buffer,
                now=now,
                actor="assigner",
                strategy="restored",
                breakdown={"source": "restored", "reason": "recorded tables had no allocation"},
            )
            (written,) = await load_groups(db, [group_id])
        return written

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
        database refused them left behind), of a booking that holds no tables when the
        assignment is older than the grace (a crash between the write and its record), and of
        a first try's booking whose end has passed, past the grace too (a first try cut off:
        see FIRST_TRY); returns how many assignments it released.

        The bookings are taken FOR UPDATE SKIP LOCKED before their venues' version rows (the
        writers' lock order): one a writer holds (a drive taking up its tables, the state
        service moving it) is left to the next sweep rather than raced or waited for."""
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
                and_(
                    bookings.c.state.in_(FIRST_TRY),
                    bookings.c.end_time < now,
                    allocations.c.create_time < now - UNRECORDED_GRACE,
                ),
            ),
        )
        due = (
            select(bookings.c.booking_id, bookings.c.venue_id)
            .where(exists(select(allocations.c.group_id).where(ended).correlate(bookings)))
            .order_by(bookings.c.booking_id)
            .limit(SWEEP_BATCH)
            .with_for_update(of=bookings, skip_locked=True)
        )
        async with self._engine.begin() as db:
            taken = (await db.execute(due)).all()
            if not taken:
                return 0
            await lock_venues(db, {row.venue_id for row in taken})
            released = await db.execute(
                update(allocations)
                .where(ended, allocations.c.booking_id.in_([row.booking_id for row in taken]))
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
