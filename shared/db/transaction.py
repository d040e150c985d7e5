"""One PostgreSQL transaction as a unit of work: committed on request, rolled back otherwise."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Transaction:
    """Opens a connection and a transaction; `commit()` ends it, leaving without it rolls back.

    A read-only unit reads one snapshot (REPEATABLE READ), so several queries see one state.
    Subclasses attach their repositories to the connection in `opened`. `on_commit`, when
    given, is called after each successful commit (the outbox relay's wake-up, say).

    The pool does not pre-ping: the transaction's BEGIN is sent at once and serves as the
    check. A connection found dropped there is discarded and the start retried once on a fresh
    one; nothing was written yet, so the retry is safe.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._on_commit = on_commit
        self._connection: AsyncConnection | None = None

    def opened(self, connection: AsyncConnection) -> None:
        """Hook: build the repositories on the new connection."""

    async def __aenter__(self) -> Self:
        try:
            self._connection = await self._begin()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            self._connection = await self._begin()  # the pool was invalidated: a fresh one
        self.opened(self._connection)
        return self

    async def _begin(self) -> AsyncConnection:
        connection = await self._engine.connect()
        try:
            if self._read_only:
                await connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            await connection.begin()
            await _send_begin(connection)
        except BaseException:
            await connection.close()
            raise
        return connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                await self._connection.rollback()
        finally:
            await self._connection.close()
            self._connection = None

    async def commit(self) -> None:
        assert self._connection is not None
        await self._connection.commit()
        if self._on_commit is not None:
            self._on_commit()


async def _send_begin(connection: AsyncConnection) -> None:
    """Send BEGIN now rather than with the first statement, so a dropped connection shows here.

    The asyncpg adapter otherwise starts its transaction lazily inside the first execute; this
    is the same round trip, taken earlier. A disconnect is raised as a DBAPIError with
    `connection_invalidated` set, as any statement's would be.
    """

    def start(sync_connection: Connection) -> None:
        adapted: Any = sync_connection.connection.dbapi_connection
        try:
            adapted.await_(adapted._start_transaction())
        except BaseException as error:
            # SQLAlchemy's own handling, as for any statement: a DBAPIError, the pool invalidated
            # on a disconnect, and the connection invalidated when a cancellation cut the BEGIN
            # short. That last one matters: asyncpg then still takes the connection to be in a
            # transaction, and would turn every later one on it into a mere savepoint.
            sync_connection._handle_dbapi_exception(error, "BEGIN", {}, None, None)

    await connection.run_sync(start)
