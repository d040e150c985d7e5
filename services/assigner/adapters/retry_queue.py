"""Bookings to drive again later: a Redis sorted set scored by when each is due."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis

KEY = "maitred:assigner:retries"

# Take the due members and remove them in one step, so two coordinators never both take one.
POP_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


class RedisRetries:
    """Schedules drives for later; an earlier due time for the same booking wins."""

    def __init__(self, redis: Redis, key: str = KEY) -> None:
        self._redis = redis
        self._key = key
        self._pop = redis.register_script(POP_DUE)

    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None:
        await self._redis.zadd(self._key, {f"{venue_id}|{booking_id}": due.timestamp()}, lt=True)

    async def pop_due(self, now: datetime, limit: int = 50) -> list[tuple[str, UUID]]:
        """The bookings due by `now`, removed from the queue."""
        members = await self._pop(keys=[self._key], args=[now.timestamp(), limit])
        found = []
        for member in members:
            venue_id, _, booking_id = (
                member.decode() if isinstance(member, bytes) else member
            ).rpartition("|")
            found.append((venue_id, UUID(booking_id)))
        return found
