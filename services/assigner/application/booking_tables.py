"""Use cases that give a booking tables (the engine's, ops' or a hold's) and record them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.assigner.application.allocation_guard import AllocationGuard, to_the_end
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.ports import AllocationStore, StateBookings
from services.assigner.application.table_records import (
    IN_PROGRESS,
    PENDING,
    WITH_TABLES,
    TableRecorder,
)
from services.assigner.domain.allocation import Allocation, AllocationQuery
from services.assigner.domain.booking import BookingState, BookingView
from services.assigner.domain.errors import (
    BookingChanged,
    BookingNotReady,
    HoldExpired,
    HoldMismatch,
    NoCapacity,
    NotAHold,
)
from services.assigner.domain.validation import check_tables_fit
from shared.domain_errors import NotFound

MANUAL_REVIEW = BookingState.MANUAL_REVIEW


@dataclass(frozen=True)
class Outcome:
    """The allocation a call made (or found), the one it replaced, and the booking after it."""

    allocation: Allocation | None
    booking: BookingView
    previous: Allocation | None = None


def checked(view: BookingView, expected_version: int, allowed: tuple[str, ...]) -> BookingView:
    """The booking, if it is at the caller's version and in a state the call starts from."""
    if view.version != expected_version:
        raise BookingChanged(expected=expected_version, current=view.version)
    if view.state not in allowed:
        raise BookingNotReady(
            booking_id=view.booking_id, state=view.state, needed=", ".join(allowed)
        )
    return view


def choice(source: str, reason: str, party_size: int) -> dict[str, Any]:
    """What is kept with an allocation whose tables a person named rather than the engine."""
    return {"source": source, "reason": reason, "party_size": party_size}


class BookingTables:
    """Assigns, hand-assigns, confirms holds for and moves bookings, keeping the state in step."""

    def __init__(
        self,
        *,
        assigner: EngineAssigner,
        store: AllocationStore,
        bookings: StateBookings,
        clock: Callable[[], datetime],
    ) -> None:
        self._assigner = assigner
        self._store = store
        self._bookings = bookings
        self._clock = clock
        self._recorder = TableRecorder(bookings, store.assignments, clock)
        self._guard = AllocationGuard(store.assignments, clock)

    async def assign(self, venue_id: str, booking_id: UUID, expected_version: int) -> Outcome:
        """Seat the booking at its hold, else at the engine's best free plan, and record it."""
        view = await self._bookings.get(venue_id, booking_id)
        live = await self._store.assignments.live_assignment(booking_id)
        if view.state in WITH_TABLES and live is not None:
            return Outcome(live, view)  # a redelivery: the first call already seated it
        view = await self._start(checked(view, expected_version, (PENDING, IN_PROGRESS)))
        query = AllocationQuery(
            venue_id, self._clock(), booking_id=booking_id, kinds=frozenset({"HOLD"})
        )
        holds = await self._store.reads.page(query, None, 1)
        if holds:
            return await self._confirm(holds[0], view, "assigner")
        return await to_the_end(self._assign_by_engine(view))

    async def _assign_by_engine(self, view: BookingView) -> Outcome:
        seating = await self._assigner.assign(view)
        allocation = (
            await self._store.assignments.live_assignment(view.booking_id)
            if seating.seated
            else None
        )
        if allocation is None:
            raise NoCapacity(booking_id=view.booking_id, party_size=view.party_size)
        async with self._guard.recorded(allocation.group_id):
            view = await self._bookings.move(
                "RecordAssignment", view, f"{seating.strategy}: {seating.reason}",
                allocation.table_ids,
            )  # fmt: skip
        return Outcome(allocation, view)

    async def assign_by_hand(
        self,
        venue_id: str,
        booking_id: UUID,
        expected_version: int,
        table_ids: tuple[str, ...],
        reason: str,
        *,
        actor: str,
        on_behalf_of: str,
    ) -> Outcome:
        """Give the booking the tables ops chose, then record them as ops (out of manual review)."""
        view = await self._bookings.get(venue_id, booking_id)
        view = checked(view, expected_version, (PENDING, IN_PROGRESS, MANUAL_REVIEW))
        day = await self._assigner.day(venue_id, view.start, view.end, booking_id)
        check_tables_fit(table_ids, day.tables, view.party_size, day.covers)

        async def write_and_record(view: BookingView) -> Outcome:
            allocation, _ = await self._store.assignments.replace_assignment(
                venue_id, booking_id, table_ids, view.start, view.end + day.buffer,
                now=self._clock(), actor=actor, strategy="manual",
                breakdown=choice("manual", reason, view.party_size),
            )  # fmt: skip
            async with self._guard.recorded(allocation.group_id):
                view = await self._start(view, on_behalf_of)
                view = await self._record_choice(view, table_ids, reason, on_behalf_of)
            return Outcome(allocation, view)

        return await to_the_end(write_and_record(view))

    async def confirm_hold(
        self, venue_id: str, hold_id: UUID, booking_id: UUID, expected_version: int, actor: str
    ) -> Outcome:
        """Turn the hold into the booking's assignment and record it."""
        hold = await self._store.reads.get(hold_id)
        if hold is None or hold.venue_id != venue_id:
            raise NotFound(resource="Hold", id=hold_id)
        view = await self._bookings.get(venue_id, booking_id)
        if hold.kind == "ASSIGNMENT" and hold.booking_id == booking_id and not hold.release_time:
            # A redelivery: the hold is already this booking's assignment.
            if view.state == IN_PROGRESS:
                view = await self._record(view, hold)
            return Outcome(hold, view)
        view = checked(view, expected_version, (PENDING, IN_PROGRESS))
        return await self._confirm(hold, view, actor)

    async def reassign(
        self,
        venue_id: str,
        booking_id: UUID,
        expected_version: int,
        table_ids: tuple[str, ...],
        reason: str,
        *,
        actor: str,
        by_ops: bool,
    ) -> Outcome:
        """Move an ASSIGNED or CONFIRMED booking to the named tables in one transaction and
        record them in the state service, or, with none named, send an ASSIGNED booking back
        to ASSIGNMENT_PENDING for the engine."""
        view = await self._bookings.get(venue_id, booking_id)
        view = checked(
            view, expected_version, WITH_TABLES if table_ids else (BookingState.ASSIGNED,)
        )
        if not table_ids:
            previous = await self._store.assignments.live_assignment(booking_id)
            view = await self._bookings.move("RequestAssignment", view, reason)
            released = await self._store.reads.get(previous.group_id) if previous else None
            return Outcome(None, view, released)
        day = await self._assigner.day(venue_id, view.start, view.end, booking_id)
        check_tables_fit(table_ids, day.tables, view.party_size, day.covers)
        source = "manual" if by_ops else "requested"

        async def write_and_record() -> Outcome:
            allocation, previous = await self._store.assignments.replace_assignment(
                venue_id, booking_id, table_ids, view.start, view.end + day.buffer,
                now=self._clock(), actor=actor, strategy=source,
                breakdown=choice(source, reason, view.party_size),
            )  # fmt: skip
            async with self._guard.recorded(allocation.group_id):
                recorded = await self._recorder.record(view, allocation, reason, WITH_TABLES)
            if not recorded.kept:  # it ended or moved on meanwhile: the new tables were released
                raise BookingNotReady("booking_moved", booking_id=booking_id)
            return Outcome(allocation, recorded.booking, previous)

        return await to_the_end(write_and_record())

    async def _start(self, view: BookingView, on_behalf_of: str = "") -> BookingView:
        if view.state != PENDING:
            return view
        return await self._bookings.move(
            "StartAssignment", view, "assignment started", on_behalf_of=on_behalf_of
        )

    async def _record_choice(
        self, view: BookingView, table_ids: tuple[str, ...], reason: str, on_behalf_of: str
    ) -> BookingView:
        """Record ops' tables: out of manual review (ops only) or from assignment in progress."""
        if view.state == MANUAL_REVIEW:
            return await self._bookings.move(
                "ResolveManualReview", view, reason, table_ids,
                target_state=BookingState.ASSIGNED, on_behalf_of=on_behalf_of,
            )  # fmt: skip
        return await self._bookings.move(
            "RecordAssignment", view, reason, table_ids, on_behalf_of=on_behalf_of
        )

    async def _record(self, view: BookingView, allocation: Allocation) -> BookingView:
        return await self._bookings.move(
            "RecordAssignment", view, "hold confirmed", allocation.table_ids
        )

    async def _confirm(self, hold: Allocation, view: BookingView, actor: str) -> Outcome:
        now = self._clock()
        if hold.kind != "HOLD":
            raise NotAHold(hold_id=hold.group_id)
        if hold.release_time is not None or (hold.expire_time and hold.expire_time <= now):
            raise HoldExpired(hold_id=hold.group_id)
        if hold.booking_id not in (None, view.booking_id):
            raise HoldMismatch("hold_of_another_booking", hold_id=hold.group_id)
        if hold.start > view.start or hold.end < view.end:
            raise HoldMismatch("hold_too_short", hold_id=hold.group_id, booking_id=view.booking_id)
        live = await self._store.assignments.live_assignment(view.booking_id)
        if live is not None:
            raise BookingNotReady(
                "booking_has_tables", booking_id=view.booking_id, tables=",".join(live.table_ids)
            )
        return await to_the_end(self._confirm_and_record(hold, view, now, actor))

    async def _confirm_and_record(
        self, hold: Allocation, view: BookingView, now: datetime, actor: str
    ) -> Outcome:
        view = await self._start(view)
        allocation = await self._store.holds.confirm_hold(
            hold.group_id, view.booking_id, now, actor
        )
        async with self._guard.recorded(allocation.group_id):
            view = await self._record(view, allocation)
        return Outcome(allocation, view)
