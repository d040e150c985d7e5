"""Composition root of the optimizer service: runs, plans, rescue and the per-shift scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import grpc

from services.optimizer.adapters.assigner_client import GrpcMover
from services.optimizer.adapters.day_reader import DayReader
from services.optimizer.adapters.plan_store import PlanStore
from services.optimizer.adapters.run_lock import RedisRunLocks
from services.optimizer.adapters.tick_lease import RedisTickLease
from services.optimizer.application.applying import Applier
from services.optimizer.application.rescues import Rescues
from services.optimizer.application.runs import Runs
from services.optimizer.application.scheduler import Scheduler
from services.optimizer.domain.records import RunOptions
from services.optimizer.grpc_api import SERVICE, OptimizerServicer
from services.optimizer.messages import MESSAGES
from services.optimizer.roles import ROLES
from services.optimizer.settings import OptimizerSettings
from shared.breaker import BreakerPolicy
from shared.channels import open_channel
from shared.db.engine import create_engine
from shared.logs import configure_logging
from shared.rate_limit import RateLimits
from shared.readiness import database_ready
from shared.redis_client import connect_redis
from shared.server import RunningServer, serve, start_server
from shared.service_token import ServiceToken
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc
from shared.tracing import configure_tracing

# MoveBookings applies a whole plan (30 s timeout): a few seconds are normal, not a symptom.
MOVE_SLOW_SECONDS = 20.0


def now() -> datetime:
    return datetime.now(UTC)


async def start(settings: OptimizerSettings, *, port: int | None = None) -> RunningServer:
    """Start the optimizer's API and, unless disabled, its scheduler."""
    configure_tracing("optimizer", settings.tracing_endpoint)
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, application_name="maitred-optimizer"
    )
    redis = await connect_redis(settings.redis_url, cluster=settings.redis_cluster)
    token = ServiceToken(
        settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer, subject="optimizer"
    )
    assigner_channel = open_channel(
        settings.assigner_address,
        service_name="assigner",
        contract=[assigner_service_pb2.DESCRIPTOR],
        breaker_policy=BreakerPolicy(slow_call_seconds=MOVE_SLOW_SECONDS),
        load_balancing=settings.grpc_load_balancing,
    )
    reader, plans = DayReader(engine), PlanStore(engine)
    applier = Applier(plans=plans, mover=GrpcMover(assigner_channel, token), clock=now)
    runs = Runs(
        reader=reader, plans=plans, locks=RedisRunLocks(redis), applier=applier, clock=now,
        new_id=uuid.uuid4, workers=settings.optimizer_workers,
    )  # fmt: skip
    rescues = Rescues(reader=reader, clock=now, new_id=uuid.uuid4)
    tasks: list[asyncio.Task[None]] = []
    if settings.optimizer_scheduler:
        scheduler = Scheduler(
            runs=runs, plans=plans, venues=reader, clock=now,
            lead=timedelta(minutes=settings.optimizer_lead_minutes),
            options=RunOptions(time_limit_s=settings.optimizer_time_limit_seconds),
            interval_s=settings.optimizer_scheduler_interval_seconds,
            lease=RedisTickLease(redis, holder=uuid.uuid4().hex),
        )  # fmt: skip
        tasks.append(asyncio.create_task(scheduler.run(), name="scheduler"))

    def register(server: grpc.aio.Server) -> list[str]:
        servicer = OptimizerServicer(runs=runs, plans=plans, applier=applier, rescues=rescues)
        optimizer_service_pb2_grpc.add_OptimizerServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings,
        port=settings.optimizer_port if port is None else port,
        register=register,
        roles_by_method=ROLES,
        messages=MESSAGES,
        # Not Redis: only runs need its venue-day lock; rescues and plans are served without it.
        readiness_checks=[database_ready(engine)],
        rate_limits=RateLimits.from_settings(settings, redis),
    )

    async def close() -> None:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runs.wait()  # runs in progress finish and store their plans
        await assigner_channel.close()
        await redis.aclose()
        await engine.dispose()

    running.on_stop.append(close)
    return running


async def run() -> None:
    settings = OptimizerSettings()  # type: ignore[call-arg]
    configure_logging(settings.log_level, "optimizer")
    running = await start(settings)
    await serve(settings, running)


if __name__ == "__main__":
    asyncio.run(run())
