"""The unit-of-work transaction on real PostgreSQL: a dropped connection, commit hooks."""

from __future__ import annotations

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
