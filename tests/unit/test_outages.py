"""Unit tests of outage classification: a store that does not answer is UNAVAILABLE; a bug not."""

from __future__ import annotations

import asyncpg.exceptions as pg
import grpc
import pytest
import redis.exceptions as redis_errors
import sqlalchemy.exc as sa

from shared.error_table import code_of
from shared.outages import outage_of


def _wrapped(cls: type[sa.DBAPIError], cause: Exception, invalidated: bool = False) -> Exception:
    return cls("SELECT 1", {}, cause, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (_wrapped(sa.OperationalError, Exception("server closed the connection")), "PostgreSQL"),
        (_wrapped(sa.InterfaceError, Exception("connection is closed")), "PostgreSQL"),
        (_wrapped(sa.DBAPIError, pg.CannotConnectNowError("starting up")), "PostgreSQL"),
        (_wrapped(sa.DBAPIError, Exception("reset"), invalidated=True), "PostgreSQL"),
        (pg.ConnectionDoesNotExistError("gone"), "PostgreSQL"),
        (pg.TooManyConnectionsError("sorry, too many clients already"), "PostgreSQL"),
        (_wrapped(sa.DBAPIError, pg.TooManyConnectionsError("too many clients")), "PostgreSQL"),
        (sa.TimeoutError("QueuePool limit reached"), "PostgreSQL"),
        (redis_errors.ConnectionError("refused"), "Redis"),
        (redis_errors.TimeoutError("timed out"), "Redis"),
        (ConnectionRefusedError(111, "refused"), "a store"),
    ],
)
def test_a_store_that_does_not_answer_is_unavailable(error, dependency):
    outage = outage_of(error)
    assert outage is not None and outage.params["dependency"] == dependency
    assert code_of(outage) == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("a bug"),
        _wrapped(sa.IntegrityError, pg.UniqueViolationError("duplicate key")),
        _wrapped(sa.ProgrammingError, pg.UndefinedColumnError("no such column")),
    ],
)
def test_a_bug_or_a_refused_write_is_not_an_outage(error):
    assert outage_of(error) is None
