"""The day re-plan: each independent part of the day searched alone, never worse than now."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from shared.seating.combinations import Candidate
from shared.seating.planning.cpsat import Model
from shared.seating.planning.model import Booking, Plan, Problem, SolveStatus
from shared.seating.planning.options import check_current
from shared.seating.planning.outcome import current_value, make_plan
from shared.seating.planning.search import Answer, Progress, search


def components(bookings: Sequence[Booking]) -> list[tuple[Booking, ...]]:
    """The bookings split where no span crosses, each part in the given order.

    No booking of one part overlaps one of another, so they never compete for a table and
    each part can be solved alone: exact, and a lunch no longer waits on the dinner's LP.
    """
    order = sorted(range(len(bookings)), key=lambda i: bookings[i].start)
    parts: list[list[int]] = []
    reach = None
    for index in order:
        if reach is None or bookings[index].start >= reach:
            parts.append([])
            reach = bookings[index].blocked_until
        parts[-1].append(index)
        reach = max(reach, bookings[index].blocked_until)
    return [tuple(bookings[i] for i in sorted(part)) for part in parts]


@dataclass
class _Part:
    """One independent part of the day: its model, where it stands, and its answer."""

    problem: Problem
    model: Model
    current: int
    objective: int
    bound: float
    answer: Answer | None = field(default=None)


def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    hint_current: bool = True,
    progress: Progress | None = None,
    required: Collection[str] = (),
) -> Plan:
    """The best plan found within the time limit (Glop, then CP-SAT), never worse than now.

    Bookings with tables stay seated (at theirs or others); those that may not move keep
    theirs. `required` names bookings without tables that must be seated: then there may be
    no plan (INFEASIBLE, or TIMED_OUT when none was found in time). Parts of the day are
    solved smallest first, each with its share of the time left. `progress` hears (seconds,
    objective, bound) of the whole day at each improving solution. Raises ConflictingSeating
    when the current seating overlaps.
    """
    check_current(problem)
    parts = []
    for bookings in components(problem.bookings):
        part_problem = replace(problem, bookings=bookings)
        model = Model(part_problem, required, hint_current=hint_current)
        now = current_value(part_problem)
        parts.append(_Part(part_problem, model, now, now, model.trivial_bound))
    spent, left = 0.0, len(problem.bookings)
    for part in sorted(parts, key=lambda p: len(p.problem.bookings)):
        share = (time_limit_s - spent) * len(part.problem.bookings) / max(left, 1)
        report = _reporter(parts, part, spent, progress)
        part.answer = search(part.model, share, seed, workers, report)
        spent += part.answer.seconds
        left -= len(part.problem.bookings)
    return _plan(problem, parts, required, spent)


def _reporter(
    parts: list[_Part], part: _Part, before: float, progress: Progress | None
) -> Progress:
    def report(seconds: float, objective: float, bound: float) -> None:
        part.objective, part.bound = round(objective), min(bound, part.bound)
        if progress is not None:
            total = sum(p.objective for p in parts)
            progress(before + seconds, total, sum(p.bound for p in parts))

    return report


def _plan(problem: Problem, parts: list[_Part], required: Collection[str], seconds: float) -> Plan:
    seating: dict[str, Candidate | None] = {}
    optimal, replanned = True, False
    solutions = sum(p.answer.solutions for p in parts if p.answer is not None)
    bound = 0.0
    for part in parts:
        answer = part.answer
        assert answer is not None
        bound += min(answer.bound, part.model.trivial_bound)
        needed = any(b.booking_id in required for b in part.problem.bookings)
        if answer.seating is not None and (needed or answer.objective >= part.current):
            seating.update(answer.seating)
            optimal, replanned = optimal and answer.optimal, True
        elif needed:
            verdict = SolveStatus.INFEASIBLE if answer.infeasible else SolveStatus.TIMED_OUT
            return make_plan(problem, None, verdict, False, bound, seconds, solutions)
        else:
            optimal = False
    verdict = (
        SolveStatus.OPTIMAL
        if optimal
        else SolveStatus.FEASIBLE
        if replanned
        else SolveStatus.FALLBACK
    )
    chosen = seating if replanned else None
    return make_plan(problem, chosen, verdict, optimal, bound, seconds, solutions)
