"""FloorPlanService over a real server and database: plans, paging, versions, roles, strands."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from services.availability.adapters.tables import dining_tables, venues
from shared.auth import Role
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.availability_fixtures import (
    OPS,
    assign,
    build_venue,
    floor_plan_address_fixture,  # noqa: F401 (a fixture)
    floor_plans_fixture,  # noqa: F401 (a fixture)
    policy_proto,
)
from tests.service.conftest import auth, details_of, evening_in_three_days


def booking_request(venue_id: str, start: datetime) -> state_api.CreateBookingRequest:
    stamp = Timestamp()
    stamp.FromDatetime(start)
    return state_api.CreateBookingRequest(
        venue_id=venue_id, request_id=uuid.uuid4().hex,
        booking=booking_pb2.Booking(party_size=2, start_time=stamp),
    )  # fmt: skip


async def failing(call, request, metadata=OPS) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(request, metadata=metadata)
    return raised.value


async def version_of(engine, venue_id: str) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(select(venues.c.version).where(venues.c.venue_id == venue_id)))


def deactivated(venue, name: str, low: int = 2, high: int = 4) -> pb.Table:
    return pb.Table(
        display_name=name.upper(), zone_id=venue.id("main"), min_seats=low, max_seats=high,
        combinable=True, active=False,
    )  # fmt: skip


async def test_a_venue_built_piece_by_piece_reads_back_as_one_floor_plan(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("plan"))
    assert venue.version == 6  # created at 1; a zone, three tables and the graph: one each
    plan = (
        await floor_plans.GetFloorPlan(
            api.GetFloorPlanRequest(venue_id=venue.venue_id), metadata=auth(Role.BACKEND)
        )
    ).floor_plan
    assert plan.venue.version == 6
    assert (plan.venue.time_zone, plan.venue.max_party_size) == ("Europe/London", 12)
    assert [z.zone_id for z in plan.zones] == [venue.id("main")]
    assert [(t.table_id, t.min_seats, t.max_seats, t.active) for t in plan.tables] == [
        (venue.id("t1"), 2, 4, True),
        (venue.id("t2"), 2, 4, True),
        (venue.id("t3"), 4, 6, True),
    ]
    assert [(e.first_table_id, e.second_table_id) for e in plan.adjacency.edges] == [
        (venue.id("t1"), venue.id("t2"))
    ]
    expected = policy_proto(venue_id=venue.venue_id)
    expected.update_time.CopyFrom(plan.policy.update_time)
    assert plan.policy == expected
    assert all(t.HasField("create_time") and t.HasField("update_time") for t in plan.tables)


async def test_venues_are_listed_by_id_in_pages_and_only_within_the_callers_scope(
    floor_plans, unique
):
    prefix = unique("list")
    ids = [f"{prefix}-{n}" for n in (3, 1, 2)]
    for venue_id in ids:
        await build_venue(floor_plans, venue_id)
    scoped = auth(Role.BACKEND, venues=(*ids[:2], f"{prefix}-missing"))
    first = await floor_plans.ListVenues(api.ListVenuesRequest(page_size=1), metadata=scoped)
    second = await floor_plans.ListVenues(
        api.ListVenuesRequest(page_size=1, page_token=first.next_page_token), metadata=scoped
    )
    assert [v.venue_id for v in (*first.venues, *second.venues)] == sorted(ids[:2])
    assert second.next_page_token == ""
    everything = await floor_plans.ListVenues(
        api.ListVenuesRequest(page_size=500), metadata=auth(Role.BACKEND)
    )
    assert set(ids) <= {v.venue_id for v in everything.venues}
    error = await failing(
        floor_plans.ListVenues, api.ListVenuesRequest(page_token="bm9wZQ=="), scoped
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_stale_expected_version_is_aborted_and_changes_nothing(floor_plans, unique, engine):
    venue = await build_venue(floor_plans, unique("stale"))
    error = await failing(
        floor_plans.UpdateTable,
        api.UpdateTableRequest(
            venue_id=venue.venue_id, table_id=venue.id("t3"), table=deactivated(venue, "t3", 4, 6),
            expected_version=venue.version - 1,
        ),
    )  # fmt: skip
    assert error.code() == grpc.StatusCode.ABORTED
    info = details_of(error)["ErrorInfo"]
    assert info.reason == "STALE_VERSION"
    assert (info.metadata["expected"], info.metadata["current"]) == (
        str(venue.version - 1),
        str(venue.version),
    )
    assert await version_of(engine, venue.venue_id) == venue.version
    table = await floor_plans.GetTable(
        api.GetTableRequest(venue_id=venue.venue_id, table_id=venue.id("t3")), metadata=OPS
    )
    assert table.table.active


@pytest.mark.parametrize("role", [Role.BACKEND, Role.SERVICE])
async def test_a_caller_without_the_ops_role_reads_but_cannot_change_a_floor_plan(
    floor_plans, unique, engine, role
):
    venue = await build_venue(floor_plans, unique("roles"))
    metadata = auth(role)
    zones = await floor_plans.ListZones(
        api.ListZonesRequest(venue_id=venue.venue_id), metadata=metadata
    )
    assert [z.zone_id for z in zones.zones] == [venue.id("main")]
    error = await failing(
        floor_plans.UpdateZone,
        api.UpdateZoneRequest(
            venue_id=venue.venue_id, zone_id=venue.id("main"), zone=pb.Zone(display_name="Bar"),
            expected_version=venue.version,
        ),
        metadata,
    )  # fmt: skip
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert details_of(error)["ErrorInfo"].reason == "ROLE_NOT_ALLOWED"
    assert await version_of(engine, venue.venue_id) == venue.version


async def test_an_invalid_table_names_every_bad_field_and_writes_nothing(
    floor_plans, unique, engine
):
    venue = await build_venue(floor_plans, unique("invalid"))
    table = pb.Table(
        table_id="Not An Id", display_name="T1", zone_id="cellar", min_seats=0, max_seats=51,
        active=True,
    )  # fmt: skip
    error = await failing(
        floor_plans.CreateTable,
        api.CreateTableRequest(venue_id=venue.venue_id, table=table, request_id="r-1"),
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = details_of(error)["BadRequest"].field_violations
    assert sorted(v.field for v in violations) == [
        "table.display_name",  # T1 is taken
        "table.max_seats",
        "table.min_seats",
        "table.table_id",
        "table.zone_id",
    ]
    assert await version_of(engine, venue.venue_id) == venue.version
    async with engine.connect() as db:
        count = await db.scalar(
            select(func.count()).where(dining_tables.c.venue_id == venue.venue_id)
        )
    assert count == 3


async def test_an_invalid_policy_names_its_fields_and_leaves_the_policy_as_it_was(
    floor_plans, unique
):
    venue = await build_venue(floor_plans, unique("policy"))
    late = pb.ServicePeriod(
        name="late", weekdays=[pb.WEEKDAY_FRIDAY],
        first_seating=pb.LocalTime(hours=22), last_seating=pb.LocalTime(hours=1),
    )  # fmt: skip
    overlapping = pb.ServicePeriod(
        name="supper", weekdays=[pb.WEEKDAY_MONDAY],
        first_seating=pb.LocalTime(hours=21), last_seating=pb.LocalTime(hours=23),
    )  # fmt: skip
    policy = policy_proto()
    policy.service_periods.extend([late, overlapping])
    policy.turn_time_bands[1].min_party_size = 6
    error = await failing(
        floor_plans.UpdateVenuePolicy,
        api.UpdateVenuePolicyRequest(
            venue_id=venue.venue_id, policy=policy, expected_version=venue.version
        ),
    )
    fields = [v.field for v in details_of(error)["BadRequest"].field_violations]
    assert fields == [
        "policy.service_periods[1].last_seating",
        "policy.service_periods[2]",
        "policy.turn_time_bands",
    ]
    read = await floor_plans.GetVenuePolicy(
        api.GetVenuePolicyRequest(venue_id=venue.venue_id), metadata=OPS
    )
    assert read.venue_version == venue.version
    assert [p.name for p in read.policy.service_periods] == ["dinner"]


async def test_a_replayed_create_returns_the_first_result_and_another_one_already_exists(
    floor_plans, unique
):
    venue = await build_venue(floor_plans, unique("replay"))
    request = api.CreateZoneRequest(
        venue_id=venue.venue_id,
        zone=pb.Zone(zone_id=venue.id("terrace"), display_name="Terrace"),
        request_id="zone-terrace",
    )
    first = await floor_plans.CreateZone(request, metadata=OPS)
    again = await floor_plans.CreateZone(request, metadata=OPS)
    assert again == first
    request.request_id = "another-request"
    error = await failing(floor_plans.CreateZone, request)
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert details_of(error)["ErrorInfo"].reason == "ALREADY_EXISTS"


async def test_deactivating_a_table_with_a_live_assignment_is_refused_naming_the_booking(
    floor_plans, bookings, unique, engine
):
    venue = await build_venue(floor_plans, unique("strand"))
    booking = await assign(bookings, engine, venue.venue_id, [venue.id("t3")])
    error = await failing(
        floor_plans.UpdateTable,
        api.UpdateTableRequest(
            venue_id=venue.venue_id, table_id=venue.id("t3"), table=deactivated(venue, "t3", 4, 6),
            expected_version=venue.version,
        ),
    )  # fmt: skip
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    info = details_of(error)["ErrorInfo"]
    assert info.reason == "STRANDS_BOOKINGS"
    assert info.metadata["booking_ids"] == booking.booking_id
    assert await version_of(engine, venue.venue_id) == venue.version
    read = await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=venue.venue_id, booking_id=booking.booking_id),
        metadata=OPS,
    )
    assert read.booking.state == booking_pb2.BOOKING_STATE_ASSIGNED


async def test_validate_only_tells_which_bookings_a_change_would_strand_and_changes_nothing(
    floor_plans, bookings, unique, engine
):
    venue = await build_venue(floor_plans, unique("dry"))
    booking = await assign(bookings, engine, venue.venue_id, [venue.id("t1"), venue.id("t2")], 6)
    response = await floor_plans.UpdateAdjacencyGraph(
        api.UpdateAdjacencyGraphRequest(
            venue_id=venue.venue_id, adjacency_graph=pb.AdjacencyGraph(),
            expected_version=venue.version, validate_only=True,
        ),
        metadata=OPS,
    )  # fmt: skip
    assert list(response.stranded_booking_ids) == [booking.booking_id]
    assert response.venue_version == venue.version
    graph = await floor_plans.GetAdjacencyGraph(
        api.GetAdjacencyGraphRequest(venue_id=venue.venue_id), metadata=OPS
    )
    assert len(graph.adjacency_graph.edges) == 1


async def test_with_move_to_manual_review_the_stranded_booking_goes_there_and_the_change_commits(
    floor_plans, bookings, unique, engine
):
    venue = await build_venue(floor_plans, unique("move"))
    stranded = await assign(bookings, engine, venue.venue_id, [venue.id("t3")])
    untouched = await assign(bookings, engine, venue.venue_id, [venue.id("t1")])
    response = await floor_plans.UpdateTable(
        api.UpdateTableRequest(
            venue_id=venue.venue_id, table_id=venue.id("t3"), table=deactivated(venue, "t3", 4, 6),
            expected_version=venue.version, move_stranded_to_manual_review=True,
        ),
        metadata=OPS,
    )  # fmt: skip
    assert list(response.stranded_booking_ids) == [stranded.booking_id]
    assert not response.table.active and response.venue_version == venue.version + 1
    states = {}
    for booking in (stranded, untouched):
        read = await bookings.GetBooking(
            state_api.GetBookingRequest(venue_id=venue.venue_id, booking_id=booking.booking_id),
            metadata=OPS,
        )
        states[booking.booking_id] = (read.booking.state, read.booking.state_reason)
    state, reason = states[stranded.booking_id]
    assert state == booking_pb2.BOOKING_STATE_MANUAL_REVIEW
    assert reason == f"floor plan change: table {venue.id('t3')} is not active"
    assert states[untouched.booking_id][0] == booking_pb2.BOOKING_STATE_ASSIGNED
    table = await floor_plans.GetTable(
        api.GetTableRequest(venue_id=venue.venue_id, table_id=venue.id("t3")), metadata=OPS
    )
    assert not table.table.active and table.venue_version == venue.version + 1


async def test_the_state_service_takes_bookings_on_the_weekdays_the_policy_names(
    floor_plans, bookings, unique
):
    venue = await build_venue(floor_plans, unique("weekday"))
    start = evening_in_three_days()
    day = start.astimezone(ZoneInfo("Europe/London")).isoweekday()  # 1 = Monday, as the proto
    policy = policy_proto()
    policy.service_periods[0].ClearField("weekdays")
    policy.service_periods[0].weekdays.append(day % 7 + 1)  # only the day after
    await floor_plans.UpdateVenuePolicy(
        api.UpdateVenuePolicyRequest(
            venue_id=venue.venue_id, policy=policy, expected_version=venue.version
        ),
        metadata=OPS,
    )
    error = await failing(bookings.CreateBooking, booking_request(venue.venue_id, start))
    assert [v.field for v in details_of(error)["BadRequest"].field_violations] == [
        "booking.start_time"
    ]
    policy.service_periods[0].weekdays.append(day)
    await floor_plans.UpdateVenuePolicy(
        api.UpdateVenuePolicyRequest(
            venue_id=venue.venue_id, policy=policy, expected_version=venue.version + 1
        ),
        metadata=OPS,
    )
    created = await bookings.CreateBooking(booking_request(venue.venue_id, start), metadata=OPS)
    assert created.booking.state == booking_pb2.BOOKING_STATE_CREATED
