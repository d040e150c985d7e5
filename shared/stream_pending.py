"""A consumer group's backlog, polled into the STREAM_PENDING gauge by a background task.

    task = asyncio.create_task(watch_pending(redis, settings.events_stream, "assigner"))

Pending means delivered to a consumer of the group and not yet acknowledged: it grows when
consumers stall or crash, before their messages are reclaimed.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.metrics import STREAM_PENDING

log = logging.getLogger("maitred.stream_pending")

INTERVAL_SECONDS = 5.0


async def observe_pending(redis: Redis, stream: str, group: str) -> int:
    """Read the group's pending count once and set the gauge to it."""
    summary = await redis.xpending(stream, group)
    pending = int(summary["pending"])
    STREAM_PENDING.labels(stream=stream, group=group).set(pending)
    return pending


async def watch_pending(
    redis: Redis, stream: str, group: str, *, interval: float = INTERVAL_SECONDS
) -> None:
    """Observe the pending count every `interval` seconds until cancelled.

    A failed read (Redis away, or the group not made yet) keeps the last value: the gauge is a
    report, and the consumer logs its own Redis failures.
    """
    while True:
        try:
            await observe_pending(redis, stream, group)
        except (RedisError, OSError) as error:
            log.debug("pending count unavailable", extra={"stream": stream, "error": repr(error)})
        await asyncio.sleep(interval)
