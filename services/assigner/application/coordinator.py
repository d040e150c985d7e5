"""The coordinator: drives one booking from CREATED to CONFIRMED in a few versioned steps.

On the automated path's first try it takes one server-side step after the capacity check: it
writes the booking's tables while the booking is still CREATED, then records every step from
CREATED through ASSIGNED (to CONFIRMED when the venue's policy allows) in one AdvanceBooking,
each transition still writing its own history row at the state service, under one event. When
no table is written (none fits, the yield policy refuses, a re-pack is needed) the booking
goes to its first try in progress in one advance and the outcome is taken from there.

Every step reads the booking afresh and acts on the state it finds, so a redelivered event, a
crash between two steps or a rival coordinator all converge on one path: a stale version is
just a reason to read again (tables too are written or taken up only at the version the drive
acts on), and writing tables is idempotent per booking (a CREATED booking that kept the tables
of a drive cut short finds them again when it is driven anew). When no free table fits, a
re-pack that moves other bookings is tried before a retry or manual review.
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
from services.assigner.application.own_changes import OwnChanges
from services.assigner.application.rescues import RescueOff
from services.assigner.domain.backoff import due_time, retry_delay
from services.assigner.domain.booking import (
    BookingState,
    BookingView,
    DependencyDown,
    Step,
    Superseded,
)
from services.assigner.domain.errors import BookingNotReady

log = logging.getLogger("maitred.assigner.coordinator")
MAX_STEPS = 12
AUTOMATED = (
    BookingState.CREATED,
    BookingState.CAPACITY_VERIFIED,
    BookingState.ASSIGNMENT_PENDING,
    BookingState.ASSIGNMENT_IN_PROGRESS,
)
TO_FIRST_TRY = (
    Step(BookingState.ASSIGNMENT_PENDING, "capacity verified"),
    Step(BookingState.ASSIGNMENT_IN_PROGRESS, "try 1"),
)
AUTO_CONFIRMED = Step(BookingState.CONFIRMED, "auto-confirmed by policy")


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
    own: OwnChanges = field(default_factory=OwnChanges)

    async def drive(
        self, venue_id: str, booking_id: UUID, known: BookingView | None = None
    ) -> Result:
        """Take every step the booking's state allows now; schedule a retry when it must wait.

        `known` is the booking as an event told of it, to start from without reading it; a
        stale one costs a refused step and a read.
        """
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
            if known is not None:
                self.own.wrote(known.booking_id, known.version)
        return Result.SETTLED

    async def give_up(self, venue_id: str, booking_id: UUID, why: str) -> None:
        """Hand a booking the automated path cannot finish to ops (manual review)."""
        booking = await self.bookings.get(venue_id, booking_id)
        if booking.state in AUTOMATED:
            await self.bookings.move("SendToManualReview", booking, why)

    async def _step(self, booking: BookingView) -> Result | BookingView | None:
        state = booking.state
        if state == BookingState.CREATED:
            answer = await self.capacity.check(booking)
            if not answer.accepted:
                return await self.bookings.move(
                    "RejectBooking", booking, f"{answer.reason}: {answer.detail}"
                )
            # Tries start in progress, so a booking this early has none: no backoff, straight on.
            verified = Step(BookingState.CAPACITY_VERIFIED, answer.detail)
            return await to_the_end(self._first_try(booking, (verified, *TO_FIRST_TRY)))
        if state == BookingState.CAPACITY_VERIFIED:
            return await to_the_end(self._first_try(booking, TO_FIRST_TRY))
        if state == BookingState.ASSIGNMENT_PENDING:
            return await self._start(booking)
        if state == BookingState.ASSIGNMENT_IN_PROGRESS:
            return await to_the_end(self._assign(booking))
        if state == BookingState.ASSIGNED and (await self.rules.get(booking.venue_id)).auto_confirm:
            return await self.bookings.move("ConfirmBooking", booking, "auto-confirmed by policy")
        return None

    async def _first_try(self, booking: BookingView, to_try: tuple[Step, ...]) -> BookingView:
        """Write the tables before the booking reaches its first try, then take `to_try` and
        the assignment in one advance; without tables, take `to_try` alone and go on from the
        try in progress with the outcome at hand."""
        seating = await self._seat(booking)
        if seating.seated:
            return await self._record(booking, seating, to_try)
        in_progress = await self.bookings.advance(booking, to_try)
        self.own.wrote(in_progress.booking_id, in_progress.version)
        return await self._assign(in_progress, seating)

    async def _start(self, booking: BookingView) -> Result | BookingView:
        failures, last = await self.attempts.last_failure(booking.booking_id)
        due = due_time(failures, last, self.jitter)
        if due is not None and due > self.clock():
            await self.retries.schedule(booking.venue_id, booking.booking_id, due)
            return Result.WAITING
        return await self.bookings.move("StartAssignment", booking, f"try {failures + 1}")

    async def _seat(self, booking: BookingView) -> Seating:
        try:
            return await self.tables.assign(booking, note_attempt=True)
        except BookingNotReady as refused:  # the database refused: the booking moved on
            raise Superseded(str(refused)) from refused

    async def _assign(self, booking: BookingView, tried: Seating | None = None) -> BookingView:
        """Act on the outcome of the try in progress: `tried`, when made already, else a new one."""
        seating = tried if tried is not None else await self._seat(booking)
        if seating.refused:  # the yield policy keeps the tables for forecast demand: final
            return await self.bookings.move("RejectBooking", booking, seating.reason)
        if not seating.seated:
            rescued = await self.rescue.seat(booking)
            if rescued.seated:
                return await self._rescued(booking, rescued)
            seating = _tried(seating, rescued)
        if seating.seated:
            return await self._record(booking, seating)
        failures = await self.attempts.record(  # once per version, however many replicas try
            booking.venue_id, booking.booking_id, "NO_TABLE", seating, booking.version
        )
        budget = (seating.rules or await self.rules.get(booking.venue_id)).retry_budget
        if failures >= budget:
            reason = f"{seating.reason} after {failures} tries"
            log.warning(
                "manual review", extra={"booking_id": str(booking.booking_id), "reason": reason}
            )
            return await self.bookings.move("SendToManualReview", booking, reason)
        return await self.bookings.move("RequestAssignment", booking, f"retry: {seating.reason}")

    async def _record(
        self, booking: BookingView, seating: Seating, before: tuple[Step, ...] = ()
    ) -> BookingView:
        """Record the tables after the steps `before`, and the confirmation with them when the
        policy allows, in one advance; the tables are released if it fails."""
        if not seating.attempt_noted:
            await self.attempts.record(booking.venue_id, booking.booking_id, "ASSIGNED", seating)
        reason = f"{seating.strategy}: {seating.reason}"
        auto_confirm = (seating.rules or await self.rules.get(booking.venue_id)).auto_confirm
        assigned = Step(BookingState.ASSIGNED, reason, seating.table_ids)
        steps = (*before, assigned, AUTO_CONFIRMED) if auto_confirm else (*before, assigned)
        async with self.tables.recorded(seating.group_id):
            return await self.bookings.advance(booking, steps)

    async def _rescued(self, booking: BookingView, seating: Seating) -> BookingView:
        """Note the re-pack's try; it recorded the assignment itself, so read what it left."""
        await self.attempts.record(booking.venue_id, booking.booking_id, "ASSIGNED", seating)
        return await self.bookings.get(booking.venue_id, booking.booking_id)

    async def _dependency_down(self, venue_id: str, booking_id: UUID, why: str) -> Result:
        failures = await self.attempts.record(venue_id, booking_id, "DEPENDENCY_DOWN", None)
        log.warning(
            "dependency down",
            extra={"booking_id": str(booking_id), "why": why, "failures": failures},
        )
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
    return Seating((), seating.strategy, f"{seating.reason}; {rescued.reason}", rules=seating.rules)
