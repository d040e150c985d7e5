"""The venue-day lock of optimizer runs in Redis; the holder's token is its run id."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from redis.asyncio import Redis

from shared.locks import RedisLock, lock_key


def _key(venue_id: str, day: date) -> str:
    return lock_key(f"optimizer:{day.isoformat()}", venue_id)


class RedisRunLocks:
    """One run per venue-day across every optimizer replica; the lock expires on its own."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._locks = RedisLock(redis)

    async def acquire(self, venue_id: str, day: date, run_id: UUID, ttl_s: float) -> str | None:
        token = str(run_id)
        taken = await self._redis.set(_key(venue_id, day), token, nx=True, px=int(ttl_s * 1000))
        return token if taken else None

    async def holder(self, venue_id: str, day: date) -> str | None:
        """The run id holding the venue-day, if any."""
        value = await self._redis.get(_key(venue_id, day))
        return value.decode() if isinstance(value, bytes) else value

    async def release(self, venue_id: str, day: date, token: str) -> None:
        await self._locks.release(_key(venue_id, day), token)
