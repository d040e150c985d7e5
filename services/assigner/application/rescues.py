"""Rescue by re-packing: seat a booking no free table fits by moving other bookings first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from services.assigner.application.coordinator_ports import Mover, RescuePlans, Seating
from services.assigner.domain.booking import BookingView
from services.assigner.domain.moves import MoveOrder, MoveOutcome, MoveRequest
from shared.domain_errors import DomainError

log = logging.getLogger("maitred.assigner.rescue")
STRATEGY = "rescue"
ACTOR = "assigner"


def request_id_of(booking: BookingView) -> str:
    """One request per booking version: a redelivery replays it, a later try is a new request."""
    return f"rescue-{booking.booking_id}-v{booking.version}"


class RescueOff:
    """No optimizer configured: there is never a re-pack, and the retry path takes over."""

    async def seat(self, booking: BookingView) -> Seating:
        return Seating((), "", "")


@dataclass(frozen=True)
class Rescuer:
    """Asks the optimizer for a re-pack and applies it with the booking's own first assignment
    in one MoveBookings call, so the moves never happen without the booking taking the room."""

    plans: RescuePlans
    mover: Mover
    time_limit: timedelta | None = None  # None: the venue's own rescue time limit

    async def seat(self, booking: BookingView) -> Seating:
        plan = await self.plans.find(booking.venue_id, booking.booking_id, self.time_limit)
        if plan is None:
            return Seating((), STRATEGY, "no re-pack seats the party")
        own = MoveOrder(booking.booking_id, booking.version, tuple(sorted(plan.table_ids)))
        others = tuple(m for m in plan.moves if m.booking_id != booking.booking_id)
        request = MoveRequest(
            venue_id=booking.venue_id,
            orders=(*others, own),
            reason=f"rescue re-pack for {booking.booking_id}",
            request_id=request_id_of(booking),
        )
        try:
            results = await self.mover.move(request, ACTOR)
        except DomainError as error:  # a plan the floor no longer takes, or a replay still busy
            log.warning("rescue re-pack refused", extra={
                "booking_id": str(booking.booking_id), "error": str(error)})  # fmt: skip
            return Seating((), STRATEGY, f"re-pack not applied: {error.reason}")
        mine = next(r for r in results if r.booking_id == booking.booking_id)
        if mine.outcome != MoveOutcome.APPLIED:
            return Seating((), STRATEGY, f"re-pack not applied: {mine.detail}")
        moved = sum(r.outcome == MoveOutcome.APPLIED for r in results) - 1
        log.info("rescued by re-pack", extra={
            "booking_id": str(booking.booking_id), "moved": moved,
            "skipped": len(results) - 1 - moved})  # fmt: skip
        return Seating(own.table_ids, STRATEGY, f"re-pack moved {moved} of {len(others)} bookings")
