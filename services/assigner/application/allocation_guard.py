"""The one way a written allocation is recorded: run to the end, and released if not recorded.

Every path that writes an allocation (ConfirmHold, AssignBooking, ManualAssign, ReassignBooking,
MoveBookings, the coordinator, rescue, optimizer apply) writes first and records the tables at
the state service after. Two things can leave the tables blocked in between: the record fails
(the booking was cancelled, moved on, the state service is away), or the call is cancelled (a
client hangs up) between the write and the record. `to_the_end` runs the write and its record
in a task of their own that a cancelled caller does not cut short; `AllocationGuard.recorded`
releases the allocation when its record fails, unless the booking holds it after all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

log = logging.getLogger("maitred.assigner.allocation_guard")
T = TypeVar("T")
# Tasks a cancelled caller left running: referenced here until they finish.
_running: set[asyncio.Task[Any]] = set()


class Releases(Protocol):
    async def release_unless_recorded(self, group_id: UUID, now: datetime) -> bool:
        """Release the allocation unless its booking holds exactly its tables; True if it did."""
        ...


async def to_the_end(work: Coroutine[Any, Any, T]) -> T:
    """Await `work` in its own task: a caller that goes away gets CancelledError at once, while
    the write and its record finish (and settle) on their own, never cut between the two."""
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(_finished)
    return await asyncio.shield(task)


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Retrieved here so an abandoned task's failure is logged once, not as "never retrieved".
        log.debug("allocation write ended in an error", exc_info=task.exception())


@dataclass(frozen=True)
class AllocationGuard:
    """Releases a freshly written allocation whose record at the state service did not land."""

    releases: Releases
    clock: Callable[[], datetime]

    @asynccontextmanager
    async def recorded(self, group_id: UUID) -> AsyncIterator[None]:
        """Wrap the record of the allocation `group_id`: any failure, cancellation included,
        releases it (unless the booking holds it) before the failure goes on."""
        try:
            yield
        except BaseException:
            await asyncio.shield(self._release(group_id))
            raise

    async def _release(self, group_id: UUID) -> None:
        try:
            if await self.releases.release_unless_recorded(group_id, self.clock()):
                log.info(
                    "released tables that were not recorded", extra={"group_id": str(group_id)}
                )
        except Exception:  # the sweeper and migration 0010 still stand behind this one
            log.exception("could not release unrecorded tables", extra={"group_id": str(group_id)})
