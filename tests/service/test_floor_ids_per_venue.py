"""Zone and table ids are unique per venue: two venues with the same ids never see or block each
other, on real servers (floor plans, snapshots, state, assigner) over PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.tables import allocations
from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as snapshot_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as snapshot_rpc
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2_grpc as rpc
from shared.stubs.maitred.availability.v1 import snapshot_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (
    advance,
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    booking_in_progress,
    hour_window,
    overlaps,
    window,
)
from tests.service.availability_fixtures import OPS, policy_proto
from tests.service.conftest import SECRET, details_of, evening_in_three_days
from tests.service.optimizer_fixtures import (
    optimize,
    optimizer_address_fixture,  # noqa: F401 (a fixture)
    optimizer_fixture,  # noqa: F401 (a fixture)
    waiting,
)

# The same ids in every venue; the seats differ, so each venue's answers are told apart.
TABLES = ("t1", "t2", "t3")


@dataclass(frozen=True)
class Twin:
    """A venue built through the API with zone `main`, tables t1-t3 (t1-t2 joined)."""

    venue_id: str
    seats: int  # every table's max_seats, different per venue
    version: int


@pytest.fixture(scope="module")
async def availability_address(
    database_url: str, redis_url: str, state_address: str
) -> AsyncIterator[str]:
    """The availability process's servers (floor plans and snapshots) on port 0."""
    settings = AvailabilitySettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        state_address=state_address, watch_poll_seconds=0.5,
    )  # fmt: skip
    running = await start(settings, port=0)
    yield f"127.0.0.1:{running.port}"
    await running.stop(0.5)


@pytest.fixture(scope="module")
async def availability_channel(availability_address: str) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(availability_address) as opened:
        yield opened


@pytest.fixture
def floor_plans(availability_channel: grpc.aio.Channel) -> rpc.FloorPlanServiceStub:
    return rpc.FloorPlanServiceStub(availability_channel)


@pytest.fixture
def snapshots(availability_channel: grpc.aio.Channel) -> snapshot_rpc.AvailabilityServiceStub:
    return snapshot_rpc.AvailabilityServiceStub(availability_channel)


@pytest.fixture
async def twins(floor_plans: rpc.FloorPlanServiceStub) -> tuple[Twin, Twin]:
    """Two venues with the same zone and table ids, built by the same requests."""
    prefix = f"twin-{uuid.uuid4().hex[:8]}"
    return (
        await build(floor_plans, f"{prefix}-a", seats=4),
        await build(floor_plans, f"{prefix}-b", seats=6),
    )


async def build(floor_plans: rpc.FloorPlanServiceStub, venue_id: str, seats: int) -> Twin:
    venue = pb.Venue(display_name=venue_id, time_zone="Europe/London", max_party_size=12)
    await floor_plans.CreateVenue(
        api.CreateVenueRequest(venue_id=venue_id, venue=venue, policy=policy_proto(),
                               request_id=f"{venue_id}-venue"),
        metadata=OPS,
    )  # fmt: skip
    # The request ids repeat across venues too: a create is replayed only within its venue.
    await floor_plans.CreateZone(
        api.CreateZoneRequest(venue_id=venue_id, request_id="zone-main",
                              zone=pb.Zone(zone_id="main", display_name=f"Main of {venue_id}")),
        metadata=OPS,
    )  # fmt: skip
    for name in TABLES:
        table = pb.Table(
            table_id=name, display_name=name.upper(), zone_id="main", min_seats=1,
            max_seats=seats, combinable=True, active=True,
        )  # fmt: skip
        await floor_plans.CreateTable(
            api.CreateTableRequest(venue_id=venue_id, table=table, request_id=f"table-{name}"),
            metadata=OPS,
        )
    graph = pb.AdjacencyGraph(edges=[pb.TableAdjacency(first_table_id="t1", second_table_id="t2")])
    response = await floor_plans.UpdateAdjacencyGraph(
        api.UpdateAdjacencyGraphRequest(venue_id=venue_id, adjacency_graph=graph,
                                        expected_version=5),
        metadata=OPS,
    )  # fmt: skip
    return Twin(venue_id, seats, response.venue_version)


async def plan_of(floor_plans: rpc.FloorPlanServiceStub, twin: Twin) -> pb.FloorPlan:
    request = api.GetFloorPlanRequest(venue_id=twin.venue_id)
    return (await floor_plans.GetFloorPlan(request, metadata=OPS)).floor_plan


async def failing(call, request) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(request, metadata=OPS)
    return raised.value


async def test_two_venues_each_create_a_zone_and_tables_with_the_same_ids_and_see_only_theirs(
    floor_plans, twins
):
    for twin in twins:
        plan = await plan_of(floor_plans, twin)
        assert [(z.zone_id, z.display_name) for z in plan.zones] == [
            ("main", f"Main of {twin.venue_id}")
        ]
        assert [(t.table_id, t.max_seats) for t in plan.tables] == [
            (name, twin.seats) for name in TABLES
        ]
        assert [(e.first_table_id, e.second_table_id) for e in plan.adjacency.edges] == [
            ("t1", "t2")
        ]
        table = await floor_plans.GetTable(
            api.GetTableRequest(venue_id=twin.venue_id, table_id="t2"), metadata=OPS
        )
        assert table.table.max_seats == twin.seats
        assert table.venue_version == twin.version
        listed = await floor_plans.ListTables(
            api.ListTablesRequest(venue_id=twin.venue_id, zone_id="main"), metadata=OPS
        )
        assert [t.max_seats for t in listed.tables] == [twin.seats] * len(TABLES)


async def test_a_duplicate_id_within_one_venue_is_already_exists_and_names_no_other_venue(
    floor_plans, twins
):
    first, second = twins
    zone = api.CreateZoneRequest(
        venue_id=first.venue_id, request_id="zone-main-again",
        zone=pb.Zone(zone_id="main", display_name="Another main"),
    )  # fmt: skip
    table = api.CreateTableRequest(
        venue_id=first.venue_id, request_id="table-t1-again",
        table=pb.Table(table_id="t1", display_name="T9", zone_id="main", min_seats=1, max_seats=2,
                       active=True),
    )  # fmt: skip
    for call, request, message in (
        (floor_plans.CreateZone, zone, "Zone main already exists."),
        (floor_plans.CreateTable, table, "Table t1 already exists."),
    ):
        error = await failing(call, request)
        assert error.code() == grpc.StatusCode.ALREADY_EXISTS
        details = details_of(error)
        assert details["ErrorInfo"].reason == "ALREADY_EXISTS"
        assert details["LocalizedMessage"].message == message
        told = [error.details(), *details["ErrorInfo"].metadata.values(), str(details)]
        assert not any(second.venue_id in part for part in told)
    assert (await plan_of(floor_plans, first)).venue.version == first.version


async def test_a_replayed_create_returns_its_own_venues_resource_only(floor_plans, twins):
    first, second = twins
    replay = api.CreateZoneRequest(
        venue_id=second.venue_id, request_id="zone-main",
        zone=pb.Zone(zone_id="main", display_name=f"Main of {second.venue_id}"),
    )  # fmt: skip
    answer = await floor_plans.CreateZone(replay, metadata=OPS)
    assert answer.zone.display_name == f"Main of {second.venue_id}"
    assert answer.venue_version == second.version  # a replay changes nothing
    assert (await plan_of(floor_plans, first)).zones[0].display_name == (
        f"Main of {first.venue_id}"
    )


async def test_changing_one_venues_zone_table_and_joins_leaves_the_same_ids_elsewhere_alone(
    floor_plans, twins
):
    first, second = twins
    await floor_plans.UpdateZone(
        api.UpdateZoneRequest(venue_id=first.venue_id, zone_id="main",
                              zone=pb.Zone(display_name="Renamed"),
                              expected_version=first.version),
        metadata=OPS,
    )  # fmt: skip
    await floor_plans.UpdateTable(
        api.UpdateTableRequest(
            venue_id=first.venue_id, table_id="t3", expected_version=first.version + 1,
            table=pb.Table(display_name="T3", zone_id="main", min_seats=1, max_seats=2,
                           combinable=True, active=False),
        ),
        metadata=OPS,
    )  # fmt: skip
    empty = pb.AdjacencyGraph()
    await floor_plans.UpdateAdjacencyGraph(
        api.UpdateAdjacencyGraphRequest(venue_id=first.venue_id, adjacency_graph=empty,
                                        expected_version=first.version + 2),
        metadata=OPS,
    )  # fmt: skip
    changed = await plan_of(floor_plans, first)
    assert changed.zones[0].display_name == "Renamed"
    assert [(t.max_seats, t.active) for t in changed.tables][2] == (2, False)
    assert not changed.adjacency.edges
    untouched = await plan_of(floor_plans, second)
    assert untouched.venue.version == second.version
    assert untouched.zones[0].display_name == f"Main of {second.venue_id}"
    assert [(t.max_seats, t.active) for t in untouched.tables] == [(second.seats, True)] * 3
    assert len(untouched.adjacency.edges) == 1


async def test_a_booking_may_prefer_only_a_zone_of_its_own_venue(floor_plans, bookings, twins):
    first, second = twins
    await floor_plans.CreateZone(
        api.CreateZoneRequest(venue_id=first.venue_id, request_id="zone-terrace",
                              zone=pb.Zone(zone_id="terrace", display_name="Terrace")),
        metadata=OPS,
    )  # fmt: skip
    start = Timestamp()
    start.FromDatetime(evening_in_three_days())

    def booking_in(twin: Twin) -> state_api.CreateBookingRequest:
        return state_api.CreateBookingRequest(
            venue_id=twin.venue_id, request_id=uuid.uuid4().hex,
            booking=booking_pb2.Booking(party_size=2, start_time=start,
                                        preferred_zone_id="terrace"),
        )  # fmt: skip

    error = await failing(bookings.CreateBooking, booking_in(second))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [v.field for v in details_of(error)["BadRequest"].field_violations]
    assert fields == ["booking.preferred_zone_id"]
    created = await bookings.CreateBooking(booking_in(first), metadata=OPS)
    assert created.booking.preferred_zone_id == "terrace"


async def in_manual_review(bookings, twin: Twin, start: datetime) -> booking_pb2.Booking:
    booking = await booking_in_progress(bookings, twin.venue_id, start, 2)
    return await advance(bookings, booking, "SendToManualReview")


def by_hand(booking: booking_pb2.Booking, *names: str) -> assigner_api.ManualAssignRequest:
    return assigner_api.ManualAssignRequest(
        venue_id=booking.venue_id, booking_id=booking.booking_id,
        expected_version=booking.version, table_ids=list(names), reason="the regulars' table",
    )  # fmt: skip


def place_hold(twin: Twin, start: datetime, *names: str) -> assigner_api.PlaceHoldRequest:
    return assigner_api.PlaceHoldRequest(
        venue_id=twin.venue_id, table_ids=list(names), window=hour_window(start)
    )


async def test_same_named_tables_of_two_venues_are_held_and_assigned_at_once_without_conflict(
    assigner, bookings, twins, engine
):
    first, second = twins
    start = evening_in_three_days()
    for twin in twins:
        booking = await in_manual_review(bookings, twin, start)
        answer = await assigner.ManualAssign(by_hand(booking, "t1"), metadata=OPS)
        assert list(answer.allocation.table_ids) == ["t1"]
        assert answer.booking.state == booking_pb2.BOOKING_STATE_ASSIGNED
        hold = await assigner.PlaceHold(place_hold(twin, start, "t2"), metadata=OPS)
        assert list(hold.hold.table_ids) == ["t2"]
    # Within one venue the database still judges: the same table over the same time is taken.
    late = await in_manual_review(bookings, first, start + timedelta(minutes=30))
    for call, request in (
        (assigner.ManualAssign, by_hand(late, "t1")),
        (assigner.PlaceHold, place_hold(first, start, "t2")),
    ):
        error = await failing(call, request)
        assert error.code() == grpc.StatusCode.ABORTED
        assert details_of(error)["ErrorInfo"].reason == "ALLOCATION_CONFLICT"
        assert second.venue_id not in error.details()
    for twin in twins:
        listed = await assigner.ListAllocations(
            assigner_api.ListAllocationsRequest(venue_id=twin.venue_id), metadata=OPS
        )
        assert sorted(tuple(a.table_ids) for a in listed.allocations) == [("t1",), ("t2",)]
        assert {a.venue_id for a in listed.allocations} == {twin.venue_id}
        assert await overlaps(engine, twin.venue_id) == 0


async def expired_hold(engine: AsyncEngine, twin: Twin, table_id: str, start: datetime) -> int:
    """A hold written as the assigner writes one, whose time ran out a minute ago."""
    values = {"g": uuid.uuid4(), "v": twin.venue_id, "t": table_id, "s": start,
              "e": start + timedelta(hours=2)}  # fmt: skip
    statement = text(
        "INSERT INTO allocations (group_id, venue_id, table_id, kind, during, expire_time) "
        "VALUES (:g, :v, :t, 'HOLD', tstzrange(:s, :e, '[)'), now() - interval '1 minute') "
        "RETURNING allocation_id"
    )
    async with engine.begin() as db:
        return int(await db.scalar(statement, values))


async def released(engine: AsyncEngine, allocation_id: int) -> bool:
    async with engine.connect() as db:
        found = await db.scalar(
            select(allocations.c.release_time).where(allocations.c.allocation_id == allocation_id)
        )
    return found is not None


async def test_a_venue_releases_only_its_own_expired_holds_in_the_way(assigner, twins, engine):
    first, second = twins
    start = evening_in_three_days()
    lapsed = await expired_hold(engine, first, "t3", start)
    await assigner.PlaceHold(place_hold(second, start, "t3"), metadata=OPS)
    assert not await released(engine, lapsed)  # another venue's t3 is not in the way
    await assigner.PlaceHold(place_hold(first, start, "t3"), metadata=OPS)
    assert await released(engine, lapsed)


async def test_each_venues_snapshot_shows_only_its_own_tables_occupancy(
    assigner, bookings, snapshots, twins
):
    first, second = twins
    start = evening_in_three_days()
    booking = await in_manual_review(bookings, first, start)
    await assigner.ManualAssign(by_hand(booking, "t1"), metadata=OPS)
    span = window(start - timedelta(hours=1), start + timedelta(hours=3))
    occupied = {}
    for twin in twins:
        reply = await snapshots.GetSnapshot(
            snapshot_api.GetSnapshotRequest(venue_id=twin.venue_id, window=span), metadata=OPS
        )
        by_table = {t.table_id: [i.kind for i in t.intervals] for t in reply.snapshot.tables}
        assert sorted(by_table) == list(TABLES)
        occupied[twin.venue_id] = by_table["t1"]
    assert occupied[first.venue_id] == [snapshot_pb2.OCCUPANCY_KIND_ASSIGNED]
    assert occupied[second.venue_id] == []


async def test_a_full_venue_leaves_the_same_named_tables_of_another_free_to_quote_and_plan(
    assigner, bookings, optimizer, twins
):
    first, second = twins
    start = evening_in_three_days()
    for name in TABLES:
        booking = await in_manual_review(bookings, first, start)
        await assigner.ManualAssign(by_hand(booking, name), metadata=OPS)
    quotes = {}
    for twin in twins:
        request = assigner_api.QuoteTablesRequest(
            venue_id=twin.venue_id, party_size=2, window=hour_window(start)
        )
        plans = (await assigner.QuoteTables(request, metadata=OPS)).plans
        quotes[twin.venue_id] = {tuple(plan.table_ids) for plan in plans}
    assert quotes[first.venue_id] == set()
    assert {("t1",), ("t2",), ("t3",)} <= quotes[second.venue_id]
    party = await waiting(bookings, second.venue_id, start, 2)
    day = start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    plan = (await optimize(optimizer, second.venue_id, day, dry_run=True))[-1].plan
    assert [m.booking_id for m in plan.new_assignments] == [party.booking_id]
    assert list(plan.unassigned_booking_ids) == []
