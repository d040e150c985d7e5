"""Composition root of the HTTP/JSON gateway: routes from the protos, one channel per service."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import grpc
from aiohttp import web

from services.gateway import cors
from services.gateway.console import add_console
from services.gateway.docs import add_docs
from services.gateway.health import Upstreams, live, metrics
from services.gateway.http_api import MAX_BODY_BYTES, Gateway
from services.gateway.routes import Route, methods_at, routes_of
from services.gateway.settings import GatewaySettings
from shared.channels import open_channel
from shared.logs import configure_logging
from shared.server import serve
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2

log = logging.getLogger("maitred.gateway")

# The contract each upstream serves: its routes, and the methods its channel may retry.
CONTRACTS = {
    "state": (state_service_pb2.DESCRIPTOR,),
    "assigner": (assigner_service_pb2.DESCRIPTOR,),
    "availability": (availability_service_pb2.DESCRIPTOR, floor_plan_service_pb2.DESCRIPTOR),
    "optimizer": (optimizer_service_pb2.DESCRIPTOR,),
}
FILES = tuple(file for files in CONTRACTS.values() for file in files)


@dataclass
class RunningGateway:
    """A started gateway: its bound port, and how to stop it."""

    port: int
    routes: list[Route]
    _runner: web.AppRunner
    _channels: dict[str, grpc.aio.Channel]

    async def stop(self, grace: float) -> None:
        """Stop taking requests, let those in flight finish within the grace, close channels."""
        await self._runner.cleanup()
        for channel in self._channels.values():
            await channel.close(grace)


async def start(
    settings: GatewaySettings,
    *,
    port: int | None = None,
) -> RunningGateway:
    """Serve every annotated RPC of the suite over HTTP/JSON, and the ops console."""
    routes = routes_of(FILES)
    channels = {
        name: open_channel(
            address,
            service_name=name,
            contract=CONTRACTS[name],
            default_timeout=settings.gateway_timeout_seconds,
            load_balancing=settings.grpc_load_balancing,
        )
        for name, address in settings.addresses().items()
    }
    gateway = Gateway(
        routes,
        channels,
        timeout_s=settings.gateway_timeout_seconds,
        stream_timeout_s=settings.gateway_stream_timeout_seconds,
    )
    services: dict[str, set[str]] = {}
    for route in routes:
        services.setdefault(route.service, set()).add(route.full_method.split("/")[1])
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    policy = cors.CorsPolicy(
        frozenset(settings.gateway_cors_origins), settings.gateway_cors_max_age_seconds
    )
    cors.install(app, policy, lambda path: methods_at(routes, path))
    app.router.add_get("/healthz", live)
    app.router.add_get("/readyz", Upstreams(channels, services).ready)
    app.router.add_get("/metrics", metrics)
    add_docs(app, settings.gateway_swagger_ui_dir)
    add_console(app, settings)
    # Any path, newlines included: an unknown one gets the JSON 404, not aiohttp's plain text.
    app.router.add_route("*", r"/{path:[\s\S]*}", gateway.handle)
    # A client that hangs up cancels its handler, and so its upstream call: else a closed
    # watch would hold its WatchSnapshots open until the venue's next change.
    runner = web.AppRunner(
        app,
        access_log=None,
        shutdown_timeout=settings.grace_period_seconds,
        handler_cancellation=True,
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.gateway_port if port is None else port)
    await site.start()
    bound = runner.addresses[0][1]
    log.info("gateway serving", extra={"port": bound, "routes": len(routes)})
    return RunningGateway(port=bound, routes=routes, _runner=runner, _channels=channels)


async def run() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level, "gateway")
    await serve(settings, await start(settings))


if __name__ == "__main__":
    asyncio.run(run())
