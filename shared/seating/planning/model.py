"""The optimizer's problem and answer: tables, bookings to place, weights, moves and plans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from shared.seating.combinations import Candidate, CombinationRule
from shared.seating.planning.states import BookingState

Span = tuple[datetime, datetime]  # [start, end): a booking's turn plus buffer, or a hold
NEVER_MOVE_STATES = frozenset({BookingState.SEATED, BookingState.COMPLETED})
EPSILON = 1.0  # the smallest |current objective| a benefit percentage is taken of


class ConflictingSeating(ValueError):
    """The current seating overlaps itself or the fixed occupancy, or names unknown tables."""


@dataclass(frozen=True)
class Table:
    """A table of the venue: its zone and the party sizes it seats alone."""

    table_id: str
    zone_id: str
    min_seats: int
    max_seats: int


@dataclass(frozen=True)
class Booking:
    """A booking of the day to place: its party, its span and the tables it has now.

    `table_ids` is empty for a booking waiting for tables (pending or in manual review).
    """

    booking_id: str
    party_size: int
    start: datetime
    blocked_until: datetime  # start plus the turn time plus the cleaning buffer
    table_ids: tuple[str, ...] = ()
    state: str = BookingState.CONFIRMED  # a BookingState value (availability passes its text)
    pinned: bool = False
    preferred_zone_id: str | None = None

    @property
    def span(self) -> Span:
        return (self.start, self.blocked_until)


def movable(booking: Booking, now: datetime, freeze_window: timedelta) -> bool:
    """Whether the optimizer may change the booking's tables (or give it some).

    Seated, completed and pinned bookings never move, nor does one that starts before
    `now + freeze_window`: the floor has been told where those parties sit.
    """
    return not (
        booking.state in NEVER_MOVE_STATES or booking.pinned or booking.start < now + freeze_window
    )


@dataclass(frozen=True)
class Weights:
    """Integer objective points: covers first, then fit quality, less a penalty per move.

    A seated cover (100) outweighs the whole fit of one booking (a few wasted seats, one or
    two extra tables, its zone), so fit never costs a party its seat; a move (15) pays only
    when it seats someone or improves a fit by more than itself.
    """

    covers: int = 100  # per seated guest
    waste: int = 4  # per empty seat at the booking's tables
    tables: int = 10  # per table beyond the first
    zone: int = 6  # when every table is in the guest's preferred zone
    move: int = 15  # per booking that had tables and gets other ones


@dataclass(frozen=True)
class Problem:
    """One venue's day (or window) to re-plan, at `now`.

    `fixed_busy` is occupancy that is not part of the problem (holds, blocked tables): a
    booking may only take tables that are free of it for its whole span.
    """

    tables: tuple[Table, ...]
    candidates: tuple[Candidate, ...]
    bookings: tuple[Booking, ...]
    now: datetime
    freeze_window: timedelta = timedelta(0)
    fixed_busy: Mapping[str, Sequence[Span]] = field(default_factory=dict)
    weights: Weights = field(default_factory=Weights)
    rule: CombinationRule = field(default_factory=CombinationRule)  # sets not in candidates

    def is_movable(self, booking: Booking) -> bool:
        return movable(booking, self.now, self.freeze_window)


@dataclass(frozen=True)
class Move:
    """One booking the plan gives tables: from its current ones (none if it had none).

    `benefit` is this booking's share of the objective gain: its new value less its current
    one (which is 0 without tables); a move that only makes room for others may be negative.
    """

    booking_id: str
    from_table_ids: tuple[str, ...]
    to_table_ids: tuple[str, ...]
    benefit: int


class SolveStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "OPTIMAL"  # proved the best plan
    FEASIBLE = "FEASIBLE"  # the best plan found within the time limit
    FALLBACK = "FALLBACK"  # found nothing better than the current seating, which is returned
    INFEASIBLE = "INFEASIBLE"  # proved that no plan seats every booking that must be seated
    TIMED_OUT = "TIMED_OUT"  # found no plan that seats every booking that must be, in time


@dataclass(frozen=True)
class Plan:
    """A re-plan and how good it is, on the same objective as the current seating."""

    moves: tuple[Move, ...]
    new_assignments: tuple[Move, ...]
    unseated: tuple[str, ...]  # bookings without tables that the plan still cannot seat
    current_objective: int
    new_objective: int
    optimal: bool
    best_bound: float
    solve_seconds: float
    status: SolveStatus
    solutions: int = 0

    @property
    def benefit_percent(self) -> float:
        gain = self.new_objective - self.current_objective
        return gain / max(abs(self.current_objective), EPSILON) * 100

    @property
    def newly_seated(self) -> tuple[str, ...]:
        return tuple(move.booking_id for move in self.new_assignments)

    def tables_of(self, booking_id: str) -> tuple[str, ...] | None:
        """The tables the plan gives a booking it moves or seats; None when it leaves it."""
        for move in (*self.moves, *self.new_assignments):
            if move.booking_id == booking_id:
                return move.to_table_ids
        return None
