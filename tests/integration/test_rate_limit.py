"""The GCRA rate limiter on a real Redis, its fail-open when Redis is away, and its status."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from redis.asyncio import Redis
from redis.crc import key_slot

from shared.auth import Role, mint_token
from shared.metrics import REGISTRY
from shared.rate_limit import Decision, RateLimiter, RateLimits, rate_key, rejection_status
from shared.role_table import EVERY_ROLE
from shared.server import start_server
from shared.settings import ServiceSettings

SECRET = "s" * 32


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


def a_venue() -> str:
    return f"venue-rl-{uuid.uuid4().hex[:8]}"


def record_commands(redis: Redis, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every command `redis` sends from now on, one per round trip (nothing here pipelines)."""
    sent: list[tuple[Any, ...]] = []
    send = redis.execute_command

    async def recorded(*args: Any, **options: Any) -> Any:
        sent.append(args)
        return await send(*args, **options)

    monkeypatch.setattr(redis, "execute_command", recorded)
    return sent


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_keys_carry_the_venue_hash_tag():
    assert rate_key(venue_id="v1", caller="assigner") == "maitred:{venue:v1}:rl:caller:assigner"
    assert rate_key(venue_id="v1") == "maitred:{venue:v1}:rl:venue"
    assert rate_key(caller="assigner") == "maitred:rl:caller:assigner"
    # One script reads both keys of a served call, so Redis Cluster must hold them on one slot.
    caller, venue = rate_key(venue_id="v1", caller="assigner"), rate_key(venue_id="v1")
    assert key_slot(caller.encode()) == key_slot(venue.encode()) == key_slot(b"{venue:v1}")


async def test_a_burst_passes_then_the_next_call_is_told_when_to_retry(redis):
    limiter = RateLimiter(redis)
    key = rate_key(venue_id=a_venue(), caller="tester")
    # 1 call per 10 s: nothing refills while the test runs.
    decisions = [await limiter.allow(key, 0.1, burst=3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 0 < decisions[3].retry_after_s <= 10
    assert not any(d.degraded for d in decisions)


async def test_each_key_has_its_own_allowance(redis):
    limiter = RateLimiter(redis)
    venue = a_venue()
    first, second = rate_key(venue_id=venue, caller="one"), rate_key(venue_id=venue, caller="two")
    assert (await limiter.allow(first, 0.1, burst=1)).allowed
    assert not (await limiter.allow(first, 0.1, burst=1)).allowed
    assert (await limiter.allow(second, 0.1, burst=1)).allowed


async def test_calls_pass_degraded_and_warn_once_when_redis_is_down(caplog):
    caplog.set_level(logging.WARNING, logger="maitred.rate_limit")
    down = Redis(host="127.0.0.1", port=unused_port(), socket_connect_timeout=1)
    try:
        limiter = RateLimiter(down, warn_every_s=60)
        decisions = [await limiter.allow(rate_key(caller="tester"), 1, burst=1) for _ in range(3)]
    finally:
        await down.aclose()
    assert all(d.allowed and d.degraded for d in decisions)
    assert len([r for r in caplog.records if r.name == "maitred.rate_limit"]) == 1


async def test_limits_reject_per_caller_then_per_venue(redis):
    limits = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=2, per_venue=0.1, venue_burst=3
    )
    venue = a_venue()
    assert await limits.check("one", venue) is None
    assert await limits.check("one", venue) is None
    rejected = await limits.check("one", venue)
    assert rejected is not None and rejected[0] == "caller"
    assert await limits.check("two", venue) is None  # the venue's third call
    rejected = await limits.check("three", venue)
    assert rejected is not None and rejected[0] == "venue"


async def test_both_limits_are_checked_in_one_script_call(redis, monkeypatch):
    limits = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=2, per_venue=0.1, venue_burst=1
    )
    venue = a_venue()
    await limits.check("warm-up", a_venue())  # loads the script into Redis (SCRIPT LOAD)
    sent = record_commands(redis, monkeypatch)
    passed = await limits.check("one", venue)
    refused = await limits.check("one", venue)
    assert passed is None and refused is not None
    caller_key, venue_key = rate_key(venue_id=venue, caller="one"), rate_key(venue_id=venue)
    assert [command[0] for command in sent] == ["EVALSHA", "EVALSHA"]
    assert all(command[2:5] == (2, caller_key, venue_key) for command in sent)


async def test_a_limit_at_zero_or_without_a_venue_leaves_its_key_out(redis, monkeypatch):
    caller_only = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=1, per_venue=0, venue_burst=1
    )
    venue_only = RateLimits(
        RateLimiter(redis), per_caller=0, caller_burst=1, per_venue=0.1, venue_burst=1
    )
    venue = a_venue()
    await caller_only.check("warm-up", a_venue())
    sent = record_commands(redis, monkeypatch)
    assert await caller_only.check("one", venue) is None
    assert await venue_only.check("one", venue) is None
    assert await venue_only.check("one", "") is None  # no venue, no venue limit: no Redis call
    caller_key, venue_key = rate_key(venue_id=venue, caller="one"), rate_key(venue_id=venue)
    assert [command[2:] for command in sent] == [
        (1, caller_key, 10_000_000, 1),
        (1, venue_key, 10_000_000, 1),
    ]


async def test_a_call_refused_by_the_venue_limit_spends_nothing_from_its_caller(redis):
    limits = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=3, per_venue=0.1, venue_burst=1
    )
    venue = a_venue()
    caller_key = rate_key(venue_id=venue, caller="one")
    assert await limits.check("other", venue) is None  # spends the venue's only call
    refusals = [await limits.check("one", venue) for _ in range(4)]
    assert [rejected and rejected[0] for rejected in refusals] == ["venue"] * 4
    assert await redis.exists(caller_key) == 0
    await redis.delete(rate_key(venue_id=venue))  # the venue's limit frees up
    assert await limits.check("one", venue) is None
    # The caller still has the rest of its full burst of three: two more calls, not fewer.
    decisions = [await RateLimiter(redis).allow(caller_key, 0.1, burst=3) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]


async def test_a_call_refused_by_its_caller_limit_spends_nothing_from_the_venue(redis):
    limits = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=1, per_venue=0.1, venue_burst=3
    )
    venue = a_venue()
    assert await limits.check("one", venue) is None
    venue_tat = await redis.get(rate_key(venue_id=venue))
    refusals = [await limits.check("one", venue) for _ in range(3)]
    assert [rejected and rejected[0] for rejected in refusals] == ["caller"] * 3
    assert await redis.get(rate_key(venue_id=venue)) == venue_tat
    assert await limits.check("two", venue) is None
    assert await limits.check("three", venue) is None
    rejected = await limits.check("four", venue)
    assert rejected is not None and rejected[0] == "venue"


@pytest.mark.parametrize(
    ("per_caller", "per_venue", "scope"), [(0.1, 0.05, "venue"), (0.05, 0.1, "caller")]
)
async def test_when_both_limits_refuse_the_longer_wait_is_the_answer(
    redis, per_caller, per_venue, scope
):
    limits = RateLimits(
        RateLimiter(redis),
        per_caller=per_caller,
        caller_burst=1,
        per_venue=per_venue,
        venue_burst=1,
    )
    venue = a_venue()
    assert await limits.check("one", venue) is None
    rejected = await limits.check("one", venue)
    assert rejected is not None
    # One call per 10 s against one per 20 s: the slower limit's wait, over 10 s, wins.
    assert rejected[0] == scope and 10 < rejected[1].retry_after_s <= 20


async def test_served_checks_pass_degraded_when_redis_is_down():
    down = Redis(host="127.0.0.1", port=unused_port(), socket_connect_timeout=1)
    before = REGISTRY.get_sample_value("maitred_rate_limit_degraded_total") or 0.0
    try:
        limits = RateLimits(
            RateLimiter(down), per_caller=0.1, caller_burst=1, per_venue=0.1, venue_burst=1
        )
        assert [await limits.check("one", a_venue()) for _ in range(3)] == [None] * 3
    finally:
        await down.aclose()
    assert REGISTRY.get_sample_value("maitred_rate_limit_degraded_total") == before + 3


def test_limits_are_off_without_redis_or_with_both_rates_at_zero(redis):
    settings = ServiceSettings(database_url="postgresql://unused", jwt_secret="x" * 32)
    assert RateLimits.from_settings(settings, None) is None
    off = settings.model_copy(update={"rate_limit_per_caller": 0, "rate_limit_per_venue": 0})
    assert RateLimits.from_settings(off, redis) is None
    assert RateLimits.from_settings(settings, redis) is not None


def test_a_rejection_is_resource_exhausted_with_retry_info_reason_and_localized_message():
    decision = Decision(allowed=False, retry_after_s=1.5, remaining=0)
    status = rejection_status(decision, "venue", "fr")
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    (key, value), *_ = status.trailing_metadata
    assert key == "grpc-status-details-bin"
    rich = status_pb2.Status.FromString(value)
    info, retry = error_details_pb2.ErrorInfo(), error_details_pb2.RetryInfo()
    localized = error_details_pb2.LocalizedMessage()
    assert rich.details[0].Unpack(info) and rich.details[1].Unpack(retry)
    assert rich.details[2].Unpack(localized)
    assert info.reason == "RATE_LIMITED" and info.metadata["scope"] == "venue"
    assert retry.retry_delay.ToMilliseconds() == 1500
    assert localized.locale == "fr" and localized.message.startswith("Trop d'appels")
    assert "1.500 s" in localized.message and "1.500 s" in rich.message


async def test_a_served_call_over_the_limit_is_refused_before_its_handler_runs(redis):
    settings = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1"
    )
    limits = RateLimits(
        RateLimiter(redis), per_caller=0.1, caller_burst=1, per_venue=0, venue_burst=1
    )
    served: list[bytes] = []

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        served.append(request)
        return request

    def register(server: grpc.aio.Server) -> list[str]:
        handler = grpc.unary_unary_rpc_method_handler(echo)
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler("test.Echo", {"Echo": handler})]
        )
        return []

    running = await start_server(
        settings,
        port=0,
        register=register,
        roles_by_method={"/test.Echo/Echo": EVERY_ROLE},
        rate_limits=limits,
    )
    token = mint_token(
        SECRET, subject=f"caller-{uuid.uuid4().hex[:8]}", roles=[Role.BACKEND], venues=["*"],
        ttl_seconds=60, issuer="maitred",
    )  # fmt: skip
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            echo_call = channel.unary_unary("/test.Echo/Echo")
            metadata = [("authorization", f"Bearer {token}")]
            assert await echo_call(b"first", metadata=metadata) == b"first"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await echo_call(b"second", metadata=metadata)
    finally:
        await running.stop(0.2)
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert served == [b"first"]
    status = rpc_status.from_call(raised.value)
    assert status is not None
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in status.details)
    assert retry.retry_delay.ToNanoseconds() > 0
