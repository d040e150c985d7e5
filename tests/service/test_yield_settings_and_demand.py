"""The yield policy's venue settings through the policy RPCs, and the demand counts every
CreateBooking leaves for its forecast (counts only, no guest data), on real servers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select

from services.state.adapters.tables import demand_date_counts, demand_days
from shared.db.demand_history import read_demand_history
from shared.seating.demand import lead_bucket_of, slot_of
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.availability_fixtures import (
    OPS,
    build_venue,
    floor_plan_address_fixture,  # noqa: F401 (a fixture)
    floor_plans_fixture,  # noqa: F401 (a fixture)
    policy_proto,
)
from tests.service.conftest import details_of, evening_in_three_days

LONDON = ZoneInfo("Europe/London")


async def update_policy(
    floor_plans, venue, policy: pb.VenuePolicy
) -> api.UpdateVenuePolicyResponse:
    request = api.UpdateVenuePolicyRequest(
        venue_id=venue.venue_id, policy=policy, expected_version=venue.version
    )
    return (await floor_plans.UpdateVenuePolicy(request, metadata=OPS)).policy


async def read_policy(floor_plans, venue) -> pb.VenuePolicy:
    response = await floor_plans.GetVenuePolicy(
        api.GetVenuePolicyRequest(venue_id=venue.venue_id), metadata=OPS
    )
    return response.policy


async def test_a_new_venue_has_yield_off_with_the_default_cold_start(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("yield-default"))
    settings = (await read_policy(floor_plans, venue)).yield_settings
    assert (settings.enabled, settings.min_days_observed) == (False, 4)


async def test_yield_settings_are_switched_on_and_read_back_with_the_policy(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("yield-on"))
    policy = policy_proto(yield_settings=pb.YieldSettings(enabled=True, min_days_observed=6))
    updated = await update_policy(floor_plans, venue, policy)
    assert updated.yield_settings == pb.YieldSettings(enabled=True, min_days_observed=6)
    read = await read_policy(floor_plans, venue)
    assert read.yield_settings == pb.YieldSettings(enabled=True, min_days_observed=6)


async def test_an_unset_cold_start_takes_the_default(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("yield-zero"))
    policy = policy_proto(yield_settings=pb.YieldSettings(enabled=True))
    updated = await update_policy(floor_plans, venue, policy)
    assert updated.yield_settings == pb.YieldSettings(enabled=True, min_days_observed=4)


async def test_a_cold_start_out_of_range_is_invalid_and_names_its_field(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("yield-bad"))
    for days in (-1, 366):
        policy = policy_proto(yield_settings=pb.YieldSettings(enabled=True, min_days_observed=days))
        try:
            await update_policy(floor_plans, venue, policy)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
            fields = [v.field for v in details_of(error)["BadRequest"].field_violations]
            assert fields == ["policy.yield_settings.min_days_observed"]
        else:
            raise AssertionError(f"min_days_observed={days} was accepted")
    assert not (await read_policy(floor_plans, venue)).yield_settings.enabled


def create_request(venue_id: str, start: datetime, party: int) -> state_api.CreateBookingRequest:
    stamp = Timestamp()
    stamp.FromDatetime(start)
    return state_api.CreateBookingRequest(
        venue_id=venue_id, request_id=uuid.uuid4().hex,
        booking=booking_pb2.Booking(party_size=party, start_time=stamp, guest_reference="guest-1"),
    )  # fmt: skip


def lead_of(start: datetime) -> int:
    return lead_bucket_of((start - datetime.now(start.tzinfo)) // timedelta(minutes=1))


async def counts_of(engine, venue_id: str) -> list[tuple[date, int, int, int, int, int]]:
    counts = demand_date_counts.c
    async with engine.connect() as db:
        rows = await db.execute(
            select(
                counts.service_date, counts.weekday, counts.slot_minute, counts.party_size,
                counts.lead_bucket, counts.requests,
            ).where(counts.venue_id == venue_id)
            .order_by(counts.service_date, counts.party_size)
        )  # fmt: skip
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_every_created_booking_counts_one_request_in_its_local_slot(
    floor_plans, bookings, engine, unique
):
    venue = await build_venue(floor_plans, unique("demand"))
    start = evening_in_three_days() + timedelta(minutes=7)  # inside a 15-minute slot
    before = lead_of(start)
    for party in (2, 2, 4):
        await bookings.CreateBooking(create_request(venue.venue_id, start, party), metadata=OPS)
    after = lead_of(start)
    local = start.astimezone(LONDON)
    slot = slot_of(local.hour * 60 + local.minute)
    counts = await counts_of(engine, venue.venue_id)
    # The calls may straddle a lead bucket's bound, so a party may be split across two buckets.
    assert {lead for *_, lead, _ in counts} <= {before, after}
    per_party: dict[int, int] = {}
    for service_date, weekday, slot_minute, party, _, requests in counts:
        assert (service_date, weekday, slot_minute) == (local.date(), local.weekday(), slot)
        per_party[party] = per_party.get(party, 0) + requests
    assert per_party == {2: 2, 4: 1}
    async with engine.connect() as db:
        days = (
            await db.execute(
                select(demand_days.c.service_date, demand_days.c.weekday).where(
                    demand_days.c.venue_id == venue.venue_id
                )
            )
        ).all()
        week_on = local.date() + timedelta(weeks=1)
        history = await read_demand_history(
            db, demand_date_counts, demand_days, venue.venue_id, week_on
        )
    assert days == [(local.date(), local.weekday())]
    assert history.days_observed == {local.weekday(): 1}
    assert sum(c.requests for c in history.cells if c.party_size == 2) == 2
    assert sum(c.requests for c in history.cells if c.party_size == 4) == 1


async def test_a_days_forecast_learns_only_from_the_dates_before_it(
    floor_plans, bookings, engine, unique
):
    """Requests for an evening, a week before it and a week after: its forecast counts the
    week before only. Its own requests are bookings already known, not demand still to come."""
    venue = await build_venue(floor_plans, unique("demand-before"))
    before = evening_in_three_days()
    evening = before + timedelta(weeks=1)
    for start, party in ((before, 2), (evening, 4), (evening, 4),
                         (evening + timedelta(weeks=1), 6)):  # fmt: skip
        await bookings.CreateBooking(create_request(venue.venue_id, start, party), metadata=OPS)
    day = evening.astimezone(LONDON).date()
    async with engine.connect() as db:
        history = await read_demand_history(
            db, demand_date_counts, demand_days, venue.venue_id, day
        )
        first = await read_demand_history(
            db, demand_date_counts, demand_days, venue.venue_id, day - timedelta(weeks=1)
        )
    assert history.days_observed == {day.weekday(): 1}
    assert [(c.party_size, c.requests) for c in history.cells] == [(2, 1)]
    assert first.days_observed == {} and first.cells == ()


async def test_a_replayed_or_refused_create_counts_nothing_more(
    floor_plans, bookings, engine, unique
):
    venue = await build_venue(floor_plans, unique("demand-replay"))
    request = create_request(venue.venue_id, evening_in_three_days(), 2)
    await bookings.CreateBooking(request, metadata=OPS)
    await bookings.CreateBooking(request, metadata=OPS)  # a replay: the first response
    invalid = create_request(venue.venue_id, evening_in_three_days(), 2)
    invalid.booking.preferred_zone_id = "no-such-zone"
    try:
        await bookings.CreateBooking(invalid, metadata=OPS)
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    else:
        raise AssertionError("an unknown zone was accepted")
    assert [row[-1] for row in await counts_of(engine, venue.venue_id)] == [1]
