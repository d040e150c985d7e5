"""Readiness checks drive the registered services' health; liveness ("") stays SERVING."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.state.roles import ROLES
from shared.server import start_server
from shared.settings import ServiceSettings

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
# A real service name (its role table is checked at start); no handler is needed to watch it.
READY = "maitred.state.v1.BookingService"


class Database:
    """A stand-in dependency whose check fails while it is down."""

    def __init__(self) -> None:
        self.down = False

    async def check(self) -> None:
        if self.down:
            raise ConnectionError("database is away")


async def statuses(watch: AsyncIterator[health_pb2.HealthCheckResponse], wanted: int) -> None:
    async for update in watch:
        if update.status == wanted:
            return


async def test_a_failing_check_takes_the_service_out_of_rotation_but_not_liveness():
    database = Database()
    database.down = True
    settings = ServiceSettings(
        database_url="postgresql://unused", jwt_secret=secrets.token_urlsafe(32), host="127.0.0.1"
    )

    def register(server: grpc.aio.Server) -> list[str]:
        return [READY]

    running = await start_server(
        settings,
        port=0,
        register=register,
        roles_by_method=ROLES,
        readiness_checks=[database.check],
        readiness_interval=0.05,
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            watch = health.Watch(health_pb2.HealthCheckRequest(service=READY))
            await statuses(watch, NOT_SERVING)
            ready = await health.Check(health_pb2.HealthCheckRequest(service=READY))
            alive = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert (ready.status, alive.status) == (NOT_SERVING, SERVING)
            database.down = False
            await statuses(watch, SERVING)
            ready = await health.Check(health_pb2.HealthCheckRequest(service=READY))
            assert ready.status == SERVING
            watch.cancel()
    finally:
        await running.stop(0.2)
    assert running.readiness is not None and running.readiness.done()
