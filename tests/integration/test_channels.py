"""Channels from open_channel against a real grpc.aio server: retries, deadlines, the breaker."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, wrappers_pb2

from shared.auth import Role, mint_token
from shared.breaker import BreakerPolicy, BreakerState, CircuitBreaker
from shared.call_context import set_deadline
from shared.channels import log_transition, open_channel
from shared.metrics import REGISTRY
from shared.role_table import EVERY_ROLE
from shared.server import RunningServer, start_server
from shared.settings import ServiceSettings
from shared.stubs.maitred.common.v1 import method_options_pb2

SECRET = secrets.token_urlsafe(32)
TOKEN = mint_token(
    SECRET, subject="tester", roles=[Role.SERVICE], venues=["*"], ttl_seconds=600, issuer="maitred"
)
AUTH = [("authorization", f"Bearer {TOKEN}")]
TARGET_ROLES = {
    f"/test.Target/{name}": EVERY_ROLE for name in ("Get", "Put", "Count", "Remaining", "Relay")
}
GET, PUT, COUNT = "/test.Target/Get", "/test.Target/Put", "/test.Target/Count"


def target_contract() -> descriptor_pb2.FileDescriptorProto:
    """test.Target's contract as protoc would write it: Get marked idempotent, Put not."""
    file = descriptor_pb2.FileDescriptorProto(
        name="test/target.proto",
        package="test",
        syntax="proto3",
        dependency=[wrappers_pb2.DESCRIPTOR.name],
    )
    service = file.service.add(name="Target")
    for name in ("Get", "Put"):
        method = service.method.add(
            name=name,
            input_type=".google.protobuf.BytesValue",
            output_type=".google.protobuf.BytesValue",
        )
        if name == "Get":
            method.options.Extensions[method_options_pb2.idempotent] = True
    return file


descriptor_pool.Default().Add(target_contract())
CONTRACT = [descriptor_pool.Default().FindFileByName("test/target.proto")]


class Target:
    """Answers ok, after failing with UNAVAILABLE as often as asked; relays to itself."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.failures_left: Counter[str] = Counter()
        self.relay_channel: grpc.aio.Channel | None = None

    async def _answer(self, name: str, context: grpc.aio.ServicerContext) -> None:
        self.hits[name] += 1
        if self.failures_left[name] > 0:
            self.failures_left[name] -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "down for a moment")

    async def get(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        await self._answer("Get", context)
        return b"ok"

    async def put(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        await self._answer("Put", context)
        return b"ok"

    async def count(
        self, request: bytes, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        await self._answer("Count", context)
        for number in (b"1", b"2", b"3"):
            yield number

    async def remaining(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return repr(context.time_remaining()).encode()

    async def relay(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        """Calls Remaining (with the timeout in the request, if any); replies both times left."""
        assert self.relay_channel is not None
        own = context.time_remaining()
        ask = self.relay_channel.unary_unary("/test.Target/Remaining")
        timeout = float(request) if request else None
        inner = await ask(b"", metadata=AUTH, timeout=timeout)
        return f"{own} {inner.decode()}".encode()

    def handler(self) -> grpc.GenericRpcHandler:
        unary = grpc.unary_unary_rpc_method_handler
        return grpc.method_handlers_generic_handler(
            "test.Target",
            {
                "Get": unary(self.get),
                "Put": unary(self.put),
                "Count": grpc.unary_stream_rpc_method_handler(self.count),
                "Remaining": unary(self.remaining),
                "Relay": unary(self.relay),
            },
        )


@pytest.fixture
async def target() -> AsyncIterator[tuple[Target, str]]:
    # A server per test: gRPC keeps its retry throttling tokens per server address.
    served = Target()
    settings = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1"
    )

    def register(server: grpc.aio.Server) -> list[str]:
        server.add_generic_rpc_handlers([served.handler()])
        return []

    running: RunningServer = await start_server(
        settings, port=0, register=register, roles_by_method=TARGET_ROLES
    )
    address = f"127.0.0.1:{running.port}"
    served.relay_channel = open_channel(address, service_name="self", default_timeout=2.0)
    try:
        yield served, address
    finally:
        await served.relay_channel.close()
        await running.stop(0.2)


async def test_a_method_the_contract_marks_idempotent_is_retried_on_unavailable(target):
    served, address = target
    served.failures_left["Get"] = 2
    labels = {"service": "test.Target", "method": "Get"}
    before = REGISTRY.get_sample_value("maitred_rpc_retries_total", labels) or 0.0
    async with open_channel(address, service_name="target", contract=CONTRACT) as channel:
        assert await channel.unary_unary(GET)(b"", metadata=AUTH) == b"ok"
    assert served.hits["Get"] == 3
    after = REGISTRY.get_sample_value("maitred_rpc_retries_total", labels)
    assert after == before + 2  # the server counts the two retries it served


async def test_a_method_the_contract_does_not_mark_idempotent_is_not_retried(target):
    served, address = target
    served.failures_left["Put"] = 1
    async with open_channel(address, service_name="target", contract=CONTRACT) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await channel.unary_unary(PUT)(b"", metadata=AUTH)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert served.hits["Put"] == 1


async def test_a_call_made_while_serving_gets_no_more_than_the_time_left(target):
    _, address = target
    async with grpc.aio.insecure_channel(address) as plain:
        # The relay asks for 30 s; its own caller gave it 1 s.
        reply = await plain.unary_unary("/test.Target/Relay")(b"30", metadata=AUTH, timeout=1.0)
    own, inner = (float(left) for left in reply.split())
    # The wire rounds timeouts up by a few ms; the 50 ms margin is kept back to absorb that.
    assert 0 < inner < own <= 1.1


async def test_a_call_made_without_an_incoming_deadline_gets_the_default(target):
    _, address = target
    async with grpc.aio.insecure_channel(address) as plain:
        reply = await plain.unary_unary("/test.Target/Relay")(b"", metadata=AUTH)
    own, inner = reply.split()
    assert own == b"None"
    assert 0 < float(inner) <= 2.1  # the relay channel's 2 s default, rounded up on the wire


async def test_a_call_with_no_time_left_fails_fast_without_being_sent(target):
    served, address = target

    async def inside_a_nearly_expired_call() -> None:
        set_deadline(0.01)
        async with open_channel(address, service_name="target") as channel:
            await channel.unary_unary(GET)(b"", metadata=AUTH)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await asyncio.create_task(inside_a_nearly_expired_call())
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert served.hits["Get"] == 0


async def test_a_stream_with_no_time_left_fails_fast_without_being_sent(target):
    served, address = target

    async def inside_a_nearly_expired_call() -> list[bytes]:
        set_deadline(0.01)
        async with open_channel(address, service_name="target") as channel:
            return [message async for message in channel.unary_stream(COUNT)(b"", metadata=AUTH)]

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await asyncio.create_task(inside_a_nearly_expired_call())
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert served.hits["Count"] == 0


async def test_the_breaker_opens_fails_fast_without_calling_then_recovers(target):
    served, address = target
    policy = BreakerPolicy(window=4, minimum_calls=4, open_seconds=0.2, half_open_probes=2)
    breaker = CircuitBreaker("target", policy, on_transition=log_transition)
    served.failures_left["Put"] = 4
    async with open_channel(address, service_name="target", breaker=breaker) as channel:
        put = channel.unary_unary(PUT)
        for _ in range(4):
            with pytest.raises(grpc.aio.AioRpcError):
                await put(b"", metadata=AUTH)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await put(b"", metadata=AUTH)
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        assert raised.value.details() == "circuit open for target"
        assert served.hits["Put"] == 4
        await asyncio.sleep(0.25)
        assert breaker.state is BreakerState.HALF_OPEN
        for _ in range(2):
            assert await put(b"", metadata=AUTH) == b"ok"
        assert breaker.state is BreakerState.CLOSED
        assert served.hits["Put"] == 6


async def test_replies_refused_on_their_merits_do_not_open_the_breaker(target):
    _, address = target
    policy = BreakerPolicy(window=4, minimum_calls=4)
    breaker = CircuitBreaker("target", policy)
    async with open_channel(address, service_name="target", breaker=breaker) as channel:
        for _ in range(6):
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await channel.unary_unary("/test.Target/Missing")(b"", metadata=AUTH)
            assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert breaker.state is BreakerState.CLOSED


async def test_streams_pass_through_and_their_failures_open_the_breaker(target):
    served, address = target
    breaker = CircuitBreaker("target", BreakerPolicy(window=3, minimum_calls=3))
    async with open_channel(address, service_name="target", breaker=breaker) as channel:
        count = channel.unary_stream(COUNT)
        assert [message async for message in count(b"", metadata=AUTH)] == [b"1", b"2", b"3"]
        served.failures_left["Count"] = 2
        for _ in range(2):
            with pytest.raises(grpc.aio.AioRpcError):
                [message async for message in count(b"", metadata=AUTH)]
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            [message async for message in count(b"", metadata=AUTH)]
    assert raised.value.details() == "circuit open for target"
    assert served.hits["Count"] == 3
