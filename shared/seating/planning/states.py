"""The booking states seat planning reads and reasons about, as the state service names them."""

from __future__ import annotations

from enum import StrEnum


class BookingState(StrEnum):
    """A booking's lifecycle state (proto `BookingState`; the state service's domain enum)."""

    CREATED = "CREATED"
    CAPACITY_VERIFIED = "CAPACITY_VERIFIED"
    ASSIGNMENT_PENDING = "ASSIGNMENT_PENDING"
    ASSIGNMENT_IN_PROGRESS = "ASSIGNMENT_IN_PROGRESS"
    ASSIGNED = "ASSIGNED"
    CONFIRMED = "CONFIRMED"
    SEATED = "SEATED"
    COMPLETED = "COMPLETED"
    MANUAL_REVIEW = "MANUAL_REVIEW"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"


# States whose bookings hold tables: one without live allocations lost them under it.
WITH_TABLES = frozenset({BookingState.ASSIGNED, BookingState.CONFIRMED, BookingState.SEATED})
