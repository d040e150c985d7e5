"""Readiness: checks run every few seconds set the services' health, liveness ("") stays SERVING.

    checks = [database_ready(engine), redis_ready(redis)]   # each raises when its store is away
    running = await start_server(..., readiness_checks=checks)

A Kubernetes readiness probe asks `grpc.health.v1.Health/Check` for a service name and takes the
pod out of rotation while the database is away; the liveness probe asks for "" and does not
restart a pod whose only fault is a dependency.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from grpc_health.v1 import health_pb2
from grpc_health.v1._async import HealthServicer
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("maitred.readiness")

ReadinessCheck = Callable[[], Awaitable[None]]

INTERVAL_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 1.0


def database_ready(engine: AsyncEngine) -> ReadinessCheck:
    """A check that runs `SELECT 1` on one of `engine`'s connections."""

    async def database() -> None:
        async with engine.connect() as db:
            await db.execute(text("SELECT 1"))

    return database


def redis_ready(redis: Redis) -> ReadinessCheck:
    """A check that PINGs `redis`."""

    async def redis_ping() -> None:
        await redis.ping()

    return redis_ping


async def is_ready(checks: Sequence[ReadinessCheck], check_timeout: float) -> bool:
    """True when every check returns within `check_timeout` without raising."""
    for check in checks:
        try:
            await asyncio.wait_for(check(), check_timeout)
        except Exception as error:
            log.warning(
                "readiness check failed",
                extra={"check": getattr(check, "__name__", repr(check)), "error": repr(error)},
            )
            return False
    return True


async def watch_readiness(
    health: HealthServicer,
    service_names: Sequence[str],
    checks: Sequence[ReadinessCheck],
    *,
    interval: float = INTERVAL_SECONDS,
    check_timeout: float = CHECK_TIMEOUT_SECONDS,
) -> None:
    """Run `checks` every `interval` seconds, forever, and report the result for each name.

    Only a change is reported (and logged), so a Watch sees one update per transition.
    """
    ready = True
    while True:
        now_ready = await is_ready(checks, check_timeout)
        if now_ready != ready:
            ready = now_ready
            status = (
                health_pb2.HealthCheckResponse.SERVING
                if ready
                else health_pb2.HealthCheckResponse.NOT_SERVING
            )
            level = logging.INFO if ready else logging.WARNING
            log.log(level, "readiness changed", extra={"ready": ready, "services": service_names})
            for name in service_names:
                await health.set(name, status)
        await asyncio.sleep(interval)
