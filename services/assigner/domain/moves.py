"""Moves of several bookings at once: the orders, their results, and which moves must be skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from services.assigner.domain.booking import BookingState, BookingView

MOVING = (
    BookingState.ASSIGNED,
    BookingState.CONFIRMED,
)  # a move: the booking has tables and gets others
FIRST = (BookingState.ASSIGNMENT_PENDING, BookingState.ASSIGNMENT_IN_PROGRESS)  # a first assignment
REVIEW = BookingState.MANUAL_REVIEW  # a first assignment too, when the call acts for ops


class MoveOutcome(StrEnum):
    """What became of one move."""

    APPLIED = "APPLIED"
    SKIPPED_STALE = "SKIPPED_STALE"
    SKIPPED_CONFLICT = "SKIPPED_CONFLICT"
    SKIPPED_FROZEN = "SKIPPED_FROZEN"


@dataclass(frozen=True)
class MoveOrder:
    """One booking to move: its id, the version the plan was made at, and its new tables."""

    booking_id: UUID
    expected_version: int
    table_ids: tuple[str, ...]


@dataclass(frozen=True)
class MoveRequest:
    """A validated MoveBookings call."""

    venue_id: str
    orders: tuple[MoveOrder, ...]
    reason: str
    request_id: str


@dataclass(frozen=True)
class MoveResult:
    """What became of one move, and the booking's version afterwards."""

    booking_id: UUID
    outcome: MoveOutcome
    detail: str = ""
    booking_version: int = 0
    allocation_id: UUID | None = None


@dataclass(frozen=True)
class PlannedMove:
    """One booking's new tables over its span (its start to its end plus the venue's buffer)."""

    booking_id: UUID
    expected_version: int
    table_ids: tuple[str, ...]
    start: datetime
    end: datetime
    breakdown: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""  # kept with the allocation, so a retry of the call may redo it


@dataclass(frozen=True)
class Written:
    """What the transaction made of the moves: new groups, stale bookings, and clashes."""

    applied: dict[UUID, UUID]
    stale: dict[UUID, int]  # the version found; 0 when the booking is gone
    conflicts: dict[UUID, str]  # the tables that were taken


def stale(order: MoveOrder, detail: str, version: int | None = None) -> MoveResult:
    version = order.expected_version if version is None else version
    return MoveResult(order.booking_id, MoveOutcome.SKIPPED_STALE, detail, version)


def skip_of(
    order: MoveOrder,
    booking: BookingView | None,
    *,
    now: datetime,
    freeze: timedelta,
    ops: bool = False,
) -> MoveResult | None:
    """Why the move must be left alone, or None when it may be written.

    Only a booking that already has tables is frozen: a first assignment gives tables to a
    booking that has none, which is the more urgent the nearer its start. A booking in manual
    review gets tables only when the call acts for ops (`ops`): only ops take one out of it.
    """
    if booking is None:
        return stale(order, "booking not found at this venue", 0)
    version = booking.version
    if version != order.expected_version:
        return stale(order, f"booking changed since the plan (version {version})", version)
    if booking.pinned:
        return stale(order, "booking is pinned to its tables", version)
    if booking.state == REVIEW and not ops:
        return stale(order, "manual review needs ops", version)
    if booking.state not in MOVING + FIRST + (REVIEW,):
        return stale(order, f"booking is {booking.state}", version)
    if booking.state in MOVING and booking.start - now < freeze:
        minutes = int(freeze.total_seconds() // 60)
        detail = f"starts within the venue's {minutes}-minute freeze window"
        return MoveResult(order.booking_id, MoveOutcome.SKIPPED_FROZEN, detail, version)
    return None
