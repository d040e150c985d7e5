"""Concurrent allocation writers of one venue on real PostgreSQL: they queue, never deadlock.

asyncpg inserts a group's rows one statement each, and migration 0008's AFTER trigger locks
the venue's version row after the first; a rival holding that row whose next insert meets the
first one on the exclusion constraint used to wait for it while it waited for the version row
(PostgreSQL's log: both INSERTs waiting for ShareLock on each other's transaction, one "while
checking exclusion constraint"). Every writer now locks the version row before writing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.domain.errors import AllocationConflict
from shared.db.engine import create_engine
from tests.service.availability_floor import add_booking, seed_floor

T0 = datetime(2032, 3, 2, 12, 0, tzinfo=UTC)
NOW = datetime(2032, 3, 1, 12, 0, tzinfo=UTC)
DEADLOCK = "40P01"
ROUNDS = 20
# Each writer wants two tables and every pair of neighbours shares one (a ring), so the writers
# of a round meet each other on the exclusion constraint as rival plans of a busy venue do.
PLANS = (("t1", "t2"), ("t2", "t3"), ("t3", "t4"), ("t1", "t4"))


@pytest.fixture
async def writers_engine(database_url):
    """An engine with a connection for every writer, so they really run at once."""
    engine = create_engine(database_url, pool_size=len(PLANS) + 1, application_name="lock-order")
    try:
        yield engine
    finally:
        await engine.dispose()


def _outcome(error: DBAPIError) -> str:
    driver_error = getattr(error.orig, "__cause__", None)
    return "deadlock" if getattr(driver_error, "sqlstate", None) == DEADLOCK else repr(error)


async def _round(engine: AsyncEngine, store: AllocationStore, venue: str, start: datetime):
    """Every plan written at once for a booking of its own; what became of each write."""
    end = start + timedelta(hours=2)
    booked = [await add_booking(engine, venue, start, 4, "ASSIGNMENT_IN_PROGRESS") for _ in PLANS]
    ready = asyncio.Barrier(len(PLANS))

    async def write(booking: uuid.UUID, plan: tuple[str, ...]) -> str:
        await ready.wait()
        try:
            await store.assignments.assign(
                venue, booking, [f"{venue}-{t}" for t in plan], start, end, now=NOW,
                actor="test", strategy="exact_fit", breakdown={},
            )  # fmt: skip
        except AllocationConflict:
            return "conflict"
        except DBAPIError as error:
            return _outcome(error)
        return "won"

    return await asyncio.gather(*(write(b, p) for b, p in zip(booked, PLANS, strict=True)))


async def test_rival_writers_of_one_venue_never_deadlock(writers_engine):
    """Every rival either wins its tables or gets AllocationConflict; none is a deadlock's
    victim, each round has a winner, and the live allocations never overlap."""
    venue = f"lo-{uuid.uuid4().hex[:8]}"
    await seed_floor(writers_engine, venue)
    store = AllocationStore(writers_engine)
    outcomes: list[str] = []
    for number in range(ROUNDS):
        results = await _round(writers_engine, store, venue, T0 + timedelta(days=number))
        assert "won" in results, results
        outcomes.extend(results)
    assert outcomes.count("deadlock") == 0, outcomes
    assert set(outcomes) <= {"won", "conflict"}, outcomes
    async with writers_engine.connect() as db:
        overlaps = await db.scalar(
            text(
                "SELECT count(*) FROM allocations a JOIN allocations b "
                "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                "AND a.allocation_id < b.allocation_id AND a.during && b.during "
                "WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL"
            ),
            {"v": venue},
        )
    assert overlaps == 0
