"""The assigner's domain errors, mapped to gRPC codes through their shared base classes."""

from __future__ import annotations

from shared.domain_errors import Conflict, FailedPrecondition, StaleVersion


class AllocationConflict(Conflict):
    """The tables are already allocated over an overlapping window (the database said so)."""

    reason = "ALLOCATION_CONFLICT"
    key = "allocation_conflict"


class HoldExpired(FailedPrecondition):
    """The hold lapsed or was released before the call."""

    reason = "HOLD_EXPIRED"
    key = "hold_expired"


class BookingChanged(StaleVersion):
    """The booking is no longer at the version the caller read."""

    key = "stale_version"


class BookingNotReady(FailedPrecondition):
    """The booking's state does not allow the call (for example it is not being assigned)."""

    reason = "ILLEGAL_TRANSITION"
    key = "booking_not_ready"


class NoCapacity(FailedPrecondition):
    """No free table or combination of tables seats the party over its window."""

    reason = "NO_CAPACITY"
    key = "no_capacity"


class NotAHold(FailedPrecondition):
    """The allocation named as a hold is an assignment (for example a confirmed hold)."""

    reason = "HOLD_EXPIRED"  # to the caller it is a hold no longer: place a new one
    key = "not_a_hold"


class HoldMismatch(FailedPrecondition):
    """The hold cannot become this booking's assignment: another booking's, or too short."""

    key = "hold_mismatch"
