"""FloorPlanService on a real server (port 0), with builders of venues and live assignments."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.tables import allocations
from services.availability.adapters.floor_plan_unit_of_work import PostgresFloorPlanUnitOfWork
from services.availability.adapters.state_client import GrpcBookingStates
from services.availability.floor_plan_api import SERVICE, FloorPlanServicer
from services.availability.messages import MESSAGES
from services.availability.roles import ROLES
from shared.auth import Role
from shared.server import start_server
from shared.service_token import ServiceToken
from shared.settings import ServiceSettings
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2_grpc as rpc
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.service.conftest import SECRET, auth, evening_in_three_days

OPS = auth(Role.OPS)
SERVICE_CALLER = auth(Role.SERVICE)
EVERY_WEEKDAY = list(range(pb.WEEKDAY_MONDAY, pb.WEEKDAY_SUNDAY + 1))


def minutes(count: int) -> Duration:
    return Duration(seconds=count * 60)


def policy_proto(**changes: object) -> pb.VenuePolicy:
    """A full, valid policy: dinner 17:00-22:30 daily, turn times for parties of 1 to 12."""
    fields: dict[str, object] = {
        "service_periods": [
            pb.ServicePeriod(
                name="dinner", weekdays=EVERY_WEEKDAY, first_seating=pb.LocalTime(hours=17),
                last_seating=pb.LocalTime(hours=22, minutes=30),
            )
        ],
        "slot_interval": minutes(15),
        "turn_time_bands": [
            pb.TurnTimeBand(min_party_size=1, max_party_size=4, turn_duration=minutes(90)),
            pb.TurnTimeBand(min_party_size=5, max_party_size=12, turn_duration=minutes(120)),
        ],
        "cleaning_buffer": minutes(15),
        "pacing": pb.Pacing(max_covers_per_slot=40, max_parties_per_slot=0),
        "hold_ttl": Duration(seconds=180),
        "auto_confirm": True,
        "max_tables_per_combination": 3,
        "optimizer_threshold_percent": 12.5,
        "retry_budget": pb.RetryBudget(
            max_attempts=5, initial_backoff=Duration(seconds=1), max_backoff=Duration(seconds=30),
            deadline=minutes(2),
        ),
        "freeze_window": minutes(60),
        "strategy_weights": [pb.StrategyWeight(strategy="exact_fit", weight=2.0)],
        "yield_settings": pb.YieldSettings(enabled=False, min_days_observed=4),
    }  # fmt: skip
    fields.update(changes)
    return pb.VenuePolicy(**fields)  # type: ignore[arg-type]


@dataclass
class BuiltVenue:
    """A venue made through the API: zone `main`, tables t1-t3 (t1-t2 joined), its version."""

    venue_id: str
    version: int

    def id(self, name: str) -> str:
        """The id of one of the venue's zones or tables, prefixed with the venue's id (ids need
        only be unique within a venue; the prefix lets a failure's ids name their venue)."""
        return f"{self.venue_id}-{name}"


async def build_venue(floor_plans: rpc.FloorPlanServiceStub, venue_id: str) -> BuiltVenue:
    venue = pb.Venue(display_name="Bistro", time_zone="Europe/London", max_party_size=12)
    await floor_plans.CreateVenue(
        api.CreateVenueRequest(
            venue_id=venue_id, venue=venue, policy=policy_proto(), request_id=f"{venue_id}-v"
        ),
        metadata=OPS,
    )
    built = BuiltVenue(venue_id, 1)
    zone = pb.Zone(zone_id=built.id("main"), display_name="Main room")
    response = await floor_plans.CreateZone(
        api.CreateZoneRequest(venue_id=venue_id, zone=zone, request_id=f"{venue_id}-z"),
        metadata=OPS,
    )
    for name, low, high in (("t1", 2, 4), ("t2", 2, 4), ("t3", 4, 6)):
        table = pb.Table(
            table_id=built.id(name), display_name=name.upper(), zone_id=built.id("main"),
            min_seats=low, max_seats=high, combinable=True, active=True,
        )  # fmt: skip
        response = await floor_plans.CreateTable(
            api.CreateTableRequest(venue_id=venue_id, table=table, request_id=f"{venue_id}-{name}"),
            metadata=OPS,
        )
    graph = pb.AdjacencyGraph(
        edges=[pb.TableAdjacency(first_table_id=built.id("t2"), second_table_id=built.id("t1"))]
    )
    response = await floor_plans.UpdateAdjacencyGraph(
        api.UpdateAdjacencyGraphRequest(
            venue_id=venue_id, adjacency_graph=graph, expected_version=response.venue_version
        ),
        metadata=OPS,
    )
    built.version = response.venue_version
    return built


async def assign(
    bookings: state_rpc.BookingServiceStub,
    engine: AsyncEngine,
    venue_id: str,
    table_ids: list[str],
    party_size: int = 4,
) -> booking_pb2.Booking:
    """A booking moved to ASSIGNED through the state service, its tables allocated by SQL."""
    start = Timestamp()
    start.FromDatetime(evening_in_three_days())
    created = await bookings.CreateBooking(
        state_api.CreateBookingRequest(
            venue_id=venue_id, request_id=uuid.uuid4().hex,
            booking=booking_pb2.Booking(party_size=party_size, start_time=start),
        ),
        metadata=SERVICE_CALLER,
    )  # fmt: skip
    booking = created.booking
    ids = {"venue_id": venue_id, "booking_id": booking.booking_id}
    for call, request_type, extra in (
        (bookings.VerifyCapacity, state_api.VerifyCapacityRequest, {}),
        (bookings.RequestAssignment, state_api.RequestAssignmentRequest, {}),
        (bookings.StartAssignment, state_api.StartAssignmentRequest, {}),
        (bookings.RecordAssignment, state_api.RecordAssignmentRequest, {"table_ids": table_ids}),
    ):
        request = request_type(**ids, expected_version=booking.version, reason="test", **extra)
        booking = (await call(request, metadata=SERVICE_CALLER)).booking
    # The assigner does not exist yet: write its allocation rows as it will.
    group = uuid.uuid4()
    window = Range(
        booking.start_time.ToDatetime(tzinfo=UTC),
        booking.end_time.ToDatetime(tzinfo=UTC),
        bounds="[)",
    )
    async with engine.begin() as db:
        await db.execute(
            insert(allocations),
            [
                {"group_id": group, "venue_id": venue_id, "table_id": table_id,
                 "booking_id": uuid.UUID(booking.booking_id), "kind": "ASSIGNMENT",
                 "during": window}
                for table_id in table_ids
            ],
        )  # fmt: skip
    return booking


@pytest.fixture(scope="module", name="floor_plan_address")
async def floor_plan_address_fixture(
    database_url: str, engine: AsyncEngine, state_address: str
) -> AsyncIterator[str]:
    settings = ServiceSettings(
        database_url=database_url, jwt_secret=SECRET, host="127.0.0.1", grace_period_seconds=2
    )
    channel = grpc.aio.insecure_channel(state_address)
    servicer = FloorPlanServicer(
        uow=functools.partial(PostgresFloorPlanUnitOfWork, engine),
        state=GrpcBookingStates(
            channel, ServiceToken(SECRET, issuer=settings.jwt_issuer, subject="availability")
        ),
        clock=lambda: datetime.now(UTC),
    )

    def register(server: grpc.aio.Server) -> list[str]:
        rpc.add_FloorPlanServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings, port=0, register=register, roles_by_method=ROLES, messages=MESSAGES
    )
    yield f"127.0.0.1:{running.port}"
    await running.stop(1)
    await channel.close()


@pytest.fixture(scope="module", name="floor_plans")
async def floor_plans_fixture(floor_plan_address: str) -> AsyncIterator[rpc.FloorPlanServiceStub]:
    async with grpc.aio.insecure_channel(floor_plan_address) as channel:
        yield rpc.FloorPlanServiceStub(channel)
