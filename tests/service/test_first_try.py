"""The coordinator's first try on the real state service, database and Redis: tables written
while the booking is CREATED, every step to CONFIRMED in one advance (a history row each, one
event), and what becomes of tables a CREATED booking holds when the drive is cut short."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.journey_store import PostgresAttempts, PostgresRules
from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings, view_of
from services.assigner.adapters.tables import allocations, assignment_attempts
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.coordinator import Coordinator, Result
from services.assigner.application.coordinator_ports import Capacity
from services.assigner.domain.booking import BookingView
from services.availability.adapters.tables import venue_policies
from services.state.adapters.tables import booking_state_history, outbox
from shared.service_token import ServiceToken
from tests.service.assigner_fixtures import (  # noqa: F401 (fixtures)
    advance,
    create_booking,
    live_groups,
    read,
    venue_fixture,
)
from tests.service.conftest import SECRET
from tests.table_checks import all_well, table_faults

MINUTE = timedelta(minutes=1)
JOURNEY = [
    ("CREATED", "CAPACITY_VERIFIED"),
    ("CAPACITY_VERIFIED", "ASSIGNMENT_PENDING"),
    ("ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS"),
    ("ASSIGNMENT_IN_PROGRESS", "ASSIGNED"),
    ("ASSIGNED", "CONFIRMED"),
]


class Accepting:
    """The availability service's answer for a floor with room: the party fits."""

    def __init__(self) -> None:
        self.asked = 0

    async def check(self, booking: BookingView) -> Capacity:
        self.asked += 1
        return Capacity(True, "", "fits")


def _now() -> datetime:
    return datetime.now(UTC)


def _evening() -> datetime:
    base = datetime.now(UTC).replace(hour=19, minute=0, second=0, microsecond=0)
    return base + timedelta(days=4)


@pytest.fixture(name="tables")
def tables_fixture(engine: AsyncEngine) -> EngineAssigner:
    return EngineAssigner(
        SeatingReader(engine), AllocationStore(engine).assignments, _now, DayWrites(engine)
    )


@pytest.fixture(name="coordinator")
async def coordinator_fixture(
    engine: AsyncEngine, state_address: str, redis_url: str, tables: EngineAssigner
) -> AsyncIterator[Coordinator]:
    channel = grpc.aio.insecure_channel(state_address)
    redis = Redis.from_url(redis_url)
    token = ServiceToken(SECRET, issuer="maitred", subject="assigner")
    yield Coordinator(
        bookings=GrpcBookings(channel, token),
        capacity=Accepting(),
        tables=tables,
        attempts=PostgresAttempts(engine),
        rules=PostgresRules(engine),
        retries=RedisRetries(redis, key=f"first-try-{uuid.uuid4().hex}:retries"),
        clock=_now,
        jitter=lambda: 1.0,
    )
    await channel.close()
    await redis.aclose()


async def _history(engine: AsyncEngine, booking_id: str) -> list[tuple[str | None, str, str]]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(
                booking_state_history.c.from_state,
                booking_state_history.c.to_state,
                booking_state_history.c.actor,
            )
            .where(booking_state_history.c.booking_id == uuid.UUID(booking_id))
            .order_by(booking_state_history.c.history_id)
        )
        return [(r.from_state, r.to_state, r.actor) for r in rows]


async def _events(engine: AsyncEngine, booking_id: str) -> list[str]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(outbox.c.payload["to_state"].astext)
            .where(outbox.c.aggregate_id == booking_id)
            .order_by(outbox.c.event_id)
        )
        return [row[0] for row in rows]


async def _released_rows(engine: AsyncEngine, booking_id: str) -> int:
    async with engine.connect() as db:
        found = await db.scalar(
            select(func.count()).where(
                allocations.c.booking_id == uuid.UUID(booking_id),
                allocations.c.release_time.is_not(None),
            )
        )
        return int(found or 0)


async def _live_tables(engine: AsyncEngine, booking_id: str) -> list[str]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(allocations.c.table_id)
            .where(
                allocations.c.booking_id == uuid.UUID(booking_id),
                allocations.c.release_time.is_(None),
            )
            .order_by(allocations.c.table_id)
        )
        return [row[0] for row in rows]


async def _attempts(engine: AsyncEngine, booking_id: str) -> list[str]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(assignment_attempts.c.outcome)
            .where(assignment_attempts.c.booking_id == uuid.UUID(booking_id))
            .order_by(assignment_attempts.c.attempt_id)
        )
        return [row[0] for row in rows]


async def test_a_new_booking_is_confirmed_in_one_advance_with_a_history_row_per_step(
    coordinator, bookings, engine, venue
):
    created = await create_booking(bookings, venue, _evening(), 2)

    assert await coordinator.drive(venue, uuid.UUID(created.booking_id)) is Result.SETTLED

    confirmed = view_of(await read(bookings, created))
    assert confirmed.state == "CONFIRMED" and confirmed.table_ids
    assert await _live_tables(engine, created.booking_id) == sorted(confirmed.table_ids)
    history = await _history(engine, created.booking_id)
    assert [(f, t) for f, t, _ in history[1:]] == JOURNEY
    assert {actor for _, _, actor in history[1:]} == {"assigner"}
    # Two events in all: the creation and the one advance (CREATED straight to CONFIRMED).
    assert await _events(engine, created.booking_id) == ["CREATED", "CONFIRMED"]


async def test_a_booking_cancelled_while_created_with_tables_frees_them(
    bookings, engine, venue, tables
):
    """The first try wrote the tables, then the drive stopped (the process died); the guest
    cancels the CREATED booking: its tables are free again at once, with no sweep."""
    created = await create_booking(bookings, venue, _evening(), 2)
    seating = await tables.assign(view_of(created), note_attempt=True)
    assert seating.seated and await live_groups(engine, created.booking_id) == 1

    cancelled = await advance(bookings, created, "CancelBooking")

    assert view_of(cancelled).state == "CANCELLED"
    assert await live_groups(engine, created.booking_id) == 0
    # Freed by the cancel's own trigger, no sweep run: released rows, kept for the record.
    assert await _released_rows(engine, created.booking_id) == len(seating.table_ids)
    assert all_well(await table_faults(engine, venue))
    # The same tables seat the next party at that time.
    other = await create_booking(bookings, venue, _evening(), 2)
    again = await tables.assign(view_of(other))
    assert sorted(again.table_ids) == sorted(seating.table_ids)


async def test_a_first_try_cut_off_before_its_advance_is_recorded_when_driven_again(
    coordinator, bookings, engine, venue, tables
):
    """Tables written while CREATED, then the process died before the advance: the ended
    sweep leaves them (even past its grace, the booking still ahead), and the stall sweeper's
    drive records them."""
    created = await create_booking(bookings, venue, _evening(), 2)
    seating = await tables.assign(view_of(created), note_attempt=True)
    store = AllocationStore(engine).assignments
    await store.release_ended_assignments(_now() + timedelta(minutes=10))
    assert await _live_tables(engine, created.booking_id) == sorted(seating.table_ids)

    assert await coordinator.drive(venue, uuid.UUID(created.booking_id)) is Result.SETTLED

    confirmed = view_of(await read(bookings, created))
    assert confirmed.state == "CONFIRMED"
    assert sorted(confirmed.table_ids) == sorted(seating.table_ids)
    assert await _live_tables(engine, created.booking_id) == sorted(seating.table_ids)
    assert all_well(await table_faults(engine, venue))
    assert await _attempts(engine, created.booking_id) == ["ASSIGNED"]  # noted once, not per drive


async def test_a_first_try_cut_off_is_released_once_the_bookings_end_has_passed(
    bookings, engine, venue, tables
):
    """Tables written while CREATED, then the drive stopped for good: a drive redelivered
    after the start still takes them up unchecked, so they stay until the end has passed; then
    the ended sweep frees them (no seating is harmed, a late record of them harms nobody)."""
    start = _evening()
    created = await create_booking(bookings, venue, start, 2)
    end = view_of(created).end
    seating = await tables.assign(view_of(created), note_attempt=True)
    store = AllocationStore(engine).assignments

    before_the_end = [start - MINUTE, start + MINUTE, end - MINUTE]
    for moment in before_the_end:
        await store.release_ended_assignments(moment)
        assert await _live_tables(engine, created.booking_id) == sorted(seating.table_ids)
    await store.release_ended_assignments(end + MINUTE)

    assert await _live_tables(engine, created.booking_id) == []
    assert view_of(await read(bookings, created)).state == "CREATED"  # the state is left alone


async def test_a_duplicate_creation_event_drives_from_the_current_state_writing_nothing_stale(
    coordinator, bookings, engine, venue
):
    """A's first try found no table (the booking went back to pending, its retry due); the
    creation event reaches B again (at-least-once relay) with the booking CREATED at version
    1. B's try writes no tables at that version: it reads the booking again and drives it from
    pending, so the one allocation ever written is the one recorded."""
    created = await create_booking(bookings, venue, _evening(), 2)
    stale = view_of(created)
    await advance(
        bookings, created, "VerifyCapacity", "RequestAssignment", "StartAssignment",
        "RequestAssignment",
    )  # fmt: skip

    assert await coordinator.drive(venue, stale.booking_id, known=stale) is Result.SETTLED

    confirmed = view_of(await read(bookings, created))
    assert confirmed.state == "CONFIRMED"
    assert await _live_tables(engine, created.booking_id) == sorted(confirmed.table_ids)
    assert await _released_rows(engine, created.booking_id) == 0  # no stale write to undo
    assert await _attempts(engine, created.booking_id) == ["ASSIGNED"]


async def test_without_auto_confirm_the_first_try_stops_at_assigned_in_one_advance(
    coordinator, bookings, engine, venue
):
    async with engine.begin() as db:
        await db.execute(
            update(venue_policies)
            .where(venue_policies.c.venue_id == venue)
            .values(auto_confirm=False)
        )
    created = await create_booking(bookings, venue, _evening(), 2)

    await coordinator.drive(venue, uuid.UUID(created.booking_id))

    assert view_of(await read(bookings, created)).state == "ASSIGNED"
    assert [(f, t) for f, t, _ in (await _history(engine, created.booking_id))[1:]] == JOURNEY[:4]
    assert await _events(engine, created.booking_id) == ["CREATED", "ASSIGNED"]


async def test_a_party_no_table_fits_goes_to_its_first_try_and_waits_for_a_retry(
    coordinator, bookings, engine, venue
):
    created = await create_booking(bookings, venue, _evening(), 10)  # t2+t3 seat eight at most

    assert await coordinator.drive(venue, uuid.UUID(created.booking_id)) is Result.WAITING

    assert view_of(await read(bookings, created)).state == "ASSIGNMENT_PENDING"
    history = [(f, t) for f, t, _ in (await _history(engine, created.booking_id))[1:]]
    assert history == [*JOURNEY[:3], ("ASSIGNMENT_IN_PROGRESS", "ASSIGNMENT_PENDING")]
    assert await live_groups(engine, created.booking_id) == 0
    async with engine.connect() as db:
        tries = await db.scalar(
            select(func.count()).where(
                assignment_attempts.c.booking_id == uuid.UUID(created.booking_id),
                assignment_attempts.c.outcome == "NO_TABLE",
            )
        )
    assert tries == 1
