"""Tells an outage of a store (PostgreSQL or Redis unreachable) from a bug, for the error table."""

from __future__ import annotations

import asyncpg.exceptions as pg
import redis.exceptions as redis_errors
import sqlalchemy.exc as sa

from shared.domain_errors import DependencyUnavailable

# asyncpg's own: the connection broke; the server is starting, shutting down or cancelling; or it
# is out of a resource for now (class 53: too many connections, memory, disk).
_POSTGRES = (
    pg.PostgresConnectionError,
    pg.OperatorInterventionError,
    pg.InterfaceError,
    pg.InsufficientResourcesError,
)
_REDIS = (redis_errors.ConnectionError, redis_errors.TimeoutError)


def outage_of(error: BaseException) -> DependencyUnavailable | None:
    """The outage an unexpected error stands for, or None when it is a bug.

    Such a call may be retried as it is (UNAVAILABLE); every write that may be retried carries a
    request id or an expected version, so a retry never applies twice.
    """
    if isinstance(error, sa.DBAPIError):
        cause = error.orig
        if (
            error.connection_invalidated
            or isinstance(error, sa.InterfaceError | sa.OperationalError)
            or isinstance(cause, _POSTGRES)
        ):
            return DependencyUnavailable(dependency="PostgreSQL")
    if isinstance(error, (sa.TimeoutError, *_POSTGRES)):  # the pool waited too long; a raw error
        return DependencyUnavailable(dependency="PostgreSQL")
    if isinstance(error, _REDIS):
        return DependencyUnavailable(dependency="Redis")
    if isinstance(error, OSError):  # refused, reset or timed out below both clients
        return DependencyUnavailable(dependency="a store")
    return None
