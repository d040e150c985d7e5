"""The whole suite in this process for the fuzz tier: four services and the gateway, on port 0."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from services.assigner.main import start as start_assigner
from services.assigner.settings import AssignerSettings
from services.availability.main import start as start_availability
from services.availability.settings import AvailabilitySettings
from services.gateway.main import start as start_gateway
from services.gateway.settings import GatewaySettings
from services.optimizer.main import start as start_optimizer
from services.optimizer.settings import OptimizerSettings
from services.state.main import start as start_state
from services.state.settings import StateSettings
from shared.settings import MaitredSettings

SECRET = secrets.token_urlsafe(32)
ISSUER = "maitred"
STOP_SECONDS = 30.0


@dataclass(frozen=True)
class Suite:
    """Where each running service answers, and the secret its tokens are signed with."""

    addresses: dict[str, str]  # by service name: state, availability, assigner, optimizer
    gateway: str  # http://127.0.0.1:<port>
    database_url: str
    secret: str = SECRET


async def _stop(name: str, running: Any) -> None:
    """Stop a service within its grace; one that hangs fails the tier by name, not the session."""
    try:
        await asyncio.wait_for(running.stop(1), STOP_SECONDS)
    except TimeoutError:
        raise AssertionError(f"{name} did not stop within {STOP_SECONDS} s") from None


def _free_port() -> int:
    # The services call each other in a circle (availability -> optimizer -> assigner ->
    # availability), so every address must be known before the first one starts.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def running_suite(database_url: str, redis_url: str) -> AsyncIterator[Suite]:
    """Every service as the composition roots build it, rate limits high enough not to bite."""
    ports = {name: _free_port() for name in ("state", "availability", "assigner", "optimizer")}
    addresses = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    common: dict[str, Any] = {
        "database_url": database_url, "redis_url": redis_url, "jwt_secret": SECRET,
        "jwt_issuer": ISSUER, "host": "127.0.0.1", "grace_period_seconds": 1, "db_pool_size": 4,
        "rate_limit_per_caller": 10_000, "rate_limit_caller_burst": 10_000,
        "rate_limit_per_venue": 10_000, "rate_limit_venue_burst": 10_000,
    }  # fmt: skip
    peers = {
        "state_address": addresses["state"],
        "availability_address": addresses["availability"],
        "assigner_address": addresses["assigner"],
        "optimizer_address": addresses["optimizer"],
    }

    def peers_of(settings_class: type[MaitredSettings]) -> dict[str, str]:
        """The peer addresses a service's settings have (they refuse unknown fields)."""
        return {key: value for key, value in peers.items() if key in settings_class.model_fields}

    async with AsyncExitStack() as stack:
        for name, start, settings in (
            ("state", start_state, StateSettings(**common)),
            (
                "availability",
                start_availability,
                AvailabilitySettings(**common, **peers_of(AvailabilitySettings)),
            ),
            ("assigner", start_assigner, AssignerSettings(**common, **peers_of(AssignerSettings))),
            (
                "optimizer",
                start_optimizer,
                OptimizerSettings(
                    **common, **peers_of(OptimizerSettings), optimizer_scheduler=False
                ),
            ),
        ):
            running = await start(settings, port=ports[name])  # type: ignore[operator]
            stack.push_async_callback(_stop, name, running)
        gateway = await start_gateway(
            GatewaySettings(
                host="127.0.0.1",
                gateway_timeout_seconds=10,
                grace_period_seconds=1,
                **peers_of(GatewaySettings),
            ),
            port=0,
        )
        stack.push_async_callback(_stop, "gateway", gateway)
        yield Suite(addresses, f"http://127.0.0.1:{gateway.port}", database_url)
