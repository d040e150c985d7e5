"""The unit-of-work transaction on real PostgreSQL: a dropped connection, commit hooks."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.engine import create_engine
from shared.db.transaction import Transaction


class Probe(Transaction):
    """Keeps its connection, so a test can query on it."""

    db: AsyncConnection

    def opened(self, connection: AsyncConnection) -> None:
        self.db = connection


async def _backend_pid(engine: AsyncEngine) -> int:
    async with Probe(engine) as work:
        pid = int(await work.db.scalar(text("SELECT pg_backend_pid()")) or 0)
        await work.commit()
    return pid


async def test_a_pooled_connection_dropped_by_the_server_is_replaced_without_an_error(
    database_url: str, engine: AsyncEngine
) -> None:
    own = create_engine(database_url, pool_size=1, application_name="maitred-tests-dropped")
    try:
        first = await _backend_pid(own)  # the pool's one connection, now idle in the pool
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            await admin.commit()
        second = await _backend_pid(own)
        assert second != first
    finally:
        await own.dispose()


async def test_the_commit_hook_runs_after_a_commit_and_not_after_a_rollback(
    engine: AsyncEngine,
) -> None:
    calls: list[str] = []
    async with Probe(engine, on_commit=lambda: calls.append("committed")) as work:
        await work.db.execute(text("SELECT 1"))
    assert calls == []
    async with Probe(engine, on_commit=lambda: calls.append("committed")) as work:
        await work.commit()
    assert calls == ["committed"]


async def test_a_read_only_unit_refuses_writes(engine: AsyncEngine) -> None:
    async with Probe(engine, read_only=True) as work:
        read_only = await work.db.scalar(text("SHOW transaction_read_only"))
        isolation = await work.db.scalar(text("SHOW transaction_isolation"))
    assert (read_only, isolation) == ("on", "repeatable read")


async def test_a_unit_cancelled_while_it_begins_leaves_no_half_open_connection_for_the_next(
    database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client's deadline can cancel a unit during its BEGIN. The server has begun, and asyncpg
    still holds that transaction as the connection's own; a unit that reused the connection
    would only take a savepoint inside it, and its commit would never be one."""
    async with engine.begin() as db:
        await db.execute(text("CREATE TABLE IF NOT EXISTS transaction_probe (id text)"))
    own = create_engine(database_url, pool_size=1, application_name="maitred-tests-cancelled")
    await _backend_pid(own)  # the pool's one connection, set up and idle in the pool
    execute = asyncpg.Connection.execute
    cut: list[str] = []

    async def cancelled_begin(self: asyncpg.Connection, query: str, *args: object) -> str:
        done = await execute(self, query, *args)
        if query.startswith("BEGIN") and not cut:
            cut.append(query)
            raise asyncio.CancelledError  # after the server began
        return done

    monkeypatch.setattr(asyncpg.Connection, "execute", cancelled_begin)
    try:
        with pytest.raises(asyncio.CancelledError):
            async with Probe(own):
                pass
        async with Probe(own) as work:
            await work.db.execute(text("INSERT INTO transaction_probe VALUES ('kept')"))
            await work.commit()
        async with engine.connect() as elsewhere:
            found = await elsewhere.scalar(
                text("SELECT count(*) FROM transaction_probe WHERE id = 'kept'")
            )
            # The pool's connection is back and idle: nothing left open on it.
            left_open = await elsewhere.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                    " AND application_name = 'maitred-tests-cancelled'"
                )
            )
    finally:
        await own.dispose()
    assert cut and found == 1 and left_open == 0
