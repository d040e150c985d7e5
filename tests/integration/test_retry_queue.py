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


async def test_the_queue_is_asked_only_when_a_known_retry_is_due_or_after_the_recheck(redis_url):
    redis = Redis.from_url(redis_url)
    key = f"maitred:test:{uuid.uuid4().hex[:8]}:retries"
    clock = [50.0]
    retries = RedisRetries(redis, key=key, recheck_s=1.0, monotonic=lambda: clock[0])
    other = RedisRetries(redis, key=key)  # another coordinator's process
    looks: list[object] = []
    pop = retries._pop

    async def counted(**kwargs):
        looks.append(kwargs["args"][0])
        return await pop(**kwargs)

    retries._pop = counted  # type: ignore[method-assign]
    first, second, elsewhere = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        await retries.schedule("v1", first, NOW + timedelta(seconds=10))
        assert await retries.pop_due(NOW) == []  # nothing known yet: it looks once
        assert await retries.pop_due(NOW + timedelta(seconds=5)) == []  # first not due: no look
        await other.schedule("v1", elsewhere, NOW + timedelta(seconds=6))
        assert await retries.pop_due(NOW + timedelta(seconds=6)) == []  # not seen before recheck
        clock[0] += 1.0
        (found,) = await retries.pop_due(NOW + timedelta(seconds=6))  # the recheck finds it
        await retries.schedule("v1", second, NOW + timedelta(seconds=8))
        assert await retries.pop_due(NOW + timedelta(seconds=7)) == []  # no look
        taken = [d.booking_id for d in await retries.pop_due(NOW + timedelta(seconds=10))]
        assert await retries.pop_due(NOW + timedelta(seconds=11)) == []  # queue seen empty
        left = await redis.zcard(key)
    finally:
        await redis.delete(key, f"{key}:trace")
        await redis.aclose()
    assert found.booking_id == elsewhere
    assert taken == [second, first]
    assert len(looks) == 3 and left == 0


async def test_at_most_the_limit_is_taken_and_the_rest_is_taken_at_the_next_call(redis_url):
    redis = Redis.from_url(redis_url)
    key = f"maitred:test:{uuid.uuid4().hex[:8]}:retries"
    retries = RedisRetries(redis, key=key)
    bookings = [uuid.uuid4() for _ in range(5)]
    try:
        for index, booking in enumerate(bookings):
            await retries.schedule("v1", booking, NOW - timedelta(seconds=5 - index))
        first = [d.booking_id for d in await retries.pop_due(NOW, limit=3)]
        rest = [d.booking_id for d in await retries.pop_due(NOW, limit=3)]
        left = await redis.zcard(key)
    finally:
        await redis.delete(key, f"{key}:trace")
        await redis.aclose()
    assert first == bookings[:3] and rest == bookings[3:] and left == 0
