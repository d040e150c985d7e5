"""Bookings to drive again later: a Redis sorted set scored by when each is due.

Beside it, a hash keeps the trace context each retry was scheduled in, so the retry continues
the booking's trace; nothing is written there when tracing is off.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis

from services.assigner.application.journeys import DueDrive
from shared.tracing import carrier_of, current_carrier

KEY = "maitred:assigner:retries"

# Take the due members and remove them in one step, so two coordinators never both take one.
# The queue's first ARGV[2] + 1 members in one ZRANGE: those due by ARGV[1] (at most ARGV[2])
# are taken; returns {the score of the first member left ('' when none), taken members...}.
POP_DUE = """
local head = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]), 'WITHSCORES')
local found, next_due = {''}, ''
for i = 1, #head, 2 do
    if #found > tonumber(ARGV[2]) or tonumber(head[i + 1]) > tonumber(ARGV[1]) then
        next_due = head[i + 1]
        break
    end
    found[#found + 1] = head[i]
end
found[1] = next_due
if #found > 1 then redis.call('ZREM', KEYS[1], unpack(found, 2)) end
return found
"""
# Retries scheduled by other processes are looked for at least this often; this process's own
# and the earliest one seen in the queue are taken when due without looking in between.
RECHECK_SECONDS = 1.0


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

    def __init__(
        self,
        redis: Redis,
        key: str = KEY,
        *,
        recheck_s: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._key = key
        self._recheck_s, self._monotonic = recheck_s, monotonic
        self._next_due = -math.inf  # no member of the queue is due before this (epoch seconds)
        self._looked_at = -math.inf  # monotonic time of the last look at the queue
        # A key of its own, not in the script: on a Redis Cluster it may sit in another slot.
        self._traces = f"{key}:trace"
        self._pop = redis.register_script(POP_DUE)

    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None:
        member = f"{venue_id}|{booking_id}"
        self._next_due = min(self._next_due, due.timestamp())
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
        """The bookings due by `now`, removed from the queue, each with its trace context.

        Redis is asked only when a retry this process knows of is due, or after `recheck_s`.
        """
        looked_at = self._monotonic()
        if now.timestamp() < self._next_due and looked_at - self._looked_at < self._recheck_s:
            return []
        self._next_due = math.inf  # a schedule() while the script runs lowers it
        try:
            next_due, *taken = await self._pop(keys=[self._key], args=[now.timestamp(), limit])
        except BaseException:
            self._next_due = -math.inf  # unknown: look again next time
            raise
        self._next_due = min(float(next_due) if next_due else math.inf, self._next_due)
        self._looked_at = looked_at
        members = [_text(member) for member in taken]
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
