"""The coordinator's event consumer on real Redis: reclaim of stuck entries, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from redis.asyncio import Redis

from services.assigner.adapters.event_consumer import BookingEvent, StreamConsumer


@pytest.fixture
async def redis(redis_url):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def stream(redis):
    name = f"maitred:test:{uuid.uuid4().hex[:8]}:bookings"
    yield name
    await redis.delete(name, f"{name}:dead")


async def publish(redis: Redis, stream: str, booking: str, event_id: int) -> None:
    await redis.xadd(stream, {
        "event_id": str(event_id), "venue_id": "v", "aggregate_id": booking,
        "event_type": "booking.created", "payload": json.dumps({"booking_id": booking}),
        "trace_context": "{}"})  # fmt: skip


def consumer(redis, stream, name, handler, on_dead, **options) -> StreamConsumer:
    return StreamConsumer(redis, stream, group="assigner", consumer=name, handler=handler,
                          on_dead=on_dead, block_ms=50, **options)  # fmt: skip


async def test_every_event_is_handled_once_and_acknowledged(redis, stream):
    seen: list[str] = []

    async def handle(event: BookingEvent) -> None:
        seen.append(event.booking_id)

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    reader = consumer(redis, stream, "c1", handle, dead)
    await reader.ensure_group()
    for index in range(5):
        await publish(redis, stream, f"b{index}", index)
    while await reader.run_once():
        pass
    assert seen == [f"b{i}" for i in range(5)]
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def test_an_entry_left_by_a_crashed_consumer_is_reclaimed_by_another(redis, stream):
    async def crash(event: BookingEvent) -> None:
        raise RuntimeError("killed mid-handling")

    seen: list[str] = []

    async def handle(event: BookingEvent) -> None:
        seen.append(event.booking_id)

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    first = consumer(redis, stream, "c1", crash, dead, claim_idle_ms=1)
    await first.ensure_group()
    await publish(redis, stream, "b1", 1)
    await first.run_once()  # delivered to c1, never acknowledged
    await asyncio.sleep(0.02)  # idle longer than claim_idle_ms, in Redis's millisecond clock
    second = consumer(redis, stream, "c2", handle, dead, claim_idle_ms=1)
    await second.run_once()
    assert seen == ["b1"]
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def test_an_event_that_keeps_failing_is_dead_lettered_and_reported(redis, stream):
    async def fail(event: BookingEvent) -> None:
        raise RuntimeError("poison")

    dead: list[str] = []

    async def on_dead(event: BookingEvent) -> None:
        dead.append(event.booking_id)

    reader = consumer(redis, stream, "c1", fail, on_dead, claim_idle_ms=1, max_deliveries=3)
    await reader.ensure_group()
    await publish(redis, stream, "poisoned", 7)
    for _ in range(5):
        await reader.run_once()
    assert dead == ["poisoned"]
    letters = await redis.xrange(reader.dead_stream)
    assert len(letters) == 1 and letters[0][1][b"aggregate_id"] == b"poisoned"
    assert int(letters[0][1][b"dead_after"]) >= 3
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def until(condition, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"never: {what}")


async def test_a_slow_booking_does_not_hold_back_the_events_of_others_read_after_it(redis, stream):
    release = asyncio.Event()
    seen: list[str] = []

    async def handle(event: BookingEvent) -> None:
        seen.append(event.booking_id)
        if event.booking_id == "slow":
            await release.wait()

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    reader = consumer(redis, stream, "c1", handle, dead)
    await reader.ensure_group()
    running = asyncio.create_task(reader.run())
    try:
        await publish(redis, stream, "slow", 1)
        await until(lambda: seen == ["slow"], "the slow booking's event was taken")
        await publish(redis, stream, "quick", 2)
        await until(lambda: seen == ["slow", "quick"], "the later booking was handled")
        release.set()
        for _ in range(500):
            if (await redis.xpending(stream, "assigner"))["pending"] == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        release.set()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def test_one_bookings_events_are_handled_one_after_another_in_stream_order(redis, stream):
    release = asyncio.Event()
    log: list[str] = []

    async def handle(event: BookingEvent) -> None:
        log.append(f"start {event.event_id}")
        if event.event_id == 1:
            await release.wait()
        log.append(f"end {event.event_id}")

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    reader = consumer(redis, stream, "c1", handle, dead)
    await reader.ensure_group()
    running = asyncio.create_task(reader.run())
    try:
        await publish(redis, stream, "same", 1)
        await until(lambda: log == ["start 1"], "the first event was taken")
        await publish(redis, stream, "same", 2)
        for _ in range(20):  # the second is read meanwhile, and must wait for the first
            await asyncio.sleep(0.01)
        assert log == ["start 1"]
        release.set()
        await until(lambda: len(log) == 4, "both events were handled")
    finally:
        release.set()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert log == ["start 1", "end 1", "start 2", "end 2"]


async def test_stuck_entries_are_looked_for_twice_per_idle_time_not_before_every_read(
    redis, stream, monkeypatch
):
    async def handle(event: BookingEvent) -> None:
        return None

    reader = consumer(redis, stream, "c1", handle, handle, claim_idle_ms=60_000)
    await reader.ensure_group()
    looks = 0
    autoclaim = redis.xautoclaim

    async def counted(*args, **kwargs):
        nonlocal looks
        looks += 1
        return await autoclaim(*args, **kwargs)

    monkeypatch.setattr(redis, "xautoclaim", counted)
    for index in range(3):
        await publish(redis, stream, f"b{index}", index)
        await reader.run_once()
    assert looks == 1
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def test_the_group_is_made_once_and_again_when_redis_has_lost_it(redis, stream, monkeypatch):
    seen: list[str] = []

    async def handle(event: BookingEvent) -> None:
        seen.append(event.booking_id)

    made = 0
    create = redis.xgroup_create

    async def counted(*args, **kwargs):
        nonlocal made
        made += 1
        return await create(*args, **kwargs)

    monkeypatch.setattr(redis, "xgroup_create", counted)
    reader = consumer(redis, stream, "c1", handle, handle)
    running = asyncio.create_task(reader.run())
    try:
        for index in range(3):
            await publish(redis, stream, f"b{index}", index)
        await until(lambda: len(seen) == 3, "the first events were handled")
        assert made == 1
        await redis.delete(stream)  # as a Redis that restarted empty: no stream, no group
        await publish(redis, stream, "after", 9)
        for _ in range(500):
            if "after" in seen:
                break
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert "after" in seen and made == 2


async def test_at_shutdown_in_flight_entries_are_awaited_and_handled_ones_acknowledged(
    redis, stream
):
    quick_go = asyncio.Event()
    log: list[str] = []

    async def handle(event: BookingEvent) -> None:
        log.append(f"start {event.booking_id}")
        try:
            await (quick_go.wait() if event.booking_id == "quick" else asyncio.Event().wait())
        except asyncio.CancelledError:
            log.append(f"cancelled {event.booking_id}")
            raise
        log.append(f"end {event.booking_id}")

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    # A long blocking read: the quick entry ends while it waits, before any acknowledge.
    reader = StreamConsumer(redis, stream, group="assigner", consumer="c1", handler=handle,
                            on_dead=dead, block_ms=60_000)  # fmt: skip
    await reader.ensure_group()
    await publish(redis, stream, "quick", 1)
    await publish(redis, stream, "slow", 2)
    running = asyncio.create_task(reader.run())
    try:
        await until(lambda: len(log) == 2, "both entries were taken")
        quick_go.set()
        await until(lambda: "end quick" in log, "the quick entry was handled")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert log[-1] == "cancelled slow"  # awaited before the consumer stopped
    pending = await redis.xpending_range(stream, "assigner", min="-", max="+", count=10)
    assert len(pending) == 1  # the handled entry was acknowledged; the cancelled one waits
    entry = await redis.xrange(stream, min=pending[0]["message_id"], max=pending[0]["message_id"])
    assert entry[0][1][b"aggregate_id"] == b"slow"


async def test_a_reclaimed_entry_waits_for_its_bookings_entry_in_flight(redis, stream, monkeypatch):
    release = asyncio.Event()
    log: list[str] = []

    async def crash(event: BookingEvent) -> None:
        raise RuntimeError("killed mid-handling")

    async def handle(event: BookingEvent) -> None:
        log.append(f"start {event.event_id}")
        if event.event_id == 2:
            await release.wait()
        log.append(f"end {event.event_id}")

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    first = consumer(redis, stream, "c1", crash, dead)
    await first.ensure_group()
    await publish(redis, stream, "same", 1)
    await first.run_once()  # event 1 is left pending at c1
    await publish(redis, stream, "same", 2)
    claims_open = False
    autoclaim = redis.xautoclaim

    async def held_back(*args, **kwargs):  # nothing to claim until event 2 is in flight
        return await autoclaim(*args, **kwargs) if claims_open else None

    monkeypatch.setattr(redis, "xautoclaim", held_back)
    second = consumer(redis, stream, "c2", handle, dead, claim_idle_ms=1)
    await second.run_once(wait=False)
    await until(lambda: log == ["start 2"], "event 2 was taken")
    claims_open = True
    await asyncio.sleep(0.02)  # idle longer than claim_idle_ms, in Redis's millisecond clock
    await second.run_once(wait=False)  # claims event 1: it must wait for event 2
    assert log == ["start 2"]
    release.set()
    await until(lambda: len(log) == 4, "both events were handled")
    await second.run_once()
    assert log == ["start 2", "end 2", "start 1", "end 1"]
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0


async def test_a_cancel_swallowed_by_a_blocking_read_still_stops_the_consumer(redis, stream):
    """Python 3.11's asyncio.timeout turns a cancel landing as the read's own timeout fires into
    that timeout, and redis-py answers the XREADGROUP with nothing: the loop must stop anyway."""
    reads = 0
    read = redis.xreadgroup

    async def swallowing(*args, **kwargs):
        nonlocal reads
        reads += 1
        try:
            return await read(*args, **kwargs)
        except asyncio.CancelledError:
            return None  # as the race does: the cancel is lost, the read looks timed out

    async def handle(event: BookingEvent) -> None:
        pass

    redis.xreadgroup = swallowing
    reader = consumer(redis, stream, "c1", handle, handle)
    running = asyncio.create_task(reader.run())
    await until(lambda: reads >= 2, "the consumer was reading")
    running.cancel()
    done, _ = await asyncio.wait([running], timeout=5)
    assert running in done and running.cancelled()


async def test_entries_handled_within_the_ack_interval_share_one_acknowledge(redis, stream):
    seen: list[str] = []
    clock = [100.0]

    async def handle(event: BookingEvent) -> None:
        seen.append(event.booking_id)

    async def dead(event: BookingEvent) -> None:
        raise AssertionError("nothing should die")

    reader = consumer(
        redis, stream, "c1", handle, dead, ack_every_s=0.5, monotonic=lambda: clock[0]
    )
    await reader.ensure_group()
    acks: list[int] = []
    xack = redis.xack

    async def counted_xack(name, group, *ids):
        acks.append(len(ids))
        return await xack(name, group, *ids)

    redis.xack = counted_xack
    for index in range(3):
        await publish(redis, stream, f"b{index}", index)
        await reader.run_once(wait=False)  # acknowledges the earlier entries when it is time
        await until(lambda n=index + 1: len(seen) == n, "the entry was handled")
    assert acks == [1]  # the first handled entry went at once; the next two wait
    assert (await redis.xpending(stream, "assigner"))["pending"] == 2
    clock[0] += 0.5
    await reader.run_once(wait=False)  # the interval is over: one XACK for both
    assert acks == [1, 2]
    assert (await redis.xpending(stream, "assigner"))["pending"] == 0
