"""A Redis lock for one holder at a time: the Redis docs' single-instance pattern."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.metrics import LOCK_CONTENTION

log = logging.getLogger("maitred.locks")

# Both scripts check the token and act in one step, so only the holder can release or extend.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RETRY_SECONDS = (0.01, 0.05)


def lock_key(name: str, venue_id: str | None = None) -> str:
    """The key of lock `name`: `maitred:{venue:<id>}:lock:<name>`, or `maitred:lock:<name>`.

    The hash tag keeps a venue's locks on its Redis Cluster slot (DESIGN.md, tenancy).
    """
    if venue_id is None:
        return f"maitred:lock:{name}"
    return f"maitred:{{venue:{venue_id}}}:lock:{name}"


def lock_kind(key: str) -> str:
    """The kind of a lock, for metrics: the first part of its name (`booking`, `optimizer`).

    The rest of a name is an id (a booking, a day), too many values for a metric label.
    """
    name = key.rpartition(":lock:")[2]
    return name.partition(":")[0] or name


class LockNotAcquired(Exception):
    """Another holder had the lock for the whole time the caller was willing to wait."""

    def __init__(self, key: str, wait_ms: int) -> None:
        super().__init__(f"lock {key!r} is held by another owner (waited {wait_ms} ms)")
        self.key = key
        self.wait_ms = wait_ms


class RedisLock:
    """Acquire, release and extend locks on one Redis client; each holder has a random token.

    A lock only saves wasted work: the database stays the judge, so a holder whose lock
    expired while it worked must still meet the database's constraints and versions.
    """

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._release = redis.register_script(_RELEASE)
        self._extend = redis.register_script(_EXTEND)

    async def acquire(self, key: str, ttl_ms: int) -> str | None:
        """Take the lock for `ttl_ms` and return its token, or None when someone holds it."""
        token = secrets.token_hex(16)
        taken = await self._redis.set(key, token, nx=True, px=ttl_ms)
        return token if taken else None

    async def release(self, key: str, token: str) -> bool:
        """Delete the lock if `token` still holds it; False when it expired or is another's."""
        return bool(await self._release(keys=[key], args=[token]))

    async def extend(self, key: str, token: str, ttl_ms: int) -> bool:
        """Reset the lock's time to live to `ttl_ms` if `token` still holds it."""
        return bool(await self._extend(keys=[key], args=[token, ttl_ms]))


@asynccontextmanager
async def held(
    redis: Redis | RedisLock, key: str, ttl_ms: int, wait_ms: int = 0
) -> AsyncIterator[str]:
    """Hold `key` for the block and yield the token; raise LockNotAcquired after `wait_ms`."""
    locks = redis if isinstance(redis, RedisLock) else RedisLock(redis)
    token = await _acquire_within(locks, key, ttl_ms, wait_ms)
    try:
        yield token
    finally:
        await _release_quietly(locks, key, token)


async def _acquire_within(locks: RedisLock, key: str, ttl_ms: int, wait_ms: int) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_ms / 1000
    while (token := await locks.acquire(key, ttl_ms)) is None:
        remaining = deadline - loop.time()
        if remaining <= 0:
            LOCK_CONTENTION.labels(name=lock_kind(key)).inc()
            raise LockNotAcquired(key, wait_ms)
        # Jitter keeps many waiters from retrying in lockstep.
        await asyncio.sleep(min(remaining, random.uniform(*_RETRY_SECONDS)))
    return token


async def _release_quietly(locks: RedisLock, key: str, token: str) -> None:
    # The lock expires on its own, so a failed release must not hide the block's own outcome.
    try:
        if not await locks.release(key, token):
            log.warning("lock expired before release", extra={"lock_key": key})
    except (RedisError, OSError) as error:
        log.warning("lock release failed", extra={"lock_key": key, "error": str(error)})
