"""The day re-plan: what it may change, what it never does, and that it is never worse."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bench.day_generator import Load
from shared.seating.planning.model import ConflictingSeating, Problem, SolveStatus, Span
from shared.seating.planning.solver import components, solve
from tests.unit.optimizer.scenes import (
    MORNING,
    applied,
    at,
    booking,
    floor,
    generated_day,
    overlaps_in,
    two_twos_and_a_four,
)


def blocked_four_top(**first: Any) -> Problem:
    """A party of 2 on the 4-top blocks a later party of 4 that waits for tables."""
    tables, candidates = two_twos_and_a_four()
    bookings = (
        booking("two", 2, at(18), tables=["c"], **first),
        booking("four", 4, at(19)),
    )
    return Problem(tables, candidates, bookings, now=MORNING)


def test_moving_a_couple_off_the_four_top_seats_the_later_party_of_four() -> None:
    plan = solve(blocked_four_top(), time_limit_s=5)

    assert plan.status is SolveStatus.OPTIMAL
    assert [(m.booking_id, m.from_table_ids) for m in plan.moves] == [("two", ("c",))]
    assert plan.moves[0].to_table_ids in (("a",), ("b",))
    assert [(m.booking_id, m.to_table_ids) for m in plan.new_assignments] == [("four", ("c",))]
    assert plan.unseated == ()
    assert plan.new_objective > plan.current_objective
    assert plan.benefit_percent == pytest.approx(
        (plan.new_objective - plan.current_objective) / plan.current_objective * 100
    )


@pytest.mark.parametrize(
    "first",
    [{"pinned": True}, {"state": "SEATED"}, {"state": "COMPLETED"}, {}],
    ids=["pinned", "seated", "completed", "inside the freeze window"],
)
def test_a_booking_that_may_not_move_keeps_its_tables(first: dict[str, Any]) -> None:
    # At 17:15 with a 1-hour freeze, only the couple (18:00) is frozen, not the four (19:00).
    now = at(17, 15) if not first else MORNING
    problem = replace(blocked_four_top(**first), now=now, freeze_window=timedelta(hours=1))

    plan = solve(problem, time_limit_s=5)

    assert plan.moves == ()
    assert plan.unseated == ("four",)


def test_the_current_seating_is_kept_when_nothing_better_exists() -> None:
    tables, candidates = two_twos_and_a_four()
    problem = Problem(tables, candidates, (booking("two", 2, at(18), tables=["a"]),), now=MORNING)

    plan = solve(problem, time_limit_s=5)

    assert plan.moves == () and plan.new_assignments == ()
    assert plan.new_objective == plan.current_objective
    assert plan.benefit_percent == 0


def test_a_move_is_only_made_when_it_pays_for_its_penalty() -> None:
    tables, candidates = two_twos_and_a_four()
    # A couple on the 4-top wastes 2 seats (8 points); moving costs 15: it stays.
    problem = Problem(tables, candidates, (booking("two", 2, at(18), tables=["c"]),), now=MORNING)

    assert solve(problem, time_limit_s=5).moves == ()


def test_fixed_occupancy_is_never_given_to_a_booking() -> None:
    problem = replace(blocked_four_top(), fixed_busy={"a": [(at(17), at(23))]})

    plan = solve(problem, time_limit_s=5)

    assert plan.moves[0].to_table_ids == ("b",)
    assert overlaps_in(applied(problem, plan)) == []


def test_a_booking_with_tables_is_never_left_without_them() -> None:
    tables, candidates = two_twos_and_a_four()
    # Seating the party of 4 instead of the couple would gain covers, but unseats the couple.
    bookings = (booking("two", 2, at(18), tables=["c"]), booking("four", 4, at(18)))
    problem = replace(
        Problem(tables, candidates, bookings, now=MORNING),
        fixed_busy={
            "a": [(at(17), at(23))],
            "b": [(at(17), at(23))],
        },
    )

    plan = solve(problem, time_limit_s=5)

    assert plan.moves == () and plan.new_assignments == ()
    assert plan.unseated == ("four",)


def test_an_overlapping_current_seating_is_refused() -> None:
    tables, candidates = two_twos_and_a_four()
    bookings = (booking("one", 2, at(18), tables=["a"]), booking("two", 2, at(19), tables=["a"]))

    with pytest.raises(ConflictingSeating, match="one and two overlap on a"):
        solve(Problem(tables, candidates, bookings, now=MORNING), time_limit_s=1)


def test_the_day_splits_where_no_span_crosses() -> None:
    lunch = booking("lunch", 2, at(12))
    late_lunch = booking("late", 2, at(13))
    dinner = booking("dinner", 2, at(15))

    assert components([dinner, lunch, late_lunch]) == [(lunch, late_lunch), (dinner,)]


def with_hold(problem: Problem, table_id: str, span: Span) -> Problem:
    """A hold on one table; bookings seated there over it wait for tables instead."""
    return replace(
        problem,
        fixed_busy={table_id: [span]},
        bookings=tuple(
            replace(b, table_ids=())
            if table_id in b.table_ids and b.start < span[1] and span[0] < b.blocked_until
            else b
            for b in problem.bookings
        ),
    )


@pytest.mark.parametrize("load", ["low", "medium", "high"])
def test_a_generated_day_is_replanned_without_overlap_and_never_worse(load: Load) -> None:
    problem = with_hold(generated_day(20, load, seed=7), "t001", (at(19), at(21)))
    heard: list[tuple[float, float, float]] = []

    plan = solve(problem, time_limit_s=2, progress=lambda *p: heard.append(p))

    assert overlaps_in(applied(problem, plan)) == []
    assert plan.new_objective >= plan.current_objective
    assert plan.best_bound >= plan.new_objective
    assert heard and all(objective <= bound for _, objective, bound in heard)
    seated_now = {b.booking_id for b in problem.bookings if b.table_ids}
    assert seated_now.isdisjoint(plan.unseated)
    assert seated_now.isdisjoint(plan.newly_seated)


def test_the_same_seed_gives_the_same_plan_when_it_is_proved_optimal() -> None:
    problem = generated_day(20, "medium", seed=3)

    first = solve(problem, time_limit_s=5, seed=11)
    second = solve(problem, time_limit_s=5, seed=11)

    assert first.status is SolveStatus.OPTIMAL
    assert (first.moves, first.new_assignments) == (second.moves, second.new_assignments)


def test_an_odd_cycle_that_the_lp_splits_in_halves_is_still_solved_exactly() -> None:
    # Three 2-tops side by side in a triangle: each pair seats 4, and the LP seats three
    # parties of 4 half each (every table half used twice); only one can really sit.
    tables, candidates = floor(
        [("a", "z1", 1, 2), ("b", "z1", 1, 2), ("c", "z1", 1, 2)],
        [("a", "b"), ("b", "c"), ("a", "c")],
        max_tables=2,
    )
    fours = tuple(booking(f"four{n}", 4, at(19)) for n in range(3))
    heard: list[tuple[float, float, float]] = []

    plan = solve(
        Problem(tables, candidates, fours, now=MORNING),
        time_limit_s=5,
        progress=lambda *p: heard.append(p),
    )

    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.new_assignments) == 1 and len(plan.unseated) == 2
    assert plan.best_bound == plan.new_objective == 4 * 100 - 10  # one extra table
    assert heard[-1][1] == plan.new_objective
