"""Channels spread calls over every replica, and servers recycle connections so new ones count."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import grpc
import pytest

from shared.auth import Role, mint_token
from shared.channels import client_target, open_channel
from shared.server import RunningServer, start_server
from shared.settings import ServiceSettings

SECRET = secrets.token_urlsafe(32)
TOKEN = mint_token(
    SECRET, subject="tester", roles=[Role.SERVICE], venues=["*"], ttl_seconds=600, issuer="maitred"
)
AUTH = [("authorization", f"Bearer {TOKEN}")]
WHO = "/test.Replica/Who"


def _replica(name: str) -> grpc.GenericRpcHandler:
    """Answers with the replica's name and the caller's address (one per connection)."""

    async def who(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return f"{name} {context.peer()}".encode()

    handler = grpc.unary_unary_rpc_method_handler(who)
    return grpc.method_handlers_generic_handler("test.Replica", {"Who": handler})


async def _start(name: str, **settings: float) -> RunningServer:
    config = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1", **settings
    )

    def register(server: grpc.aio.Server) -> list[str]:
        server.add_generic_rpc_handlers([_replica(name)])
        return []

    roles = {WHO: frozenset({Role.SERVICE})}
    return await start_server(config, port=0, register=register, roles_by_method=roles)


@pytest.fixture
async def replicas() -> AsyncIterator[list[RunningServer]]:
    running = [await _start("a"), await _start("b")]
    yield running
    for server in running:
        await server.stop(0)


async def _who(channel: grpc.aio.Channel) -> tuple[str, str]:
    call = channel.unary_unary(WHO)
    reply: bytes = await call(b"", metadata=AUTH, timeout=5)
    name, peer = reply.decode().split(" ", 1)
    return name, peer


def test_a_host_and_port_become_a_dns_target_and_a_target_with_a_scheme_is_kept():
    assert client_target("state:50051") == "dns:///state:50051"
    assert client_target("ipv4:127.0.0.1:1,127.0.0.1:2") == "ipv4:127.0.0.1:1,127.0.0.1:2"
    assert client_target("dns:///state.maitred.svc:50051") == "dns:///state.maitred.svc:50051"


async def test_round_robin_spreads_calls_over_every_address_of_the_target(replicas):
    target = "ipv4:" + ",".join(f"127.0.0.1:{server.port}" for server in replicas)
    channel = open_channel(target, service_name="replicas")
    try:
        names = [(await _who(channel))[0] for _ in range(20)]
    finally:
        await channel.close()
    assert names.count("a") >= 5 and names.count("b") >= 5  # round robin: 10 and 10


async def test_pick_first_keeps_every_call_on_one_address(replicas):
    target = "ipv4:" + ",".join(f"127.0.0.1:{server.port}" for server in replicas)
    channel = open_channel(target, service_name="replicas", load_balancing="pick_first")
    try:
        names = {(await _who(channel))[0] for _ in range(20)}
    finally:
        await channel.close()
    assert len(names) == 1


async def test_a_server_closes_an_old_connection_so_the_client_connects_again():
    server = await _start("a", max_connection_age_seconds=0.5, max_connection_age_grace_seconds=1)
    channel = open_channel(f"127.0.0.1:{server.port}", service_name="aged")
    try:
        first = (await _who(channel))[1]
        peers = {first}
        for _ in range(100):  # bounded: the connection is at most about 0.5 s old
            peers.add((await _who(channel))[1])
            if len(peers) > 1:
                break
            await asyncio.sleep(0.05)
    finally:
        await channel.close()
        await server.stop(0)
    assert len(peers) > 1  # a new connection, from a new client port


async def test_without_a_maximum_age_the_connection_is_kept():
    server = await _start("a", max_connection_age_seconds=3600)
    channel = open_channel(f"127.0.0.1:{server.port}", service_name="kept")
    try:
        peers = set()
        for _ in range(20):
            peers.add((await _who(channel))[1])
            await asyncio.sleep(0.05)
    finally:
        await channel.close()
        await server.stop(0)
    assert len(peers) == 1
