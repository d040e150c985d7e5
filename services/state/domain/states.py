"""The booking lifecycle: states, display statuses, and the one transition matrix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.auth import Role


class BookingState(StrEnum):
    """The detailed lifecycle state of a booking."""

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


class DisplayStatus(StrEnum):
    """The linear status the existing Ops UI filters on."""

    PENDING = "PENDING"
    PENDING_ALLOCATION = "PENDING_ALLOCATION"
    CONFIRMED = "CONFIRMED"
    CHECKED_IN = "CHECKED_IN"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"


S = BookingState

DISPLAY_STATUS: dict[BookingState, DisplayStatus] = {
    S.CREATED: DisplayStatus.PENDING,
    S.CAPACITY_VERIFIED: DisplayStatus.PENDING,
    S.ASSIGNMENT_PENDING: DisplayStatus.PENDING_ALLOCATION,
    S.ASSIGNMENT_IN_PROGRESS: DisplayStatus.PENDING_ALLOCATION,
    S.ASSIGNED: DisplayStatus.PENDING_ALLOCATION,
    S.MANUAL_REVIEW: DisplayStatus.PENDING_ALLOCATION,
    S.CONFIRMED: DisplayStatus.CONFIRMED,
    S.SEATED: DisplayStatus.CHECKED_IN,
    S.COMPLETED: DisplayStatus.COMPLETED,
    S.CANCELLED: DisplayStatus.CANCELLED,
    S.REJECTED: DisplayStatus.CANCELLED,
    S.NO_SHOW: DisplayStatus.NO_SHOW,
}

_BEFORE_SEATING = frozenset(
    {
        S.CREATED,
        S.CAPACITY_VERIFIED,
        S.ASSIGNMENT_PENDING,
        S.ASSIGNMENT_IN_PROGRESS,
        S.ASSIGNED,
        S.CONFIRMED,
    }
)


class Command(StrEnum):
    """The state-changing RPCs of BookingService, one per kind of move."""

    VERIFY_CAPACITY = "VerifyCapacity"
    REJECT = "RejectBooking"
    REQUEST_ASSIGNMENT = "RequestAssignment"
    START_ASSIGNMENT = "StartAssignment"
    RECORD_ASSIGNMENT = "RecordAssignment"
    CONFIRM = "ConfirmBooking"
    SEAT = "SeatBooking"
    COMPLETE = "CompleteBooking"
    CANCEL = "CancelBooking"
    MARK_NO_SHOW = "MarkNoShow"
    SEND_TO_MANUAL_REVIEW = "SendToManualReview"
    RESOLVE_MANUAL_REVIEW = "ResolveManualReview"


# Each command: the states it may start from, and the states it may lead to.
MOVES: dict[Command, tuple[frozenset[BookingState], frozenset[BookingState]]] = {
    Command.VERIFY_CAPACITY: (frozenset({S.CREATED}), frozenset({S.CAPACITY_VERIFIED})),
    Command.REJECT: (
        frozenset({S.CREATED, S.CAPACITY_VERIFIED, S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS}),
        frozenset({S.REJECTED}),
    ),
    Command.REQUEST_ASSIGNMENT: (
        frozenset({S.CAPACITY_VERIFIED, S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNED}),
        frozenset({S.ASSIGNMENT_PENDING}),
    ),
    Command.START_ASSIGNMENT: (
        frozenset({S.ASSIGNMENT_PENDING}),
        frozenset({S.ASSIGNMENT_IN_PROGRESS}),
    ),
    Command.RECORD_ASSIGNMENT: (frozenset({S.ASSIGNMENT_IN_PROGRESS}), frozenset({S.ASSIGNED})),
    Command.CONFIRM: (frozenset({S.ASSIGNED}), frozenset({S.CONFIRMED})),
    Command.SEAT: (frozenset({S.CONFIRMED}), frozenset({S.SEATED})),
    Command.COMPLETE: (frozenset({S.SEATED}), frozenset({S.COMPLETED})),
    Command.CANCEL: (_BEFORE_SEATING | {S.MANUAL_REVIEW}, frozenset({S.CANCELLED})),
    Command.MARK_NO_SHOW: (frozenset({S.CONFIRMED}), frozenset({S.NO_SHOW})),
    Command.SEND_TO_MANUAL_REVIEW: (_BEFORE_SEATING, frozenset({S.MANUAL_REVIEW})),
    Command.RESOLVE_MANUAL_REVIEW: (
        frozenset({S.MANUAL_REVIEW}),
        frozenset({S.ASSIGNMENT_PENDING, S.ASSIGNED, S.CONFIRMED, S.REJECTED, S.CANCELLED}),
    ),
}

TERMINAL = frozenset({S.COMPLETED, S.REJECTED, S.CANCELLED, S.NO_SHOW})


@dataclass(frozen=True)
class Transition:
    """One legal move: from a state, to a state, by a command, for some roles."""

    from_state: BookingState
    to_state: BookingState
    command: Command
    allowed_roles: frozenset[Role]


def roles_for(from_state: BookingState) -> frozenset[Role]:
    """Who may move a booking out of `from_state`: only ops leave manual review."""
    return frozenset({Role.OPS}) if from_state is S.MANUAL_REVIEW else frozenset(Role)


def transition_matrix() -> list[Transition]:
    """Every legal transition, in a stable order."""
    order = list(BookingState)
    return sorted(
        (
            Transition(source, target, command, roles_for(source))
            for command, (sources, targets) in MOVES.items()
            for source in sources
            for target in targets
        ),
        key=lambda t: (order.index(t.from_state), order.index(t.to_state), t.command.value),
    )


def allowed_targets(state: BookingState) -> list[BookingState]:
    """The states a booking in `state` may move to, by any command."""
    targets = {t.to_state for t in transition_matrix() if t.from_state is state}
    return [s for s in BookingState if s in targets]
