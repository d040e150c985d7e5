"""Composition root of the availability service: reads settings once and wires everything."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from datetime import UTC, datetime, timedelta

import grpc

from services.availability.adapters.change_feed import PostgresChangeFeed
from services.availability.adapters.day_cache import RedisDayCache
from services.availability.adapters.day_source import PostgresDaySource
from services.availability.adapters.demand_counts import PostgresDemandCounts
from services.availability.adapters.floor_plan_unit_of_work import PostgresFloorPlanUnitOfWork
from services.availability.adapters.rescue_client import GrpcRescue
from services.availability.adapters.state_client import GrpcBookingStates
from services.availability.adapters.venue_heads import PostgresVenueHeads
from services.availability.application.day_models import DayModels
from services.availability.application.repacks import MemoryRescue
from services.availability.application.rescues import RescueOff, RescuePort, Rescuer
from services.availability.application.snapshots import Snapshots, View
from services.availability.application.watch import WatchHub
from services.availability.floor_plan_api import SERVICE as FLOOR_PLAN_SERVICE
from services.availability.floor_plan_api import FloorPlanServicer
from services.availability.grpc_api import AvailabilityServicer
from services.availability.grpc_api import add_to_server as add_availability_to_server
from services.availability.messages import MESSAGES
from services.availability.roles import ROLES
from services.availability.settings import AvailabilitySettings
from shared.channels import open_channel
from shared.db.engine import create_engine
from shared.logs import configure_logging
from shared.rate_limit import RateLimits
from shared.readiness import database_ready
from shared.redis_client import connect_redis
from shared.seating.knobs import SeatingKnobs
from shared.server import RunningServer, serve, start_server
from shared.service_token import ServiceToken
from shared.stubs.maitred.availability.v1 import (
    availability_service_pb2,
    floor_plan_service_pb2_grpc,
)
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2
from shared.tracing import configure_tracing

PRUNE_SECONDS = 60.0
# Head reads take one short round trip each; a few connections serve a burst of a thousand.
HEAD_CONNECTIONS = 3
# Allocations between young collections (CPython's default is 700): a change sent to 1,000
# streams makes tens of thousands of short-lived objects, and every young collection also walks
# the big containers they point into (the day's tuples), so the default collects about ten times
# per change for nothing.
GC_YOUNG_THRESHOLD = 10_000
SERVICE = availability_service_pb2.DESCRIPTOR.services_by_name["AvailabilityService"].full_name

log = logging.getLogger("maitred.availability")


def now() -> datetime:
    return datetime.now(UTC)


async def start(settings: AvailabilitySettings, *, port: int | None = None) -> RunningServer:
    """Start the availability service; `port` overrides the configured one (0: a free port)."""
    configure_tracing("availability", settings.tracing_endpoint)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        application_name="maitred-availability",
    )
    redis = await connect_redis(settings.redis_url, cluster=settings.redis_cluster, timeout_s=0.5)
    token = ServiceToken(
        settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer, subject="availability"
    )
    state_channel = open_channel(
        settings.state_address,
        service_name="state",
        contract=[state_service_pb2.DESCRIPTOR],
        load_balancing=settings.grpc_load_balancing,
    )
    optimizer_channel = None
    snapshots: Snapshots  # the memory rescue reads the views the snapshots below make

    async def view(venue_id: str, start: datetime, end: datetime) -> View:
        return await snapshots.view(venue_id, start, end)

    rescue: RescuePort = RescueOff()
    if settings.availability_rescue == "memory":
        rescue = MemoryRescue(view, now)
    elif settings.availability_rescue == "optimizer" and settings.optimizer_address:
        optimizer_channel = open_channel(
            settings.optimizer_address,
            service_name="optimizer",
            contract=[optimizer_service_pb2.DESCRIPTOR],
            load_balancing=settings.grpc_load_balancing,
        )
        rescue = GrpcRescue(optimizer_channel, token)
    else:
        log.info("rescue off: capacity checks never look for a re-pack")
    heads = await PostgresVenueHeads.open(settings.database_url, size=HEAD_CONNECTIONS)
    source = PostgresDaySource(engine, heads)
    # Each venue's policy sets its rescue time limit; this default serves only a caller without.
    rescuer = Rescuer(rescue, SeatingKnobs().rescue_time_limit)
    models = DayModels(
        source,
        RedisDayCache(redis, await source.identity()),
        max_days=settings.day_models_max,
        idle=timedelta(seconds=settings.day_model_idle_seconds),
    )
    snapshots = Snapshots(heads, models, now, rescuer=rescuer, demand=PostgresDemandCounts(engine))
    hub = WatchHub(snapshots, poll_seconds=settings.watch_poll_seconds)
    feed = PostgresChangeFeed(settings.database_url)

    def changed(venue_id: str, version: int) -> None:
        models.changed(venue_id, version)
        hub.changed(venue_id, version)

    feed_task = asyncio.create_task(feed.run(changed))
    prune_task = asyncio.create_task(
        prune_change_log(source, timedelta(seconds=settings.change_log_retention_seconds))
    )
    floor_plans = FloorPlanServicer(
        uow=functools.partial(PostgresFloorPlanUnitOfWork, engine),
        state=GrpcBookingStates(state_channel, token),
        clock=now,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        add_availability_to_server(AvailabilityServicer(snapshots=snapshots, hub=hub), server)
        floor_plan_service_pb2_grpc.add_FloorPlanServiceServicer_to_server(floor_plans, server)
        return [SERVICE, FLOOR_PLAN_SERVICE]

    running = await start_server(
        settings,
        port=settings.availability_port if port is None else port,
        register=register,
        roles_by_method=ROLES,
        messages=MESSAGES,
        # Not Redis: the day cache and the rate limits fall back when it is away.
        readiness_checks=[database_ready(engine)],
        rate_limits=RateLimits.from_settings(settings, redis),
    )

    async def close() -> None:
        for task in (feed_task, prune_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await hub.close()
        await models.close()
        await state_channel.close()
        if optimizer_channel is not None:
            await optimizer_channel.close()
        await redis.aclose()
        await heads.close()
        await engine.dispose()

    running.on_stop.append(close)
    return running


async def prune_change_log(source: PostgresDaySource, retention: timedelta) -> None:
    """Drop change-log rows older than `retention`, once a minute, until cancelled."""
    while True:
        try:
            await source.prune_changes(retention)
        except Exception:  # a failed prune is retried; the log only grows meanwhile
            log.exception("pruning the venue change log failed")
        await asyncio.sleep(PRUNE_SECONDS)


async def run(settings: AvailabilitySettings) -> None:
    configure_logging(settings.log_level, "availability")
    running = await start(settings)
    settle_heap()
    await serve(settings, running)


def settle_heap() -> None:
    """Keep the collector off the process's start-up objects and out of each fan-out.

    What start-up made (modules, descriptors, the server) lives as long as the process, yet
    every full collection walked it again: measured during the availability benchmark's watch
    phases, one full collection took about 115 ms of CPU (the event loop stalled, every stream
    waiting), and young collections about 5 ms per change. Frozen and with fewer young
    collections, the collector's CPU over those phases fell from about 1,100 ms to about 100 ms.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)


def main() -> None:
    settings = AvailabilitySettings()  # type: ignore[call-arg]
    if settings.availability_event_loop == "uvloop":
        import uvloop  # only here: the asyncio loop runs where uvloop is not installed

        uvloop.run(run(settings))
    else:
        asyncio.run(run(settings))


if __name__ == "__main__":
    main()
