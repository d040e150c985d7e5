"""Use case: the engine's ranked plans for a booking or a party, and the yield policy's say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID

from services.assigner.application.assign import EngineAssigner
from services.assigner.application.ports import StateBookings
from services.assigner.domain.booking import BookingState, BookingView
from services.assigner.domain.plans import Plan
from shared.seating.yield_policy import AdmissionDecision

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


@dataclass(frozen=True)
class Quote:
    """The ranked plans, and the yield policy's decision when it is on and something fits."""

    plans: list[Plan]
    decision: AdmissionDecision | None = None
    protected_start: datetime | None = None  # the decision's protected slot as an instant


async def quote_booking(
    venue_id: str,
    booking_id: UUID,
    limit: int,
    *,
    assigner: EngineAssigner,
    bookings: StateBookings,
) -> Quote:
    """Plans for a booking as the state service has it; its own tables do not count against it."""
    view = await bookings.get(venue_id, booking_id)
    return await quote_party(view, limit, assigner=assigner)


async def quote_party(view: BookingView, limit: int, *, assigner: EngineAssigner) -> Quote:
    plans, day = await assigner.plans(view, limit)
    decision = await assigner.admission(view, day) if plans else None
    if decision is None or decision.protected_slot_minute is None:
        return Quote(plans, decision)
    local_day = view.start.astimezone(day.context.timezone).date()
    midnight = datetime.combine(local_day, time(), day.context.timezone)
    protected = midnight + timedelta(minutes=decision.protected_slot_minute)
    return Quote(plans, decision, protected)
