"""Use cases: move a booking along the lifecycle (a step or several), or to other tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from services.state.application.ports import UnitOfWorkFactory
from services.state.domain.model import (
    Booking,
    BookingEvent,
    Move,
    StateChange,
    apply_move,
    event_for,
)
from services.state.domain.steps import Step, apply_steps
from services.state.domain.table_change import TableChange, apply_table_change, table_change_event
from shared.auth import Caller
from shared.domain_errors import NotFound, StaleVersion

# The booking as read -> the booking after the change, its audit rows and its outbox event.
Decision = Callable[[Booking], tuple[Booking, list[StateChange], BookingEvent]]


async def move_booking(
    venue_id: str,
    booking_id: UUID,
    move: Move,
    caller: Caller,
    *,
    uow: UnitOfWorkFactory,
    now: datetime,
    trace_id: str = "",
) -> Booking:
    """The booking after the move; the change, its history and its event commit together."""

    def decide(booking: Booking) -> tuple[Booking, list[StateChange], BookingEvent]:
        moved, change = apply_move(booking, move, caller, now=now, trace_id=trace_id)
        return moved, [change], event_for(moved, change)

    return await _write(venue_id, booking_id, move.expected_version, decide, uow)


async def record_table_change(
    venue_id: str,
    booking_id: UUID,
    change: TableChange,
    caller: Caller,
    *,
    uow: UnitOfWorkFactory,
    now: datetime,
    trace_id: str = "",
) -> Booking:
    """The booking at its new tables, in the same state; version, history and event as a move."""

    def decide(booking: Booking) -> tuple[Booking, list[StateChange], BookingEvent]:
        moved, audit = apply_table_change(booking, change, caller, now=now, trace_id=trace_id)
        return moved, [audit], table_change_event(booking, moved, audit)

    return await _write(venue_id, booking_id, change.expected_version, decide, uow)


async def advance_booking(
    venue_id: str,
    booking_id: UUID,
    expected_version: int,
    steps: tuple[Step, ...],
    caller: Caller,
    *,
    uow: UnitOfWorkFactory,
    now: datetime,
    trace_id: str = "",
) -> Booking:
    """The booking after every step; their history rows and the one event commit together."""

    def decide(booking: Booking) -> tuple[Booking, list[StateChange], BookingEvent]:
        return apply_steps(booking, steps, expected_version, caller, now=now, trace_id=trace_id)

    return await _write(venue_id, booking_id, expected_version, decide, uow)


async def _write(
    venue_id: str,
    booking_id: UUID,
    expected_version: int,
    decide: Decision,
    uow: UnitOfWorkFactory,
) -> Booking:
    async with uow() as work:
        booking = await work.bookings.get(venue_id, booking_id)
        if booking is None:
            raise NotFound(resource="Booking", id=booking_id)
        moved, changes, event = decide(booking)
        # History and event first: the booking's update takes its venue's version row (migration
        # 0008's trigger), which every writer of the venue waits for until this commits.
        await work.bookings.add_changes(changes)
        await work.bookings.add_event(event)
        if not await work.bookings.update(moved, expected_version=booking.version):
            # Another writer committed between our read and our write: nothing is kept.
            raise StaleVersion(expected=expected_version, current=f"> {booking.version}")
        await work.commit()
        return moved
