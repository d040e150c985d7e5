"""MoveBookings racing itself and cancellations on real servers, PostgreSQL and Redis: the floor
never double-books, and every table in force is the recorded table of a booking that holds it."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_moves import AllocationMoves
from services.assigner.domain.moves import PlannedMove
from services.state.main import start as start_state
from services.state.settings import StateSettings
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as pb
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as assigner_rpc
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.service.assigner_fixtures import (
    booking_in_progress,
    live_groups_by_booking,
    live_tables,
    move,
    overlaps,
    read,
    request,
    running_assigner,
)
from tests.service.availability_floor import add_booking, seed_floor, tomorrow_at
from tests.service.conftest import SECRET, SERVICE

SEVEN = tomorrow_at(19)
NAMES = [f"t{i}" for i in range(1, 8)]
HOLDING = (booking_pb2.BOOKING_STATE_ASSIGNED, booking_pb2.BOOKING_STATE_CONFIRMED)


@pytest.fixture(scope="module")
async def suite(
    database_url: str, engine: AsyncEngine, redis_url: str
) -> AsyncIterator[tuple[state_rpc.BookingServiceStub, assigner_rpc.AssignerServiceStub]]:
    settings = StateSettings(
        database_url=database_url, redis_url=None, jwt_secret=SECRET, host="127.0.0.1",
        grace_period_seconds=2,
    )  # fmt: skip
    state = await start_state(settings, port=0)
    state_address = f"127.0.0.1:{state.port}"
    async with (
        running_assigner(database_url, engine, state_address, redis_url) as address,
        grpc.aio.insecure_channel(state_address) as state_channel,
        grpc.aio.insecure_channel(address) as assigner_channel,
    ):
        yield (
            state_rpc.BookingServiceStub(state_channel),
            assigner_rpc.AssignerServiceStub(assigner_channel),
        )
    await state.stop(1)


@pytest.fixture
async def venue(engine: AsyncEngine) -> str:
    """Seven separate tables of two to four seats."""
    venue_id = f"mv-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id, tables=[(n, 2, 4) for n in NAMES], edges=())
    return venue_id


async def cancel(bookings, booking) -> None:
    """Cancel the booking at whatever version it has reached (it may be moving meanwhile)."""
    for _ in range(5):
        current = await read(bookings, booking)
        if current.state == booking_pb2.BOOKING_STATE_CANCELLED:
            return  # cancelled in an earlier round
        try:
            await bookings.CancelBooking(
                state_api.CancelBookingRequest(
                    venue_id=current.venue_id, booking_id=current.booking_id,
                    expected_version=current.version, reason="guest called",
                ),
                metadata=SERVICE,
            )  # fmt: skip
            return
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.ABORTED:
                raise


def plan(rng: random.Random, venue: str, current: list[booking_pb2.Booking]):
    chosen = rng.sample(current, k=rng.randint(2, min(5, len(current))))
    tables = rng.sample(NAMES, k=len(chosen))
    return request(venue, *(move(b, [t]) for b, t in zip(chosen, tables, strict=True)))


async def test_racing_moves_and_cancellations_leave_a_consistent_floor(suite, engine, venue):
    bookings, assigner = suite
    rng = random.Random(20301)
    people = [await booking_in_progress(bookings, venue, SEVEN, 2) for _ in range(5)]
    first = await assigner.MoveBookings(
        request(venue, *(move(b, [n]) for b, n in zip(people, NAMES, strict=False))),
        metadata=SERVICE,
    )
    assert {r.outcome for r in first.results} == {pb.MOVE_OUTCOME_APPLIED}
    for _ in range(4):
        people.append(await booking_in_progress(bookings, venue, SEVEN, 2))
        current = [await read(bookings, b) for b in people]
        calls = [assigner.MoveBookings(plan(rng, venue, current), metadata=SERVICE)
                 for _ in range(4)]  # fmt: skip
        calls += [cancel(bookings, b) for b in rng.sample(current, k=1)]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert await overlaps(engine, venue) == 0
    assert set((await live_groups_by_booking(engine, venue)).values()) <= {1}
    floor = await live_tables(engine, venue)
    for booking in people:
        state = await read(bookings, booking)
        if booking.booking_id in floor:
            assert state.state in HOLDING
            assert sorted(state.table_ids) == floor[booking.booking_id]
        else:
            assert state.state not in HOLDING


async def test_concurrent_twins_of_one_request_move_once_and_answer_alike(suite, engine, venue):
    bookings, assigner = suite
    a = await booking_in_progress(bookings, venue, SEVEN, 2)
    b = await booking_in_progress(bookings, venue, SEVEN, 2)
    call = request(venue, move(a, ["t1"]), move(b, ["t2"]), request_id="twin-1")
    answers = await asyncio.gather(
        *(assigner.MoveBookings(call, metadata=SERVICE) for _ in range(4))
    )
    assert all(answer == answers[0] for answer in answers)
    assert {r.outcome for r in answers[0].results} == {pb.MOVE_OUTCOME_APPLIED}
    assert await live_groups_by_booking(engine, venue) == {a.booking_id: 1, b.booking_id: 1}


async def test_a_committed_move_not_yet_recorded_makes_the_booking_stale_for_other_calls(
    engine, venue
):
    booking_id = await add_booking(engine, venue, SEVEN, 2, "ASSIGNED")
    writer = AllocationMoves(engine)

    async def write(request_id: str, name: str):
        planned = PlannedMove(booking_id, 1, (f"{venue}-{name}",), SEVEN,
                              SEVEN + timedelta(hours=2), {}, request_id)  # fmt: skip
        return await writer.write(venue, [planned], now=datetime.now(UTC), actor="t",
                                  strategy="moved")  # fmt: skip

    assert booking_id in (await write("plan-1", "t1")).applied
    assert (await write("plan-2", "t2")).stale == {booking_id: 1}
    assert booking_id in (await write("plan-1", "t3")).applied  # the same call, retried
    assert await live_tables(engine, venue) == {str(booking_id): [f"{venue}-t3"]}
