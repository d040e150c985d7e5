"""Use case: move a booking along the lifecycle, with its history row and outbox event."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.state.application.ports import UnitOfWorkFactory
from services.state.domain.model import Booking, Move, apply_move, event_for
from shared.auth import Caller
from shared.domain_errors import NotFound, StaleVersion


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
    async with uow() as work:
        booking = await work.bookings.get(venue_id, booking_id)
        if booking is None:
            raise NotFound(resource="Booking", id=booking_id)
        moved, change = apply_move(booking, move, caller, now=now, trace_id=trace_id)
        if not await work.bookings.update(moved, expected_version=booking.version):
            # Another writer committed between our read and our write.
            raise StaleVersion(expected=move.expected_version, current=f"> {booking.version}")
        await work.bookings.add_change(change)
        await work.bookings.add_event(event_for(moved, change))
        await work.commit()
        return moved
