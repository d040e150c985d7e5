"""Composition root of the assigner service: the AssignerService API and the coordinator."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_moves import AllocationMoves
from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.availability_client import GrpcCapacity
from services.assigner.adapters.booking_locks import LocalBookingLocks
from services.assigner.adapters.day_writes import DayWrites
from services.assigner.adapters.event_consumer import StreamConsumer
from services.assigner.adapters.file_clock import file_clock
from services.assigner.adapters.journey_store import PostgresAttempts, PostgresRules
from services.assigner.adapters.move_replays import RedisMoveReplays
from services.assigner.adapters.on_behalf import ops_verifier
from services.assigner.adapters.outcomes import PostgresOutcomes
from services.assigner.adapters.rescue_client import GrpcRescuePlans
from services.assigner.adapters.retry_queue import RedisRetries
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.adapters.stalled_journeys import PostgresStalledJourneys
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.coordinator import Coordinator
from services.assigner.application.coordinator_ports import Rescue
from services.assigner.application.ended_sweep import EndedSweeper
from services.assigner.application.journeys import Journeys
from services.assigner.application.moves import Moves
from services.assigner.application.rescues import RescueOff, Rescuer
from services.assigner.application.table_records import TableDrift, TableRecorder
from services.assigner.grpc_api import AssignerServicer
from services.assigner.messages import MESSAGES
from services.assigner.roles import ROLES
from services.assigner.settings import AssignerSettings
from shared.channels import open_channel
from shared.db.engine import create_engine
from shared.event_loop import run_on
from shared.logs import configure_logging
from shared.rate_limit import RateLimits
from shared.readiness import database_ready, redis_ready
from shared.redis_client import connect_redis
from shared.server import RunningServer, serve, start_server
from shared.service_token import ServiceToken
from shared.stream_pending import watch_pending
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2, assigner_service_pb2_grpc
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2
from shared.tracing import configure_tracing

SERVICE = assigner_service_pb2.DESCRIPTOR.services_by_name["AssignerService"].full_name
log = logging.getLogger("maitred.assigner")


def now() -> datetime:
    return datetime.now(UTC)


def yield_clock(settings: AssignerSettings) -> Callable[[], datetime] | None:
    """The benchmark clock the yield policy measures leads from, when one is set (checked
    now: a file that cannot tell the time stops the start, naming the setting)."""
    if not settings.yield_clock_file:
        return None
    try:
        clock = file_clock(settings.yield_clock_file)
    except (OSError, ValueError) as error:
        raise ValueError(f"MAITRED_YIELD_CLOCK_FILE: {error}") from error
    log.warning(
        "MAITRED_YIELD_CLOCK_FILE is set: the yield policy measures leads from the benchmark "
        "clock in %s, not the real clock (benchmarks only)",
        settings.yield_clock_file,
    )
    return clock


def jitter() -> float:
    return random.uniform(0.5, 1.5)


async def start(settings: AssignerSettings, *, port: int | None = None) -> RunningServer:
    """Start the API and, unless disabled, the coordinator's loops."""
    configure_tracing("assigner", settings.tracing_endpoint)
    lead_clock = yield_clock(settings)  # before anything opens: a bad file stops the start
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, application_name="maitred-assigner"
    )
    redis = await connect_redis(settings.redis_url, cluster=settings.redis_cluster)
    token = ServiceToken(
        settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer, subject="assigner"
    )
    state_channel = open_channel(
        settings.state_address,
        service_name="state",
        contract=[state_service_pb2.DESCRIPTOR],
        load_balancing=settings.grpc_load_balancing,
    )
    availability_channel = open_channel(
        settings.availability_address,
        service_name="availability",
        contract=[availability_service_pb2.DESCRIPTOR, floor_plan_service_pb2.DESCRIPTOR],
        load_balancing=settings.grpc_load_balancing,
    )
    optimizer_channel = (
        open_channel(
            settings.optimizer_address,
            service_name="optimizer",
            contract=[optimizer_service_pb2.DESCRIPTOR],
            load_balancing=settings.grpc_load_balancing,
        )
        if settings.optimizer_address and settings.coordinator
        else None
    )
    bookings = GrpcBookings(state_channel, token)
    store = AllocationStore(engine)
    reader = SeatingReader(engine)
    assigner = EngineAssigner(reader, store.assignments, now, DayWrites(engine, reader), lead_clock)
    # One MoveBookings for the API and the coordinator's rescue: one replay store, one writer.
    moves = Moves(
        days=assigner,
        writer=AllocationMoves(engine),
        recorder=TableRecorder(bookings, store.assignments, now),
        replays=RedisMoveReplays(redis),
        clock=now,
    )
    tasks = (
        _coordinator_tasks(
            settings,
            engine,
            redis,
            bookings,
            assigner,
            store,
            token,
            availability_channel,
            _rescue(settings, moves, token, optimizer_channel),
        )
        if settings.coordinator
        else []
    )

    def register(server: grpc.aio.Server) -> list[str]:
        servicer = AssignerServicer(
            assigner=assigner,
            store=store,
            bookings=bookings,
            clock=now,
            moves=moves,
            is_ops=ops_verifier(settings.jwt_secret.get_secret_value(), settings.jwt_issuer),
        )
        assigner_service_pb2_grpc.add_AssignerServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings,
        port=settings.assigner_port if port is None else port,
        register=register,
        roles_by_method=ROLES,
        messages=MESSAGES,
        readiness_checks=[database_ready(engine), redis_ready(redis)],
        rate_limits=RateLimits.from_settings(settings, redis),
    )

    async def close() -> None:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await state_channel.close()
        await availability_channel.close()
        if optimizer_channel is not None:
            await optimizer_channel.close()
        await redis.aclose()
        await engine.dispose()

    running.on_stop.append(close)
    return running


def _rescue(
    settings: AssignerSettings,
    moves: Moves,
    token: ServiceToken,
    channel: grpc.aio.Channel | None,
) -> Rescue:
    """The optimizer's re-packs, applied through MoveBookings in this process; off without one."""
    if channel is None:
        log.info("no optimizer address: the coordinator never asks for a re-pack")
        return RescueOff()
    return Rescuer(GrpcRescuePlans(channel, token), moves)  # the venue's policy sets the limit


def _coordinator_tasks(
    settings: AssignerSettings,
    engine: AsyncEngine,
    redis: Redis,
    bookings: GrpcBookings,
    assigner: EngineAssigner,
    store: AllocationStore,
    token: ServiceToken,
    channel: grpc.aio.Channel,
    rescue: Rescue,
) -> list[asyncio.Task[None]]:
    # One retry queue per events stream: suites sharing a Redis never take each other's retries.
    retries = RedisRetries(redis, key=f"{settings.events_stream}:retries")
    coordinator = Coordinator(
        bookings=bookings,
        capacity=GrpcCapacity(channel, token),
        tables=assigner,
        attempts=PostgresAttempts(engine),
        rules=PostgresRules(engine),
        retries=retries,
        clock=now,
        jitter=jitter,
        rescue=rescue,
    )
    journeys = Journeys(
        coordinator=coordinator,
        locks=LocalBookingLocks(),
        retries=retries,
        outcomes=PostgresOutcomes(engine, redis),
        sweeper=store.holds,
        clock=now,
        stalled=PostgresStalledJourneys(engine),
        drift=TableDrift(
            bookings, store.assignments, TableRecorder(bookings, store.assignments, now)
        ),
    )
    consumer = StreamConsumer(
        redis,
        settings.events_stream,
        group="assigner",
        consumer=settings.consumer_name,
        handler=journeys.on_event,
        on_dead=journeys.on_dead,
        claim_idle_ms=settings.claim_idle_ms,
        max_deliveries=settings.max_deliveries,
    )
    return [
        asyncio.create_task(consumer.run(), name="events"),
        asyncio.create_task(journeys.run_retries(), name="retries"),
        asyncio.create_task(journeys.run_sweeper(), name="hold-sweeper"),
        asyncio.create_task(
            journeys.run_stall_sweeper(
                settings.stall_sweep_seconds, timedelta(seconds=settings.stalled_after_seconds)
            ),
            name="stall-sweeper",
        ),
        asyncio.create_task(
            watch_pending(redis, settings.events_stream, "assigner"), name="stream-pending"
        ),
        asyncio.create_task(
            EndedSweeper(store.assignments, now, settings.ended_sweep_seconds).run(),
            name="ended-sweeper",
        ),
    ]


async def run(settings: AssignerSettings) -> None:
    configure_logging(settings.log_level, "assigner")
    running = await start(settings)
    await serve(settings, running)


def main() -> None:
    settings = AssignerSettings()  # type: ignore[call-arg]
    run_on(settings.event_loop, run(settings))


if __name__ == "__main__":
    main()
