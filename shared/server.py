"""The bootstrap every service runs: grpc.aio server, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from shared.auth import Role
from shared.interceptors import CallPipeline
from shared.settings import ServiceSettings

log = logging.getLogger("maitred.server")

Register = Callable[[grpc.aio.Server], Sequence[str]]


@dataclass
class RunningServer:
    """A started server, its bound port, and the health it reports."""

    server: grpc.aio.Server
    port: int
    health: HealthServicer
    service_names: Sequence[str]
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, let in-flight calls finish within `grace`, then release resources."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        for close in self.on_stop:
            await close()


async def start_server(
    settings: ServiceSettings,
    *,
    port: int,
    register: Register,
    roles_by_method: Mapping[str, frozenset[Role]],
) -> RunningServer:
    """Build, register and start a server; `port=0` binds a free port."""
    pipeline = CallPipeline(
        jwt_secret=settings.jwt_secret.get_secret_value(),
        jwt_issuer=settings.jwt_issuer,
        roles_by_method=roles_by_method,
    )
    server = grpc.aio.server(
        interceptors=[pipeline],
        maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
        # A second process on the same port must fail loudly, not silently share traffic.
        options=[("grpc.so_reuseport", 0)],
    )
    names = list(register(server))
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection(
        [
            *names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    bound = server.add_insecure_port(f"{settings.host}:{port}")
    await server.start()
    for name in ["", *names]:
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", extra={"port": bound, "services": names})
    return RunningServer(server=server, port=bound, health=health, service_names=names)


async def serve(settings: ServiceSettings, running: RunningServer) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    log.info("shutting down", extra={"grace_seconds": settings.grace_period_seconds})
    await running.stop(settings.grace_period_seconds)
    log.info("stopped")
