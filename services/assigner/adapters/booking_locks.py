"""Per-booking locks for the coordinator, in this process: they avoid wasted work, the database
judges.

A booking is driven by an event, a due retry or the stall sweeper. The consumer already hands
one booking's entries to one task after another, and each entry to one consumer of the group;
these locks keep this process's retries and sweeps off a booking it is driving. Two processes
that drive one booking at once (a sweep on each replica, say) need no lock between them: every
step is a versioned write, so one of them is refused and reads again, and the allocation is
written once per booking under its venue's lock in PostgreSQL. A Redis lock cost four commands
per drive (SET, and a script's GET and DEL) for work the database already serialises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from services.assigner.application.journeys import LockBusy


class LocalBookingLocks:
    """One holder per booking in this process; a second one is told LockBusy at once."""

    def __init__(self) -> None:
        self._held: set[UUID] = set()

    @asynccontextmanager
    async def booking(self, venue_id: str, booking_id: UUID) -> AsyncIterator[None]:
        if booking_id in self._held:
            raise LockBusy(str(booking_id))
        self._held.add(booking_id)
        try:
            yield
        finally:
            self._held.discard(booking_id)
