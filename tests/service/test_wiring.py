"""The services' composition roots wire deadlines, readiness, rate limits and metrics."""

from __future__ import annotations

import asyncio
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from services.availability.main import start as start_availability
from services.availability.settings import AvailabilitySettings
from services.state.main import SERVICE as STATE_SERVICE
from services.state.main import start as start_state
from services.state.settings import StateSettings
from shared.auth import Role, mint_token
from shared.locks import LockNotAcquired, held, lock_key
from shared.metrics import REGISTRY
from shared.stream_pending import observe_pending
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as floor_pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2_grpc as floor_rpc
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc
from tests.databases import migrated_database
from tests.service.availability_fixtures import OPS, assign, build_venue
from tests.service.conftest import SECRET

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def caller_auth(locale: str = "", role: Role = Role.BACKEND) -> list[tuple[str, str]]:
    """A token of a caller of its own, so no other test has spent its rate-limit allowance."""
    token = mint_token(
        SECRET, subject=f"wiring-{secrets.token_hex(4)}", roles=[role], venues=["*"],
        ttl_seconds=60, issuer="maitred",
    )  # fmt: skip
    metadata = [("authorization", f"Bearer {token}")]
    if locale:
        metadata.append(("accept-language", locale))
    return metadata


class RecordingStates(state_rpc.BookingServiceServicer):
    """A stand-in state service that notes the time left of each SendToManualReview it serves."""

    def __init__(self) -> None:
        self.time_left: list[float | None] = []

    async def SendToManualReview(
        self, request: state_api.SendToManualReviewRequest, context: grpc.aio.ServicerContext
    ) -> state_api.SendToManualReviewResponse:
        self.time_left.append(context.time_remaining())
        return state_api.SendToManualReviewResponse()


@pytest.fixture
async def recording_states() -> AsyncIterator[tuple[RecordingStates, str]]:
    states = RecordingStates()
    server = grpc.aio.server()
    state_rpc.add_BookingServiceServicer_to_server(states, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield states, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


async def test_availability_calls_the_state_service_within_its_callers_deadline(
    database_url, redis_url, engine, bookings, recording_states, unique
):
    states, state_address = recording_states
    settings = AvailabilitySettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        state_address=state_address,
    )  # fmt: skip
    running = await start_availability(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            floor_plans = floor_rpc.FloorPlanServiceStub(channel)
            venue = await build_venue(floor_plans, unique("wiring"))
            await assign(bookings, engine, venue.venue_id, [venue.id("t3")])
            table = floor_pb.Table(
                display_name="T3", zone_id=venue.id("main"), min_seats=4, max_seats=6,
                combinable=True, active=False,
            )  # fmt: skip
            # The state client asks for 5 s; the floor change's own caller allows only 2.
            await floor_plans.UpdateTable(
                floor_api.UpdateTableRequest(
                    venue_id=venue.venue_id, table_id=venue.id("t3"), table=table,
                    expected_version=venue.version, move_stranded_to_manual_review=True,
                ),
                metadata=OPS,
                timeout=2.0,
            )  # fmt: skip
    finally:
        await running.stop(0.5)
    [time_left] = states.time_left
    assert time_left is not None and 0 < time_left < 2.0


async def test_a_service_whose_database_is_away_is_not_ready_but_alive():
    settings = StateSettings(
        database_url=f"postgresql://postgres@127.0.0.1:{unused_port()}/absent",
        redis_url=None, jwt_secret=SECRET, host="127.0.0.1",
    )  # fmt: skip
    running = await start_state(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            watch = health.Watch(health_pb2.HealthCheckRequest(service=STATE_SERVICE))
            async with asyncio.timeout(5):
                async for update in watch:
                    if update.status == NOT_SERVING:
                        break
            watch.cancel()
            alive = await health.Check(health_pb2.HealthCheckRequest(service=""))
            ready = await health.Check(health_pb2.HealthCheckRequest(service=STATE_SERVICE))
    finally:
        await running.stop(0.2)
    assert (ready.status, alive.status) == (NOT_SERVING, SERVING)


@pytest.fixture
async def events_stream_of_its_own(redis_url: str) -> AsyncIterator[str]:
    # With Redis the state service also relays the outbox: keep its events out of the session's.
    name = f"maitred:test:wiring:{secrets.token_hex(4)}"
    yield name
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(name)
    finally:
        await redis.aclose()


@pytest.fixture
async def database_of_its_own(postgres_admin_url: str) -> AsyncIterator[str]:
    """A migrated database of the test's own: with Redis, the state service relays its outbox,
    and it must not publish (and so take) the session's rows other tests wait for."""
    async with migrated_database(postgres_admin_url, "maitred_wiring") as url:
        yield url


async def test_a_state_service_over_its_rate_limit_says_when_to_retry_in_the_callers_language(
    database_of_its_own, redis_url, events_stream_of_its_own
):
    settings = StateSettings(
        database_url=database_of_its_own, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        events_stream=events_stream_of_its_own,
        rate_limit_per_caller=0.1, rate_limit_caller_burst=1, rate_limit_per_venue=0,
    )  # fmt: skip
    running = await start_state(settings, port=0)
    metadata = caller_auth(locale="fr")
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = state_rpc.BookingServiceStub(channel)
            request = state_api.GetTransitionMatrixRequest()
            await stub.GetTransitionMatrix(request, metadata=metadata, timeout=10)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.GetTransitionMatrix(request, metadata=metadata, timeout=10)
            suite_service = caller_auth(role=Role.SERVICE)
            for _ in range(3):  # the suite's own services are never throttled
                await stub.GetTransitionMatrix(request, metadata=suite_service, timeout=10)
    finally:
        await asyncio.wait_for(running.stop(0.2), 20)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    status = rpc_status.from_call(refused.value)  # type: ignore[arg-type]
    assert status is not None
    retry, localized = error_details_pb2.RetryInfo(), error_details_pb2.LocalizedMessage()
    assert any(detail.Unpack(retry) for detail in status.details)
    assert any(detail.Unpack(localized) for detail in status.details)
    assert 0 < retry.retry_delay.ToSeconds() <= 10
    assert localized.locale == "fr" and localized.message.startswith("Trop d'appels")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())


def served(text: str, method: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "maitred_rpc_duration_seconds_count" and sample.labels == {
                "service": STATE_SERVICE, "method": method, "code": "OK",
            }:  # fmt: skip
                return sample.value
    return 0.0


async def test_a_state_service_serves_its_metrics_until_it_stops(database_url):
    port = unused_port()
    settings = StateSettings(
        database_url=database_url, redis_url=None, jwt_secret=SECRET, host="127.0.0.1",
        metrics_port=port,
    )  # fmt: skip
    running = await start_state(settings, port=0)
    try:
        before = served(await asyncio.to_thread(scrape, port), "GetTransitionMatrix")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            await state_rpc.BookingServiceStub(channel).GetTransitionMatrix(
                state_api.GetTransitionMatrixRequest(), metadata=caller_auth()
            )
        after = served(await asyncio.to_thread(scrape, port), "GetTransitionMatrix")
    finally:
        await running.stop(0.2)
    assert after == before + 1
    with pytest.raises(urllib.error.URLError):
        await asyncio.to_thread(scrape, port)


async def test_a_lock_held_by_another_owner_counts_as_contention_by_its_kind(redis_url):
    def contention() -> float:
        return REGISTRY.get_sample_value("maitred_lock_contention_total", {"name": "wiring"}) or 0

    redis = Redis.from_url(redis_url)
    key = lock_key(f"wiring:{secrets.token_hex(4)}", venue_id="venue-wiring")
    before = contention()
    try:
        async with held(redis, key, 5_000):
            with pytest.raises(LockNotAcquired):
                async with held(redis, key, 5_000, wait_ms=0):
                    pass
    finally:
        await redis.aclose()
    assert contention() == before + 1


async def test_the_pending_gauge_counts_messages_delivered_to_the_group_and_not_acknowledged(
    redis_url,
):
    stream = f"maitred:test:wiring:{secrets.token_hex(4)}"
    redis = Redis.from_url(redis_url)
    try:
        await redis.xgroup_create(stream, "group", id="0", mkstream=True)
        for n in range(3):
            await redis.xadd(stream, {"n": n})
        [(_, delivered)] = await redis.xreadgroup("group", "consumer", {stream: ">"})
        await redis.xack(stream, "group", delivered[0][0])
        assert await observe_pending(redis, stream, "group") == 2
    finally:
        await redis.delete(stream)
        await redis.aclose()
    labels = {"stream": stream, "group": "group"}
    assert REGISTRY.get_sample_value("maitred_stream_pending", labels) == 2
