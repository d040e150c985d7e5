"""The Prometheus endpoint serves the RPC histogram that the call pipeline records."""

from __future__ import annotations

import asyncio
import secrets
import socket
import urllib.request

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.auth import Role, mint_token
from shared.metrics import start_metrics_server
from shared.role_table import EVERY_ROLE
from shared.server import start_server
from shared.settings import ServiceSettings

SECRET = secrets.token_urlsafe(32)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())


def rpc_count(text: str, service: str, method: str, code: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "maitred_rpc_duration_seconds_count" and sample.labels == {
                "service": service,
                "method": method,
                "code": code,
            }:
                return sample.value
    return 0.0


async def test_a_served_call_shows_in_the_scraped_rpc_histogram():
    service = f"test.Metrics{secrets.token_hex(4)}"
    settings = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1"
    )

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return request

    def register(server: grpc.aio.Server) -> list[str]:
        handler = grpc.unary_unary_rpc_method_handler(echo)
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(service, {"Echo": handler})]
        )
        return []

    roles = {f"/{service}/Echo": EVERY_ROLE}
    running = await start_server(settings, port=0, register=register, roles_by_method=roles)
    metrics = start_metrics_server(unused_port(), host="127.0.0.1")
    assert metrics is not None
    token = mint_token(
        SECRET, subject="tester", roles=[Role.SERVICE], venues=["*"], ttl_seconds=60,
        issuer="maitred",
    )  # fmt: skip
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            echo_call = channel.unary_unary(f"/{service}/Echo")
            await echo_call(b"hi", metadata=[("authorization", f"Bearer {token}")])
            with pytest.raises(grpc.aio.AioRpcError):
                await echo_call(b"hi")  # no token: UNAUTHENTICATED
        text = await asyncio.to_thread(scrape, metrics.port)
    finally:
        metrics.stop()
        await running.stop(0.2)
    assert rpc_count(text, service, "Echo", "OK") == 1
    assert rpc_count(text, service, "Echo", "UNAUTHENTICATED") == 1


def test_the_endpoint_is_off_for_port_zero():
    assert start_metrics_server(0) is None
