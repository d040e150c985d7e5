"""Rescue by re-packing: CheckCapacity and SearchSlots look for a re-pack before saying no, on the
day model in memory or by asking a real optimizer, with the same answers."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.main import start as start_availability
from services.availability.settings import AvailabilitySettings
from services.optimizer.main import start as start_optimizer
from services.optimizer.settings import OptimizerSettings
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from shared.stubs.maitred.common.v1 import common_pb2
from tests.service.availability_floor import add_booking, allocate, seed_floor, tomorrow_at
from tests.service.conftest import OPS, SECRET

SEVEN = tomorrow_at(19)


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@asynccontextmanager
async def availability_at(
    database_url: str, redis_url: str, optimizer_address: str, rescue: str = "optimizer"
) -> AsyncIterator[rpc.AvailabilityServiceStub]:
    settings = AvailabilitySettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        optimizer_address=optimizer_address, availability_rescue=rescue,
    )  # fmt: skip
    running = await start_availability(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield rpc.AvailabilityServiceStub(channel)
    finally:
        await running.stop(0.5)


@pytest.fixture(scope="module", name="optimizer_address")
async def optimizer_address_fixture(database_url: str, redis_url: str) -> AsyncIterator[str]:
    settings = OptimizerSettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        grace_period_seconds=2, assigner_address="127.0.0.1:1", optimizer_scheduler=False,
    )  # fmt: skip
    running = await start_optimizer(settings, port=0)
    yield f"127.0.0.1:{running.port}"
    await running.stop(2)


@pytest.fixture(scope="module", name="rescuing", params=["optimizer", "memory"])
async def rescuing_fixture(
    request: pytest.FixtureRequest, database_url: str, redis_url: str, optimizer_address: str
) -> AsyncIterator[rpc.AvailabilityServiceStub]:
    """Rescue by the optimizer (from PostgreSQL) and on the day model in memory: every test
    that uses it must get the same answers from both."""
    async with availability_at(database_url, redis_url, optimizer_address, request.param) as stub:
        yield stub


@pytest.fixture(scope="module", name="fast_only")
async def fast_only_fixture(
    database_url: str, redis_url: str
) -> AsyncIterator[rpc.AvailabilityServiceStub]:
    async with availability_at(database_url, redis_url, "", "off") as stub:
        yield stub


@pytest.fixture(name="venue")
async def venue_fixture(engine: AsyncEngine) -> str:
    venue_id = f"rs-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


async def squeeze(engine: AsyncEngine, venue: str, *, pinned: bool = False) -> None:
    """A four on t4 and a two on t2 at 19:00 leave a six nowhere to sit, unless one of them
    moves (the four to t3 frees t4; the two to t1 frees t2+t3)."""
    four = await add_booking(engine, venue, SEVEN, 4, "ASSIGNED")
    await allocate(engine, venue, ["t4"], SEVEN, SEVEN + timedelta(minutes=135), booking_id=four)
    two = await add_booking(engine, venue, SEVEN, 2, "CONFIRMED")
    await allocate(engine, venue, ["t2"], SEVEN, SEVEN + timedelta(minutes=105), booking_id=two)
    if pinned:
        async with engine.begin() as db:
            await db.execute(text("UPDATE bookings SET pinned = true WHERE booking_id IN (:a, :b)"),
                             {"a": four, "b": two})  # fmt: skip


async def check(
    stub: rpc.AvailabilityServiceStub, venue: str, party: int = 6, booking_id: str = ""
) -> api.CheckCapacityResponse:
    request = api.CheckCapacityRequest(
        venue_id=venue, start_time=stamp(SEVEN), party_size=party, booking_id=booking_id
    )
    response: api.CheckCapacityResponse = await stub.CheckCapacity(request, metadata=OPS)
    return response


async def search(
    stub: rpc.AvailabilityServiceStub, venue: str, start: datetime, end: datetime, most: int
) -> list[tuple[datetime, bool]]:
    """A search's candidates for a six near 19:00, as (start time, whether a re-pack is needed)."""
    reply = await stub.SearchSlots(
        api.SearchSlotsRequest(
            venue_id=venue, party_size=6, preferred_start_time=stamp(SEVEN), max_results=most,
            window=common_pb2.TimeWindow(start_time=stamp(start), end_time=stamp(end)),
        ),
        metadata=OPS,
    )  # fmt: skip
    return [(c.start_time.ToDatetime(tzinfo=UTC), c.rescue_needed) for c in reply.candidates]


async def test_a_party_that_fits_only_after_a_repack_is_accepted(
    rescuing, fast_only, venue, engine
):
    await squeeze(engine, venue)

    rescued = await check(rescuing, venue)

    assert rescued.accepted and rescued.rescue_needed
    assert rescued.rejection_reason == api.CAPACITY_REJECTION_REASON_UNSPECIFIED
    assert rescued.detail.endswith("after a re-pack")
    assert rescued.end_time.ToDatetime(tzinfo=UTC) == SEVEN + timedelta(minutes=120)
    refused = await check(fast_only, venue)  # the same floor, without an optimizer
    assert not refused.accepted and not refused.rescue_needed
    assert refused.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS
    free = await check(rescuing, venue, party=2)  # t1 or t3 is free: no re-pack needed
    assert free.accepted and not free.rescue_needed


async def test_pinned_blockers_cannot_move_so_the_party_is_refused(rescuing, venue, engine):
    await squeeze(engine, venue, pinned=True)

    refused = await check(rescuing, venue)

    assert not refused.accepted and not refused.rescue_needed
    assert refused.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS


async def test_blockers_inside_the_freeze_window_cannot_move_so_the_party_is_refused(
    rescuing, venue, engine
):
    await squeeze(engine, venue)
    async with engine.begin() as db:  # two days: tomorrow's 19:00 lies inside it
        await db.execute(text("UPDATE venue_policies SET freeze_window_minutes = 2880 "
                              "WHERE venue_id = :v"), {"v": venue})  # fmt: skip

    refused = await check(rescuing, venue)

    assert not refused.accepted
    assert refused.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS


async def test_a_repack_never_takes_the_room_a_waiting_booking_needs(rescuing, venue, engine):
    await squeeze(engine, venue)
    waiting = await add_booking(engine, venue, SEVEN, 6, "ASSIGNMENT_PENDING")

    assert not (await check(rescuing, venue)).accepted  # only one six can be made room for
    itself = await check(rescuing, venue, booking_id=str(waiting))  # as the coordinator asks
    assert itself.accepted and itself.rescue_needed


async def test_slot_search_offers_the_squeezed_times_after_a_repack(
    rescuing, fast_only, venue, engine
):
    await squeeze(engine, venue)
    evening = (tomorrow_at(18), tomorrow_at(20))  # a six starting here overlaps both blockers

    # Every start is refused on the fast path; the three nearest 19:00 are asked about.
    assert await search(rescuing, venue, *evening, most=5) == [
        (SEVEN, True),
        (SEVEN - timedelta(minutes=15), True),
        (SEVEN + timedelta(minutes=15), True),
    ]
    assert await search(fast_only, venue, *evening, most=5) == []
    afternoon = (tomorrow_at(16), tomorrow_at(19, 30))  # 16:00-16:45 are free, then squeezed
    free = [(tomorrow_at(16, 45 - 15 * n), False) for n in range(4)]
    assert await search(rescuing, venue, *afternoon, most=4) == free  # enough: no re-pack asked
    assert await search(rescuing, venue, *afternoon, most=10) == [
        (SEVEN, True),
        (SEVEN - timedelta(minutes=15), True),
        (SEVEN + timedelta(minutes=15), True),
        *free,
    ]


async def test_an_optimizer_that_is_down_leaves_the_fast_path_answer(
    database_url, redis_url, venue, engine
):
    await squeeze(engine, venue)

    async with availability_at(database_url, redis_url, f"127.0.0.1:{closed_port()}") as stub:
        refused = await check(stub, venue)
        slots = await search(stub, venue, tomorrow_at(18), tomorrow_at(20), most=5)

    assert not refused.accepted
    assert refused.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS
    assert slots == []
