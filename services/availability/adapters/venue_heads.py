"""Reads a venue's time zone and change version in one round trip, from a small asyncpg pool.

Every availability call reads the head first, so that its answer counts every change committed
before it; the SQLAlchemy pool's ping and reset would triple the round trips of this one read.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.availability.application.snapshot_ports import Head

HEAD = (
    "SELECT v.timezone, c.version FROM venues v "
    "LEFT JOIN venue_change_versions c ON c.venue_id = v.venue_id WHERE v.venue_id = $1"
)
COMMAND_TIMEOUT_SECONDS = 5.0


async def _nothing_to_reset(connection: Any) -> None:
    """Single autocommit SELECTs leave no transaction, lock or setting behind."""


class PostgresVenueHeads:
    """The head of each venue, as PostgreSQL has it now."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, database_url: str, *, size: int) -> PostgresVenueHeads:
        pool = await asyncpg.create_pool(
            database_url,
            # All opened at start: a burst of calls never needs a new connection then.
            min_size=size,
            max_size=size,
            reset=_nothing_to_reset,
            command_timeout=COMMAND_TIMEOUT_SECONDS,
            server_settings={"application_name": "maitred-availability-heads"},
        )
        return cls(pool)

    async def head(self, venue_id: str) -> Head | None:
        row = await self._pool.fetchrow(HEAD, venue_id)
        return Head(row["timezone"], int(row["version"] or 0)) if row else None

    async def close(self) -> None:
        await self._pool.close()
