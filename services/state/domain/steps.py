"""Several moves along the automated path taken as one change: a history row each, one event."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.state.domain.model import (
    Booking,
    BookingEvent,
    Move,
    StateChange,
    apply_move,
    event_for,
)
from services.state.domain.states import MOVES, BookingState, Command, allowed_targets
from shared.auth import Caller
from shared.domain_errors import IllegalTransition, StaleVersion

# The commands a coordinator takes on its own; never a way out of manual review.
AUTOMATED = (
    Command.VERIFY_CAPACITY,
    Command.REJECT,
    Command.REQUEST_ASSIGNMENT,
    Command.START_ASSIGNMENT,
    Command.RECORD_ASSIGNMENT,
    Command.CONFIRM,
    Command.SEND_TO_MANUAL_REVIEW,
)


@dataclass(frozen=True)
class Step:
    """One move of an advance: the state it leads to, why, and the tables it records."""

    target: BookingState
    reason: str
    table_ids: tuple[str, ...] = ()


def command_for(booking: Booking, target: BookingState) -> Command:
    """The automated command that moves `booking` to `target`; raises when none does."""
    for command in AUTOMATED:
        sources, targets = MOVES[command]
        if booking.state in sources and target in targets:
            return command
    raise IllegalTransition(
        booking_id=booking.booking_id,
        current=booking.state.value,
        target=target.value,
        allowed=",".join(s.value for s in allowed_targets(booking.state)),
    )


def apply_steps(
    booking: Booking,
    steps: tuple[Step, ...],
    expected_version: int,
    caller: Caller,
    *,
    now: datetime,
    trace_id: str = "",
) -> tuple[Booking, list[StateChange], BookingEvent]:
    """The booking after every step, one audit row per step, and the one event of the change."""
    if booking.version != expected_version:
        raise StaleVersion(expected=expected_version, current=booking.version)
    moved, changes = booking, []
    for step in steps:
        command = command_for(moved, step.target)
        move = Move(command, moved.version, step.reason, step.target, step.table_ids)
        moved, change = apply_move(moved, move, caller, now=now, trace_id=trace_id)
        changes.append(change)
    whole = replace(changes[-1], from_state=booking.state)
    event = event_for(moved, whole)
    event.payload["steps"] = [change.to_state.value for change in changes]
    return moved, changes, event
