"""Bookings, their state changes and events, and the rule that moves a booking."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.state.domain.states import (
    DISPLAY_STATUS,
    MOVES,
    BookingState,
    Command,
    DisplayStatus,
    allowed_targets,
    roles_for,
)
from shared.auth import Caller
from shared.domain_errors import (
    FieldViolation,
    IllegalTransition,
    InvalidArgument,
    OpsRoleRequired,
    StaleVersion,
)

_RELEASES_TABLES = frozenset(
    {BookingState.ASSIGNMENT_PENDING, BookingState.CANCELLED, BookingState.REJECTED}
)
_NEEDS_TABLES = frozenset({BookingState.ASSIGNED, BookingState.CONFIRMED})


@dataclass(frozen=True)
class Booking:
    """A party's booking at a venue, at one version."""

    booking_id: UUID
    venue_id: str
    party_size: int
    start_time: datetime
    end_time: datetime
    state: BookingState
    version: int
    guest_reference: str
    notes: str
    preferred_zone_id: str | None
    pinned: bool
    table_ids: tuple[str, ...]
    state_reason: str
    request_id: str
    create_time: datetime
    update_time: datetime

    @property
    def display_status(self) -> DisplayStatus:
        return DISPLAY_STATUS[self.state]


@dataclass(frozen=True)
class StateChange:
    """One audit row: a booking moved from one state to another."""

    booking_id: UUID
    venue_id: str
    from_state: BookingState | None
    to_state: BookingState
    version: int
    actor: str
    reason: str
    trace_id: str
    change_time: datetime


@dataclass(frozen=True)
class BookingEvent:
    """An outbox event: something that happened to a booking, for other services."""

    venue_id: str
    booking_id: UUID
    event_type: str
    payload: dict[str, Any]


def event_for(booking: Booking, change: StateChange) -> BookingEvent:
    """The event published for a change (`booking.created` or `booking.state_changed`)."""
    kind = "booking.created" if change.from_state is None else "booking.state_changed"
    return BookingEvent(
        venue_id=booking.venue_id,
        booking_id=booking.booking_id,
        event_type=kind,
        payload={
            "booking_id": str(booking.booking_id),
            "venue_id": booking.venue_id,
            "from_state": change.from_state.value if change.from_state else None,
            "to_state": change.to_state.value,
            "version": booking.version,
            "party_size": booking.party_size,
            "start_time": booking.start_time.isoformat(),
            "end_time": booking.end_time.isoformat(),
            "table_ids": list(booking.table_ids),
            "preferred_zone_id": booking.preferred_zone_id,
            "actor": change.actor,
            "reason": change.reason,
        },
    )


@dataclass(frozen=True)
class Move:
    """A caller's request to move a booking."""

    command: Command
    expected_version: int
    reason: str
    target: BookingState | None = None
    table_ids: tuple[str, ...] = ()


def apply_move(
    booking: Booking, move: Move, caller: Caller, *, now: datetime, trace_id: str = ""
) -> tuple[Booking, StateChange]:
    """The booking after `move`, and its audit row; raises when the move is not allowed."""
    if booking.version != move.expected_version:
        raise StaleVersion(expected=move.expected_version, current=booking.version)
    sources, targets = MOVES[move.command]
    target = move.target if move.target is not None else next(iter(targets))
    if booking.state not in sources or target not in targets:
        raise IllegalTransition(
            booking_id=booking.booking_id,
            current=booking.state.value,
            target=target.value,
            allowed=",".join(s.value for s in allowed_targets(booking.state)),
        )
    if not caller.roles & roles_for(booking.state):
        raise OpsRoleRequired(booking_id=booking.booking_id)
    table_ids = move.table_ids or booking.table_ids
    if target in _RELEASES_TABLES:
        table_ids = ()
    elif target in _NEEDS_TABLES and not table_ids:
        raise InvalidArgument([FieldViolation("table_ids", "field.required")])
    moved = dataclasses.replace(
        booking,
        state=target,
        version=booking.version + 1,
        table_ids=table_ids,
        state_reason=move.reason,
        update_time=now,
    )
    change = StateChange(
        booking_id=booking.booking_id,
        venue_id=booking.venue_id,
        from_state=booking.state,
        to_state=target,
        version=moved.version,
        actor=caller.subject,
        reason=move.reason,
        trace_id=trace_id,
        change_time=now,
    )
    return moved, change
