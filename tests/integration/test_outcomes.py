"""Aggregated assignment outcomes on real PostgreSQL and Redis: counted once, no guest data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.outcomes import PostgresOutcomes
from services.assigner.adapters.tables import assignment_success_counts as counts
from tests.service.availability_floor import add_booking, seed_floor

START = datetime(2031, 9, 5, 19, 0, tzinfo=UTC)


@pytest.fixture
async def venue(engine):
    venue_id = f"oc-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


@pytest.fixture
async def outcomes(engine, redis_url):
    redis = Redis.from_url(redis_url)
    yield PostgresOutcomes(engine, redis)
    await redis.aclose()


async def seated(engine, venue: str, tables: list[str]) -> uuid.UUID:
    booking = await add_booking(engine, venue, START, 3, "ASSIGNMENT_IN_PROGRESS")
    await AllocationStore(engine).assignments.assign(
        venue, booking, [f"{venue}-{t}" for t in tables], START, START + timedelta(hours=2),
        now=START - timedelta(days=1), actor="t", strategy="s", breakdown={},
    )  # fmt: skip
    return booking


def event(venue: str, booking: uuid.UUID, before: str, after: str) -> dict[str, object]:
    return {"booking_id": str(booking), "venue_id": venue, "from_state": before,
            "to_state": after, "party_size": 3, "start_time": START.isoformat()}  # fmt: skip


async def tally(engine, venue: str) -> list[tuple[str, str, int, int, int]]:
    async with engine.connect() as db:
        rows = await db.execute(select(counts.c.table_key, counts.c.party_band, counts.c.hour,
                                       counts.c.successes, counts.c.failures)
                                .where(counts.c.venue_id == venue))  # fmt: skip
    return [tuple(row) for row in rows]


async def test_a_party_that_completes_at_its_tables_counts_one_success_however_often_told(
    engine, venue, outcomes
):
    booking = await seated(engine, venue, ["t2", "t3"])
    event_id = uuid.uuid4().int % 10**12
    for _ in range(3):  # at-least-once delivery
        await outcomes.note(event_id, event(venue, booking, "SEATED", "COMPLETED"))
    assert await tally(engine, venue) == [(f"{venue}-t2+{venue}-t3", "3-4", 19, 1, 0)]


async def test_a_party_moved_after_confirmation_counts_a_failure(engine, venue, outcomes):
    booking = await seated(engine, venue, ["t4"])
    await outcomes.note(uuid.uuid4().int % 10**12,
                        event(venue, booking, "CONFIRMED", "ASSIGNMENT_PENDING"))  # fmt: skip
    await outcomes.note(uuid.uuid4().int % 10**12, event(venue, booking, "ASSIGNED", "CONFIRMED"))
    assert await tally(engine, venue) == [(f"{venue}-t4", "3-4", 19, 0, 1)]
