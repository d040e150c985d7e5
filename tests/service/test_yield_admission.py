"""The yield policy on real state and assigner servers: with a seeded history that makes
protecting the peak clearly right, a small party at the peak is refused with the reason in its
history and in QuoteTables, and SearchSlots offers the nearby starts the assigner would admit;
a quiet night admits it; with the policy off nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

import grpc
import pytest
from redis.asyncio import Redis
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.file_clock import file_clock
from services.assigner.adapters.journey_store import PostgresAttempts, PostgresRules
from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.coordinator import Coordinator, Result
from services.assigner.application.coordinator_ports import Capacity
from services.assigner.domain.booking import BookingView
from services.availability.adapters.tables import venue_policies
from services.availability.main import start as start_availability
from services.availability.settings import AvailabilitySettings
from services.state.adapters.tables import demand_date_counts, demand_days
from shared.seating.admission import with_venue_turns
from shared.seating.demand import SLOT_MINUTES
from shared.service_token import ServiceToken
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as availability_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as availability_rpc
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (
    advance,
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    booking_in_progress,
    hour_window,
    now,
    read,
    stamp,
)
from tests.service.availability_floor import seed_floor, tomorrow_at
from tests.service.conftest import OPS, SECRET, details_of

PEAK = tomorrow_at(19)  # the peak the history protects
QUIET = PEAK + timedelta(days=1)  # the next weekday: little demand in its history
# Two 4-tops and nothing smaller: a 2-top at the peak takes a table a forecast 4-top needs.
FOUR_TOPS = (("t2", 2, 4), ("t3", 2, 4))
DAYS = 8  # service days of history per weekday: past the cold start (4 by default)


class CapacityNeverAsked:
    """The bookings here start at ASSIGNMENT_IN_PROGRESS: capacity was verified before."""

    async def check(self, booking: BookingView) -> Capacity:
        raise AssertionError("capacity is not asked again while assigning")


@pytest.fixture(name="venue")
async def venue_fixture(engine: AsyncEngine) -> str:
    """Two unjoined 4-tops; a history of six 4-tops a night asking for 19:00 at short notice on
    the peak's weekday, and a single 2-top at 13:00 on the quiet night's weekday."""
    venue_id = f"yw-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id, tables=FOUR_TOPS, edges=())
    await seed_history(engine, venue_id, PEAK, party=4, minute=19 * 60, per_day=6)
    await seed_history(engine, venue_id, QUIET, party=2, minute=13 * 60, per_day=1)
    return venue_id


async def seed_history(
    engine: AsyncEngine, venue_id: str, day: datetime, *, party: int, minute: int, per_day: int
) -> None:
    """`DAYS` past service days of `day`'s weekday, each with `per_day` requests for `party` at
    `minute`, made within the hour before (lead bucket 0: still to come for any longer lead)."""
    dates = [day.date() - timedelta(weeks=week) for week in range(1, DAYS + 1)]
    await count_requests(engine, venue_id, dates, party=party, minute=minute, per_day=per_day)


async def count_requests(
    engine: AsyncEngine, venue_id: str, dates: list[date], *, party: int, minute: int, per_day: int
) -> None:
    """`per_day` requests for `party` at `minute` on each of `dates`, made within the hour
    before, as CreateBooking counts them."""
    async with engine.begin() as db:
        await db.execute(
            insert(demand_days),
            [{"venue_id": venue_id, "weekday": d.weekday(), "service_date": d} for d in dates],
        )
        await db.execute(
            insert(demand_date_counts),
            [
                {"venue_id": venue_id, "service_date": d, "weekday": d.weekday(),
                 "slot_minute": minute - minute % SLOT_MINUTES, "party_size": party,
                 "lead_bucket": 0, "requests": per_day}
                for d in dates
            ],
        )  # fmt: skip


async def switch_yield(engine: AsyncEngine, venue_id: str, enabled: bool) -> None:
    async with engine.begin() as db:
        await db.execute(
            update(venue_policies)
            .where(venue_policies.c.venue_id == venue_id)
            .values(yield_enabled=enabled)
        )


@pytest.fixture(name="redis")
async def redis_fixture(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@asynccontextmanager
async def coordinator(
    engine: AsyncEngine,
    state_address: str,
    redis: Redis,
    lead_clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[Coordinator]:
    """The real coordinator on real adapters (no rescue: nothing to re-pack here)."""
    token = ServiceToken(SECRET, issuer="maitred", subject="assigner")
    key = f"maitred:test:{uuid.uuid4().hex[:8]}:retries"
    async with grpc.aio.insecure_channel(state_address) as state:
        yield Coordinator(
            bookings=GrpcBookings(state, token), capacity=CapacityNeverAsked(),
            tables=EngineAssigner(SeatingReader(engine), AllocationStore(engine).assignments,
                                  now, DayWrites(engine), lead_clock),
            attempts=PostgresAttempts(engine), rules=PostgresRules(engine),
            retries=RedisRetries(redis, key=key), clock=now, jitter=lambda: 1.0,
        )  # fmt: skip
    await redis.delete(key)


async def drive(engine, state_address, redis, bookings, venue, start, party, lead_clock=None):
    """A booking at `start` driven by the coordinator from ASSIGNMENT_IN_PROGRESS, re-read."""
    booking = await booking_in_progress(bookings, venue, start, party)
    async with coordinator(engine, state_address, redis, lead_clock) as driver:
        result = await driver.drive(venue, uuid.UUID(booking.booking_id))
    assert result is Result.SETTLED
    return await read(bookings, booking)


async def last_reason(bookings, booking: booking_pb2.Booking) -> str:
    request = state_api.ListBookingHistoryRequest(
        venue_id=booking.venue_id, booking_id=booking.booking_id
    )
    history = await bookings.ListBookingHistory(request, metadata=OPS)
    return str(history.changes[-1].reason)


async def quote(assigner, venue: str, start: datetime, party: int) -> api.QuoteTablesResponse:
    request = api.QuoteTablesRequest(
        venue_id=venue, party_size=party, window=hour_window(start, 1.5)
    )
    return await assigner.QuoteTables(request, metadata=OPS)


async def test_with_yield_on_a_small_party_at_the_peak_is_refused_with_the_reason_in_its_history(
    engine, state_address, redis, bookings, venue
):
    await switch_yield(engine, venue, True)
    refused = await drive(engine, state_address, redis, bookings, venue, PEAK, 2)
    assert refused.state == booking_pb2.BOOKING_STATE_REJECTED
    assert not refused.table_ids
    reason = await last_reason(bookings, refused)
    assert reason.startswith("protecting 19:00 for forecast 4-tops: expected loss ")
    assert reason.endswith(" covers")
    assert float(reason.split("expected loss ")[1].split()[0]) > 3


async def test_the_yield_clock_file_sets_the_now_a_lead_is_measured_from(
    engine, state_address, redis, bookings, venue, tmp_path
):
    """The history's peak requests all come under an hour ahead: asked for five minutes before
    the peak (as a benchmark replaying that lead would set it), next to none are still to come,
    so the same small party the real clock refuses (a day ahead) is admitted."""
    await switch_yield(engine, venue, True)
    clock = tmp_path / "yield-clock"
    clock.write_text((PEAK - timedelta(minutes=5)).isoformat())
    seated = await drive(
        engine, state_address, redis, bookings, venue, PEAK, 2, file_clock(str(clock))
    )
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED
    clock.write_text("2026-12-07T19:00:00")
    with pytest.raises(ValueError, match="without its offset"):
        file_clock(str(clock))()


async def test_with_yield_on_the_peak_still_seats_the_party_it_protects_the_tables_for(
    engine, state_address, redis, bookings, venue
):
    await switch_yield(engine, venue, True)
    seated = await drive(engine, state_address, redis, bookings, venue, PEAK, 4)
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED
    assert len(seated.table_ids) == 1


async def test_with_yield_on_a_quiet_night_admits_the_same_small_party(
    engine, state_address, redis, bookings, venue
):
    await switch_yield(engine, venue, True)
    seated = await drive(engine, state_address, redis, bookings, venue, QUIET, 2)
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED
    assert len(seated.table_ids) == 1


async def test_the_evenings_own_requests_and_later_ones_are_not_forecast_demand(
    engine, state_address, redis, bookings, venue
):
    """The quiet night's own date, and the same weekday a week on, have seen as many 4-tops at
    19:00 as the peak's history: bookings already known, and days not yet history. Counted
    into its forecast, they would refuse the small party as at the peak."""
    await switch_yield(engine, venue, True)
    ahead = [QUIET.date(), QUIET.date() + timedelta(weeks=1)]
    await count_requests(engine, venue, ahead, party=4, minute=19 * 60, per_day=6 * DAYS)
    seated = await drive(engine, state_address, redis, bookings, venue, QUIET, 2)
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED


async def test_with_yield_off_the_same_history_changes_nothing(
    engine, state_address, redis, bookings, venue
):
    seated = await drive(engine, state_address, redis, bookings, venue, PEAK, 2)
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED
    assert len(seated.table_ids) == 1


async def test_quote_tables_shows_the_numbers_behind_a_refusal(assigner, engine, venue):
    await switch_yield(engine, venue, True)
    response = await quote(assigner, venue, PEAK, 2)
    assert response.plans  # the tables are free: it is the policy that says no
    decision = response.yield_decision
    assert not decision.admit
    assert decision.expected_gain == 2
    assert decision.expected_loss > decision.expected_gain + 1
    assert decision.protected_party_size == 4
    assert decision.protected_slot_start_time.ToDatetime().replace(tzinfo=PEAK.tzinfo) == PEAK
    assert decision.reason.startswith("protecting 19:00 for forecast 4-tops: expected loss ")


async def test_quote_tables_on_a_quiet_night_admits_and_with_yield_off_says_nothing(
    assigner, engine, venue
):
    await switch_yield(engine, venue, True)
    quiet = await quote(assigner, venue, QUIET, 2)
    assert quiet.yield_decision.admit and quiet.yield_decision.expected_loss == 0
    assert quiet.yield_decision.reason == ""
    await switch_yield(engine, venue, False)
    off = await quote(assigner, venue, PEAK, 2)
    assert off.plans and not off.HasField("yield_decision")


async def test_in_a_cold_start_a_small_party_at_the_peak_is_admitted(
    engine, state_address, redis, bookings, venue
):
    await switch_yield(engine, venue, True)
    async with engine.begin() as db:  # one day more than the history holds before the peak
        await db.execute(
            update(venue_policies)
            .where(venue_policies.c.venue_id == venue)
            .values(yield_min_days_observed=DAYS + 1)
        )
    seated = await drive(engine, state_address, redis, bookings, venue, PEAK, 2)
    assert seated.state == booking_pb2.BOOKING_STATE_CONFIRMED


@pytest.fixture(scope="module", name="availability")
async def availability_fixture(
    database_url: str, redis_url: str
) -> AsyncIterator[availability_rpc.AvailabilityServiceStub]:
    settings = AvailabilitySettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1"
    )
    running = await start_availability(settings, port=0)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield availability_rpc.AvailabilityServiceStub(channel)
    await running.stop(0.5)


async def slots(availability, venue: str, preferred: datetime, party: int) -> list[datetime]:
    request = availability_api.SearchSlotsRequest(
        venue_id=venue, party_size=party, service_date=preferred.date().isoformat(),
        preferred_start_time=stamp(preferred), max_results=4,
    )  # fmt: skip
    reply = await availability.SearchSlots(request, metadata=OPS)
    return [c.start_time.ToDatetime(tzinfo=preferred.tzinfo) for c in reply.candidates]


async def test_search_slots_steers_a_refused_party_to_the_nearest_starts_it_would_be_admitted_at(
    availability, assigner, engine, venue
):
    assert (await slots(availability, venue, PEAK, 2))[0] == PEAK  # yield off: the asked start
    await switch_yield(engine, venue, True)
    offered = await slots(availability, venue, PEAK, 2)
    assert offered and PEAK not in offered
    distances = [abs(start - PEAK) for start in offered]
    assert distances == sorted(distances)  # the nearest admitted starts first
    for start in offered:  # the assigner would seat the party at every start offered
        assert (await quote(assigner, venue, start, 2)).yield_decision.admit, start
    nearer = [
        PEAK + sign * step * timedelta(minutes=15) for step in range(1, 4) for sign in (-1, 1)
    ]
    skipped = [start for start in nearer if abs(start - PEAK) < distances[0]]
    for start in skipped:  # and every nearer start it left out, it would refuse
        assert not (await quote(assigner, venue, start, 2)).yield_decision.admit, start


async def test_search_slots_on_a_quiet_night_with_yield_on_offers_the_asked_start(
    availability, engine, venue
):
    await switch_yield(engine, venue, True)
    assert (await slots(availability, venue, QUIET, 2))[0] == QUIET


async def test_assign_booking_refused_by_the_yield_policy_fails_with_no_capacity(
    assigner, bookings, engine, venue
):
    await switch_yield(engine, venue, True)
    booking = await booking_in_progress(bookings, venue, PEAK, 2)
    request = api.AssignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await assigner.AssignBooking(request, metadata=OPS)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert details_of(refused.value)["ErrorInfo"].reason == "NO_CAPACITY"


async def test_with_yield_on_an_assigned_booking_put_back_for_assignment_is_seated_again(
    engine, state_address, redis, bookings, venue
):
    """The policy judges a booking once, on its first try: a booking it once let sit (here
    before the policy was on) is not refused when it is sent back for assignment."""
    async with engine.begin() as db:  # stop at ASSIGNED, where RequestAssignment may start
        await db.execute(
            update(venue_policies)
            .where(venue_policies.c.venue_id == venue)
            .values(auto_confirm=False)
        )
    seated = await drive(engine, state_address, redis, bookings, venue, PEAK, 2)
    assert seated.state == booking_pb2.BOOKING_STATE_ASSIGNED
    await switch_yield(engine, venue, True)
    pending = await advance(bookings, seated, "RequestAssignment")
    assert pending.state == booking_pb2.BOOKING_STATE_ASSIGNMENT_PENDING
    async with coordinator(engine, state_address, redis) as driver:
        result = await driver.drive(venue, uuid.UUID(pending.booking_id))
    assert result is Result.SETTLED
    again = await read(bookings, pending)
    assert again.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert len(again.table_ids) == 1


async def test_the_assigner_gives_the_decision_the_venue_s_own_turn_times(engine, venue):
    """The floor's turn times (90 minutes to 2-tops, 120 to larger parties) plus its 15-minute
    buffer, not the forecast's default bands."""
    day = await SeatingReader(engine).read(venue, PEAK, PEAK + timedelta(hours=2), now())
    assert day is not None
    assert day.turn_times == ((2, timedelta(minutes=90)), (10, timedelta(minutes=120)))
    settings = with_venue_turns(day.yield_settings, day.turn_times, day.buffer)
    assert settings.turn_bands == ((2, 105), (10, 135))
