"""Committed venue changes from any process: PostgreSQL LISTEN on the version trigger's channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger("maitred.availability.feed")
CHANNEL = "maitred_venue_changed"


class PostgresChangeFeed:
    """Listens for `<venue_id> <version>` notifications and reconnects when the link drops.

    PostgreSQL sends a notification only when the writing transaction commits, so a listener
    never sees a change that was rolled back, and sees changes in commit order.
    """

    def __init__(self, database_url: str, *, retry_seconds: float = 1.0) -> None:
        self._url = database_url
        self._retry_seconds = retry_seconds
        self.connected = asyncio.Event()

    async def run(self, on_change: Callable[[str, int], None]) -> None:
        """Deliver every notification to `on_change` until cancelled."""

        def received(connection: Any, pid: int, channel: str, payload: str) -> None:
            venue_id, _, version = payload.rpartition(" ")
            if venue_id and version.isdigit():
                on_change(venue_id, int(version))

        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._url)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, received)
                self.connected.set()
                log.info("listening for venue changes")
                await lost.wait()
                log.warning("change feed connection lost; reconnecting")
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("change feed unavailable; retrying", extra={"error": str(error)})
            finally:
                self.connected.clear()
                if connection is not None and not connection.is_closed():
                    await connection.close()
            await asyncio.sleep(self._retry_seconds)
