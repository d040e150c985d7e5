"""The retry queue on real Redis: due bookings come back once, each with its trace context."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from opentelemetry.sdk.trace import TracerProvider
from redis.asyncio import Redis

from services.assigner.adapters.retry_queue import RedisRetries

NOW = datetime(2026, 11, 26, 19, tzinfo=UTC)


async def test_a_due_booking_comes_back_once_with_the_trace_it_was_scheduled_in(redis_url):
    redis = Redis.from_url(redis_url)
    key = f"maitred:test:{uuid.uuid4().hex[:8]}:retries"
    retries = RedisRetries(redis, key=key)
    traced, plain, later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    tracer = TracerProvider().get_tracer("test")
    try:
        with tracer.start_as_current_span("drive") as span:
            await retries.schedule("v1", traced, NOW - timedelta(seconds=1))
            trace_id = format(span.get_span_context().trace_id, "032x")
        await retries.schedule("v1", plain, NOW)
        await retries.schedule("v1", later, NOW + timedelta(minutes=1))

        due = {d.booking_id: d for d in await retries.pop_due(NOW)}
        again = await retries.pop_due(NOW)
        left = await redis.zcard(key)
        traces_left = await redis.hlen(f"{key}:trace")
    finally:
        await redis.delete(key, f"{key}:trace")
        await redis.aclose()

    assert set(due) == {traced, plain} and again == []
    assert trace_id in due[traced].trace_context["traceparent"]
    assert due[plain].trace_context == {}
    assert left == 1 and traces_left == 0  # the later one waits; no trace context lingers
