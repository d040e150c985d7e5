"""Booking events from the Redis Stream in a consumer group: reclaimed, then dead-lettered.

Each entry is handled in a CONSUMER span continuing the trace of the change that wrote it (its
`trace_context` field), so the coordinator's calls join the booking's one trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from services.assigner.domain.booking import BookingState, BookingView
from shared.tracing import carrier_of, continued_span, mark_failed

log = logging.getLogger("maitred.assigner.events")
STOP_ACK_SECONDS = 2.0  # how long a stopping consumer waits on Redis to acknowledge
ACK_EVERY_SECONDS = 0.5  # handled entries wait this long at most for their shared XACK


@dataclass(frozen=True)
class BookingEvent:
    """One entry of the bookings stream."""

    entry_id: str
    event_id: int
    venue_id: str
    booking_id: str
    event_type: str
    payload: dict[str, Any]
    trace_context: dict[str, str] = field(default_factory=dict)

    @property
    def booking(self) -> BookingView | None:
        """The booking as the event tells of it, when the payload carries all the coordinator
        reads (events written before the preferred zone was added do not)."""
        data = self.payload
        try:
            if "preferred_zone_id" not in data:
                return None
            return BookingView(
                booking_id=UUID(str(data["booking_id"])),
                venue_id=self.venue_id,
                state=BookingState(str(data["to_state"])),
                version=int(data["version"]),
                party_size=int(data["party_size"]),
                start=datetime.fromisoformat(str(data["start_time"])),
                end=datetime.fromisoformat(str(data["end_time"])),
                preferred_zone_id=data["preferred_zone_id"] or None,
                table_ids=tuple(data.get("table_ids") or ()),
            )
        except (KeyError, TypeError, ValueError):
            return None  # read the booking instead


Handler = Callable[[BookingEvent], Awaitable[None]]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _carrier(text: str | None) -> dict[str, str]:
    try:
        return carrier_of(json.loads(text or "{}"))
    except ValueError:  # a broken trace context must not make the event poison
        return {}


def parse(entry_id: Any, fields: dict[Any, Any]) -> BookingEvent:
    data = {_text(k): _text(v) for k, v in fields.items()}
    return BookingEvent(
        entry_id=_text(entry_id),
        event_id=int(data.get("event_id", 0)),
        venue_id=data["venue_id"],
        booking_id=data["aggregate_id"],
        event_type=data.get("event_type", ""),
        payload=json.loads(data.get("payload") or "{}"),
        trace_context=_carrier(data.get("trace_context")),
    )


class StreamConsumer:
    """Reads the stream as one member of a group; a handler failure leaves the entry pending.

    Pending entries idle longer than `claim_idle_ms` (their consumer died or is stuck) are
    reclaimed with XAUTOCLAIM; one delivered `max_deliveries` times goes to the dead-letter
    stream and `on_dead` is told, so the booking can be sent to manual review.
    """

    def __init__(
        self,
        redis: Redis,
        stream: str,
        *,
        group: str,
        consumer: str,
        handler: Handler,
        on_dead: Handler,
        claim_idle_ms: int = 30_000,
        max_deliveries: int = 5,
        batch: int = 20,
        block_ms: int = 1_000,
        max_in_flight: int = 16,
        ack_every_s: float = ACK_EVERY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis, self._stream, self._group, self._consumer = redis, stream, group, consumer
        self._handler, self._on_dead = handler, on_dead
        self._claim_idle_ms, self._max_deliveries = claim_idle_ms, max_deliveries
        self._batch, self._block_ms = batch, block_ms
        self.dead_stream = f"{stream}:dead"
        self._max_in_flight = max(1, max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[str] = set()  # entry ids being handled here: never reclaimed here
        self._last_of_booking: dict[str, asyncio.Task[None]] = {}
        self._reclaimed_at = -math.inf  # monotonic time of the last XAUTOCLAIM
        self._handled: list[Any] = []  # entries handled and not yet acknowledged
        self._ack_every_s, self._monotonic = ack_every_s, monotonic
        self._acked_at = -math.inf  # monotonic time of the last XACK

    async def ensure_group(self) -> None:
        try:
            # From the start of the stream: events published before the first coordinator ran count.
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def run(self) -> None:
        """Consume until cancelled; Redis outages are logged and waited out.

        Entries are handled as independent tasks, at most `max_in_flight` at once: a slow
        booking never holds back the next read (no batch barrier), while one booking's entries
        still run one after another, in stream order.
        """
        grouped = False  # the group is made once, and again after any failure (a Redis that
        # came back empty has lost it)
        try:
            while True:
                _raise_if_cancelled()
                try:
                    if not grouped:
                        await self.ensure_group()
                        grouped = True
                    await self.run_once(wait=False)
                except (RedisError, OSError) as error:
                    grouped = False
                    log.warning("event stream unavailable; retrying", extra={"error": str(error)})
                    await asyncio.sleep(1.0)
        finally:
            await self._stop()

    async def _stop(self) -> None:
        """Cancel the entries in flight and wait for them to end, then acknowledge, as far as
        Redis answers, the entries handled meanwhile: fewer redeliveries after a restart."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            async with asyncio.timeout(STOP_ACK_SECONDS):
                await self._acknowledge(force=True)
        except (RedisError, OSError, TimeoutError) as error:  # delivered again: handled in stride
            log.warning("acknowledge at shutdown failed", extra={"error": str(error)})

    async def run_once(self, *, wait: bool = True) -> int:
        """Handle reclaimed stuck entries, then start on new ones; returns how many it took.

        With `wait` it returns once every entry it took is handled.
        """
        await self._acknowledge()  # what is handled is not for the reclaim to find
        claimed, reclaimed = await self._reclaim()
        while len(self._tasks) >= self._max_in_flight:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        await self._acknowledge()
        reply = await self._redis.xreadgroup(
            self._group,
            self._consumer,
            {self._stream: ">"},
            count=min(self._batch, self._max_in_flight - len(self._tasks)),
            block=self._block_ms,
        )
        streams: Any = reply or []  # RESP2 shape: [(stream, [(entry_id, fields), ...])]
        entries = [entry for _, batch in streams for entry in batch]
        started = [*reclaimed, *(self._start(entry_id, fields) for entry_id, fields in entries)]
        if wait and started:
            await asyncio.wait(started)
            await self._acknowledge(force=True)
        return claimed + len(entries)

    async def _acknowledge(self, *, force: bool = False) -> None:
        """Acknowledge every entry handled since the last XACK in one XACK, at most every
        `ack_every_s` unless a batch is waiting or `force` says now.

        Entries finished within that time share one command (the reclaim only takes entries
        idle far longer); one not acknowledged because the process stopped first is delivered
        again, which the handlers take in their stride.
        """
        if not self._handled:
            return
        now = self._monotonic()
        due = len(self._handled) >= self._batch or now - self._acked_at >= self._ack_every_s
        if not (force or due):
            return
        self._acked_at = now
        done, self._handled = self._handled, []
        try:
            await self._redis.xack(self._stream, self._group, *done)
        except BaseException:
            self._handled[:0] = done  # tried again before the next read
            raise

    def _start(self, entry_id: Any, fields: dict[Any, Any]) -> asyncio.Task[None]:
        """Handle the entry in a task of its own, after its booking's previous entry."""
        booking = _text(fields.get(b"aggregate_id", fields.get("aggregate_id", "")))
        previous = self._last_of_booking.get(booking)
        entry = _text(entry_id)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await self._handle(entry_id, fields)

        task = asyncio.create_task(in_turn(), name=f"event {entry}")
        self._tasks.add(task)
        self._in_flight.add(entry)
        self._last_of_booking[booking] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            self._in_flight.discard(entry)
            if self._last_of_booking.get(booking) is finished:
                del self._last_of_booking[booking]

        task.add_done_callback(done)
        return task

    async def _reclaim(self) -> tuple[int, list[asyncio.Task[None]]]:
        """Claim entries other consumers left idle; returns how many, and the tasks handling
        them, each after its booking's entry in flight here (as `_start` orders them)."""
        # Only entries idle longer than claim_idle_ms can be claimed: looking twice in that time
        # is enough, rather than before every read.
        now = time.monotonic()
        if now - self._reclaimed_at < self._claim_idle_ms / 2000:
            return 0, []
        self._reclaimed_at = now
        reply = await self._redis.xautoclaim(
            self._stream,
            self._group,
            self._consumer,
            self._claim_idle_ms,
            start_id="0-0",
            count=self._batch,
        )
        entries: list[tuple[Any, dict[Any, Any] | None]] = list(reply[1]) if reply else []
        started = [
            self._start(entry_id, fields)
            for entry_id, fields in entries
            if fields is not None and _text(entry_id) not in self._in_flight
        ]
        return len(entries), started

    async def _handle(self, entry_id: Any, fields: dict[Any, Any]) -> None:
        event = parse(entry_id, fields)
        with continued_span(
            f"booking event {event.event_type}",
            event.trace_context,
            attributes={
                "messaging.system": "redis",
                "messaging.destination.name": self._stream,
                "messaging.consumer.group.name": self._group,
                "messaging.message.id": event.entry_id,
                "maitred.event_id": event.event_id,
                "maitred.venue_id": event.venue_id,
                "maitred.booking_id": event.booking_id,
            },
        ) as span:
            try:
                await self._handler(event)
            except Exception as error:  # the entry stays pending: retried, reclaimed, dead-lettered
                mark_failed(span, error)
                log.exception(
                    "event handling failed",
                    extra={"booking_id": event.booking_id, "entry_id": event.entry_id},
                )
                await self._maybe_dead(event, fields)
                return
            self._handled.append(entry_id)  # acknowledged with the others before the next read

    async def _maybe_dead(self, event: BookingEvent, fields: dict[Any, Any]) -> None:
        pending = await self._redis.xpending_range(
            self._stream, self._group, min=event.entry_id, max=event.entry_id, count=1
        )
        deliveries = int(pending[0]["times_delivered"]) if pending else 0
        if deliveries < self._max_deliveries:
            return
        await self._redis.xadd(self.dead_stream, {**fields, "dead_after": str(deliveries)})
        await self._redis.xack(self._stream, self._group, event.entry_id)
        log.error(
            "event dead-lettered", extra={"booking_id": event.booking_id, "deliveries": deliveries}
        )
        try:
            await self._on_dead(event)
        except Exception:  # the dead letter is kept; ops can replay it
            log.exception("dead-letter follow-up failed", extra={"booking_id": event.booking_id})


def _raise_if_cancelled() -> None:
    """Stop a loop whose cancellation was swallowed on the way.

    On Python 3.11 a cancel that lands as a blocking read's own timeout fires is turned into
    that timeout by `asyncio.timeout` (redis-py then answers the XREADGROUP with nothing), so
    the loop would read on for good and shutdown would hang. The task still counts the request.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
