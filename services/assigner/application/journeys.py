"""The coordinator's loops: booking events, due retries and the hold sweeper, under locks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from services.assigner.application.coordinator import Coordinator
from services.assigner.domain.booking import BookingGone

log = logging.getLogger("maitred.assigner.journeys")
BUSY_RETRY = timedelta(seconds=1)


class LockBusy(Exception):
    """Another coordinator holds the booking's lock."""


class Locks(Protocol):
    def booking(self, venue_id: str, booking_id: UUID) -> AbstractAsyncContextManager[Any]:
        """Held while one coordinator drives the booking; raises LockBusy when taken."""
        ...


class DueRetries(Protocol):
    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None: ...

    async def pop_due(self, now: datetime, limit: int = 50) -> list[tuple[str, UUID]]: ...


class Outcomes(Protocol):
    async def note(self, event_id: int, payload: dict[str, object]) -> None: ...


class Sweeper(Protocol):
    async def sweep_expired_holds(self, now: datetime) -> int: ...


class Event(Protocol):
    @property
    def event_id(self) -> int: ...

    @property
    def venue_id(self) -> str: ...

    @property
    def booking_id(self) -> str: ...

    @property
    def event_type(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass
class Journeys:
    """Runs the coordinator for every event and every due retry, one booking at a time."""

    coordinator: Coordinator
    locks: Locks
    retries: DueRetries
    outcomes: Outcomes
    sweeper: Sweeper
    clock: Callable[[], datetime]

    async def on_event(self, event: Event) -> None:
        if event.event_type == "booking.state_changed":
            await self.outcomes.note(event.event_id, event.payload)
        await self.drive(event.venue_id, UUID(event.booking_id))

    async def on_dead(self, event: Event) -> None:
        await self.coordinator.give_up(
            event.venue_id, UUID(event.booking_id), "event handling failed repeatedly"
        )

    async def drive(self, venue_id: str, booking_id: UUID) -> None:
        try:
            async with self.locks.booking(venue_id, booking_id):
                await self.coordinator.drive(venue_id, booking_id)
        except BookingGone:
            log.warning(
                "booking not found; nothing to drive", extra={"booking_id": str(booking_id)}
            )
        except LockBusy:
            # The holder may have read the booking before this event's change: look again soon.
            await self.retries.schedule(venue_id, booking_id, self.clock() + BUSY_RETRY)

    async def run_retries(self, interval: float = 0.25) -> None:
        while True:
            try:
                due = await self.retries.pop_due(self.clock())
            except Exception:  # Redis away: wait it out, the queue is still there
                log.exception("retry queue unavailable")
                due = []
            for venue_id, booking_id in due:
                try:
                    await self.drive(venue_id, booking_id)
                except Exception:  # a retry that fails is scheduled again, never lost
                    log.exception("retry failed", extra={"booking_id": str(booking_id)})
                    await self._reschedule(venue_id, booking_id)
            await asyncio.sleep(interval)

    async def _reschedule(self, venue_id: str, booking_id: UUID) -> None:
        try:
            await self.retries.schedule(venue_id, booking_id, self.clock() + BUSY_RETRY * 5)
        except Exception:
            log.exception("could not reschedule", extra={"booking_id": str(booking_id)})

    async def run_sweeper(self, interval: float = 30.0) -> None:
        while True:
            try:
                released = await self.sweeper.sweep_expired_holds(self.clock())
                if released:
                    log.info("expired holds released", extra={"count": released})
            except Exception:
                log.exception("hold sweep failed")
            await asyncio.sleep(interval)
