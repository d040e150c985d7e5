"""One venue's combinations seen alike by the engine (QuoteTables, AssignBooking), CheckCapacity
and SearchSlots: seats lost per join refuse a party, an explicit combination seats it; the
engine's look-ahead reaches as far as the venue's horizon."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from services.assigner.adapters.seating_reader import SeatingReader
from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from tests.service.assigner_fixtures import (
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    booking_in_progress,
    hour_window,
)
from tests.service.availability_fixtures import (
    OPS,
    BuiltVenue,
    build_venue,
    floor_plan_address_fixture,  # noqa: F401 (a fixture)
    floor_plans_fixture,  # noqa: F401 (a fixture)
    policy_proto,
)
from tests.service.availability_floor import add_booking, seed_floor, tomorrow_at
from tests.service.conftest import SECRET, SERVICE, evening_in_three_days

PARTY = 8  # t1 + t2 seat 4 + 4 = 8 joined without loss; t3 seats 6 on its own


@pytest.fixture(scope="module")
async def availability(database_url, redis_url):
    settings = AvailabilitySettings(database_url=database_url, redis_url=redis_url,
                                    jwt_secret=SECRET, host="127.0.0.1",
                                    watch_poll_seconds=0.5)  # fmt: skip
    running = await start(settings, port=0)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield rpc.AvailabilityServiceStub(channel)
    await running.stop(0.5)


def stamp(moment) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


async def set_policy(floor_plans, venue: BuiltVenue, policy: pb.VenuePolicy) -> None:
    response = await floor_plans.UpdateVenuePolicy(
        floor_api.UpdateVenuePolicyRequest(
            venue_id=venue.venue_id, policy=policy, expected_version=venue.version
        ),
        metadata=OPS,
    )
    venue.version = response.venue_version


async def seen_by_all(availability, assigner, venue: BuiltVenue):
    """What CheckCapacity, SearchSlots and QuoteTables say of the party at 19:30."""
    start = evening_in_three_days()
    check = await availability.CheckCapacity(
        api.CheckCapacityRequest(venue_id=venue.venue_id, start_time=stamp(start),
                                 party_size=PARTY),
        metadata=OPS,
    )  # fmt: skip
    slots = await availability.SearchSlots(
        api.SearchSlotsRequest(venue_id=venue.venue_id, party_size=PARTY,
                               service_date=start.date().isoformat(),
                               preferred_start_time=stamp(start), max_results=3),
        metadata=OPS,
    )  # fmt: skip
    quote = await assigner.QuoteTables(
        assigner_api.QuoteTablesRequest(venue_id=venue.venue_id, party_size=PARTY,
                                        window=hour_window(start)),
        metadata=SERVICE,
    )  # fmt: skip
    starts = [c.start_time.ToDatetime() for c in slots.candidates]
    return check, [s for s in starts if s == start.replace(tzinfo=None)], quote.plans


async def test_lost_seats_refuse_the_party_everywhere_and_an_explicit_combination_seats_it(
    floor_plans, availability, assigner, bookings, unique
):
    venue = await build_venue(floor_plans, unique("seating"))
    t1, t2, t3 = (venue.id(n) for n in ("t1", "t2", "t3"))
    check, slot, plans = await seen_by_all(availability, assigner, venue)
    assert check.accepted and check.detail.endswith(f"{t1}+{t2}")  # today: the plain sum
    assert slot and [list(p.table_ids) for p in plans] == [[t1, t2]]

    await set_policy(floor_plans, venue, policy_proto(
        combination_rule=pb.CombinationRule(seats_lost_per_join=1)))  # fmt: skip
    check, slot, plans = await seen_by_all(availability, assigner, venue)
    assert not check.accepted
    assert check.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS
    assert (slot, list(plans)) == ([], [])

    explicit = pb.TableCombination(table_ids=[t3, t1], min_covers=6, max_covers=9)
    await set_policy(floor_plans, venue, policy_proto(
        combination_rule=pb.CombinationRule(seats_lost_per_join=1),
        table_combinations=[explicit]))  # fmt: skip
    check, slot, plans = await seen_by_all(availability, assigner, venue)
    assert check.accepted and check.detail.endswith(f"{t1}+{t3}")
    assert slot
    assert [(list(p.table_ids), p.total_seats) for p in plans] == [([t1, t3], 9)]

    booking = await booking_in_progress(bookings, venue.venue_id, evening_in_three_days(), PARTY)
    assigned = await assigner.AssignBooking(
        assigner_api.AssignBookingRequest(venue_id=venue.venue_id, booking_id=booking.booking_id,
                                          expected_version=booking.version),
        metadata=SERVICE,
    )  # fmt: skip
    assert list(assigned.allocation.table_ids) == [t1, t3]


async def test_the_engine_looks_ahead_as_far_as_the_venues_horizon(engine):
    venue_id = f"horizon-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    noon = tomorrow_at(12)
    later = await add_booking(engine, venue_id, noon + timedelta(hours=4), 4, "ASSIGNMENT_PENDING")
    reader = SeatingReader(engine)

    async def upcoming() -> list[str]:
        day = await reader.read(venue_id, noon, noon + timedelta(hours=2), datetime.now(UTC))
        assert day is not None
        return [u.booking_id for u in day.context.upcoming]

    assert await upcoming() == [str(later)]  # the default horizon: 12 hours either side
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE venue_policies SET look_ahead_horizon_minutes = 60 WHERE venue_id = :v"),
            {"v": venue_id},
        )
    assert await upcoming() == []
