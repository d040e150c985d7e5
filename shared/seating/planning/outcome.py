"""A chosen seating turned into a plan: its moves, new assignments and objective."""

from __future__ import annotations

from collections.abc import Mapping

from shared.seating.combinations import Candidate
from shared.seating.planning.model import Booking, Move, Plan, Problem, SolveStatus
from shared.seating.planning.options import current_candidate, value

Chosen = Mapping[str, Candidate | None]  # booking id -> the table set it gets, or None


def current_value(problem: Problem) -> int:
    """The objective of the current seating: each booking with tables, where it sits."""
    worth = _Worth(problem)
    return sum(worth(b, worth.current(b)) for b in problem.bookings)


def make_plan(
    problem: Problem,
    chosen: Chosen | None,
    status: SolveStatus,
    optimal: bool,
    bound: float,
    seconds: float,
    solutions: int,
) -> Plan:
    """The plan that seats each booking as `chosen` says; one it does not name stays as is."""
    moves, new, unseated, total = _changes(problem, chosen or {})
    return Plan(
        moves=tuple(moves),
        new_assignments=tuple(new),
        unseated=tuple(unseated),
        current_objective=current_value(problem),
        new_objective=total,
        optimal=optimal,
        best_bound=bound,
        solve_seconds=seconds,
        status=status,
        solutions=solutions,
    )


def _changes(problem: Problem, chosen: Chosen) -> tuple[list[Move], list[Move], list[str], int]:
    """The moves, new assignments, still unseated bookings and objective of a seating."""
    worth = _Worth(problem)
    moves: list[Move] = []
    new: list[Move] = []
    unseated: list[str] = []
    total = 0
    for booking in problem.bookings:
        now = worth.current(booking)
        then = chosen.get(booking.booking_id, now)
        gained = worth(booking, then)
        total += gained
        if then is None:
            if now is None:
                unseated.append(booking.booking_id)
        elif now is None:
            new.append(Move(booking.booking_id, (), then.table_ids, gained))
        elif then.table_ids != now.table_ids:
            benefit = gained - worth(booking, now)
            moves.append(Move(booking.booking_id, now.table_ids, then.table_ids, benefit))
    return moves, new, unseated, total


class _Worth:
    """A booking's objective points at a table set, moved or not, on one problem."""

    def __init__(self, problem: Problem) -> None:
        self._tables = {t.table_id: t for t in problem.tables}
        self._zones = {t.table_id: t.zone_id for t in problem.tables}
        self._weights = problem.weights
        self._listed = {c.table_ids: c for c in problem.candidates}
        self._rule = problem.rule

    def current(self, booking: Booking) -> Candidate | None:
        return current_candidate(booking, self._tables, self._listed, self._rule)

    def __call__(self, booking: Booking, candidate: Candidate | None) -> int:
        if candidate is None:
            return 0
        moved = bool(booking.table_ids) and tuple(sorted(booking.table_ids)) != candidate.table_ids
        return value(booking, candidate, self._zones, self._weights, moved=moved)
