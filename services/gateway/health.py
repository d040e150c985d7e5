"""The gateway's own endpoints: liveness, the services' readiness as it sees them, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.metrics import REGISTRY

CHECK_TIMEOUT_SECONDS = 1.0


async def live(request: web.Request) -> web.Response:
    """200 while the process serves HTTP; the services' health does not change it."""
    return web.json_response({"status": "SERVING"})


class Upstreams:
    """Asks each service's gRPC health, by the names of the services the gateway routes to."""

    def __init__(
        self, channels: Mapping[str, grpc.aio.Channel], services: Mapping[str, set[str]]
    ) -> None:
        self._channels = channels
        self._services = services

    async def ready(self, request: web.Request) -> web.Response:
        """200 when every routed service is SERVING, else 503; the body names each one's state."""
        names = sorted(
            (upstream, service)
            for upstream, services in self._services.items()
            for service in services
        )
        states = await asyncio.gather(*(self._check(up, service) for up, service in names))
        body = {service: state for (_, service), state in zip(names, states, strict=True)}
        ready = all(state == "SERVING" for state in states)
        return web.json_response(body, status=200 if ready else 503)

    async def _check(self, upstream: str, service: str) -> str:
        stub = health_pb2_grpc.HealthStub(self._channels[upstream])
        try:
            reply = await stub.Check(
                health_pb2.HealthCheckRequest(service=service), timeout=CHECK_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as error:
            return f"UNREACHABLE ({error.code().name})"
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


async def metrics(request: web.Request) -> web.Response:
    """The process's Prometheus metrics, HTTP requests included."""
    return web.Response(
        body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
