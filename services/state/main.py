"""Composition root of the state service: reads settings once and wires everything."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import grpc

from services.state.adapters.outbox_relay import OutboxRelay
from services.state.adapters.unit_of_work import PostgresUnitOfWork
from services.state.grpc_api import BookingServicer
from services.state.messages import MESSAGES
from services.state.roles import ROLES
from services.state.settings import StateSettings
from shared.db.engine import create_engine
from shared.event_loop import run_on
from shared.logs import configure_logging
from shared.rate_limit import RateLimits
from shared.readiness import database_ready
from shared.redis_client import connect_redis
from shared.server import RunningServer, serve, start_server
from shared.stubs.maitred.state.v1 import state_service_pb2, state_service_pb2_grpc
from shared.tracing import configure_tracing

SERVICE = state_service_pb2.DESCRIPTOR.services_by_name["BookingService"].full_name
# Bounds how long a batch keeps its outbox rows locked when Redis stalls.
REDIS_TIMEOUT_SECONDS = 2.0
# How often the relay looks for rows no commit of this process told it about.
RELAY_SAFETY_POLL_SECONDS = 1.0
# The relay's batches start at least this far apart: a busy relay publishes the commits of these
# milliseconds in one transaction instead of one each; an idle one publishes a commit at once.
RELAY_COALESCE_SECONDS = 0.01

log = logging.getLogger("maitred.state")


def now() -> datetime:
    return datetime.now(UTC)


def start_outbox_relay(relay: OutboxRelay) -> Callable[[], Awaitable[None]]:
    """Relay the outbox to Redis in the background; returns the hook that stops it."""
    task = asyncio.create_task(relay.run(), name="outbox-relay")

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop


async def start(settings: StateSettings, *, port: int | None = None) -> RunningServer:
    """Start the state service; `port` overrides the configured one (0 picks a free port).

    Redis is optional here: with it the outbox is relayed and rate limits apply; without it
    events wait in the outbox. Readiness is the database only, as writes need nothing else.
    """
    configure_tracing("state", settings.tracing_endpoint)
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    redis = relay = None
    if settings.redis_url:
        redis = await connect_redis(
            settings.redis_url, cluster=settings.redis_cluster, timeout_s=REDIS_TIMEOUT_SECONDS
        )
        # Woken by every commit of this process; the poll is the safety net for other writers.
        relay = OutboxRelay(
            engine,
            redis,
            stream=settings.events_stream,
            interval=0.2,
            coalesce=RELAY_COALESCE_SECONDS,
            max_idle_interval=RELAY_SAFETY_POLL_SECONDS,
        )
    wake = relay.wake if relay is not None else None
    servicer = BookingServicer(
        uow=lambda: PostgresUnitOfWork(engine, on_commit=wake),
        clock=now,
        new_id=uuid.uuid4,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        state_service_pb2_grpc.add_BookingServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings,
        port=settings.state_port if port is None else port,
        register=register,
        roles_by_method=ROLES,
        messages=MESSAGES,
        readiness_checks=[database_ready(engine)],
        rate_limits=RateLimits.from_settings(settings, redis),
    )
    if redis is not None and relay is not None:
        running.on_stop.append(start_outbox_relay(relay))
        running.on_stop.append(redis.aclose)
    else:
        log.warning("REDIS_URL is not set: booking events stay in the outbox, unpublished")
    running.on_stop.append(engine.dispose)
    return running


async def run(settings: StateSettings) -> None:
    configure_logging(settings.log_level, "state")
    running = await start(settings)
    await serve(settings, running)


def main() -> None:
    settings = StateSettings()  # type: ignore[call-arg]
    run_on(settings.event_loop, run(settings))


if __name__ == "__main__":
    main()
