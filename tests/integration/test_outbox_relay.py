"""The outbox relay on real PostgreSQL and Redis: once, in order, nothing lost, never doubled."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import func, insert, select, text

from services.availability.adapters.tables import venues
from services.state.adapters import outbox_relay
from services.state.adapters.outbox_relay import OutboxRelay
from services.state.adapters.tables import outbox
from services.state.adapters.unit_of_work import PostgresUnitOfWork
from services.state.domain.model import Booking, StateChange, event_for
from services.state.main import start
from services.state.settings import StateSettings
from tests.unit.state.builders import NOW, booking

FIELDS = {"event_id", "venue_id", "aggregate_id", "event_type", "payload", "trace_context"}
TRACE = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def stream(redis: Redis) -> AsyncIterator[str]:
    name = f"maitred:test:events:{uuid.uuid4().hex}"
    yield name
    await redis.delete(name)


@pytest.fixture
def venue() -> str:
    return f"venue-relay-{uuid.uuid4().hex[:8]}"


async def add_rows(engine, venue: str, aggregates: list[str], *, age: float = 0) -> list[int]:
    """Commit one outbox row per entry of `aggregates`, in that order; returns their ids."""
    rows = [
        {
            "venue_id": venue,
            "aggregate_id": aggregate,
            "event_type": "booking.state_changed",
            "payload": {"n": n, "aggregate": aggregate},
            "trace_context": TRACE,
            "create_time": func.now() - timedelta(seconds=age),
        }
        for n, aggregate in enumerate(aggregates)
    ]
    async with engine.begin() as db:
        found = await db.execute(insert(outbox).values(rows).returning(outbox.c.event_id))
        return sorted(found.scalars())


def fresh_booking(venue: str) -> Booking:
    return booking(booking_id=uuid.uuid4(), venue_id=venue, request_id=uuid.uuid4().hex)


async def entries(redis: Redis, stream: str, venue: str) -> list[dict[str, str]]:
    return [fields for _, fields in await redis.xrange(stream) if fields["venue_id"] == venue]


async def unpublished(engine, ids: list[int]) -> int:
    async with engine.connect() as db:
        return int(
            await db.scalar(
                select(func.count()).where(
                    outbox.c.event_id.in_(ids), outbox.c.publish_time.is_(None)
                )
            )
        )


async def drain(relay: OutboxRelay, engine, ids: list[int]) -> None:
    for _ in range(500):
        await relay.run_once()
        if await unpublished(engine, ids) == 0:
            return
        await asyncio.sleep(0.01)
    pytest.fail("the relay never published every row")


async def test_every_committed_row_is_published_once_in_order_with_its_fields(
    engine, redis, stream, venue
):
    ids = await add_rows(engine, venue, [f"b{n % 3}" for n in range(12)])
    relay = OutboxRelay(engine, redis, stream=stream, batch=5)
    await drain(relay, engine, ids)
    published = await entries(redis, stream, venue)
    assert [int(fields["event_id"]) for fields in published] == ids
    first = published[0]
    assert set(first) == FIELDS
    assert (first["aggregate_id"], first["event_type"]) == ("b0", "booking.state_changed")
    assert json.loads(first["payload"]) == {"n": 0, "aggregate": "b0"}
    assert json.loads(first["trace_context"]) == TRACE
    assert await unpublished(engine, ids) == 0
    assert relay.published >= len(ids)
    await relay.run_once()
    assert len(await entries(redis, stream, venue)) == len(ids)


async def test_a_booking_created_through_the_unit_of_work_arrives_and_a_rolled_back_one_never_does(
    engine, redis, stream, venue
):
    async with engine.begin() as db:
        await db.execute(insert(venues).values(venue_id=venue, name="Relay", timezone="UTC"))
    made, lost = (fresh_booking(venue) for _ in range(2))
    for each, commit in ((lost, False), (made, True)):
        async with PostgresUnitOfWork(engine) as work:
            change = StateChange(each.booking_id, venue, None, each.state, 1, "t", "", "", NOW)
            await work.bookings.add(each)
            await work.bookings.add_change(change)
            await work.bookings.add_event(event_for(each, change))
            if commit:
                await work.commit()
    await OutboxRelay(engine, redis, stream=stream).run_once()
    published = await entries(redis, stream, venue)
    assert [fields["aggregate_id"] for fields in published] == [str(made.booking_id)]
    assert published[0]["event_type"] == "booking.created"
    assert json.loads(published[0]["payload"])["to_state"] == "CREATED"


async def test_rows_stay_unpublished_while_redis_is_unreachable_and_are_published_later(
    engine, redis, stream, venue
):
    ids = await add_rows(engine, venue, ["b1", "b2", "b1"], age=30)
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        broken = OutboxRelay(engine, down, stream=stream)
        with pytest.raises(RedisConnectionError):
            await broken.run_once()
        assert broken.lag_seconds >= 30
    finally:
        await down.aclose()
    assert await unpublished(engine, ids) == len(ids)
    assert await entries(redis, stream, venue) == []
    await drain(OutboxRelay(engine, redis, stream=stream), engine, ids)
    assert [int(f["event_id"]) for f in await entries(redis, stream, venue)] == ids


async def test_a_relay_that_cannot_reach_redis_claims_no_rows(engine, redis, stream, venue):
    ids = await add_rows(engine, venue, ["b1", "b2"])
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    broken = OutboxRelay(engine, down, stream=stream)
    claimed: list[int] = []
    claim = broken._claim

    async def spy(db):
        rows = await claim(db)
        claimed.extend(row["event_id"] for row in rows)
        return rows

    broken._claim = spy  # type: ignore[method-assign]
    try:
        with pytest.raises(RedisConnectionError):
            await broken.run_once()
    finally:
        await down.aclose()
    # Claiming locks the rows: a healthy replica would skip them while this one retries Redis.
    assert claimed == []
    await drain(OutboxRelay(engine, redis, stream=stream), engine, ids)


async def test_two_concurrent_relays_publish_each_row_exactly_once_in_booking_order(
    engine, redis, stream, venue
):
    ids = await add_rows(engine, venue, [f"b{n % 17}" for n in range(200)])
    relays = [OutboxRelay(engine, redis, stream=stream, batch=7) for _ in range(2)]
    await asyncio.gather(*(drain(relay, engine, ids) for relay in relays))
    published = await entries(redis, stream, venue)
    event_ids = [int(fields["event_id"]) for fields in published]
    assert len(event_ids) == len(set(event_ids)) and sorted(event_ids) == ids
    by_booking: dict[str, list[int]] = {}
    for fields in published:
        by_booking.setdefault(fields["aggregate_id"], []).append(int(fields["event_id"]))
    assert all(order == sorted(order) for order in by_booking.values())


async def test_a_booking_waits_while_another_relay_holds_its_earlier_event(
    engine, redis, stream, venue
):
    first, second, other = await add_rows(engine, venue, ["held", "held", "free"])
    async with engine.connect() as rival:
        await rival.execute(
            text("SELECT 1 FROM outbox WHERE event_id = :id FOR UPDATE"), {"id": first}
        )
        await OutboxRelay(engine, redis, stream=stream).run_once()
        assert [f["event_id"] for f in await entries(redis, stream, venue)] == [str(other)]
        await rival.rollback()
    await drain(OutboxRelay(engine, redis, stream=stream), engine, [first, second])
    published = [int(f["event_id"]) for f in await entries(redis, stream, venue)]
    assert published == [other, first, second]


async def test_the_running_relay_publishes_new_rows_and_survives_failures(
    engine, redis, stream, venue
):
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    failing = asyncio.create_task(OutboxRelay(engine, down, stream=stream, interval=0.01).run())
    working = OutboxRelay(engine, redis, stream=stream, interval=0.01)
    running = asyncio.create_task(working.run())
    try:
        ids = await add_rows(engine, venue, ["b1", "b2"])
        for _ in range(500):  # entries land before the batch commits and is counted
            if working.published >= len(ids):
                break
            await asyncio.sleep(0.02)
        assert not failing.done() and not running.done()
    finally:
        for task in (failing, running):
            task.cancel()
        await asyncio.gather(failing, running, return_exceptions=True)
        await down.aclose()
    assert working.published >= len(ids)
    assert [int(f["event_id"]) for f in await entries(redis, stream, venue)] == ids


class CrashingAfterPublish(OutboxRelay):
    """Dies between publishing a batch and marking it published, as a killed process would."""

    async def _publish(self, rows: Any) -> None:
        await super()._publish(rows)
        raise RuntimeError("killed before marking the batch published")


async def test_a_batch_published_but_never_marked_is_published_again_in_order(
    engine, redis, stream, venue
):
    ids = await add_rows(engine, venue, ["b1", "b2", "b3"])
    with pytest.raises(RuntimeError, match="killed"):
        await CrashingAfterPublish(engine, redis, stream=stream).run_once()
    assert await unpublished(engine, ids) == len(ids)  # the claim rolled back with the crash
    await drain(OutboxRelay(engine, redis, stream=stream), engine, ids)
    published = [int(f["event_id"]) for f in await entries(redis, stream, venue)]
    assert published == [*ids, *ids]  # at least once: a consumer sees the batch twice, in order


async def test_the_stream_is_trimmed_to_about_its_maximum_length(engine, redis, stream, venue):
    ids = await add_rows(engine, venue, [f"b{n}" for n in range(300)])
    maxlen = 10
    await drain(OutboxRelay(engine, redis, stream=stream, maxlen=maxlen), engine, ids)
    # `MAXLEN ~` drops whole stream nodes only, so it keeps at least maxlen entries and less
    # than one node more.
    node = int((await redis.config_get("stream-node-max-entries"))["stream-node-max-entries"])
    kept = [int(f["event_id"]) for f in await entries(redis, stream, venue)]
    assert maxlen <= len(kept) < maxlen + node
    assert kept == ids[-len(kept) :]  # the newest entries, in order


def state_settings(
    database_url: str, redis_url: str | None, stream: str = "unused"
) -> StateSettings:
    return StateSettings(
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret="s" * 32,
        host="127.0.0.1",
        events_stream=stream,
    )


async def test_the_state_service_relays_to_its_configured_stream_while_it_runs(
    database_url, redis_url, engine, redis, venue, stream
):
    async def arrived() -> list[dict[str, str]]:
        return [f for _, f in await redis.xrange(stream) if f["venue_id"] == venue]

    running = await start(state_settings(database_url, redis_url, stream), port=0)
    try:
        ids = await add_rows(engine, venue, ["b1", "b2"])
        for _ in range(500):
            if len(await arrived()) >= len(ids):
                break
            await asyncio.sleep(0.02)
    finally:
        await running.stop(1)
    assert [int(fields["event_id"]) for fields in await arrived()] == ids


async def test_the_state_service_without_redis_warns_once_and_relays_nothing(
    database_url, engine, caplog, venue
):
    running = await start(state_settings(database_url, None), port=0)
    try:
        ids = await add_rows(engine, venue, ["b1"])
        await asyncio.sleep(0.3)
        assert await unpublished(engine, ids) == 1
    finally:
        await running.stop(1)
    warnings = [r for r in caplog.records if "REDIS_URL is not set" in r.getMessage()]
    assert len(warnings) == 1


async def test_a_commit_through_the_unit_of_work_wakes_the_idle_relay_before_its_next_poll(
    engine, redis, stream, venue
):
    async with engine.begin() as db:
        await db.execute(insert(venues).values(venue_id=venue, name="Relay", timezone="UTC"))
    # Its polls are an hour apart: only the commit's wake-up can make it publish in this test.
    relay = OutboxRelay(engine, redis, stream=stream, interval=3600, max_idle_interval=3600)
    earlier = await add_rows(engine, venue, ["earlier"])
    running = asyncio.create_task(relay.run())
    try:
        for _ in range(500):  # its first pass publishes the earlier row; then it sleeps
            if relay.published >= len(earlier):
                break
            await asyncio.sleep(0.01)
        made = fresh_booking(venue)
        async with PostgresUnitOfWork(engine, on_commit=relay.wake) as work:
            change = StateChange(made.booking_id, venue, None, made.state, 1, "t", "", "", NOW)
            await work.bookings.add(made)
            await work.bookings.add_change(change)
            await work.bookings.add_event(event_for(made, change))
            await work.commit()
        for _ in range(500):
            if len(await entries(redis, stream, venue)) == 2:
                break
            await asyncio.sleep(0.02)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    published = await entries(redis, stream, venue)
    assert [fields["aggregate_id"] for fields in published] == ["earlier", str(made.booking_id)]


class CountingBatches(OutboxRelay):
    """Notes the size of every batch it publishes."""

    batches: list[int]

    async def _publish(self, rows: Any) -> None:
        await super()._publish(rows)
        self.batches.append(len(rows))


async def test_a_busy_relay_gathers_the_commits_of_its_coalescing_window_into_one_batch(
    engine, redis, stream, venue
):
    # Polls an hour apart: only wake-ups start its batches; a second apart at the least.
    relay = CountingBatches(
        engine, redis, stream=stream, interval=3600, max_idle_interval=3600, coalesce=1.0
    )
    relay.batches = []
    running = asyncio.create_task(relay.run())
    try:
        first = await add_rows(engine, venue, ["b1"])
        relay.wake()
        await wait_published(relay, 1)
        later = []
        for aggregate in ("b2", "b3"):  # each commit wakes it, as a unit of work's would
            later += await add_rows(engine, venue, [aggregate])
            relay.wake()
            await asyncio.sleep(0.05)  # time enough for a relay that does not wait to publish
        await wait_published(relay, 3)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert relay.batches == [1, 2]
    assert [int(f["event_id"]) for f in await entries(redis, stream, venue)] == first + later


async def wait_published(relay: OutboxRelay, count: int) -> None:
    for _ in range(500):
        if relay.published >= count:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"the relay published {relay.published} rows, not {count}")


async def test_a_relay_whose_redis_just_answered_claims_without_pinging_it_again(
    engine, redis, stream, venue, monkeypatch
):
    monkeypatch.setattr(outbox_relay, "REDIS_TRUSTED_SECONDS", 3600.0)
    relay = OutboxRelay(engine, redis, stream=stream)
    first = await add_rows(engine, venue, ["b1"])
    await drain(relay, engine, first)  # its first pass pings, then publishes
    pings = 0
    ping = redis.ping

    async def counted() -> bool:
        nonlocal pings
        pings += 1
        return bool(await ping())

    monkeypatch.setattr(redis, "ping", counted)
    second = await add_rows(engine, venue, ["b2"])
    await drain(relay, engine, second)
    assert pings == 0
    assert [int(f["event_id"]) for f in await entries(redis, stream, venue)] == first + second
    assert relay.lag_seconds >= 0
