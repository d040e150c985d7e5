"""A booking that holds tables moves to other tables in place: a new version, the same state.

This is not a transition, so it is not in the transition matrix: GetTransitionMatrix lists
state changes only, and a client validating a state change never meets this one. Its history
row has the same from and to state.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from services.state.domain.model import Booking, BookingEvent, StateChange, event_for
from services.state.domain.states import BookingState, allowed_targets
from shared.auth import Caller
from shared.domain_errors import IllegalTransition, StaleVersion

HOLDS_TABLES = (BookingState.ASSIGNED, BookingState.CONFIRMED)
EVENT_TYPE = "booking.tables_changed"


class TablesNotHeld(IllegalTransition):
    """Only a booking that holds tables (ASSIGNED or CONFIRMED) can move to other tables."""

    key = "booking_not_ready"


@dataclass(frozen=True)
class TableChange:
    """A caller's record that a booking now sits at other tables."""

    expected_version: int
    reason: str
    table_ids: tuple[str, ...]


def apply_table_change(
    booking: Booking, change: TableChange, caller: Caller, *, now: datetime, trace_id: str = ""
) -> tuple[Booking, StateChange]:
    """The booking at its new tables, and its audit row; raises when the change is not allowed."""
    if booking.version != change.expected_version:
        raise StaleVersion(expected=change.expected_version, current=booking.version)
    if booking.state not in HOLDS_TABLES:
        raise TablesNotHeld(
            booking_id=booking.booking_id,
            state=booking.state.value,
            needed=", ".join(s.value for s in HOLDS_TABLES),
            allowed=",".join(s.value for s in allowed_targets(booking.state)),
        )
    moved = dataclasses.replace(
        booking,
        version=booking.version + 1,
        table_ids=change.table_ids,
        update_time=now,
    )
    audit = StateChange(
        booking_id=booking.booking_id,
        venue_id=booking.venue_id,
        from_state=booking.state,
        to_state=booking.state,
        version=moved.version,
        actor=caller.subject,
        reason=change.reason,
        trace_id=trace_id,
        change_time=now,
    )
    return moved, audit


def table_change_event(before: Booking, after: Booking, audit: StateChange) -> BookingEvent:
    """The outbox event of a table change: the usual payload plus the tables it left."""
    event = event_for(after, audit)
    payload = {**event.payload, "previous_table_ids": list(before.table_ids)}
    return dataclasses.replace(event, event_type=EVENT_TYPE, payload=payload)
