"""The shared bootstrap: health with Watch, reflection, and a graceful drain on shutdown."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from shared.auth import Role
from shared.role_table import EVERY_ROLE
from shared.server import start_server
from shared.settings import ServiceSettings
from tests.service.conftest import SECRET, auth

SLOW_METHOD = "/test.Slow/Wait"


def _slow_service(started: asyncio.Event) -> grpc.GenericRpcHandler:
    async def wait(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        started.set()
        await asyncio.sleep(0.5)
        return b"done:" + request

    handler = grpc.unary_unary_rpc_method_handler(wait)
    return grpc.method_handlers_generic_handler("test.Slow", {"Wait": handler})


async def _start(started: asyncio.Event):
    settings = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1"
    )

    def register(server: grpc.aio.Server) -> list[str]:
        server.add_generic_rpc_handlers([_slow_service(started)])
        return []

    return await start_server(
        settings, port=0, register=register, roles_by_method={SLOW_METHOD: EVERY_ROLE}
    )


async def test_health_and_reflection_answer_without_a_token():
    running = await _start(asyncio.Event())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            reply = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
            reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
            responses = reflect.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")])
            )
            names = [s.name async for r in responses for s in r.list_services_response.service]
            assert "grpc.health.v1.Health" in names
    finally:
        await running.stop(0.5)


async def test_shutdown_drains_in_flight_calls_and_reports_not_serving():
    started = asyncio.Event()
    running = await _start(started)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""))
        first = await watch.read()
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        slow = channel.unary_unary(SLOW_METHOD)
        in_flight = asyncio.ensure_future(slow(b"x", metadata=auth(Role.SERVICE)))
        await started.wait()
        stopping = asyncio.ensure_future(running.stop(5))
        assert await in_flight == b"done:x"
        update = await watch.read()
        assert update.status == health_pb2.HealthCheckResponse.NOT_SERVING
        await stopping


async def test_health_and_reflection_refuse_bytes_that_do_not_decode_as_invalid_argument():
    running = await _start(asyncio.Event())
    garbage = b"\xff\xff\xff"
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            codes = []
            for method in ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"):
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    if method.endswith("Watch"):
                        async for _ in channel.unary_stream(method)(garbage):
                            pass
                    else:
                        await channel.unary_unary(method)(garbage)
                codes.append(raised.value.code())
            reflect = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                async for _ in channel.stream_stream(reflect)(iter([garbage])):
                    pass
            codes.append(raised.value.code())
            assert "class" not in (raised.value.details() or "")
    finally:
        await running.stop(0.5)
    assert codes == [grpc.StatusCode.INVALID_ARGUMENT] * 3


async def test_a_health_method_the_server_leaves_unimplemented_names_no_exception_class():
    running = await _start(asyncio.Event())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            listing = channel.unary_unary("/grpc.health.v1.Health/List")
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await listing(b"")
    finally:
        await running.stop(0.5)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "class" not in (raised.value.details() or "")
    assert "Error" not in (raised.value.details() or "")
