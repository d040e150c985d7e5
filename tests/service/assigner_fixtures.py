"""AssignerService on a real server (port 0) beside the state service, booking builders and the
floor checks of the move tests (tables in force, overlaps)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_moves import AllocationMoves
from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.move_replays import RedisMoveReplays
from services.assigner.adapters.on_behalf import ops_verifier
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.adapters.tables import allocations
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.moves import Moves
from services.assigner.application.table_records import TableRecorder
from services.assigner.grpc_api import AssignerServicer
from services.assigner.messages import MESSAGES
from services.assigner.roles import ROLES, SERVICE
from shared.server import start_server
from shared.service_token import ServiceToken
from shared.settings import ServiceSettings
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as rpc
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.service.availability_floor import seed_floor
from tests.service.conftest import OPS, SECRET
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


@asynccontextmanager
async def running_assigner(
    database_url: str, engine: AsyncEngine, state_address: str, redis_url: str
) -> AsyncIterator[str]:
    """An AssignerService (no coordinator) on port 0, talking to the state service given."""
    settings = ServiceSettings(
        database_url=database_url, jwt_secret=SECRET, host="127.0.0.1", grace_period_seconds=2
    )
    channel = grpc.aio.insecure_channel(state_address)
    token = ServiceToken(SECRET, issuer=settings.jwt_issuer, subject="assigner")
    store = AllocationStore(engine)
    redis = Redis.from_url(redis_url)
    assigner = EngineAssigner(SeatingReader(engine), store.assignments, now, DayWrites(engine))
    bookings = GrpcBookings(channel, token)
    servicer = AssignerServicer(
        assigner=assigner,
        store=store,
        bookings=bookings,
        clock=now,
        moves=Moves(
            days=assigner,
            writer=AllocationMoves(engine),
            recorder=TableRecorder(bookings, store.assignments, now),
            replays=RedisMoveReplays(redis),
            clock=now,
        ),
        is_ops=ops_verifier(SECRET, settings.jwt_issuer),
    )

    def register(server: grpc.aio.Server) -> list[str]:
        rpc.add_AssignerServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings, port=0, register=register, roles_by_method=ROLES, messages=MESSAGES
    )
    try:
        yield f"127.0.0.1:{running.port}"
    finally:
        await running.stop(1)
        await channel.close()
        await redis.aclose()


@pytest.fixture(scope="module", name="assigner_address")
async def assigner_address_fixture(
    database_url: str, engine: AsyncEngine, state_address: str, redis_url: str
) -> AsyncIterator[str]:
    async with running_assigner(database_url, engine, state_address, redis_url) as address:
        yield address


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


async def seated_at(assigner, bookings, venue, start, names, party=2) -> booking_pb2.Booking:
    """A booking ASSIGNED to the named tables (by ops' hand, so the tables are known)."""
    booking = await booking_in_progress(bookings, venue, start, party)
    response = await assigner.ManualAssign(
        api.ManualAssignRequest(
            venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version,
            table_ids=[table(venue, n) for n in names], reason="set up",
        ),
        metadata=OPS,
    )  # fmt: skip
    return response.booking


def move(booking, names, version=None) -> api.BookingMove:
    return api.BookingMove(
        booking_id=booking.booking_id,
        expected_version=booking.version if version is None else version,
        table_ids=[table(booking.venue_id, n) for n in names],
    )


def request(venue, *moves, reason="optimizer plan 7", request_id=None) -> api.MoveBookingsRequest:
    return api.MoveBookingsRequest(
        venue_id=venue, moves=list(moves), reason=reason,
        request_id=request_id or uuid.uuid4().hex,
    )  # fmt: skip


async def read(bookings, booking) -> booking_pb2.Booking:
    response = await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=booking.venue_id, booking_id=booking.booking_id),
        metadata=SERVICE_CALLER,
    )
    return response.booking


async def live_tables(engine: AsyncEngine, venue: str) -> dict[str, list[str]]:
    """Each booking's tables in force (assignments not released), by booking id."""
    async with engine.connect() as db:
        rows = await db.execute(
            text(
                "SELECT booking_id, table_id FROM allocations WHERE venue_id = :v "
                "AND kind = 'ASSIGNMENT' AND release_time IS NULL ORDER BY table_id"
            ),
            {"v": venue},
        )
        found: dict[str, list[str]] = {}
        for booking_id, table_id in rows:
            found.setdefault(str(booking_id), []).append(table_id)
        return found


async def live_groups_by_booking(engine: AsyncEngine, venue: str) -> dict[str, int]:
    async with engine.connect() as db:
        rows = await db.execute(
            text(
                "SELECT booking_id, count(DISTINCT group_id) FROM allocations WHERE venue_id = :v "
                "AND kind = 'ASSIGNMENT' AND release_time IS NULL GROUP BY booking_id"
            ),
            {"v": venue},
        )
        return {str(b): int(n) for b, n in rows}


async def overlaps(engine: AsyncEngine, venue: str) -> int:
    """How many pairs of allocations in force share a table over overlapping windows."""
    async with engine.connect() as db:
        found = await db.scalar(
            text(
                "SELECT count(*) FROM allocations a JOIN allocations b "
                "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                "AND a.allocation_id < b.allocation_id "
                "AND a.during && b.during "
                "WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL "
                "AND (a.kind <> 'HOLD' OR a.expire_time > now()) "
                "AND (b.kind <> 'HOLD' OR b.expire_time > now())"
            ),
            {"v": venue},
        )
    return int(found or 0)
