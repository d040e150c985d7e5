"""The Redis lock on a real Redis: one holder, token-checked release and extend, expiry."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from shared.locks import LockNotAcquired, RedisLock, held, lock_key


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def key() -> str:
    return lock_key(f"test-{uuid.uuid4().hex}", venue_id="venue-locks")


def test_a_venue_lock_key_carries_the_venue_hash_tag():
    assert lock_key("booking:b1", venue_id="v1") == "maitred:{venue:v1}:lock:booking:b1"
    assert lock_key("sweep") == "maitred:lock:sweep"


async def test_only_one_of_many_concurrent_acquirers_wins(redis, key):
    locks = RedisLock(redis)
    tokens = await asyncio.gather(*(locks.acquire(key, 5_000) for _ in range(50)))
    winners = [token for token in tokens if token is not None]
    assert len(winners) == 1
    assert (await redis.get(key)).decode() == winners[0]


async def test_release_with_a_wrong_token_does_nothing(redis, key):
    locks = RedisLock(redis)
    token = await locks.acquire(key, 5_000)
    assert token is not None
    assert await locks.release(key, "not-the-token") is False
    assert await locks.acquire(key, 5_000) is None
    assert await locks.release(key, token) is True
    assert await locks.acquire(key, 5_000) is not None


async def test_extend_with_a_wrong_token_fails_and_the_lock_still_expires(redis, key):
    locks = RedisLock(redis)
    assert await locks.acquire(key, 200) is not None
    assert await locks.extend(key, "not-the-token", 60_000) is False
    assert 0 < await redis.pttl(key) <= 200
    await asyncio.sleep(0.3)
    assert await redis.exists(key) == 0


async def test_the_holder_can_extend_its_lock(redis, key):
    locks = RedisLock(redis)
    token = await locks.acquire(key, 200)
    assert token is not None
    assert await locks.extend(key, token, 60_000) is True
    await asyncio.sleep(0.3)
    assert await locks.acquire(key, 5_000) is None
    assert await redis.pttl(key) > 50_000


async def test_an_expired_lock_can_be_taken_by_another_and_its_old_holder_cannot_free_it(
    redis, key
):
    locks = RedisLock(redis)
    first = await locks.acquire(key, 100)
    assert first is not None
    await asyncio.sleep(0.2)
    second = await locks.acquire(key, 5_000)
    assert second is not None and second != first
    assert await locks.release(key, first) is False
    assert await locks.extend(key, first, 5_000) is False
    assert (await redis.get(key)).decode() == second


async def test_the_context_manager_releases_on_exception(redis, key):
    with pytest.raises(RuntimeError, match="boom"):
        async with held(redis, key, 5_000) as token:
            assert (await redis.get(key)).decode() == token
            raise RuntimeError("boom")
    assert await redis.exists(key) == 0


async def test_the_context_manager_refuses_a_held_lock_with_a_clear_error(redis, key):
    assert await RedisLock(redis).acquire(key, 5_000) is not None
    with pytest.raises(LockNotAcquired, match="held by another owner") as refused:
        async with held(redis, key, 5_000, wait_ms=50):
            pytest.fail("the block ran without the lock")
    assert refused.value.key == key


async def test_the_context_manager_waits_for_a_lock_to_be_freed(redis, key):
    locks = RedisLock(redis)
    first = await locks.acquire(key, 5_000)
    assert first is not None

    async def free_soon() -> None:
        await asyncio.sleep(0.1)
        await locks.release(key, first)

    freeing = asyncio.create_task(free_soon())
    async with held(locks, key, 5_000, wait_ms=2_000) as token:
        assert token != first
        assert (await redis.get(key)).decode() == token
    await freeing
    assert await redis.exists(key) == 0
