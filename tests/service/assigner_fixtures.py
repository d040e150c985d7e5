"""AssignerService on a real server (port 0) beside the state service, and booking builders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.application.assign import EngineAssigner
from services.assigner.grpc_api import ASSIGNER_ROLES, SERVICE, AssignerServicer
from shared.db.schema import allocations
from shared.server import start_server
from shared.service_token import ServiceToken
from shared.settings import ServiceSettings
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as rpc
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.service.availability_floor import seed_floor
from tests.service.conftest import SECRET
from tests.service.conftest import SERVICE as SERVICE_CALLER


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def window(start: datetime, end: datetime) -> common_pb2.TimeWindow:
    return common_pb2.TimeWindow(start_time=stamp(start), end_time=stamp(end))


def minutes(count: float) -> Duration:
    return Duration(seconds=int(count * 60))


@pytest.fixture(scope="module", name="assigner_address")
async def assigner_address_fixture(
    database_url: str, engine: AsyncEngine, state_address: str
) -> AsyncIterator[str]:
    settings = ServiceSettings(
        database_url=database_url, jwt_secret=SECRET, host="127.0.0.1", grace_period_seconds=2
    )
    channel = grpc.aio.insecure_channel(state_address)
    token = ServiceToken(SECRET, issuer=settings.jwt_issuer, subject="assigner")
    store = AllocationStore(engine)
    servicer = AssignerServicer(
        assigner=EngineAssigner(SeatingReader(engine), store, now),
        store=store,
        bookings=GrpcBookings(channel, token),
        clock=now,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        rpc.add_AssignerServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings, port=0, register=register, roles_by_method=ASSIGNER_ROLES
    )
    yield f"127.0.0.1:{running.port}"
    await running.stop(1)
    await channel.close()


@pytest.fixture(scope="module", name="assigner")
async def assigner_fixture(assigner_address: str) -> AsyncIterator[rpc.AssignerServiceStub]:
    async with grpc.aio.insecure_channel(assigner_address) as channel:
        yield rpc.AssignerServiceStub(channel)


@pytest.fixture(name="venue")
async def venue_fixture(engine: AsyncEngine) -> str:
    """A fresh floor: t1 (1-2 seats), t2 and t3 (2-4, joined), t4 (4-6); 15-minute buffer."""
    venue_id = f"as-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


async def create_booking(
    bookings: state_rpc.BookingServiceStub, venue_id: str, start: datetime, party_size: int
) -> booking_pb2.Booking:
    response = await bookings.CreateBooking(
        state_api.CreateBookingRequest(
            venue_id=venue_id, request_id=uuid.uuid4().hex,
            booking=booking_pb2.Booking(party_size=party_size, start_time=stamp(start)),
        ),
        metadata=SERVICE_CALLER,
    )  # fmt: skip
    return response.booking


async def advance(
    bookings: state_rpc.BookingServiceStub, booking: booking_pb2.Booking, *commands: str
) -> booking_pb2.Booking:
    """The booking after each transition RPC in turn, made by the service role."""
    for command in commands:
        request = getattr(state_api, f"{command}Request")(
            venue_id=booking.venue_id, booking_id=booking.booking_id,
            expected_version=booking.version, reason="test",
        )  # fmt: skip
        booking = (await getattr(bookings, command)(request, metadata=SERVICE_CALLER)).booking
    return booking


async def booking_in_progress(
    bookings: state_rpc.BookingServiceStub, venue_id: str, start: datetime, party_size: int
) -> booking_pb2.Booking:
    """A booking at ASSIGNMENT_IN_PROGRESS, as the coordinator leaves it before assigning."""
    created = await create_booking(bookings, venue_id, start, party_size)
    return await advance(
        bookings, created, "VerifyCapacity", "RequestAssignment", "StartAssignment"
    )


def table(venue_id: str, name: str) -> str:
    return f"{venue_id}-{name}"


async def live_groups(engine: AsyncEngine, booking_id: str) -> int:
    """How many allocations of the booking are in force (not released)."""
    async with engine.connect() as db:
        found = await db.scalar(
            select(func.count(func.distinct(allocations.c.group_id))).where(
                allocations.c.booking_id == uuid.UUID(booking_id),
                allocations.c.release_time.is_(None),
            )
        )
    return int(found or 0)


def hour_window(start: datetime, hours: float = 2) -> common_pb2.TimeWindow:
    return window(start, start + timedelta(hours=hours))
