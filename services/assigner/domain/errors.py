"""The assigner's domain errors, mapped to gRPC codes through their shared base classes."""

from __future__ import annotations

from shared.domain_errors import Conflict, FailedPrecondition


class AllocationConflict(Conflict):
    """The tables are already allocated over an overlapping window (the database said so)."""

    reason = "ALLOCATION_CONFLICT"
    key = "allocation_conflict"


class HoldExpired(FailedPrecondition):
    """The hold lapsed or was released before the call."""

    reason = "HOLD_EXPIRED"
    key = "hold_expired"
