"""The booking as the coordinator sees it, and why a step of its journey could not be taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

# The states, as the state service names them: one enum for every reader of bookings.
from shared.seating.planning.states import BookingState as BookingState

# What the database enforces about tables, in the domain's terms (the migrations hold frozen
# copies, checked against these by tests/unit/assigner/test_migration_states.py):
# a change into one of these states releases the booking's tables (migration 0010's trigger),
HOLDS_NO_TABLES = frozenset(
    {
        BookingState.CANCELLED,
        BookingState.NO_SHOW,
        BookingState.REJECTED,
        BookingState.ASSIGNMENT_PENDING,
        BookingState.MANUAL_REVIEW,
    }
)
# and a live assignment is written only for a booking in one of these (migration 0012's guard,
# widened by 0022 to CREATED and CAPACITY_VERIFIED: the coordinator's first try writes the
# tables before the one advance that records every step to ASSIGNED).
TAKES_TABLES = frozenset(
    {
        BookingState.CREATED,
        BookingState.CAPACITY_VERIFIED,
        BookingState.ASSIGNMENT_PENDING,
        BookingState.ASSIGNMENT_IN_PROGRESS,
        BookingState.ASSIGNED,
        BookingState.CONFIRMED,
        BookingState.SEATED,
        BookingState.MANUAL_REVIEW,
    }
)


@dataclass(frozen=True)
class BookingView:
    """What the coordinator reads of a booking before acting on it."""

    booking_id: UUID
    venue_id: str
    state: BookingState
    version: int
    party_size: int
    start: datetime
    end: datetime
    preferred_zone_id: str | None
    table_ids: tuple[str, ...]
    # The rest of the booking, carried so a response can show the booking as the state has it.
    display_status: str = ""
    guest_reference: str = ""
    notes: str = ""
    pinned: bool = False
    state_reason: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class Step:
    """One move of a multi-step advance: the state it leads to, why, and the tables it records."""

    target: BookingState
    reason: str
    table_ids: tuple[str, ...] = ()


class DependencyDown(Exception):
    """Another service did not answer (UNAVAILABLE, DEADLINE_EXCEEDED): retry later."""


class BookingGone(Exception):
    """The booking does not exist (any more): there is nothing left to drive."""


class Superseded(Exception):
    """The booking changed under us (stale version or a move no longer legal): read it again."""
