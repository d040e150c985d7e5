"""OptimizerService on a real server (port 0) beside the state service and the assigner."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import grpc
import pytest

from services.optimizer.main import start
from services.optimizer.settings import OptimizerSettings
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner_api
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as assigner_rpc
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.service.assigner_fixtures import advance, booking_in_progress, stamp, table
from tests.service.conftest import OPS, SECRET
from tests.service.conftest import SERVICE as SERVICE_CALLER


@pytest.fixture(scope="module", name="optimizer_address")
async def optimizer_address_fixture(
    database_url: str, redis_url: str, assigner_address: str
) -> AsyncIterator[str]:
    settings = OptimizerSettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        grace_period_seconds=5, assigner_address=assigner_address, optimizer_scheduler=False,
    )  # fmt: skip
    running = await start(settings, port=0)
    yield f"127.0.0.1:{running.port}"
    await running.stop(5)


@pytest.fixture(scope="module", name="optimizer")
async def optimizer_fixture(optimizer_address: str) -> AsyncIterator[rpc.OptimizerServiceStub]:
    async with grpc.aio.insecure_channel(optimizer_address) as channel:
        yield rpc.OptimizerServiceStub(channel)


async def seated(
    bookings: state_rpc.BookingServiceStub,
    assigner: assigner_rpc.AssignerServiceStub,
    venue_id: str,
    start: datetime,
    party_size: int,
    tables: list[str],
    *,
    pinned: bool = False,
) -> booking_pb2.Booking:
    """An ASSIGNED booking at the named tables (by name, e.g. "t4"), placed there by ops."""
    if pinned:
        created = (
            await bookings.CreateBooking(
                state_api.CreateBookingRequest(
                    venue_id=venue_id, request_id=uuid.uuid4().hex,
                    booking=booking_pb2.Booking(
                        party_size=party_size, start_time=stamp(start), pinned=True
                    ),
                ),
                metadata=SERVICE_CALLER,
            )
        ).booking  # fmt: skip
        booking = await advance(
            bookings, created, "VerifyCapacity", "RequestAssignment", "StartAssignment"
        )
    else:
        booking = await booking_in_progress(bookings, venue_id, start, party_size)
    response = await assigner.ManualAssign(
        assigner_api.ManualAssignRequest(
            venue_id=venue_id, booking_id=booking.booking_id, expected_version=booking.version,
            table_ids=[table(venue_id, name) for name in tables], reason="test seating",
        ),
        metadata=OPS,
    )  # fmt: skip
    return response.booking


async def waiting(
    bookings: state_rpc.BookingServiceStub, venue_id: str, start: datetime, party_size: int
) -> booking_pb2.Booking:
    """A booking at ASSIGNMENT_PENDING, waiting for tables."""
    created = (
        await bookings.CreateBooking(
            state_api.CreateBookingRequest(
                venue_id=venue_id, request_id=uuid.uuid4().hex,
                booking=booking_pb2.Booking(party_size=party_size, start_time=stamp(start)),
            ),
            metadata=SERVICE_CALLER,
        )
    ).booking  # fmt: skip
    return await advance(bookings, created, "VerifyCapacity", "RequestAssignment")


async def optimize(
    optimizer: rpc.OptimizerServiceStub,
    venue_id: str,
    day: str,
    *,
    dry_run: bool = False,
    request_id: str = "",
    period: str = "",
) -> list[api.OptimizeVenueDayResponse]:
    """Every message of one OptimizeVenueDay stream, as ops."""
    request = api.OptimizeVenueDayRequest(
        venue_id=venue_id, service_date=day, service_period=period, request_id=request_id,
        options=plan_pb2.OptimizeOptions(dry_run=dry_run, seed=7),
    )  # fmt: skip
    return [message async for message in optimizer.OptimizeVenueDay(request, metadata=OPS)]
