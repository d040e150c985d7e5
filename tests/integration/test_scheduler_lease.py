"""The optimizer scheduler's lease in Redis: one replica scans per interval, and it hands over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from services.optimizer.adapters.tick_lease import KEY, RedisTickLease
from services.optimizer.application.scheduler import Scheduler
from services.optimizer.domain.records import RunOptions


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.delete(KEY)
    yield client
    await client.delete(KEY)
    await client.aclose()


class _NoVenues:
    """Counts the scans: a scan asks for the venues once."""

    def __init__(self) -> None:
        self.scans = 0

    async def venue_ids(self) -> list[str]:
        self.scans += 1
        return []

    async def venue(self, venue_id: str) -> None:
        return None


class _NoPlans:
    async def fail_abandoned(self, *, started_before: datetime, now: datetime) -> None:
        return None


def _scheduler(venues: _NoVenues, lease: RedisTickLease) -> Scheduler:
    return Scheduler(
        runs=None, plans=_NoPlans(), venues=venues, clock=lambda: datetime.now(UTC),  # type: ignore[arg-type]
        lead=timedelta(hours=2), options=RunOptions(time_limit_s=5), interval_s=0.5, lease=lease,
    )  # fmt: skip


async def test_only_one_replica_has_the_turn_until_it_expires(redis):
    first, second = RedisTickLease(redis, "first"), RedisTickLease(redis, "second")
    assert await first.take(0.3)
    assert not await second.take(0.3)
    assert await first.take(0.3)  # still its own
    for _ in range(50):  # bounded: the lease lasts 0.3 s
        if await second.take(0.3):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the lease never expired")
    assert not await first.take(0.3)


async def test_of_two_schedulers_only_the_one_with_the_turn_scans_the_venues(redis):
    venues_a, venues_b = _NoVenues(), _NoVenues()
    a = _scheduler(venues_a, RedisTickLease(redis, "a"))
    b = _scheduler(venues_b, RedisTickLease(redis, "b"))
    assert await a.turn() == []
    assert await b.turn() is None
    assert (venues_a.scans, venues_b.scans) == (1, 0)
