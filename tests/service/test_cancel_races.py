"""A guest cancels (or ops mark a no-show, or the booking is rejected) while a write path gives the
booking tables, on the real state and assigner services: afterwards no booking that ended keeps
a table, every assigned or confirmed booking has exactly its recorded tables, nothing overlaps.

Each race runs many times with random offsets between the two sides; MAITRED_RACE_ITERATIONS
sets how many (the faults target runs a longer variant).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.journey_store import PostgresAttempts, PostgresRules
from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.coordinator import Coordinator
from services.assigner.application.coordinator_ports import Capacity
from services.assigner.domain.booking import BookingView
from shared.service_token import ServiceToken
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (  # noqa: F401 (fixtures)
    advance,
    assigner_address_fixture,
    assigner_fixture,
    booking_in_progress,
    create_booking,
    hour_window,
    minutes,
    move,
    read,
    request,
    seated_at,
    table,
    venue_fixture,
)
from tests.service.conftest import OPS, SECRET
from tests.service.conftest import SERVICE as SERVICE_CALLER
from tests.service.optimizer_fixtures import (  # noqa: F401 (a fixture)
    optimizer_address_fixture,
    waiting,
)
from tests.service.optimizer_fixtures import seated as seated_by_ops
from tests.service.test_coordinator_rescue import (  # noqa: F401 (fixtures)
    coordinator_at_fixture,
    redis_fixture,
    retry_key_fixture,
)
from tests.table_checks import all_well, table_faults

ITERATIONS = int(os.environ.get("MAITRED_RACE_ITERATIONS", "20"))
MAX_OFFSET = 0.04  # seconds: about one write path's length, so either side may go first
# What a write that lost its race may answer, or one the database was too busy for (a machine
# shared by many test runs): never INTERNAL, UNKNOWN or a crash.
LOST = {grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED, grpc.StatusCode.UNAVAILABLE}
# The states each ending command starts from.
ENDS_FROM = {
    "CancelBooking": {
        "CREATED", "CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS",
        "ASSIGNED", "CONFIRMED", "MANUAL_REVIEW",
    },
    "MarkNoShow": {"CONFIRMED"},
    "RejectBooking": {
        "CREATED", "CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS",
    },
}  # fmt: skip
Write = Callable[[booking_pb2.Booking, int], Awaitable[Any]]


def day(index: int) -> datetime:
    """Iteration `index`'s own evening, so no two iterations want the same tables."""
    base = datetime.now(UTC).replace(hour=19, minute=0, second=0, microsecond=0)
    return base + timedelta(days=3 + index)


def state_of(booking: booking_pb2.Booking) -> str:
    return booking_pb2.BookingState.Name(booking.state).removeprefix("BOOKING_STATE_")


async def end_booking(bookings: Any, booking: booking_pb2.Booking, command: str) -> str:
    """End the booking as a guest or ops would: read it, send the command at its version, and
    try again while the other side keeps moving it; the state it is left in."""
    for _ in range(20):
        current = await read(bookings, booking)
        if state_of(current) not in ENDS_FROM[command]:
            return state_of(current)
        call = getattr(bookings, command)
        ask = getattr(state_api, f"{command}Request")(
            venue_id=current.venue_id, booking_id=current.booking_id,
            expected_version=current.version, reason="race",
        )  # fmt: skip
        try:
            return state_of((await call(ask, metadata=SERVICE_CALLER)).booking)
        except grpc.aio.AioRpcError as error:
            if error.code() not in LOST:
                raise
    return state_of(await read(bookings, booking))


async def after(delay: float, work: Awaitable[Any]) -> Any:
    await asyncio.sleep(delay)
    try:
        return await work
    except grpc.aio.AioRpcError as error:
        assert error.code() in LOST, f"{error.code()}: {error.details()}"
        return error


async def race(
    bookings: Any,
    engine: AsyncEngine,
    venue: str,
    prepare: Callable[[int], Awaitable[booking_pb2.Booking]],
    write: Write,
    command: str = "CancelBooking",
    *,
    iterations: int = ITERATIONS,
    max_offset: float = MAX_OFFSET,
) -> dict[str, int]:
    """Run the write against the ending command `iterations` times with random offsets; then
    check the venue's tables. Returns how the races ended, by the booking's final state."""
    rng = random.Random()
    ended: dict[str, int] = {}
    for index in range(iterations):
        booking = await prepare(index)
        write_delay, end_delay = rng.uniform(0, max_offset), rng.uniform(0, max_offset)
        _, final = await asyncio.gather(
            after(write_delay, write(booking, index)),
            after(end_delay, end_booking(bookings, booking, command)),
        )
        ended[final] = ended.get(final, 0) + 1
    faults = await table_faults(engine, venue)
    assert all_well(faults), f"{faults} after {iterations} races ending {ended}"
    return ended


async def test_a_cancel_racing_confirm_hold_never_leaves_the_hold_s_tables_taken(
    assigner, bookings, engine, venue
):
    holds: dict[int, str] = {}

    async def prepare(index: int) -> booking_pb2.Booking:
        placed = await assigner.PlaceHold(
            api.PlaceHoldRequest(
                venue_id=venue, table_ids=[table(venue, "t2")], window=hour_window(day(index)),
                ttl=minutes(5), request_id=uuid.uuid4().hex, party_size=2,
            ),
            metadata=OPS,
        )  # fmt: skip
        holds[index] = placed.hold.allocation_id
        return await booking_in_progress(bookings, venue, day(index), 2)

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.ConfirmHold(
            api.ConfirmHoldRequest(
                venue_id=venue, hold_id=holds[index], booking_id=booking.booking_id,
                expected_version=booking.version,
            ),
            metadata=OPS,
        )  # fmt: skip

    await race(bookings, engine, venue, prepare, write)


async def test_a_cancel_racing_assign_booking_never_leaves_the_engine_s_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        return await booking_in_progress(bookings, venue, day(index), 2)

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.AssignBooking(
            api.AssignBookingRequest(
                venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version
            ),
            metadata=OPS,
        )

    await race(bookings, engine, venue, prepare, write)


async def test_a_rejection_racing_assign_booking_never_leaves_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        created = await create_booking(bookings, venue, day(index), 2)
        return await advance(bookings, created, "VerifyCapacity", "RequestAssignment")

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.AssignBooking(
            api.AssignBookingRequest(
                venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version
            ),
            metadata=OPS,
        )

    await race(bookings, engine, venue, prepare, write, "RejectBooking")


async def test_a_cancel_racing_manual_assign_never_leaves_ops_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        created = await create_booking(bookings, venue, day(index), 2)
        return await advance(bookings, created, "VerifyCapacity", "RequestAssignment")

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.ManualAssign(
            api.ManualAssignRequest(
                venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version,
                table_ids=[table(venue, "t2"), table(venue, "t3")], reason="race",
            ),
            metadata=OPS,
        )  # fmt: skip

    await race(bookings, engine, venue, prepare, write)


async def test_a_cancel_racing_reassign_booking_never_leaves_the_new_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        return await seated_at(assigner, bookings, venue, day(index), ["t1"])

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.ReassignBooking(
            api.ReassignBookingRequest(
                venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version,
                table_ids=[table(venue, "t4")], reason="race",
            ),
            metadata=OPS,
        )  # fmt: skip

    await race(bookings, engine, venue, prepare, write)


async def test_a_no_show_racing_a_move_never_leaves_the_new_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        assigned = await seated_at(assigner, bookings, venue, day(index), ["t1"])
        return await advance(bookings, assigned, "ConfirmBooking")

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.MoveBookings(
            request(venue, move(booking, ["t4"])), metadata=SERVICE_CALLER
        )

    await race(bookings, engine, venue, prepare, write, "MarkNoShow")


async def test_a_cancel_racing_move_bookings_never_leaves_the_new_tables_taken(
    assigner, bookings, engine, venue
):
    async def prepare(index: int) -> booking_pb2.Booking:
        return await seated_at(assigner, bookings, venue, day(index), ["t1"])

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await assigner.MoveBookings(
            request(venue, move(booking, ["t4"])), metadata=SERVICE_CALLER
        )

    await race(bookings, engine, venue, prepare, write)


class _NoCapacityCheck:
    """The races start past capacity verification: the coordinator never asks."""

    async def check(self, booking: BookingView) -> Capacity:
        raise AssertionError("capacity is verified before these races start")


@pytest.fixture(name="coordinator")
async def coordinator_fixture(
    engine: AsyncEngine, state_address: str, redis_url: str
) -> AsyncIterator[Coordinator]:
    """The coordinator, in this process, on the real state service, database and Redis."""
    channel = grpc.aio.insecure_channel(state_address)
    redis = Redis.from_url(redis_url)
    token = ServiceToken(SECRET, issuer="maitred", subject="assigner")
    yield Coordinator(
        bookings=GrpcBookings(channel, token),
        capacity=_NoCapacityCheck(),
        tables=EngineAssigner(
            SeatingReader(engine), AllocationStore(engine).assignments, _now, DayWrites(engine)
        ),
        attempts=PostgresAttempts(engine),
        rules=PostgresRules(engine),
        retries=RedisRetries(redis, key=f"race-{uuid.uuid4().hex}:retries"),
        clock=_now,
        jitter=lambda: 1.0,
    )
    await channel.close()
    await redis.aclose()


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize("command", ["CancelBooking", "RejectBooking"])
async def test_a_cancel_or_rejection_racing_the_coordinator_never_leaves_its_tables_taken(
    coordinator, bookings, engine, venue, command
):
    async def prepare(index: int) -> booking_pb2.Booking:
        return await booking_in_progress(bookings, venue, day(index), 2)

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await coordinator.drive(venue, uuid.UUID(booking.booking_id))

    await race(bookings, engine, venue, prepare, write, command)


class _Accepting:
    """Capacity verified at once: the race starts at CREATED, on the coordinator's first try."""

    async def check(self, booking: BookingView) -> Capacity:
        return Capacity(True, "", "fits")


@pytest.mark.parametrize("command", ["CancelBooking", "RejectBooking"])
async def test_a_cancel_or_rejection_racing_the_first_try_never_leaves_its_tables_taken(
    coordinator, bookings, engine, venue, command
):
    """The first try writes the tables while the booking is CREATED and records them in one
    advance; an ending command lands before the write, between the write and the advance, or
    after it."""
    first_try = dataclasses.replace(coordinator, capacity=_Accepting())

    async def prepare(index: int) -> booking_pb2.Booking:
        return await create_booking(bookings, venue, day(index), 2)

    async def write(booking: booking_pb2.Booking, index: int) -> Any:
        return await first_try.drive(venue, uuid.UUID(booking.booking_id))

    ended = await race(bookings, engine, venue, prepare, write, command)
    assert set(ended) <= {"CONFIRMED", "CANCELLED", "REJECTED"}, ended


async def test_a_cancel_racing_a_rescue_re_pack_never_leaves_tables_taken(
    assigner, bookings, engine, venue, optimizer_address, coordinator_at
):
    """No free table seats the six: the coordinator asks the optimizer for a re-pack and
    applies it through MoveBookings while the guest cancels (a rescue takes longer: the
    offsets spread over it, and it runs half the rounds)."""
    async with coordinator_at(optimizer_address) as rescuing:

        async def prepare(index: int) -> booking_pb2.Booking:
            await seated_by_ops(bookings, assigner, venue, day(index), 4, ["t4"])
            await seated_by_ops(bookings, assigner, venue, day(index), 2, ["t2"])
            return await waiting(bookings, venue, day(index), 6)

        async def write(booking: booking_pb2.Booking, index: int) -> Any:
            return await rescuing.drive(venue, uuid.UUID(booking.booking_id))

        await race(
            bookings, engine, venue, prepare, write,
            iterations=max(ITERATIONS // 2, 5), max_offset=0.3,
        )  # fmt: skip


BEING_ASSIGNED_WITH_TABLES = """
SELECT count(DISTINCT b.booking_id) FROM bookings b JOIN allocations a
  ON a.booking_id = b.booking_id AND a.kind = 'ASSIGNMENT' AND a.release_time IS NULL
WHERE b.venue_id = :v AND b.state NOT IN ('ASSIGNED', 'CONFIRMED')
"""


async def _unsettled(engine: AsyncEngine, venue: str) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(text(BEING_ASSIGNED_WITH_TABLES), {"v": venue}) or 0)


def _manual_assign(assigner: Any, booking: booking_pb2.Booking) -> Any:
    return assigner.ManualAssign(
        api.ManualAssignRequest(
            venue_id=booking.venue_id, booking_id=booking.booking_id,
            expected_version=booking.version, table_ids=[table(booking.venue_id, "t4")],
            reason="hang up",
        ),
        metadata=OPS,
    )  # fmt: skip


async def test_a_client_hanging_up_mid_call_leaves_the_tables_recorded_or_released(
    assigner, bookings, engine, venue
):
    """The call is cut at a random point of its length: the booking ends with the tables it
    recorded, or with none in force; never blocking tables it does not show."""
    rng = random.Random()
    lengths = []
    for index in range(3):  # how long a whole call takes here, now
        booking = await booking_in_progress(bookings, venue, day(index), 2)
        started = time.monotonic()
        await _manual_assign(assigner, booking)
        lengths.append(time.monotonic() - started)
    for index in range(3, 3 + ITERATIONS):
        booking = await booking_in_progress(bookings, venue, day(index), 2)
        call = _manual_assign(assigner, booking)
        await asyncio.sleep(rng.uniform(0, max(lengths)))
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError, grpc.aio.AioRpcError):
            await call  # it may have ended before the hang-up: the database says how
    # A call the client left finishes on the server: wait (bounded at 60 s, generous for a loaded
    # machine) for the last ones to land.
    for _ in range(1200):
        if await _unsettled(engine, venue) == 0:
            break
        await asyncio.sleep(0.05)
    assert await _unsettled(engine, venue) == 0
    faults = await table_faults(engine, venue)
    assert all_well(faults), faults
