"""Bookings to drive again later: a Redis sorted set scored by when each is due.

Beside it, a hash keeps the trace context each retry was scheduled in, so the retry continues
the booking's trace; nothing is written there when tracing is off.
"""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis

from services.assigner.application.journeys import DueDrive
from shared.tracing import carrier_of, current_carrier

KEY = "maitred:assigner:retries"

# Take the due members and remove them in one step, so two coordinators never both take one.
POP_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _carrier(value: bytes | str | None) -> dict[str, str]:
    if value is None:
        return {}
    try:
        return carrier_of(json.loads(value))
    except ValueError:
        return {}


class RedisRetries:
    """Schedules drives for later; an earlier due time for the same booking wins."""

    def __init__(self, redis: Redis, key: str = KEY) -> None:
        self._redis = redis
        self._key = key
        # A key of its own, not in the script: on a Redis Cluster it may sit in another slot.
        self._traces = f"{key}:trace"
        self._pop = redis.register_script(POP_DUE)

    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None:
        member = f"{venue_id}|{booking_id}"
        carrier = current_carrier()
        if not carrier:
            await self._redis.zadd(self._key, {member: due.timestamp()}, lt=True)
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(self._traces, member, json.dumps(carrier, separators=(",", ":")))
            pipe.zadd(self._key, {member: due.timestamp()}, lt=True)
            await pipe.execute()

    async def is_scheduled(self, venue_id: str, booking_id: UUID) -> bool:
        return await self._redis.zscore(self._key, f"{venue_id}|{booking_id}") is not None

    async def pop_due(self, now: datetime, limit: int = 50) -> list[DueDrive]:
        """The bookings due by `now`, removed from the queue, each with its trace context."""
        members = [
            _text(member)
            for member in await self._pop(keys=[self._key], args=[now.timestamp(), limit])
        ]
        if not members:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self._traces, members)
            pipe.hdel(self._traces, *members)
            contexts, _ = await pipe.execute()
        found = []
        for member, context in zip(members, contexts, strict=True):
            venue_id, _, booking_id = member.rpartition("|")
            found.append(DueDrive(venue_id, UUID(booking_id), _carrier(context)))
        return found
