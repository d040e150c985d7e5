"""The sweeper that frees tables still held in the name of bookings that ended.

Since migration 0012 the database refuses such an allocation, and migration 0010 releases a
booking's tables when it ends; this repairs what older writes left behind, and anything that
slips past both, so a leaked table is never taken for the rest of the evening.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

log = logging.getLogger("maitred.assigner.ended_sweep")


class EndedAssignments(Protocol):
    async def release_ended_assignments(self, now: datetime) -> int:
        """Release every live assignment of a booking that ended; returns how many."""
        ...


@dataclass(frozen=True)
class EndedSweeper:
    """Releases, every `interval` seconds, the live assignments of bookings that ended."""

    store: EndedAssignments
    clock: Callable[[], datetime]
    interval: float

    async def sweep(self) -> int:
        released = await self.store.release_ended_assignments(self.clock())
        if released:
            log.warning("released tables of bookings that ended", extra={"count": released})
        return released

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # the database away: the next round tries again
                log.exception("ended-booking sweep failed")
            await asyncio.sleep(self.interval)
