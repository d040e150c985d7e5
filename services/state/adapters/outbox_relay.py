"""Relays committed outbox rows to the Redis Stream of booking events, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Sequence

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT
from sqlalchemy import RowMapping, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.state.adapters.tables import outbox
from services.state.metrics import OUTBOX_LAG

log = logging.getLogger("maitred.state.outbox_relay")

STREAM = "maitred:events:bookings"
# Approximate trimming keeps Redis memory bounded; older events remain in the outbox.
STREAM_MAXLEN = 1_000_000

_UNPUBLISHED = outbox.c.publish_time.is_(None)
_AGE = func.extract("epoch", func.clock_timestamp() - outbox.c.create_time)
# The relay's statements, built once with bound parameters: it runs them for every batch.
_FIRST_WAITING = (
    select(outbox.c.aggregate_id, func.min(outbox.c.event_id))
    .where(
        _UNPUBLISHED,
        outbox.c.aggregate_id.in_(bindparam("aggregate_ids", expanding=True)),
        outbox.c.event_id < bindparam("last_claimed"),
        outbox.c.event_id.not_in(bindparam("claimed", expanding=True)),
    )
    .group_by(outbox.c.aggregate_id)
)
_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.event_id.in_(bindparam("event_ids", expanding=True)))
    .values(publish_time=func.clock_timestamp())
)
# A Redis that answered this recently is not pinged again before rows are claimed.
REDIS_TRUSTED_SECONDS = 1.0


def stream_fields(row: RowMapping) -> dict[FieldT, EncodableT]:
    """The stream entry of one outbox row."""
    return {
        "event_id": str(row["event_id"]),
        "venue_id": row["venue_id"],
        "aggregate_id": row["aggregate_id"],
        "event_type": row["event_type"],
        "payload": json.dumps(row["payload"], separators=(",", ":")),
        "trace_context": json.dumps(row["trace_context"], separators=(",", ":")),
    }


class OutboxRelay:
    """Publishes the outbox to one stream for all venues; counts what it did for metrics.

    Each batch is claimed with `FOR UPDATE SKIP LOCKED`, added to the stream and marked
    published in one transaction, so replicas relay side by side without publishing a row twice
    while they live. A failed XADD rolls the batch back for a later retry; a process that dies
    between XADD and COMMIT leaves its rows unpublished, so they are published again: consumers
    must be idempotent, keyed by `event_id`. Per booking (aggregate_id) the stream keeps
    event_id order, as a row waits while another relay holds an earlier row of its booking;
    across bookings, concurrent relays' entries may interleave. Entry fields are strings:
    event_id, venue_id, aggregate_id, event_type, payload (JSON), trace_context (JSON: the W3C
    `traceparent`/`tracestate` of the change, {} when it was not traced).

    It wakes on `wake()`, which the state service's units of work call after each commit, so an
    event leaves within a round trip of its commit; the interval poll is only the safety net for
    rows committed elsewhere (another replica, a wake-up lost to a crash).

    `published` and `failures` only grow; `lag_seconds` is the age of the oldest row the last
    batch claimed (0 when none was waiting), or, while Redis is in doubt, of the oldest
    unpublished row; also the OUTBOX_LAG gauge.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        redis: Redis,
        *,
        stream: str = STREAM,
        batch: int = 100,
        interval: float = 0.2,
        max_idle_interval: float = 1.0,
        max_error_interval: float = 5.0,
        maxlen: int = STREAM_MAXLEN,
    ) -> None:
        self._engine = engine
        self._redis = redis
        self._stream = stream
        self._batch = batch
        # Built once, the batch size bound as the LIMIT's parameter.
        self._oldest_free = (
            select(outbox, _AGE.label("age"))
            .where(_UNPUBLISHED)
            .order_by(outbox.c.event_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        self._interval = interval
        self._max_idle = max(interval, max_idle_interval)
        self._max_error = max(interval, max_error_interval)
        self._maxlen = maxlen
        self.published = 0
        self.failures = 0
        self.lag_seconds = 0.0
        self._wakeup = asyncio.Event()
        self._redis_ok_at = -math.inf  # monotonic time of Redis's last good answer

    def wake(self) -> None:
        """A commit may have added rows: relay now rather than at the next poll."""
        self._wakeup.set()

    async def _pause(self, delay: float) -> None:
        """Wait `delay` seconds, or less when woken."""
        if delay <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), delay)

    async def run(self) -> None:
        """Relay until cancelled: at once when busy, backing off when idle or failing."""
        delay = 0.0
        failing = False
        while True:
            self._wakeup.clear()  # a commit from here on wakes the next pause
            try:
                count = await self.run_once()
            except Exception as error:
                self.failures += 1
                delay = min(max(delay * 2, self._interval), self._max_error)
                # The traceback once per outage; then one line per retry.
                log.warning(
                    "outbox relay failed, will retry",
                    exc_info=None if failing else error,
                    extra={"error": str(error), "retry_in_seconds": delay},
                )
                failing = True
                await asyncio.sleep(delay)
                continue
            if failing:
                log.info("outbox relay recovered")
                failing = False
            if count >= self._batch:
                delay = 0.0
            elif count:
                delay = self._interval
            else:
                delay = min(max(delay * 2, self._interval), self._max_idle)
            await self._pause(delay)

    async def run_once(self) -> int:
        """Publish one batch of unpublished rows and return how many were published."""
        async with self._engine.begin() as db:
            if time.monotonic() - self._redis_ok_at > REDIS_TRUSTED_SECONDS:
                # The gauge first, so that it grows during an outage.
                self._note_lag(await self._oldest_age(db))
                # A relay cut off from Redis must not claim rows: it would hold their locks
                # through its connection retries, and a healthy replica would skip them all
                # that time. Redis that answered within the last second is taken as reachable.
                await self._redis.ping()
                self._redis_ok_at = time.monotonic()
            rows = await self._claim(db)
            self._note_lag(float(rows[0]["age"]) if rows else 0.0)
            if not rows:
                return 0
            await self._publish(rows)
            self._redis_ok_at = time.monotonic()
            ids = [row["event_id"] for row in rows]
            await db.execute(_MARK_PUBLISHED, {"event_ids": ids})
        self.published += len(rows)
        return len(rows)

    def _note_lag(self, age: float) -> None:
        self.lag_seconds = max(age, 0.0)
        OUTBOX_LAG.set(self.lag_seconds)

    async def _oldest_age(self, db: AsyncConnection) -> float:
        age = await db.scalar(
            select(func.extract("epoch", func.clock_timestamp() - outbox.c.create_time))
            .where(_UNPUBLISHED)
            .order_by(outbox.c.event_id)
            .limit(1)
        )
        return max(float(age), 0.0) if age is not None else 0.0

    async def _claim(self, db: AsyncConnection) -> list[RowMapping]:
        rows = (await db.execute(self._oldest_free)).mappings().all()
        if not rows:
            return []
        waiting = await self._first_waiting(db, rows)
        return [
            row
            for row in rows
            if row["aggregate_id"] not in waiting or row["event_id"] < waiting[row["aggregate_id"]]
        ]

    async def _first_waiting(
        self, db: AsyncConnection, rows: Sequence[RowMapping]
    ) -> dict[str, int]:
        """Per claimed booking, its first earlier unpublished row that this relay did not claim."""
        claimed = [row["event_id"] for row in rows]
        values = {
            "aggregate_ids": sorted({row["aggregate_id"] for row in rows}),
            "last_claimed": claimed[-1],
            "claimed": claimed,
        }
        found = await db.execute(_FIRST_WAITING, values)
        return {aggregate_id: event_id for aggregate_id, event_id in found.tuples()}

    async def _publish(self, rows: Sequence[RowMapping]) -> None:
        if len(rows) == 1:  # one XADD is atomic by itself: no MULTI/EXEC around it
            await self._redis.xadd(
                self._stream, stream_fields(rows[0]), maxlen=self._maxlen, approximate=True
            )
            return
        # MULTI/EXEC: a batch lands whole or not at all unless the reply itself is lost.
        async with self._redis.pipeline(transaction=True) as pipe:
            for row in rows:
                pipe.xadd(self._stream, stream_fields(row), maxlen=self._maxlen, approximate=True)
            await pipe.execute()
