"""The scheduler's turn in Redis: the first replica to set the key ticks until it expires."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.locks import lock_key

log = logging.getLogger("maitred.optimizer.scheduler")
KEY = lock_key("optimizer:scheduler")


class RedisTickLease:
    """Never released: it expires, so a replica that stops hands the turn on by itself."""

    def __init__(self, redis: Redis, holder: str) -> None:
        self._redis = redis
        self._holder = holder

    async def take(self, ttl_s: float) -> bool:
        """True when this replica has the turn: the key was free, or is still its own."""
        try:
            if await self._redis.set(KEY, self._holder, nx=True, px=int(ttl_s * 1000)):
                return True
            holder = await self._redis.get(KEY)
        except RedisError:
            # Runs need Redis for their venue-day lock anyway: skip this tick.
            log.warning("scheduler lease unavailable (Redis); skipping this tick")
            return False
        if isinstance(holder, bytes):
            holder = holder.decode()
        return bool(holder == self._holder)
