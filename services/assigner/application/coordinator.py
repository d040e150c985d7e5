"""The coordinator: drives one booking from CREATED to CONFIRMED, one versioned step at a time.

Every step reads the booking afresh and acts on the state it finds, so a redelivered event, a
crash between two steps or a rival coordinator all converge on one path: a stale version is
just a reason to read again, and writing tables is idempotent per booking. When no free table
fits, a re-pack that moves other bookings is tried before a retry or manual review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from services.assigner.application.allocation_guard import to_the_end
from services.assigner.application.coordinator_ports import (
    Attempts,
    Bookings,
    CapacityCheck,
    Rescue,
    Retries,
    Rules,
    Seating,
    TableAssigner,
)
from services.assigner.application.rescues import RescueOff
from services.assigner.domain.backoff import due_time, retry_delay
from services.assigner.domain.booking import BookingView, DependencyDown, Superseded
from services.assigner.domain.errors import BookingNotReady

log = logging.getLogger("maitred.assigner.coordinator")
MAX_STEPS = 12
AUTOMATED = ("CREATED", "CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS")


class Result(StrEnum):
    """Where a drive left the booking."""

    SETTLED = "SETTLED"  # nothing more for the coordinator to do
    WAITING = "WAITING"  # a retry is scheduled


@dataclass
class Coordinator:
    """Moves bookings along the automated path through the state service's versioned RPCs."""

    bookings: Bookings
    capacity: CapacityCheck
    tables: TableAssigner
    attempts: Attempts
    rules: Rules
    retries: Retries
    clock: Callable[[], datetime]
    jitter: Callable[[], float]
    rescue: Rescue = field(default_factory=RescueOff)

    async def drive(self, venue_id: str, booking_id: UUID) -> Result:
        """Take every step the booking's state allows now; schedule a retry when it must wait."""
        known: BookingView | None = None  # each move returns the booking: no need to re-read
        for _ in range(MAX_STEPS):
            try:
                booking = known or await self.bookings.get(venue_id, booking_id)
                moved = await self._step(booking)
            except Superseded:
                known = None  # someone else moved it: read again and carry on from there
                continue
            except DependencyDown as down:
                return await self._dependency_down(venue_id, booking_id, str(down))
            if moved is None:
                return Result.SETTLED
            if moved is Result.WAITING:
                return Result.WAITING
            known = moved if isinstance(moved, BookingView) else None
        return Result.SETTLED

    async def give_up(self, venue_id: str, booking_id: UUID, why: str) -> None:
        """Hand a booking the automated path cannot finish to ops (manual review)."""
        booking = await self.bookings.get(venue_id, booking_id)
        if booking.state in AUTOMATED:
            await self.bookings.move("SendToManualReview", booking, why)

    async def _step(self, booking: BookingView) -> Result | BookingView | None:
        state = booking.state
        if state == "CREATED":
            answer = await self.capacity.check(booking)
            if answer.accepted:
                return await self.bookings.move("VerifyCapacity", booking, answer.detail)
            return await self.bookings.move(
                "RejectBooking", booking, f"{answer.reason}: {answer.detail}"
            )
        if state == "CAPACITY_VERIFIED":
            return await self.bookings.move("RequestAssignment", booking, "capacity verified")
        if state == "ASSIGNMENT_PENDING":
            return await self._start(booking)
        if state == "ASSIGNMENT_IN_PROGRESS":
            return await to_the_end(self._assign(booking))
        if state == "ASSIGNED" and (await self.rules.get(booking.venue_id)).auto_confirm:
            return await self.bookings.move("ConfirmBooking", booking, "auto-confirmed by policy")
        return None

    async def _start(self, booking: BookingView) -> Result | BookingView:
        failures, last = await self.attempts.last_failure(booking.booking_id)
        due = due_time(failures, last, self.jitter)
        if due is not None and due > self.clock():
            await self.retries.schedule(booking.venue_id, booking.booking_id, due)
            return Result.WAITING
        return await self.bookings.move("StartAssignment", booking, f"try {failures + 1}")

    async def _assign(self, booking: BookingView) -> BookingView:
        try:
            seating = await self.tables.assign(booking)
        except BookingNotReady as refused:  # the database refused: the booking moved on
            raise Superseded(str(refused)) from refused
        if not seating.seated:
            rescued = await self.rescue.seat(booking)
            if rescued.seated:
                return await self._rescued(booking, rescued)
            seating = _tried(seating, rescued)
        if seating.seated:
            await self.attempts.record(booking.venue_id, booking.booking_id, "ASSIGNED", seating)
            async with self.tables.recorded(seating.group_id):
                return await self.bookings.move(
                    "RecordAssignment", booking, f"{seating.strategy}: {seating.reason}",
                    seating.table_ids,
                )  # fmt: skip
        failures = await self.attempts.record(
            booking.venue_id, booking.booking_id, "NO_TABLE", seating
        )
        budget = (await self.rules.get(booking.venue_id)).retry_budget
        if failures >= budget:
            reason = f"{seating.reason} after {failures} tries"
            log.warning("manual review", extra={"booking_id": str(booking.booking_id),
                                                "reason": reason})  # fmt: skip
            return await self.bookings.move("SendToManualReview", booking, reason)
        return await self.bookings.move("RequestAssignment", booking, f"retry: {seating.reason}")

    async def _rescued(self, booking: BookingView, seating: Seating) -> BookingView:
        """Note the re-pack's try; it recorded the assignment itself, so read what it left."""
        await self.attempts.record(booking.venue_id, booking.booking_id, "ASSIGNED", seating)
        return await self.bookings.get(booking.venue_id, booking.booking_id)

    async def _dependency_down(self, venue_id: str, booking_id: UUID, why: str) -> Result:
        failures = await self.attempts.record(venue_id, booking_id, "DEPENDENCY_DOWN", None)
        log.warning("dependency down", extra={"booking_id": str(booking_id), "why": why,
                                              "failures": failures})  # fmt: skip
        if failures >= (await self.rules.get(venue_id)).retry_budget:
            try:
                booking = await self.bookings.get(venue_id, booking_id)
                if booking.state in AUTOMATED:
                    await self.bookings.move(
                        "SendToManualReview", booking, f"dependency down: {why}"
                    )
                    return Result.SETTLED
            except (DependencyDown, Superseded):
                pass  # the state service itself is down or the booking moved: try again later
        due = self.clock() + retry_delay(failures, self.jitter)
        await self.retries.schedule(venue_id, booking_id, due)
        return Result.WAITING


def _tried(seating: Seating, rescued: Seating) -> Seating:
    """The failed try, its reason saying what became of the re-pack when one was asked for."""
    if not rescued.reason:
        return seating
    return Seating((), seating.strategy, f"{seating.reason}; {rescued.reason}")
