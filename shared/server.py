"""The bootstrap every service runs: grpc.aio server, health, reflection, graceful shutdown.

It also serves the Prometheus endpoint on `settings.metrics_port` (0: off) until the server stops,
and traces every RPC when an OTLP endpoint is configured (shared/tracing.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from shared.interceptors import CallPipeline
from shared.messages import CATALOGUE, Messages, catalogue_with
from shared.metrics import MetricsServer, start_metrics_server
from shared.rate_limit import RateLimits
from shared.readiness import INTERVAL_SECONDS, ReadinessCheck, watch_readiness
from shared.role_table import RoleTable, check_role_table
from shared.settings import ServiceSettings
from shared.tracing import server_interceptor, tracing_enabled

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
    readiness: asyncio.Task[None] | None = None
    metrics: MetricsServer | None = None

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, let in-flight calls finish within `grace`, then release resources."""
        if self.readiness is not None:
            self.readiness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.readiness
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        for close in self.on_stop:
            await close()
        if self.metrics is not None:
            # Last, so the drain stays visible; its thread's shutdown would block the loop.
            await asyncio.to_thread(self.metrics.stop)


async def start_server(
    settings: ServiceSettings,
    *,
    port: int,
    register: Register,
    roles_by_method: RoleTable,
    readiness_checks: Sequence[ReadinessCheck] = (),
    readiness_interval: float = INTERVAL_SECONDS,
    rate_limits: RateLimits | None = None,
    messages: Messages | None = None,
) -> RunningServer:
    """Build, register and start a server; `port=0` binds a free port.

    `readiness_checks` (e.g. a `SELECT 1`) run every `readiness_interval` seconds and set the
    registered services NOT_SERVING while one fails; `roles_by_method` must name every method of
    the registered services (`IncompleteRoleTable` otherwise); `rate_limits` turns rate limiting on;
    `messages` are the service's own error texts, joined to shared's (shared/messages.py).
    The metrics endpoint starts when `settings.metrics_port` is not 0. With tracing on
    (`configure_tracing`, called first in the service's `start`), each RPC gets a span.
    """
    pipeline = CallPipeline(
        jwt_secret=settings.jwt_secret.get_secret_value(),
        jwt_issuer=settings.jwt_issuer,
        roles_by_method=roles_by_method,
        rate_limits=rate_limits,
        messages=catalogue_with(messages) if messages else CATALOGUE,
    )
    interceptors: list[grpc.aio.ServerInterceptor] = [pipeline]
    if tracing_enabled():
        # First, so the pipeline's checks and its log line run inside the RPC's span.
        interceptors.insert(0, server_interceptor())
    server = grpc.aio.server(
        interceptors=interceptors,
        maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
        options=[
            # A second process on the same port must fail loudly, not silently share traffic.
            ("grpc.so_reuseport", 0),
            # Clients reconnect now and then, and so find the replicas started since.
            ("grpc.max_connection_age_ms", int(settings.max_connection_age_seconds * 1000)),
            (
                "grpc.max_connection_age_grace_ms",
                int(settings.max_connection_age_grace_seconds * 1000),
            ),
        ],
    )
    names = list(register(server))
    # Fail closed: a served method without roles stops the process before it binds a port.
    check_role_table(roles_by_method, names)
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
    try:
        metrics = start_metrics_server(settings.metrics_port, host=settings.host)
    except OSError:
        await server.stop(0)
        raise
    for name in ["", *names]:
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info(
        "serving",
        extra={"port": bound, "services": names, "metrics_port": metrics.port if metrics else None},
    )
    running = RunningServer(
        server=server, port=bound, health=health, service_names=names, metrics=metrics
    )
    if readiness_checks:
        running.readiness = asyncio.create_task(
            watch_readiness(health, names, readiness_checks, interval=readiness_interval)
        )
    return running


class Graceful(Protocol):
    """Settings that say how long a shutdown may take."""

    @property
    def grace_period_seconds(self) -> float: ...


class Stoppable(Protocol):
    """A running server (gRPC, or the HTTP gateway) that drains within a grace period."""

    async def stop(self, grace: float) -> None: ...


async def serve(settings: Graceful, running: Stoppable) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    log.info("shutting down", extra={"grace_seconds": settings.grace_period_seconds})
    await running.stop(settings.grace_period_seconds)
    log.info("stopped")
