"""Limits a client can hit: valid extreme times, window lengths, durations, penalties.

Real availability, assigner and optimizer servers on port 0 over real PostgreSQL and Redis.
Each limit is INVALID_ARGUMENT naming the field, never INTERNAL, and writes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from sqlalchemy import func, select

from services.assigner.adapters.tables import allocations
from services.availability.adapters.tables import dining_tables
from services.optimizer.adapters.tables import optimizer_runs
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as floor_pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as optimizer_api
from shared.stubs.maitred.optimizer.v1 import plan_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_fixtures import (
    build_venue,
    floor_plan_address_fixture,  # noqa: F401 (a fixture)
    floor_plans_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import tomorrow_at
from tests.service.conftest import OPS, details_of
from tests.service.optimizer_fixtures import (
    optimizer_address_fixture,  # noqa: F401 (a fixture)
    optimizer_fixture,  # noqa: F401 (a fixture)
)
from tests.service.test_availability_service import stamp, start_availability, window

LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FIRST_DAY = datetime(1, 1, 1, tzinfo=UTC)
EXTREMES = [
    LAST_SECOND,
    datetime(9999, 12, 31, tzinfo=UTC),
    FIRST_DAY,
    datetime(1969, 12, 31, 23, tzinfo=UTC),
]


@pytest.fixture(scope="module")
async def availability(database_url, redis_url):
    running = await start_availability(database_url, redis_url)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield rpc.AvailabilityServiceStub(channel)
    await running.stop(0.5)


async def refused(call, request) -> list[str]:
    """The fields a refused call names; fails unless the call is INVALID_ARGUMENT."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        response = call(request, metadata=OPS)
        if hasattr(response, "__aiter__"):
            async for _ in response:
                pass
        else:
            await response
    error = raised.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    return [v.field for v in details_of(error)["BadRequest"].field_violations]


async def count(engine, table, venue: str) -> int:
    async with engine.connect() as db:
        found = await db.scalar(select(func.count()).where(table.c.venue_id == venue))
    return int(found or 0)


@pytest.mark.parametrize("moment", EXTREMES)
async def test_availability_refuses_times_at_the_ends_of_the_calendar_naming_the_field(
    availability, venue, moment
):
    hour = (
        window(moment, moment + timedelta(hours=1))
        if moment.year < 9999
        else window(moment - timedelta(hours=1), moment)
    )
    check = api.CheckCapacityRequest(venue_id=venue, party_size=2, start_time=stamp(moment))
    assert await refused(availability.CheckCapacity, check) == ["start_time"]
    snapshot = api.GetSnapshotRequest(venue_id=venue, window=hour)
    assert (await refused(availability.GetSnapshot, snapshot))[0].startswith("window.")
    watch = api.WatchSnapshotsRequest(venue_id=venue, window=hour)
    assert (await refused(availability.WatchSnapshots, watch))[0].startswith("window.")
    slots = api.SearchSlotsRequest(venue_id=venue, party_size=2, window=hour)
    assert (await refused(availability.SearchSlots, slots))[0].startswith("window.")
    by_day = api.SearchSlotsRequest(
        venue_id=venue, party_size=2, service_date=moment.date().isoformat()
    )
    assert await refused(availability.SearchSlots, by_day) == ["service_date"]


async def test_a_slot_search_over_a_window_longer_than_a_day_is_refused(availability, venue):
    start = tomorrow_at(0)
    too_long = api.SearchSlotsRequest(
        venue_id=venue, party_size=2, window=window(start, start + timedelta(days=400))
    )
    assert await refused(availability.SearchSlots, too_long) == ["window"]
    one_day = api.SearchSlotsRequest(
        venue_id=venue, party_size=2, window=window(start, start + timedelta(hours=24))
    )
    assert (await availability.SearchSlots(one_day, metadata=OPS)).snapshot_version >= 0


@pytest.mark.parametrize("moment", EXTREMES)
async def test_the_assigner_refuses_windows_at_the_ends_of_the_calendar_and_holds_nothing(
    assigner, venue, engine, moment
):
    end = moment if moment.year == 9999 else moment + timedelta(hours=1)
    hour = window(end - timedelta(hours=1), end)
    quote = assigner_api.QuoteTablesRequest(venue_id=venue, party_size=2, window=hour)
    assert (await refused(assigner.QuoteTables, quote))[0].startswith("window.")
    hold = assigner_api.PlaceHoldRequest(
        venue_id=venue, party_size=2, window=hour, request_id=uuid.uuid4().hex
    )
    assert (await refused(assigner.PlaceHold, hold))[0].startswith("window.")
    assert await count(engine, allocations, venue) == 0


async def test_listing_allocations_over_more_than_a_year_is_refused(assigner, venue):
    start = tomorrow_at(0)
    listing = assigner_api.ListAllocationsRequest(
        venue_id=venue, window=window(start, start + timedelta(days=367))
    )
    assert await refused(assigner.ListAllocations, listing) == ["window"]
    year = assigner_api.ListAllocationsRequest(
        venue_id=venue, window=window(start, start + timedelta(days=366))
    )
    assert list((await assigner.ListAllocations(year, metadata=OPS)).allocations) == []


@pytest.mark.parametrize(
    "ttl", [Duration(seconds=315_576_000_000), Duration(seconds=2**40), Duration(seconds=-1)]
)
async def test_a_hold_ttl_out_of_range_is_refused_and_holds_nothing(assigner, venue, engine, ttl):
    start = tomorrow_at(19)
    hold = assigner_api.PlaceHoldRequest(
        venue_id=venue, party_size=2, window=window(start, start + timedelta(hours=2)),
        request_id=uuid.uuid4().hex, ttl=ttl,
    )  # fmt: skip
    assert await refused(assigner.PlaceHold, hold) == ["ttl"]
    extend = assigner_api.ExtendHoldRequest(venue_id=venue, hold_id=str(uuid.uuid4()), ttl=ttl)
    assert await refused(assigner.ExtendHold, extend) == ["ttl"]
    assert await count(engine, allocations, venue) == 0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (plan_pb2.OptimizeOptions(time_limit=Duration(seconds=2**62)), "options.time_limit"),
        (plan_pb2.OptimizeOptions(time_limit=Duration(seconds=121)), "options.time_limit"),
        (plan_pb2.OptimizeOptions(move_penalty=float("nan")), "options.move_penalty"),
        (plan_pb2.OptimizeOptions(move_penalty=float("inf")), "options.move_penalty"),
        (plan_pb2.OptimizeOptions(move_penalty=1e300), "options.move_penalty"),
        (plan_pb2.OptimizeOptions(move_penalty=-1), "options.move_penalty"),
    ],
)
async def test_an_optimizer_option_out_of_range_is_refused_and_starts_no_run(
    optimizer, venue, engine, options, field
):
    request = optimizer_api.OptimizeVenueDayRequest(
        venue_id=venue, service_date=tomorrow_at(19).date().isoformat(), options=options
    )
    assert await refused(optimizer.OptimizeVenueDay, request) == [field]
    assert await count(engine, optimizer_runs, venue) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
async def test_an_optimizer_day_at_the_ends_of_the_calendar_is_refused(optimizer, venue, day):
    request = optimizer_api.OptimizeVenueDayRequest(venue_id=venue, service_date=day)
    assert await refused(optimizer.OptimizeVenueDay, request) == ["service_date"]


async def test_listing_bookings_over_more_than_a_year_is_refused(bookings):
    start = tomorrow_at(0)
    listing = state_api.ListBookingsRequest(
        venue_id="venue-a",
        start_time_from=stamp(start),
        start_time_to=stamp(start + timedelta(days=367)),
    )
    assert await refused(bookings.ListBookings, listing) == ["start_time_to"]
    open_ended = state_api.ListBookingsRequest(venue_id="venue-a", start_time_from=stamp(start))
    await bookings.ListBookings(open_ended, metadata=OPS)


async def test_a_floor_plan_write_with_a_nul_or_a_huge_value_is_refused_and_writes_nothing(
    floor_plans, engine
):
    built = await build_venue(floor_plans, f"lim-{uuid.uuid4().hex[:8]}")
    venue_id = built.venue_id
    before = await count(engine, dining_tables, venue_id)
    table = floor_pb.Table(
        table_id=built.id("nul"), display_name="a\x00b", zone_id=built.id("main"),
        min_seats=1, max_seats=2,
    )  # fmt: skip
    create = floor_api.CreateTableRequest(venue_id=venue_id, table=table, request_id="nul-1")
    assert await refused(floor_plans.CreateTable, create) == ["table.display_name"]
    policy = floor_api.UpdateVenuePolicyRequest(
        venue_id=venue_id,
        policy=floor_pb.VenuePolicy(slot_interval=Duration(seconds=2**62)),
        expected_version=built.version,
    )
    assert await refused(floor_plans.UpdateVenuePolicy, policy) == ["policy.slot_interval"]
    assert await count(engine, dining_tables, venue_id) == before


async def test_an_unknown_id_of_a_thousand_wide_characters_is_not_found_not_resource_exhausted(
    floor_plans,
):
    """Messages repeat at most 100 characters of a value: the whole id, echoed in each copy of
    the message, would pass the client's 8 KiB metadata limit (RESOURCE_EXHAUSTED)."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await floor_plans.GetVenue(floor_api.GetVenueRequest(venue_id="é" * 1000), metadata=OPS)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert len(raised.value.details() or "") < 300
