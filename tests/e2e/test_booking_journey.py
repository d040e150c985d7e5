"""The whole journey on real processes: a booking created at the state service ends CONFIRMED.

State, availability, two assigners and the optimizer run as separate processes over one fresh
database and their own events stream; the tests read the outcome back through the APIs and
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.demo_venue import (
    DEMO_VENUE_ID,
    demo_start_time,
    seed_demo_venue,
)
from services.availability.adapters.tables import venue_policies
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as allocation_pb
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as optimizer_api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as optimizer_rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as plan_pb
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc
from tests.databases import migrated_database
from tests.e2e.conftest import bearer, reflection_client
from tests.e2e.suite import Suite, start_suite
from tests.service.availability_floor import add_booking, allocate, seed_floor

BOOKING_SERVICE = "maitred.state.v1.BookingService"
ASSIGNER_SERVICE = "maitred.assigner.v1.AssignerService"
SETTLED = {pb.BOOKING_STATE_CONFIRMED, pb.BOOKING_STATE_REJECTED, pb.BOOKING_STATE_MANUAL_REVIEW}
RACE_TABLES = [(f"r{i}", 1, 2) for i in range(5)] + [(f"q{i}", 2, 4) for i in range(5)]


@pytest.fixture(scope="module")
async def journey_db(postgres_admin_url: str):
    async with migrated_database(postgres_admin_url, "maitred_journey") as url:
        engine = create_engine(url, pool_size=4)
        try:
            await seed_demo_venue(engine)
            for venue in ("race", "crash"):
                await seed_floor(engine, venue, tables=RACE_TABLES, edges=())
                async with engine.begin() as db:
                    await db.execute(
                        update(venue_policies)
                        .where(venue_policies.c.venue_id == venue)
                        .values(retry_budget=3)
                    )
            yield url, engine
        finally:
            await engine.dispose()


@pytest.fixture(scope="module")
def secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
async def suite(journey_db, redis_url, secret, tmp_path_factory):
    url, _ = journey_db
    started = await asyncio.to_thread(
        start_suite,
        url,
        redis_url,
        secret,
        Path(tmp_path_factory.mktemp("suite")),
        assigners=2,
        extra_env={
            "MAITRED_EVENTS_STREAM": f"maitred:e2e:{uuid.uuid4().hex[:8]}",
            "MAITRED_CLAIM_IDLE_MS": "2000",
        },
    )
    yield started
    await asyncio.to_thread(started.stop)


def token(secret: str) -> str:
    return mint_token(
        secret, subject="e2e", roles=[Role.OPS], venues=["*"], ttl_seconds=3600, issuer="maitred"
    )


async def wait_settled(stub, metadata, venue: str, ids: list[str], seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    states: dict[str, int] = {}
    while time.monotonic() < deadline:
        for booking_id in ids:
            if states.get(booking_id) not in SETTLED:
                reply = await stub.GetBooking(
                    api.GetBookingRequest(venue_id=venue, booking_id=booking_id), metadata=metadata
                )
                states[booking_id] = reply.booking.state
        if all(state in SETTLED for state in states.values()):
            return states
        await asyncio.sleep(0.5)
    stuck = {b: pb.BookingState.Name(s) for b, s in states.items() if s not in SETTLED}
    raise AssertionError(f"bookings still moving after {seconds} s: {stuck}")


async def check_floor(engine: AsyncEngine, venue: str, states: dict[str, int]) -> None:
    """No overlap; one live assignment per confirmed booking; none for the others."""
    async with engine.connect() as db:
        overlaps = await db.scalar(
            text(
                "SELECT count(*) FROM allocations a JOIN allocations b "
                "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                "AND a.allocation_id < b.allocation_id AND a.during && b.during "
                "WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL"
            ),
            {"v": venue},
        )
        groups = dict(
            (
                await db.execute(
                    text(
                        "SELECT booking_id::text, count(DISTINCT group_id) FROM allocations "
                        "WHERE venue_id = :v AND release_time IS NULL AND kind = 'ASSIGNMENT' "
                        "GROUP BY booking_id"
                    ),
                    {"v": venue},
                )
            ).all()
        )
    assert overlaps == 0
    for booking_id, state in states.items():
        expected = 1 if state == pb.BOOKING_STATE_CONFIRMED else 0
        assert groups.get(booking_id, 0) == expected, (booking_id, pb.BookingState.Name(state))


def create_request(venue: str, start: datetime, party: int) -> api.CreateBookingRequest:
    stamp = Timestamp()
    stamp.FromDatetime(start)
    return api.CreateBookingRequest(
        venue_id=venue,
        request_id=uuid.uuid4().hex,
        booking=pb.Booking(party_size=party, start_time=stamp),
    )


async def test_a_booking_created_at_the_state_service_reaches_confirmed_with_its_reasons(
    suite: Suite, secret: str, journey_db
):
    state = reflection_client(suite.services["state"].target)
    metadata = bearer(token(secret))
    start = demo_start_time(datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = state.request(
        BOOKING_SERVICE,
        "CreateBooking",
        {
            "venue_id": DEMO_VENUE_ID,
            "request_id": uuid.uuid4().hex,
            "booking": {"party_size": 4, "start_time": start},
        },
        metadata=metadata,
        timeout=10,
    )
    booking_id = created["booking"]["booking_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        read = state.request(
            BOOKING_SERVICE,
            "GetBooking",
            {"venue_id": DEMO_VENUE_ID, "booking_id": booking_id},
            metadata=metadata,
            timeout=10,
        )
        if read["booking"]["state"] == "BOOKING_STATE_CONFIRMED":
            break
        await asyncio.sleep(0.2)
    assert read["booking"]["state"] == "BOOKING_STATE_CONFIRMED", read
    assert read["booking"]["table_ids"]
    history = state.request(
        BOOKING_SERVICE,
        "ListBookingHistory",
        {"venue_id": DEMO_VENUE_ID, "booking_id": booking_id},
        metadata=metadata,
        timeout=10,
    )
    assert [c["to_state"].removeprefix("BOOKING_STATE_") for c in history["changes"]] == [
        "CREATED",
        "CAPACITY_VERIFIED",
        "ASSIGNMENT_PENDING",
        "ASSIGNMENT_IN_PROGRESS",
        "ASSIGNED",
        "CONFIRMED",
    ]
    recorded = next(c for c in history["changes"] if c["to_state"] == "BOOKING_STATE_ASSIGNED")
    assert recorded["actor"] == "assigner" and ":" in recorded["reason"]
    assigner = reflection_client(suite.services["assigner-0"].target)
    until = (demo_start_time(datetime.now(UTC)) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    quote = assigner.request(
        ASSIGNER_SERVICE,
        "QuoteTables",
        {
            "venue_id": DEMO_VENUE_ID,
            "party_size": 4,
            "window": {"start_time": start, "end_time": until},
        },
        metadata=metadata,
        timeout=10,
    )
    assert quote["plans"], quote
    strategies = {c["strategy"] for c in quote["plans"][0]["contributions"]}
    assert {
        "exact_fit",
        "adjacency",
        "zone_preference",
        "historical_success",
        "look_ahead",
    } <= strategies
    assert all(c["reason"] for c in quote["plans"][0]["contributions"])
    for client in (state, assigner):
        client.channel.close()


def tomorrow_at(hour: int) -> datetime:
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1), clock(hour), UTC)


async def test_a_hundred_bookings_racing_for_ten_tables_never_double_book_and_all_settle(
    suite: Suite, secret: str, journey_db
):
    _, engine = journey_db
    metadata = [("authorization", f"Bearer {token(secret)}")]
    async with grpc.aio.insecure_channel(suite.services["state"].target) as channel:
        stub = rpc.BookingServiceStub(channel)
        requests = [create_request("race", tomorrow_at(19), 2 + i % 3) for i in range(100)]
        created = await asyncio.gather(
            *(stub.CreateBooking(r, metadata=metadata) for r in requests)
        )
        ids = [c.booking.booking_id for c in created]
        states = await wait_settled(stub, metadata, "race", ids)
    await check_floor(engine, "race", states)
    tally = Counter(pb.BookingState.Name(s) for s in states.values())
    assert 1 <= tally["BOOKING_STATE_CONFIRMED"] <= 10, tally
    assert sum(tally.values()) == 100


async def test_a_coordinator_killed_mid_stream_loses_nothing_and_duplicates_nothing(
    suite: Suite, secret: str, journey_db
):
    """Forty twos in four waves two hours apart, ten to a wave for the floor's ten tables: every
    one fits, so every one must end CONFIRMED, once, whatever the killed assigner held."""
    _, engine = journey_db
    metadata = [("authorization", f"Bearer {token(secret)}")]
    victim = suite.services["assigner-0"]
    async with grpc.aio.insecure_channel(suite.services["state"].target) as channel:
        stub = rpc.BookingServiceStub(channel)
        # A two's turn is 90 minutes and the buffer 15, so the waves never overlap.
        requests = [create_request("crash", tomorrow_at(12 + 2 * (i % 4)), 2) for i in range(40)]
        pending = [
            asyncio.ensure_future(stub.CreateBooking(r, metadata=metadata)) for r in requests
        ]
        await asyncio.sleep(0.3)
        await asyncio.to_thread(victim.kill)
        created = await asyncio.gather(*pending)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(victim.start)
        ids = [c.booking.booking_id for c in created]
        states = await wait_settled(stub, metadata, "crash", ids, seconds=120)
    await check_floor(engine, "crash", states)
    tally = Counter(pb.BookingState.Name(s) for s in states.values())
    assert tally == {"BOOKING_STATE_CONFIRMED": 40}, tally
    async with engine.connect() as db:
        confirmations = (
            await db.execute(
                text(
                    "SELECT booking_id::text, count(*) FROM booking_state_history "
                    "WHERE venue_id = :v AND to_state = 'CONFIRMED' GROUP BY booking_id"
                ),
                {"v": "crash"},
            )
        ).all()
    assert dict(confirmations) == dict.fromkeys(ids, 1)


async def _seat_directly(engine: AsyncEngine, venue: str, start: datetime, tables: list[str]):
    """CONFIRMED two-person bookings written straight to the database, one per named table."""
    ids = []
    for name in tables:
        booking_id = await add_booking(engine, venue, start, 2, "CONFIRMED")
        await allocate(engine, venue, [name], start, start + timedelta(minutes=105),
                       booking_id=booking_id)  # fmt: skip
        async with engine.begin() as db:
            await db.execute(
                text("UPDATE bookings SET table_ids = ARRAY[:t] WHERE booking_id = :b"),
                {"t": f"{venue}-{name}", "b": booking_id},
            )
        ids.append(str(booking_id))
    return ids


async def test_a_plan_applied_while_bookings_arrive_and_cancel_keeps_every_invariant(
    suite: Suite, secret: str, journey_db
):
    """Five twos sit on four-tops; the optimizer moves them to the two-tops while ten new
    parties race the coordinator for those same tables and two of the five cancel."""
    _, engine = journey_db
    venue, seven = "replan", tomorrow_at(19)
    await seed_floor(engine, venue, tables=RACE_TABLES, edges=())
    seeded = await _seat_directly(engine, venue, seven, [f"q{i}" for i in range(5)])
    metadata = [("authorization", f"Bearer {token(secret)}")]
    options = plan_pb.OptimizeOptions(dry_run=True, move_penalty=1, seed=3)
    async with (
        grpc.aio.insecure_channel(suite.services["state"].target) as state_channel,
        grpc.aio.insecure_channel(suite.services["optimizer"].target) as optimizer_channel,
    ):
        state = rpc.BookingServiceStub(state_channel)
        optimizer = optimizer_rpc.OptimizerServiceStub(optimizer_channel)
        request = optimizer_api.OptimizeVenueDayRequest(
            venue_id=venue, service_date=seven.date().isoformat(), options=options
        )
        messages = [m async for m in optimizer.OptimizeVenueDay(request, metadata=metadata)]
        plan = messages[-1].plan
        assert len(plan.moves) == 5, plan  # every two to a two-top
        cancels = [_cancel(state, metadata, venue, booking_id) for booking_id in seeded[:2]]
        arrivals = [
            state.CreateBooking(create_request(venue, seven, 2), metadata=metadata)
            for _ in range(10)
        ]
        apply = optimizer.ApplyPlan(
            optimizer_api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id, force=True),
            metadata=metadata,
        )
        applied, *others = await asyncio.gather(apply, *cancels, *arrivals)
        created = [c.booking.booking_id for c in others[2:]]
        states = await wait_settled(state, metadata, venue, created)
        outcomes = Counter(allocation_pb.MoveOutcome.Name(r.outcome) for r in applied.results)
        everyone = {b: await _booking(state, metadata, venue, b) for b in seeded + created}
    await _tables_match_allocations(engine, venue, everyone)
    assert all(everyone[b].state == pb.BOOKING_STATE_CANCELLED for b in seeded[:2])
    assert Counter(pb.BookingState.Name(s) for s in states.values())["BOOKING_STATE_CONFIRMED"] >= 5
    # Who wins each table is the race's to decide (arrivals may take every two-top first):
    # every move is answered, applied or skipped for a reason, never lost or failed.
    allowed = {f"MOVE_OUTCOME_{name}" for name in ("APPLIED", "SKIPPED_STALE", "SKIPPED_CONFLICT")}
    assert sum(outcomes.values()) == 5 and set(outcomes) <= allowed, outcomes


async def _cancel(stub, metadata, venue: str, booking_id: str) -> None:
    """Cancel as a guest's client does: on ABORTED (a move applied first), read and retry."""
    version = 1
    for _ in range(5):
        request = api.CancelBookingRequest(
            venue_id=venue, booking_id=booking_id, expected_version=version, reason="cancelled"
        )
        try:
            await stub.CancelBooking(request, metadata=metadata)
            return
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.ABORTED:
                raise
        version = (await _booking(stub, metadata, venue, booking_id)).version
    raise AssertionError(f"{booking_id} kept changing under five cancels")


async def _booking(stub, metadata, venue: str, booking_id: str) -> pb.Booking:
    request = api.GetBookingRequest(venue_id=venue, booking_id=booking_id)
    return (await stub.GetBooking(request, metadata=metadata)).booking


async def _tables_match_allocations(
    engine: AsyncEngine, venue: str, bookings: dict[str, pb.Booking]
) -> None:
    """No overlap; a booking with tables holds exactly them; any other holds none."""
    async with engine.connect() as db:
        overlaps = await db.scalar(
            text(
                "SELECT count(*) FROM allocations a JOIN allocations b "
                "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                "AND a.allocation_id < b.allocation_id AND a.during && b.during "
                "WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL"
            ),
            {"v": venue},
        )
        rows = await db.execute(
            text(
                "SELECT booking_id::text, array_agg(table_id ORDER BY table_id) FROM allocations "
                "WHERE venue_id = :v AND release_time IS NULL AND kind = 'ASSIGNMENT' "
                "GROUP BY booking_id"
            ),
            {"v": venue},
        )
        held = {booking_id: list(tables) for booking_id, tables in rows}
    assert overlaps == 0
    for booking_id, booking in bookings.items():
        if booking.state in (pb.BOOKING_STATE_ASSIGNED, pb.BOOKING_STATE_CONFIRMED):
            assert held.get(booking_id) == sorted(booking.table_ids), booking
        else:
            assert booking_id not in held, booking
