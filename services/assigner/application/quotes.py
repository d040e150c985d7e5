"""Use case: the engine's ranked plans for a booking or a party, without allocating anything."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.assigner.application.assign import EngineAssigner
from services.assigner.application.ports import StateBookings
from services.assigner.domain.booking import BookingState, BookingView
from services.assigner.domain.plans import Plan

NO_BOOKING = UUID(int=0)  # a party without a booking excludes no allocations of its own


def party_view(
    venue_id: str, party_size: int, start: datetime, end: datetime, zone_id: str | None
) -> BookingView:
    """A party the engine can plan for as if it were a booking (a new one: the engine reads no
    state, only the party, its time and its zone)."""
    return BookingView(
        booking_id=NO_BOOKING, venue_id=venue_id, state=BookingState.CREATED, version=0,
        party_size=party_size,
        start=start, end=end, preferred_zone_id=zone_id, table_ids=(),
    )  # fmt: skip


async def quote_booking(
    venue_id: str,
    booking_id: UUID,
    limit: int,
    *,
    assigner: EngineAssigner,
    bookings: StateBookings,
) -> list[Plan]:
    """Plans for a booking as the state service has it; its own tables do not count against it."""
    view = await bookings.get(venue_id, booking_id)
    plans, _ = await assigner.plans(view, limit)
    return plans


async def quote_party(view: BookingView, limit: int, *, assigner: EngineAssigner) -> list[Plan]:
    plans, _ = await assigner.plans(view, limit)
    return plans
