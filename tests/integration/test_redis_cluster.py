"""The suite's Redis adapters on a real 3-master Redis Cluster: locks, limits, streams, caches.

Every multi-key script and transaction must use keys of one hash slot: a cluster refuses any
other with CROSSSLOT, so each test here would fail if a key lost its `{venue:<id>}` tag.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from sqlalchemy import func, insert

from services.assigner.adapters.event_consumer import BookingEvent, StreamConsumer
from services.assigner.adapters.retry_queue import RedisRetries
from services.availability.adapters.day_cache import RedisDayCache
from services.availability.adapters.day_source import PostgresDaySource
from services.availability.adapters.demo_venue import DEMO_TIMEZONE, DEMO_VENUE_ID
from services.optimizer.adapters.run_lock import RedisRunLocks
from services.state.adapters.outbox_relay import OutboxRelay
from services.state.adapters.tables import outbox
from shared.db.engine import create_engine
from shared.locks import RedisLock, lock_key
from shared.rate_limit import RateLimiter, RateLimits, rate_key
from shared.redis_client import connect_redis
from tests.databases import demo_database
from tests.redis_cluster import LocalCluster, redis_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with redis_cluster(Path(tmp_path_factory.mktemp("cluster"))) as started:
        yield started


@pytest.fixture
async def client(cluster: LocalCluster) -> AsyncIterator[Redis]:
    redis = await connect_redis(cluster.url, cluster=True)
    try:
        yield redis
    finally:
        await redis.aclose()


@pytest.fixture(scope="module")
async def demo_url(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_cluster") as url:
        yield url


def venues_on_every_master(count: int = 12) -> list[str]:
    """Venue ids whose hash tags land on different slots (and so, with 3 masters, nodes)."""
    return [f"venue-{index}-{uuid.uuid4().hex[:6]}" for index in range(count)]


async def test_a_cluster_client_spreads_venues_over_the_three_masters(
    client: Redis,
):
    assert isinstance(client, RedisCluster)
    primaries = client.get_primaries()
    assert len(primaries) == 3
    for venue in venues_on_every_master():
        await client.set(lock_key("probe", venue), "1", px=60_000)
    counts = [await client.execute_command("DBSIZE", target_nodes=node) for node in primaries]
    assert sum(1 for count in counts if count) >= 2, counts


async def test_a_lock_has_one_holder_and_a_token_checked_release_on_a_cluster(client: Redis):
    locks = RedisLock(client)
    key = lock_key(f"booking:{uuid.uuid4()}", venue_id="venue-cluster-lock")
    tokens = await asyncio.gather(*(locks.acquire(key, 5_000) for _ in range(20)))
    winners = [token for token in tokens if token is not None]
    assert len(winners) == 1
    assert not await locks.release(key, "not-the-token")
    assert await locks.extend(key, winners[0], 10_000)
    assert await locks.release(key, winners[0])
    assert await locks.acquire(key, 5_000) is not None


async def test_caller_and_venue_limits_are_checked_in_one_script_on_every_node(client: Redis):
    limits = RateLimits(
        RateLimiter(client, timeout_s=2.0),
        per_caller=0.001,
        caller_burst=2,
        per_venue=1000.0,
        venue_burst=1000,
    )
    for venue in venues_on_every_master(6):
        assert await limits.check("ops-1", venue) is None
        assert await limits.check("ops-1", venue) is None
        refused = await limits.check("ops-1", venue)
        assert refused is not None and refused[0] == "caller" and not refused[1].degraded
        assert await client.exists(rate_key(venue_id=venue, caller="ops-1")) == 1


async def test_the_outbox_relay_publishes_a_batch_in_one_transaction_on_a_cluster(
    client: Redis, demo_url: str
):
    engine = create_engine(demo_url, pool_size=2)
    stream = f"maitred:cluster:{uuid.uuid4().hex[:8]}:events"
    try:
        rows = [
            {
                "venue_id": DEMO_VENUE_ID,
                "aggregate_id": f"booking-{index}",
                "event_type": "booking.state_changed",
                "payload": {"n": index},
                "trace_context": {},
                "create_time": func.now(),
            }
            for index in range(5)
        ]
        async with engine.begin() as db:
            await db.execute(insert(outbox).values(rows))
        relay = OutboxRelay(engine, client, stream=stream)
        published = 0
        while (count := await relay.run_once()) > 0:
            published += count
        assert published >= 5
        entries = await client.xrange(stream)
        mine = [fields for _, fields in entries if fields[b"venue_id"] == DEMO_VENUE_ID.encode()]
        assert [json.loads(f[b"payload"])["n"] for f in mine][-5:] == [0, 1, 2, 3, 4]
    finally:
        await client.delete(stream)
        await engine.dispose()


async def test_events_are_consumed_reclaimed_and_dead_lettered_on_a_cluster(client: Redis):
    stream = f"maitred:cluster:{uuid.uuid4().hex[:8]}:bookings"
    seen: list[str] = []
    dead: list[str] = []

    async def handle(event: BookingEvent) -> None:
        if event.booking_id == "poison":
            raise RuntimeError("poison")
        seen.append(event.booking_id)

    async def on_dead(event: BookingEvent) -> None:
        dead.append(event.booking_id)

    reader = StreamConsumer(
        client, stream, group="assigner", consumer="c1", handler=handle, on_dead=on_dead,
        block_ms=50, claim_idle_ms=1, max_deliveries=3,
    )  # fmt: skip
    try:
        await reader.ensure_group()
        for index, booking in enumerate(["b1", "poison", "b2"]):
            await client.xadd(stream, {
                "event_id": str(index), "venue_id": "v", "aggregate_id": booking,
                "event_type": "booking.created", "payload": json.dumps({"booking_id": booking}),
                "trace_context": "{}"})  # fmt: skip
        for _ in range(6):
            await reader.run_once()
            await asyncio.sleep(0.01)
        assert seen == ["b1", "b2"]
        assert dead == ["poison"]
        assert len(await client.xrange(reader.dead_stream)) == 1
        assert (await client.xpending(stream, "assigner"))["pending"] == 0
    finally:
        await client.delete(stream, reader.dead_stream)


async def test_a_venue_day_is_cached_and_read_back_by_version_on_a_cluster(
    client: Redis, demo_url: str
):
    engine = create_engine(demo_url, pool_size=2)
    try:
        source = PostgresDaySource(engine)
        day = date.today() + timedelta(days=1)
        start = datetime.combine(day, datetime.min.time(), DEMO_TIMEZONE).astimezone(UTC)
        facts = await source.day(DEMO_VENUE_ID, day, start, start + timedelta(days=1))
        assert facts is not None
        cache = RedisDayCache(client, await source.identity())
        assert await cache.get(DEMO_VENUE_ID, day, facts.version) is None
        await cache.put(facts)
        assert await cache.get(DEMO_VENUE_ID, day, facts.version) == facts
        assert await cache.get(DEMO_VENUE_ID, day, facts.version + 1) is None
    finally:
        await engine.dispose()


async def test_retries_and_optimizer_run_locks_work_on_a_cluster(client: Redis):
    retries = RedisRetries(client, key=f"maitred:cluster:{uuid.uuid4().hex[:8]}:retries")
    booking = uuid.uuid4()
    now = datetime.now(UTC)
    await retries.schedule("venue-r", booking, now - timedelta(seconds=1))
    assert await retries.is_scheduled("venue-r", booking)
    due = await retries.pop_due(now)
    assert [(d.venue_id, d.booking_id) for d in due] == [("venue-r", booking)]
    assert not await retries.is_scheduled("venue-r", booking)

    runs = RedisRunLocks(client)
    day = date.today()
    token = await runs.acquire("venue-o", day, uuid.uuid4(), 5.0)
    assert token is not None
    assert await runs.acquire("venue-o", day, uuid.uuid4(), 5.0) is None
    assert await runs.holder("venue-o", day) == token
    await runs.release("venue-o", day, token)
    assert await runs.holder("venue-o", day) is None
