"""The stall sweeper on real PostgreSQL and Redis: a journey whose event was lost moves again."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from redis.asyncio import Redis
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.stalled_journeys import PostgresStalledJourneys
from services.assigner.application.journeys import Journeys
from services.availability.adapters.tables import venue_policies
from shared.db.engine import create_engine
from tests.databases import migrated_database
from tests.service.availability_floor import add_booking, seed_floor


@pytest.fixture(scope="module")
async def engine(postgres_admin_url: str) -> AsyncIterator[AsyncEngine]:
    """A database of this module's own: the sweep reads the oldest stalled bookings first, so
    bookings other tests left idle in a shared database would crowd these out."""
    async with migrated_database(postgres_admin_url, "maitred_stalled") as url:
        own = create_engine(url, pool_size=2)
        try:
            yield own
        finally:
            await own.dispose()


class Driven:
    """The coordinator's place: records which bookings were driven."""

    def __init__(self) -> None:
        self.driven: list[UUID] = []

    async def drive(self, venue_id: str, booking_id: UUID, known: object = None) -> None:
        self.driven.append(booking_id)


class NoLocks:
    def booking(self, venue_id: str, booking_id: UUID) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


async def _idle(engine: AsyncEngine, booking_id: UUID, minutes: int) -> None:
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE bookings SET update_time = now() - make_interval(mins => :m) "
                 "WHERE booking_id = :b"),
            {"m": minutes, "b": booking_id},
        )  # fmt: skip


async def test_only_bookings_stalled_in_a_moving_state_and_not_awaiting_a_retry_are_driven(
    engine: AsyncEngine, redis_url: str
):
    now = datetime.now(UTC)
    later = now + timedelta(days=1)
    auto, manual = f"st-{uuid.uuid4().hex[:8]}", f"st-{uuid.uuid4().hex[:8]}"
    for venue in (auto, manual):
        await seed_floor(engine, venue)
    async with engine.begin() as db:
        await db.execute(
            update(venue_policies).where(venue_policies.c.venue_id == manual)
            .values(auto_confirm=False)
        )  # fmt: skip
    lost = await add_booking(engine, auto, later, 2, "CREATED")
    waiting = await add_booking(engine, auto, later, 2, "ASSIGNMENT_PENDING")
    unconfirmed = await add_booking(engine, auto, later, 2, "ASSIGNED")
    resting = await add_booking(engine, manual, later, 2, "ASSIGNED")
    fresh = await add_booking(engine, auto, later, 2, "CREATED")
    past = await add_booking(engine, auto, now - timedelta(hours=3), 2, "CREATED")
    settled = await add_booking(engine, auto, later, 2, "CONFIRMED")
    for booking_id in (lost, waiting, unconfirmed, resting, past, settled):
        await _idle(engine, booking_id, minutes=5)
    redis = Redis.from_url(redis_url)
    retries = RedisRetries(redis, key=f"maitred:test:{uuid.uuid4().hex[:8]}:retries")
    await retries.schedule(auto, waiting, now + timedelta(seconds=20))  # its backoff runs
    coordinator = Driven()
    journeys = Journeys(
        coordinator=coordinator, locks=NoLocks(), retries=retries, outcomes=None,  # type: ignore[arg-type]
        sweeper=None, clock=lambda: datetime.now(UTC),  # type: ignore[arg-type]
        stalled=PostgresStalledJourneys(engine),
    )  # fmt: skip
    try:
        await journeys.sweep_stalled()
    finally:
        await redis.aclose()

    mine = {lost, waiting, unconfirmed, resting, fresh, past, settled}
    assert {b for b in coordinator.driven if b in mine} == {lost, unconfirmed}
