"""The engine assigner on real PostgreSQL: the day read and the first write in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.journey_store import PostgresAttempts
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.tables import allocations, assignment_attempts
from services.assigner.application.assign import EngineAssigner
from services.assigner.domain.booking import BookingState, BookingView
from services.assigner.domain.errors import BookingNotReady
from shared.db.engine import async_url
from tests.service.availability_floor import add_booking, allocate, seed_floor, tomorrow_at


def _view(booking_id: uuid.UUID, venue: str, start: datetime) -> BookingView:
    return BookingView(
        booking_id=booking_id, venue_id=venue, state=BookingState.ASSIGNMENT_IN_PROGRESS,
        version=1, party_size=2, start=start, end=start + timedelta(minutes=90),
        preferred_zone_id=None, table_ids=(),
    )  # fmt: skip


async def test_a_booking_that_has_tables_gets_them_back_without_a_second_write(engine):
    """The day's read finds the booking's live assignment: assigning again returns it and
    writes nothing (a redelivered event, a drive after a crash)."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(19)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    store = AllocationStore(engine)
    assigner = EngineAssigner(
        SeatingReader(engine), store.assignments, lambda: datetime.now(UTC), DayWrites(engine)
    )

    first = await assigner.assign(_view(booking, venue, start))
    again = await assigner.assign(_view(booking, venue, start))

    assert first.seated and first.group_id is not None
    assert (again.group_id, again.table_ids, again.reason) == (
        first.group_id, first.table_ids, "already allocated",
    )  # fmt: skip
    assert again.rules is not None and again.rules.auto_confirm == first.rules.auto_confirm
    live = await store.assignments.live_assignment(booking)
    assert live is not None and live.group_id == first.group_id


async def test_the_coordinators_try_notes_its_attempt_with_the_allocation(engine):
    """With `note_attempt` the ASSIGNED attempt is written in the allocation's transaction,
    numbered after the booking's earlier tries, and failures count from it."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(20)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    attempts = PostgresAttempts(engine)
    await attempts.record(venue, booking, "NO_TABLE", None)
    assigner = EngineAssigner(SeatingReader(engine), AllocationStore(engine).assignments,
                              lambda: datetime.now(UTC), DayWrites(engine))  # fmt: skip

    seating = await assigner.assign(_view(booking, venue, start), note_attempt=True)

    assert seating.seated and seating.attempt_noted
    async with engine.connect() as db:
        rows = (
            await db.execute(
                select(
                    assignment_attempts.c.attempt_number, assignment_attempts.c.outcome,
                    assignment_attempts.c.strategy, assignment_attempts.c.table_ids,
                )
                .where(assignment_attempts.c.booking_id == booking)
                .order_by(assignment_attempts.c.attempt_id)
            )
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (1, "NO_TABLE", "", []),
        (2, "ASSIGNED", seating.strategy, list(seating.table_ids)),
    ]
    assert (await attempts.last_failure(booking))[0] == 0


async def test_a_no_table_try_counts_once_per_booking_version_however_many_replicas_note_it(
    engine,
):
    """Two replicas driving one booking at one version both find no table: one retry is spent."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    booking = await add_booking(engine, venue, tomorrow_at(20), 2, "ASSIGNMENT_IN_PROGRESS")
    attempts = PostgresAttempts(engine)
    first = await attempts.record(venue, booking, "NO_TABLE", None, 4)
    rival = await attempts.record(venue, booking, "NO_TABLE", None, 4)
    later = await attempts.record(venue, booking, "NO_TABLE", None, 6)
    assert (first, rival, later) == (1, 1, 2)
    down = [await attempts.record(venue, booking, "DEPENDENCY_DOWN", None) for _ in range(2)]
    assert down == [3, 4]  # tries with no version are each counted


class _RivalAfterRead:
    """Day sessions in which a rival commits a write between the day's read and our write."""

    def __init__(self, inner: DayWrites, rival: Callable[[], Awaitable[Any]]) -> None:
        self.inner, self.rival, self.writes = inner, rival, 0

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        async with self.inner.session() as session:
            outer = self

            class Session:
                async def read(self, *args: Any, **kwargs: Any) -> Any:
                    day = await session.read(*args, **kwargs)
                    await outer.rival()
                    return day

                async def assign(self, *args: Any, **kwargs: Any) -> Any:
                    outer.writes += 1
                    return await session.assign(*args, **kwargs)

            yield Session()


async def test_a_table_a_rival_takes_after_the_read_sends_the_write_to_the_next_plan(engine):
    """The best plan (t1, an exact fit for two) is held by a rival between the read and the
    write: the session's write is refused and rolled back, and the next plan is written in a
    transaction of its own, with its attempt noted once."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(19)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")

    async def rival() -> None:
        await allocate(engine, venue, ["t1"], start, start + timedelta(hours=3), kind="HOLD",
                       expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip

    sessions = _RivalAfterRead(DayWrites(engine), rival)
    store = AllocationStore(engine).assignments
    assigner = EngineAssigner(SeatingReader(engine), store, lambda: datetime.now(UTC), sessions)

    seating = await assigner.assign(_view(booking, venue, start), note_attempt=True)

    assert sessions.writes == 1  # the session tried the best plan once
    assert seating.seated and f"{venue}-t1" not in seating.table_ids
    live = await store.live_assignment(booking)
    assert live is not None and live.table_ids == seating.table_ids
    async with engine.connect() as db:
        tried = await db.scalar(
            select(func.count()).where(assignment_attempts.c.booking_id == booking)
        )
        ours = await db.scalar(
            select(func.count(func.distinct(allocations.c.group_id))).where(
                allocations.c.booking_id == booking
            )
        )
    assert (tried, ours) == (1, 1)  # the refused write left neither an attempt nor rows


async def test_a_day_session_runs_read_committed_whatever_the_servers_default(database_url):
    """The try's read takes no lock and its write must see rivals' commits: the session says
    READ COMMITTED itself rather than trusting the server's default isolation."""
    strict = create_async_engine(
        async_url(database_url),
        connect_args={"server_settings": {"default_transaction_isolation": "repeatable read"}},
    )
    try:
        async with DayWrites(strict).session() as session:
            isolation = await session.db.scalar(text("SHOW transaction_isolation"))
    finally:
        await strict.dispose()

    assert isolation == "read committed"


async def _move_on(engine, booking: uuid.UUID, state: str) -> None:
    """The state service moved the booking on: a new state at a new version."""
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE bookings SET state = :s, version = version + 1 WHERE booking_id = :b"),
            {"s": state, "b": booking},
        )


async def test_a_stale_view_of_the_booking_writes_no_tables(engine):
    """A duplicate event carries the booking at a version it has left: the try's write is
    refused under the booking's row lock and nothing is written, attempt included."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(20)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_PENDING")
    await _move_on(engine, booking, "ASSIGNMENT_IN_PROGRESS")  # now at version 2
    store = AllocationStore(engine)
    assigner = EngineAssigner(SeatingReader(engine), store.assignments,
                              lambda: datetime.now(UTC), DayWrites(engine))  # fmt: skip

    with pytest.raises(BookingNotReady):
        await assigner.assign(_view(booking, venue, start), note_attempt=True)  # version 1

    assert await store.assignments.live_assignment(booking) is None
    async with engine.connect() as db:
        noted = await db.scalar(
            select(func.count()).where(assignment_attempts.c.booking_id == booking)
        )
    assert noted == 0
    fresh = replace(_view(booking, venue, start), version=2)
    assert (await assigner.assign(fresh, note_attempt=True)).seated


async def test_a_stale_view_does_not_take_up_the_tables_the_current_drive_wrote(engine):
    """The current drive wrote the booking's tables at its version; a stale view that finds
    them is refused rather than told "already allocated" (its failed record would release
    them under the current drive)."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(21)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_PENDING")
    await _move_on(engine, booking, "ASSIGNMENT_IN_PROGRESS")
    assigner = EngineAssigner(SeatingReader(engine), AllocationStore(engine).assignments,
                              lambda: datetime.now(UTC), DayWrites(engine))  # fmt: skip
    current = replace(_view(booking, venue, start), version=2)
    written = await assigner.assign(current, note_attempt=True)
    assert written.seated and written.attempt_noted

    with pytest.raises(BookingNotReady):
        await assigner.assign(_view(booking, venue, start))  # version 1

    again = await assigner.assign(current, note_attempt=True)  # a re-drive at the version
    assert (again.group_id, again.reason) == (written.group_id, "already allocated")
    assert again.attempt_noted  # its writer noted the try: the coordinator notes no second


async def test_the_version_a_session_checks_stays_locked_until_the_session_ends(engine):
    """Taking up tables already made checks the booking's version under its row lock: the
    state service cannot move the booking, nor a sweep take it, until the session ends."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    booking = await add_booking(engine, venue, tomorrow_at(19), 2, "CREATED")
    probe = text("SELECT 1 FROM bookings WHERE booking_id = :b FOR UPDATE NOWAIT")
    async with DayWrites(engine).session() as session:
        assert await session.version(booking) == 1
        async with engine.connect() as rival:
            with pytest.raises(DBAPIError, match="could not obtain lock"):
                await rival.execute(probe, {"b": booking})
    async with engine.connect() as rival:  # the session ended: the row is free again
        assert (await rival.execute(probe, {"b": booking})).scalar() == 1


async def test_the_day_read_sees_every_live_allocation_but_the_excluded_bookings(engine):
    """One statement reads the day: live assignments and holds are busy (a hold without a
    booking too), expired holds are not, the excluded booking's own assignment is found apart,
    and waiting bookings within the look-ahead horizon are the demand."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(19)
    now = datetime.now(UTC)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    waiting = await add_booking(engine, venue, tomorrow_at(21), 4, "ASSIGNMENT_PENDING")
    await add_booking(engine, venue, tomorrow_at(20), 2, "CONFIRMED")  # not demand
    own = await allocate(engine, venue, ["t1"], start, start + timedelta(hours=2),
                         booking_id=booking)  # fmt: skip
    await allocate(engine, venue, ["t2"], start, start + timedelta(hours=1),
                   kind="HOLD", expire=now + timedelta(minutes=10))  # fmt: skip
    await allocate(engine, venue, ["t3"], start, start + timedelta(hours=1),
                   kind="HOLD", expire=now - timedelta(minutes=1))  # fmt: skip
    reader = SeatingReader(engine)

    everyone = await reader.read(venue, start, start + timedelta(minutes=90), now)
    apart = await reader.read(venue, start, start + timedelta(minutes=90), now, booking)

    assert everyone is not None and apart is not None
    assert sorted(everyone.busy) == [f"{venue}-t1", f"{venue}-t2"]
    assert everyone.own_assignment is None
    assert [u.booking_id for u in everyone.context.upcoming] == [str(booking), str(waiting)]
    assert sorted(apart.busy) == [f"{venue}-t2"]
    assert apart.own_assignment is not None and apart.own_assignment.group_id == own
    assert [u.booking_id for u in apart.context.upcoming] == [str(waiting)]
    assert apart.context.upcoming[0].blocked_until == tomorrow_at(21) + timedelta(
        minutes=120 + 15
    )  # its end plus the venue's cleaning buffer
    assert everyone.expired_holds == apart.expired_holds == frozenset({f"{venue}-t3"})
    assert await reader.read("no-such-venue", start, start, now) is None


@pytest.mark.parametrize(
    ("held_from", "held_until"),
    [
        (0, 180),  # over the booking's whole time
        (95, 120),  # past a 1-minute horizon, inside the 15-minute cleaning buffer after its end
    ],
)
async def test_the_try_releases_an_expired_hold_on_the_tables_it_takes(
    engine, held_from: int, held_until: int
):
    """The day read tells the write which tables have an expired hold to release: the only
    table that fits is taken over one, wherever in the write's span (buffer included) it is."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE venue_policies SET look_ahead_horizon_minutes = 1 WHERE venue_id = :v"),
            {"v": venue},
        )
    start = tomorrow_at(19)
    now = datetime.now(UTC)
    booking = await add_booking(engine, venue, start, 5, "ASSIGNMENT_IN_PROGRESS")
    end = start + timedelta(hours=3)
    await allocate(engine, venue, ["t2"], start, end, kind="HOLD", expire=now + timedelta(hours=1))
    expired = await allocate(engine, venue, ["t4"], start + timedelta(minutes=held_from),
                             start + timedelta(minutes=held_until), kind="HOLD",
                             expire=now - timedelta(minutes=1))  # fmt: skip
    assigner = EngineAssigner(SeatingReader(engine), AllocationStore(engine).assignments,
                              lambda: datetime.now(UTC), DayWrites(engine))  # fmt: skip

    seating = await assigner.assign(replace(_view(booking, venue, start), party_size=5))

    assert seating.table_ids == (f"{venue}-t4",)
    async with engine.connect() as db:
        released = await db.scalar(
            select(allocations.c.release_time).where(allocations.c.group_id == expired)
        )
    assert released is not None
