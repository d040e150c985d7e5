"""Records a booking's new allocation in the state service, settling races with other writers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from services.assigner.domain.booking import BookingState, BookingView, Superseded
from services.assigner.domain.errors import BookingNotReady

PENDING = BookingState.ASSIGNMENT_PENDING
IN_PROGRESS = BookingState.ASSIGNMENT_IN_PROGRESS
REVIEW = BookingState.MANUAL_REVIEW
WITH_TABLES = (BookingState.ASSIGNED, BookingState.CONFIRMED)
# A party that sat down keeps the allocation it has: releasing it would free a table in use.
SAT_DOWN = (BookingState.SEATED, BookingState.COMPLETED)
ATTEMPTS = 4


@dataclass(frozen=True)
class Recorded:
    """The booking after the attempt, and whether it took the allocation (else it is released)."""

    booking: BookingView
    kept: bool


class Allocated(Protocol):
    """The new allocation to record: its group and its tables."""

    @property
    def group_id(self) -> UUID: ...

    @property
    def table_ids(self) -> tuple[str, ...]: ...


class RecordingBookings(Protocol):
    async def get(self, venue_id: str, booking_id: UUID) -> BookingView: ...

    async def move(
        self,
        command: str,
        booking: BookingView,
        reason: str,
        table_ids: tuple[str, ...] = (),
        *,
        target_state: str = "",
        on_behalf_of: str = "",
    ) -> BookingView: ...

    async def record_tables(
        self, booking: BookingView, table_ids: tuple[str, ...], reason: str
    ) -> BookingView: ...


class RecordingStore(Protocol):
    async def live_assignment(self, booking_id: UUID) -> Any: ...

    async def release_allocation(self, group_id: UUID, now: datetime) -> bool: ...

    async def release_unless_recorded(self, group_id: UUID, now: datetime) -> bool: ...


class RestoringStore(RecordingStore, Protocol):
    async def restore_recorded(self, booking_id: UUID, now: datetime) -> Any:
        """Allocate again the recorded tables of a booking left without a live assignment;
        None when it wrote nothing (raises AllocationConflict when a rival holds one)."""
        ...


@dataclass(frozen=True)
class TableRecorder:
    """Makes the state service's copy of a booking's tables match its new allocation."""

    bookings: RecordingBookings
    store: RecordingStore
    clock: Callable[[], datetime]

    async def record(
        self,
        view: BookingView,
        allocation: Allocated,
        reason: str,
        accept: tuple[str, ...],
        *,
        on_behalf_of: str = "",
    ) -> Recorded:
        """Record the allocation for a booking in one of the `accept` states, at its version.

        When the booking changed meanwhile it is read again: still in an `accept` state with this
        allocation in force, the allocation is the truth and is recorded at the new version;
        otherwise (it ended, or another call gave it other tables) the allocation is released.
        """
        for _ in range(ATTEMPTS):
            if view.state not in accept:
                break
            try:
                booking = await self._record_once(view, allocation, reason, on_behalf_of)
                return Recorded(booking, kept=True)
            except Superseded:
                view = await self.bookings.get(view.venue_id, view.booking_id)
                live = await self.store.live_assignment(view.booking_id)
                if live is None or live.group_id != allocation.group_id:
                    break
        else:
            raise BookingNotReady("booking_moved", booking_id=view.booking_id)
        if view.state not in SAT_DOWN:
            await self.store.release_allocation(allocation.group_id, self.clock())
        return Recorded(view, kept=False)

    async def _record_once(
        self, view: BookingView, allocation: Allocated, reason: str, on_behalf_of: str
    ) -> BookingView:
        tables = allocation.table_ids
        if view.state == REVIEW and on_behalf_of:
            return await self.bookings.move(
                "ResolveManualReview",
                view,
                reason,
                tables,
                target_state=BookingState.ASSIGNED,
                on_behalf_of=on_behalf_of,
            )
        if view.state in WITH_TABLES:
            if sorted(view.table_ids) == sorted(tables):
                return view  # already recorded, by us or by a rival that found our allocation
            return await self.bookings.record_tables(view, tables, reason)
        if view.state == PENDING:
            view = await self.bookings.move("StartAssignment", view, "assignment started")
        if view.state == IN_PROGRESS:
            return await self.bookings.move("RecordAssignment", view, reason, tables)
        raise Superseded(f"booking is {view.state}")


@dataclass(frozen=True)
class TableDrift:
    """Makes the state service's copy of a booking's tables match its live assignment again,
    after a move whose record was cut off (the assigner stopped between commit and record)."""

    bookings: RecordingBookings
    store: RestoringStore
    recorder: TableRecorder

    async def reconcile(self, venue_id: str, booking_id: UUID) -> bool:
        """Record the live tables when they differ from the state's; True when it did. A
        booking with tables on record and none in force gets its recorded tables allocated
        again where they are still free (never moved, released or rejected: ops see a
        conflict in the log and the table check)."""
        view = await self.bookings.get(venue_id, booking_id)
        if view.state not in WITH_TABLES:
            return False
        live = await self.store.live_assignment(booking_id)
        if live is None:
            return await self.store.restore_recorded(booking_id, self.recorder.clock()) is not None
        if sorted(live.table_ids) == sorted(view.table_ids):
            return False
        reason = "tables recorded after an interrupted move"
        return (await self.recorder.record(view, live, reason, WITH_TABLES)).kept
