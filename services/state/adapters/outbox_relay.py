"""Relays committed outbox rows to the Redis Stream of booking events, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT
from sqlalchemy import BigInteger, RowMapping, Select, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.state.adapters.tables import outbox
from services.state.metrics import OUTBOX_BATCHES, OUTBOX_LAG

log = logging.getLogger("maitred.state.outbox_relay")

STREAM = "maitred:events:bookings"
# Approximate trimming keeps Redis memory bounded; older events remain in the outbox.
STREAM_MAXLEN = 1_000_000

_UNPUBLISHED = outbox.c.publish_time.is_(None)
_AGE = func.extract("epoch", func.clock_timestamp() - outbox.c.create_time)
_EARLIER = outbox.alias("earlier")
# `= ANY(array)` rather than an IN list: one SQL text (and prepared statement) for every size.
_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.event_id == func.any(bindparam("event_ids", type_=ARRAY(BigInteger))))
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


def _claim_statement(batch: int) -> Select[Any]:
    """The oldest free unpublished rows, locked, each with `waits`: whether an earlier unpublished
    row of its booking is not among them (held by another relay, say), so it must wait.

    One statement, so the claim and the check are one round trip; built once per relay. The
    check is one grouped scan for the claimed bookings' first unclaimed row, not a subquery per
    claimed row: per row, a backlog's batch scanned the unpublished index a hundred times, and
    on a large outbox its estimated cost crossed PostgreSQL's JIT threshold.
    """
    claimed = (
        select(outbox, _AGE.label("age"))
        .where(_UNPUBLISHED)
        .order_by(outbox.c.event_id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("claimed")
    )
    first_unclaimed = (
        select(_EARLIER.c.aggregate_id, func.min(_EARLIER.c.event_id).label("event_id"))
        .where(
            _EARLIER.c.publish_time.is_(None),
            _EARLIER.c.event_id < select(func.max(claimed.c.event_id)).scalar_subquery(),
            _EARLIER.c.aggregate_id.in_(select(claimed.c.aggregate_id)),
            _EARLIER.c.event_id.not_in(select(claimed.c.event_id)),
        )
        .group_by(_EARLIER.c.aggregate_id)
        .cte("first_unclaimed")
    )
    waits = func.coalesce(first_unclaimed.c.event_id < claimed.c.event_id, False)
    return (
        select(claimed, waits.label("waits"))
        .select_from(
            claimed.outerjoin(
                first_unclaimed, first_unclaimed.c.aggregate_id == claimed.c.aggregate_id
            )
        )
        .order_by(claimed.c.event_id)
    )


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
    rows committed elsewhere (another replica, a wake-up lost to a crash). Batches start at
    least `coalesce` seconds apart: an idle relay publishes a commit's event at once, a busy one
    gathers the commits of those few milliseconds into one transaction.

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
        coalesce: float = 0.01,
        max_idle_interval: float = 1.0,
        max_error_interval: float = 5.0,
        maxlen: int = STREAM_MAXLEN,
    ) -> None:
        self._engine = engine
        self._redis = redis
        self._stream = stream
        self._batch = batch
        self._claim_statement = _claim_statement(batch)
        self._interval = interval
        self._coalesce = coalesce
        self._last_start = -math.inf  # monotonic time the last batch began
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
        """Wait `delay` seconds, or less when woken; then, within `coalesce` of the last batch's
        start, until that much has passed, so that the commits of a busy moment share a batch."""
        if delay > 0 and not self._wakeup.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), delay)
        spare = self._last_start + self._coalesce - time.monotonic()
        if spare > 0:
            await asyncio.sleep(spare)

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
        self._last_start = time.monotonic()
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
        OUTBOX_BATCHES.inc()
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
        rows = (await db.execute(self._claim_statement)).mappings().all()
        return [row for row in rows if not row["waits"]]

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
