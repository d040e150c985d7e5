"""Composition root of the availability service: reads settings once and wires everything."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from datetime import UTC, datetime

import grpc
from redis.asyncio import Redis

from services.availability.adapters.change_feed import PostgresChangeFeed
from services.availability.adapters.day_cache import RedisDayCache
from services.availability.adapters.day_source import PostgresDaySource
from services.availability.adapters.floor_plan_unit_of_work import PostgresFloorPlanUnitOfWork
from services.availability.adapters.state_client import GrpcBookingStates
from services.availability.application.snapshots import Snapshots
from services.availability.application.watch import WatchHub
from services.availability.floor_plan_api import FLOOR_PLAN_ROLES, FloorPlanServicer
from services.availability.floor_plan_api import SERVICE as FLOOR_PLAN_SERVICE
from services.availability.grpc_api import AvailabilityServicer
from services.availability.settings import AvailabilitySettings
from shared.db.engine import create_engine
from shared.logs import configure_logging
from shared.server import RunningServer, serve, start_server
from shared.service_token import ServiceToken
from shared.stubs.maitred.availability.v1 import (
    availability_service_pb2,
    availability_service_pb2_grpc,
    floor_plan_service_pb2_grpc,
)

SERVICE = availability_service_pb2.DESCRIPTOR.services_by_name["AvailabilityService"].full_name


def now() -> datetime:
    return datetime.now(UTC)


async def start(settings: AvailabilitySettings, *, port: int | None = None) -> RunningServer:
    """Start the availability service; `port` overrides the configured one (0: a free port)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size,
                           application_name="maitred-availability")  # fmt: skip
    redis = Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    source = PostgresDaySource(engine)
    snapshots = Snapshots(source, RedisDayCache(redis, await source.identity()), now)
    hub = WatchHub(snapshots, poll_seconds=settings.watch_poll_seconds)
    feed = PostgresChangeFeed(settings.database_url)
    feed_task = asyncio.create_task(feed.run(hub.changed))
    state_channel = grpc.aio.insecure_channel(settings.state_address)
    floor_plans = FloorPlanServicer(
        uow=functools.partial(PostgresFloorPlanUnitOfWork, engine),
        state=GrpcBookingStates(
            state_channel,
            ServiceToken(
                settings.jwt_secret.get_secret_value(),
                issuer=settings.jwt_issuer,
                subject="availability",
            ),
        ),
        clock=now,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        availability_service_pb2_grpc.add_AvailabilityServiceServicer_to_server(
            AvailabilityServicer(snapshots=snapshots, hub=hub), server
        )
        floor_plan_service_pb2_grpc.add_FloorPlanServiceServicer_to_server(floor_plans, server)
        return [SERVICE, FLOOR_PLAN_SERVICE]

    running = await start_server(
        settings,
        port=settings.port if port is None else port,
        register=register,
        roles_by_method=FLOOR_PLAN_ROLES,
    )

    async def close() -> None:
        feed_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feed_task
        await hub.close()
        await state_channel.close()
        await redis.aclose()
        await engine.dispose()

    running.on_stop.append(close)
    return running


async def run() -> None:
    settings = AvailabilitySettings()  # type: ignore[call-arg]
    configure_logging(settings.log_level, "availability")
    running = await start(settings)
    await serve(settings, running)


if __name__ == "__main__":
    asyncio.run(run())
