"""The coordinator's loops: booking events, due retries, stalled journeys and expired holds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from services.assigner.application.coordinator import Coordinator
from services.assigner.domain.booking import BookingGone, BookingState, BookingView
from shared.tracing import continued_span, mark_failed

log = logging.getLogger("maitred.assigner.journeys")
BUSY_RETRY = timedelta(seconds=1)
STALLED_AFTER = timedelta(seconds=60)  # longer than any wait between two steps of a journey
# States the coordinator never moves a booking out of (ASSIGNED it may confirm).
NOTHING_TO_DO = frozenset(
    {
        BookingState.CONFIRMED,
        BookingState.SEATED,
        BookingState.COMPLETED,
        BookingState.REJECTED,
        BookingState.CANCELLED,
        BookingState.NO_SHOW,
        BookingState.MANUAL_REVIEW,
    }
)


class LockBusy(Exception):
    """Another coordinator holds the booking's lock."""


class Locks(Protocol):
    def booking(self, venue_id: str, booking_id: UUID) -> AbstractAsyncContextManager[Any]:
        """Held while one coordinator drives the booking; raises LockBusy when taken."""
        ...


@dataclass(frozen=True)
class DueDrive:
    """A booking whose retry is due, with the trace context it was scheduled in."""

    venue_id: str
    booking_id: UUID
    trace_context: dict[str, str] = field(default_factory=dict)


class DueRetries(Protocol):
    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None:
        """Drive the booking again at `due`, in the current trace."""
        ...

    async def pop_due(self, now: datetime, limit: int = 50) -> list[DueDrive]: ...

    async def is_scheduled(self, venue_id: str, booking_id: UUID) -> bool: ...


class Stalled(Protocol):
    async def stalled(
        self, idle_since: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, UUID]]:
        """Future bookings the coordinator should have moved on, unchanged since `idle_since`."""
        ...

    async def drifted(
        self, idle_since: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, UUID]]:
        """Future bookings whose recorded tables are not those of their live assignment."""
        ...


class Drift(Protocol):
    async def reconcile(self, venue_id: str, booking_id: UUID) -> bool: ...


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

    @property
    def booking(self) -> BookingView | None:
        """The booking as the event tells of it; None when the event does not say enough."""
        ...


@dataclass
class Journeys:
    """Runs the coordinator for every event and every due retry, one booking at a time."""

    coordinator: Coordinator
    locks: Locks
    retries: DueRetries
    outcomes: Outcomes
    sweeper: Sweeper
    clock: Callable[[], datetime]
    stalled: Stalled | None = None
    drift: Drift | None = None

    async def on_event(self, event: Event) -> None:
        if event.event_type == "booking.state_changed":
            await self.outcomes.note(event.event_id, event.payload)
        known = event.booking
        if known is not None:
            if self.coordinator.own.made(known.booking_id, known.version):
                return  # our own change: the drive that wrote it carried on from it
            if known.state in NOTHING_TO_DO:
                return  # a later change, if any, brings its own event
        await self.drive(event.venue_id, UUID(event.booking_id), known)

    async def on_dead(self, event: Event) -> None:
        await self.coordinator.give_up(
            event.venue_id, UUID(event.booking_id), "event handling failed repeatedly"
        )

    async def drive(
        self, venue_id: str, booking_id: UUID, known: BookingView | None = None
    ) -> None:
        try:
            async with self.locks.booking(venue_id, booking_id):
                await self.coordinator.drive(venue_id, booking_id, known)
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
            except Exception as error:  # Redis away: wait it out (the stall sweeper has our back)
                log.warning("retry queue unavailable", extra={"error": repr(error)})
                await asyncio.sleep(max(interval, 1.0))
                continue
            for retry in due:
                await self._retry(retry)
            await asyncio.sleep(interval)

    async def run_stall_sweeper(
        self, interval: float = 15.0, idle: timedelta = STALLED_AFTER
    ) -> None:
        """Drive again every booking whose journey stopped: its event or its retry was lost
        (Redis lost its data, say). The outbox marks an event published once it is in the
        stream, so without this a booking could wait in CREATED for good."""
        assert self.stalled is not None
        while True:
            try:
                await self.sweep_stalled(idle)
            except Exception as error:
                log.warning("stall sweep failed", extra={"error": repr(error)})
            await asyncio.sleep(interval)

    async def sweep_stalled(self, idle: timedelta = STALLED_AFTER) -> int:
        """Drive the stalled bookings that no retry is waiting for; returns how many."""
        assert self.stalled is not None
        now = self.clock()
        driven = 0
        for venue_id, booking_id in await self.stalled.stalled(now - idle, now):
            if await self.retries.is_scheduled(venue_id, booking_id):
                continue  # a backoff is running its course
            log.warning("driving a stalled booking", extra={"booking_id": str(booking_id)})
            await self._retry(DueDrive(venue_id, booking_id))
            driven += 1
        if self.drift is not None:
            for venue_id, booking_id in await self.stalled.drifted(now - idle, now):
                driven += await self._reconcile(venue_id, booking_id)
        return driven

    async def _reconcile(self, venue_id: str, booking_id: UUID) -> bool:
        assert self.drift is not None
        try:
            async with self.locks.booking(venue_id, booking_id):
                fixed = await self.drift.reconcile(venue_id, booking_id)
        except LockBusy:
            return False  # the holder is at it; the next sweep looks again
        except Exception as error:
            log.warning(
                "table drift not fixed", extra={"booking_id": str(booking_id), "error": repr(error)}
            )
            return False
        if fixed:
            log.warning("recorded a booking's live tables", extra={"booking_id": str(booking_id)})
        return fixed

    async def _retry(self, retry: DueDrive) -> None:
        venue_id, booking_id = retry.venue_id, retry.booking_id
        attributes = {"maitred.venue_id": venue_id, "maitred.booking_id": str(booking_id)}
        # In the trace of the event that scheduled it: one trace per journey, retries included.
        with continued_span("booking retry", retry.trace_context, attributes=attributes) as span:
            try:
                await self.drive(venue_id, booking_id)
            except Exception as error:  # a retry that fails is scheduled again, never lost
                mark_failed(span, error)
                log.exception("retry failed", extra={"booking_id": str(booking_id)})
                await self._reschedule(venue_id, booking_id)

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
