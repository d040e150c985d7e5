"""Rescue by re-packing in the coordinator: with real state, assigner and optimizer servers, a
booking no free table fits is seated by moving another booking, or else waits for a retry."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import grpc
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_moves import AllocationMoves
from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.journey_store import PostgresAttempts, PostgresRules
from services.assigner.adapters.move_replays import RedisMoveReplays
from services.assigner.adapters.rescue_client import GrpcRescuePlans
from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.adapters.tables import assignment_attempts
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.coordinator import Coordinator, Result
from services.assigner.application.coordinator_ports import Capacity
from services.assigner.application.moves import Moves
from services.assigner.application.rescues import Rescuer
from services.assigner.application.table_records import TableRecorder
from services.assigner.domain.booking import BookingView
from shared.service_token import ServiceToken
from shared.stubs.maitred.state.v1 import booking_pb2
from tests.service.assigner_fixtures import (
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    live_groups_by_booking,
    live_tables,
    now,
    overlaps,
    read,
    table,
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import tomorrow_at
from tests.service.conftest import SECRET
from tests.service.optimizer_fixtures import (
    optimizer_address_fixture,  # noqa: F401 (a fixture)
    seated,
    waiting,
)

SEVEN = tomorrow_at(19)
TIME_LIMIT = timedelta(milliseconds=500)


class CapacityNeverAsked:
    """The bookings here start at ASSIGNMENT_PENDING: capacity was verified before."""

    async def check(self, booking: BookingView) -> Capacity:
        raise AssertionError("capacity is not asked again while assigning")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(name="redis")
async def redis_fixture(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(name="retry_key")
async def retry_key_fixture(redis: Redis) -> AsyncIterator[str]:
    """A retry queue of this test's own."""
    key = f"maitred:test:{uuid.uuid4().hex[:8]}:retries"
    yield key
    await redis.delete(key)


@pytest.fixture(name="coordinator_at")
def coordinator_at_fixture(
    engine: AsyncEngine, state_address: str, redis: Redis, retry_key: str
) -> Callable[[str], AbstractAsyncContextManager[Coordinator]]:
    """The real coordinator on real adapters, its rescue asking the optimizer at an address."""

    @asynccontextmanager
    async def build(optimizer_address: str) -> AsyncIterator[Coordinator]:
        token = ServiceToken(SECRET, issuer="maitred", subject="assigner")
        async with (
            grpc.aio.insecure_channel(state_address) as state,
            grpc.aio.insecure_channel(optimizer_address) as optimizer,
        ):
            bookings = GrpcBookings(state, token)
            store = AllocationStore(engine)
            assigner = EngineAssigner(
                SeatingReader(engine), store.assignments, now, DayWrites(engine)
            )
            mover = Moves(
                days=assigner, writer=AllocationMoves(engine),
                recorder=TableRecorder(bookings, store.assignments, now),
                replays=RedisMoveReplays(redis), clock=now,
            )  # fmt: skip
            yield Coordinator(
                bookings=bookings, capacity=CapacityNeverAsked(), tables=assigner,
                attempts=PostgresAttempts(engine), rules=PostgresRules(engine),
                retries=RedisRetries(redis, key=retry_key), clock=now, jitter=lambda: 1.0,
                rescue=Rescuer(GrpcRescuePlans(optimizer, token), mover, TIME_LIMIT),
            )  # fmt: skip

    return build


async def attempts_of(engine: AsyncEngine, booking_id: str) -> list[tuple[str, str, str]]:
    """The booking's tries as (outcome, strategy, reason), oldest first."""
    async with engine.connect() as db:
        rows = await db.execute(
            select(assignment_attempts.c.outcome, assignment_attempts.c.strategy,
                   assignment_attempts.c.reason)
            .where(assignment_attempts.c.booking_id == uuid.UUID(booking_id))
            .order_by(assignment_attempts.c.attempt_id)
        )  # fmt: skip
        return [(r.outcome, r.strategy, r.reason) for r in rows]


async def retry_due(redis: Redis, key: str, booking: booking_pb2.Booking) -> bool:
    """Whether a retry of the booking is scheduled in the queue at `key`."""
    return await redis.zscore(key, f"{booking.venue_id}|{booking.booking_id}") is not None


async def test_a_squeezed_booking_is_seated_by_moving_another_and_confirmed(
    bookings, assigner, optimizer_address, venue, engine, coordinator_at, redis, retry_key
):
    four = await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    two = await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await waiting(bookings, venue, SEVEN, 6)

    async with coordinator_at(optimizer_address) as coordinator:
        result = await coordinator.drive(venue, uuid.UUID(six.booking_id))

    assert result is Result.SETTLED
    after = await read(bookings, six)
    assert after.state == booking_pb2.BOOKING_STATE_CONFIRMED
    # It sits where one of the others sat: t4 (the four moved to t3) or t2+t3 (the two to t1).
    assert sorted(after.table_ids) in (
        [table(venue, "t4")], [table(venue, "t2"), table(venue, "t3")]
    )  # fmt: skip
    live = await live_tables(engine, venue)
    assert live[six.booking_id] == sorted(after.table_ids)
    moved = [b for b in (four, two) if live[b.booking_id] != list(b.table_ids)]
    assert len(moved) == 1
    for before in (four, two):  # the state's tables match the allocations in force, moved or not
        now_ = await read(bookings, before)
        assert sorted(now_.table_ids) == live[before.booking_id]
        assert now_.state == before.state
    assert await overlaps(engine, venue) == 0
    assert set((await live_groups_by_booking(engine, venue)).values()) == {1}
    assert [(o, s) for o, s, _ in await attempts_of(engine, six.booking_id)] == [
        ("ASSIGNED", "rescue")
    ]
    assert not await retry_due(redis, retry_key, six)


async def test_with_the_blockers_pinned_there_is_no_rescue_and_the_booking_waits_for_a_retry(
    bookings, assigner, optimizer_address, venue, engine, coordinator_at, redis, retry_key
):
    four = await seated(bookings, assigner, venue, SEVEN, 4, ["t4"], pinned=True)
    two = await seated(bookings, assigner, venue, SEVEN, 2, ["t2"], pinned=True)
    six = await waiting(bookings, venue, SEVEN, 6)

    async with coordinator_at(optimizer_address) as coordinator:
        result = await coordinator.drive(venue, uuid.UUID(six.booking_id))

    assert result is Result.WAITING
    after = await read(bookings, six)
    assert after.state == booking_pb2.BOOKING_STATE_ASSIGNMENT_PENDING
    assert list(after.table_ids) == []
    assert await retry_due(redis, retry_key, six)
    live = await live_tables(engine, venue)
    assert six.booking_id not in live
    assert live[four.booking_id] == [table(venue, "t4")]
    assert live[two.booking_id] == [table(venue, "t2")]
    assert await attempts_of(engine, six.booking_id) == [
        ("NO_TABLE", "", "no table fits; no re-pack seats the party")
    ]


async def test_an_unreachable_optimizer_leaves_the_booking_to_the_retry_path(
    bookings, assigner, venue, engine, coordinator_at, redis, retry_key
):
    await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await waiting(bookings, venue, SEVEN, 6)

    async with coordinator_at(f"127.0.0.1:{closed_port()}") as coordinator:
        result = await coordinator.drive(venue, uuid.UUID(six.booking_id))

    assert result is Result.WAITING
    after = await read(bookings, six)
    assert after.state == booking_pb2.BOOKING_STATE_ASSIGNMENT_PENDING
    assert await retry_due(redis, retry_key, six)
    assert await overlaps(engine, venue) == 0
