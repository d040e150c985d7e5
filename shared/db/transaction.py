"""One PostgreSQL transaction as a unit of work: committed on request, rolled back otherwise."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Transaction:
    """Opens a connection and a transaction; `commit()` ends it, leaving without it rolls back.

    A read-only unit reads one snapshot (REPEATABLE READ), so several queries see one state.
    Subclasses attach their repositories to the connection in `opened`.
    """

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: AsyncConnection | None = None

    def opened(self, connection: AsyncConnection) -> None:
        """Hook: build the repositories on the new connection."""

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        if self._read_only:
            await self._connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        await self._connection.begin()
        self.opened(self._connection)
        return self

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
