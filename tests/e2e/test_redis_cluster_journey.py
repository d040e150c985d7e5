"""The booking journey with every service on a real 3-master Redis Cluster (MAITRED_REDIS_CLUSTER).

State relays its outbox to the cluster's stream, the assigner consumes it under the cluster's
locks, availability caches days there, and callers' rate limits are checked there: a burst is
refused, which a limiter that could not reach the cluster (it fails open) would let through.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.redis_client import connect_redis
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc
from tests.databases import demo_database
from tests.e2e.suite import Suite, start_suite
from tests.e2e.test_booking_journey import check_floor, create_request, wait_settled
from tests.redis_cluster import LocalCluster, redis_cluster

BOOKINGS = 12


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with redis_cluster(Path(tmp_path_factory.mktemp("cluster"))) as started:
        yield started


@pytest.fixture(scope="module")
async def demo_url(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_cluster_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
def stream() -> str:
    return f"maitred:e2e-cluster:{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def suite(cluster, demo_url, secret, stream, tmp_path_factory) -> AsyncIterator[Suite]:
    started = await asyncio.to_thread(
        start_suite,
        demo_url,
        cluster.url,
        secret,
        Path(tmp_path_factory.mktemp("suite")),
        extra_env={
            "MAITRED_REDIS_CLUSTER": "true",
            "MAITRED_EVENTS_STREAM": stream,
            # Low enough that a burst is refused, high enough for the journey's own polling.
            "MAITRED_RATE_LIMIT_PER_CALLER": "40",
            "MAITRED_RATE_LIMIT_CALLER_BURST": "60",
        },
    )
    yield started
    await asyncio.to_thread(started.stop)


def read_request(booking_id: str) -> api.GetBookingRequest:
    return api.GetBookingRequest(venue_id=DEMO_VENUE_ID, booking_id=booking_id)


async def pending_after_settling(redis, stream: str, seconds: float = 20) -> int:
    """Entries delivered but not yet acknowledged, once the consumers have had time to catch up."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        pending = sum(group["pending"] for group in await redis.xinfo_groups(stream))
        if pending == 0 or asyncio.get_running_loop().time() > deadline:
            return int(pending)
        await asyncio.sleep(0.2)


async def test_bookings_reach_confirmed_with_every_service_on_a_redis_cluster(
    suite: Suite, cluster: LocalCluster, demo_url: str, secret: str, stream: str
):
    token = mint_token(
        secret, subject="cluster-e2e", roles=[Role.OPS], venues=[DEMO_VENUE_ID],
        ttl_seconds=600, issuer="maitred",
    )  # fmt: skip
    metadata = [("authorization", f"Bearer {token}")]
    start = demo_start_time(datetime.now(UTC))
    async with grpc.aio.insecure_channel(suite.services["state"].target) as channel:
        stub = rpc.BookingServiceStub(channel)
        ids = []
        for index in range(BOOKINGS):
            at = start + timedelta(minutes=15 * (index % 4))
            reply = await stub.CreateBooking(
                create_request(DEMO_VENUE_ID, at, 2 + index % 3), metadata=metadata, timeout=10
            )
            ids.append(reply.booking.booking_id)
        states = await wait_settled(stub, metadata, DEMO_VENUE_ID, ids, seconds=60)
        burst = await asyncio.gather(
            *(stub.GetBooking(read_request(ids[0]), metadata=metadata) for _ in range(150)),
            return_exceptions=True,
        )
    refused = [r for r in burst if isinstance(r, grpc.aio.AioRpcError)]
    assert refused and {r.code() for r in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert all(state == pb.BOOKING_STATE_CONFIRMED for state in states.values()), states

    engine = create_engine(demo_url, pool_size=2)
    redis = await connect_redis(cluster.url, cluster=True)
    try:
        await check_floor(engine, DEMO_VENUE_ID, states)
        events = await redis.xrange(stream)
        published = {fields[b"aggregate_id"].decode() for _, fields in events}
        assert set(ids) <= published
        assert await pending_after_settling(redis, stream) == 0
    finally:
        await redis.aclose()
        await engine.dispose()
