"""Rescue: a bounded re-pack that seats a new party by moving others, or an honest no."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from shared.seating.planning.model import Problem
from shared.seating.planning.rescue import rescue, window
from tests.unit.optimizer.scenes import (
    MORNING,
    applied,
    at,
    booking,
    generated_day,
    overlaps_in,
    two_twos_and_a_four,
)

FOUR = booking("four", 4, at(19))


def couple_on_the_four_top(**couple: Any) -> Problem:
    tables, candidates = two_twos_and_a_four()
    seated = (booking("two", 2, at(18), tables=["c"], **couple),)
    return Problem(tables, candidates, seated, now=MORNING, freeze_window=timedelta(hours=1))


def test_rescue_moves_the_couple_to_a_two_top_to_seat_the_party_of_four() -> None:
    plan = rescue(couple_on_the_four_top(), FOUR)

    assert plan is not None
    assert [(m.booking_id, m.from_table_ids) for m in plan.moves] == [("two", ("c",))]
    assert plan.tables_of("four") == ("c",)
    problem = couple_on_the_four_top()
    after = applied(replace(problem, bookings=(*problem.bookings, FOUR)), plan)
    assert overlaps_in(after) == []


def test_rescue_moves_nobody_when_a_free_fit_exists() -> None:
    plan = rescue(couple_on_the_four_top(), booking("late", 4, at(21)))

    assert plan is not None
    assert plan.moves == ()
    assert plan.tables_of("late") == ("c",)


@pytest.mark.parametrize(
    "couple",
    [{"pinned": True}, {"state": "SEATED"}, {}],
    ids=["pinned", "seated", "inside the freeze window"],
)
def test_rescue_never_moves_a_booking_that_may_not_move(couple: dict[str, Any]) -> None:
    # At 17:15 with a 1-hour freeze, the couple (18:00) is frozen, the new four (19:00) not.
    now = at(17, 15) if not couple else MORNING
    assert rescue(replace(couple_on_the_four_top(**couple), now=now), FOUR) is None


def test_rescue_says_no_when_the_other_tables_are_held() -> None:
    held = replace(
        couple_on_the_four_top(), fixed_busy={"a": [(at(17), at(22))], "b": [(at(17), at(22))]}
    )

    assert rescue(held, FOUR) is None


def test_rescue_says_no_when_no_table_set_fits_the_party() -> None:
    assert rescue(couple_on_the_four_top(), booking("six", 6, at(19))) is None


def test_rescue_says_no_when_moving_would_leave_a_booking_without_tables() -> None:
    tables, candidates = two_twos_and_a_four()
    seated = (
        booking("two", 2, at(18), tables=["c"]),
        booking("x", 2, at(18), tables=["a"]),
        booking("y", 1, at(18), tables=["b"]),
    )

    assert rescue(Problem(tables, candidates, seated, now=MORNING), FOUR) is None


def test_the_window_holds_the_blockers_first_and_at_most_the_cap() -> None:
    day = generated_day(60, "high", seed=5)
    seated = replace(day, bookings=tuple(b for b in day.bookings if b.table_ids))
    new = booking("new", 4, at(19, 30))

    movers, staying = window(seated, new, max_movers=10)

    assert len(movers) == 10
    assert {b.booking_id for b in movers}.isdisjoint(b.booking_id for b in staying)
    assert len(movers) + len(staying) == len(seated.bookings)


def test_rescue_on_a_busy_evening_keeps_every_booking_seated_and_apart() -> None:
    day = generated_day(60, "high", seed=5)
    seated = replace(day, bookings=tuple(b for b in day.bookings if b.table_ids))
    waiting = [b for b in day.bookings if not b.table_ids and b.start.hour >= 17][:15]

    plans = [(new, rescue(seated, new, time_limit_s=0.5)) for new in waiting]

    for new, plan in plans:
        if plan is not None:
            after = applied(replace(seated, bookings=(*seated.bookings, new)), plan)
            assert overlaps_in(after) == []
            assert all(b.table_ids for b in after.bookings)
            assert plan.solve_seconds < 0.6
    assert any(plan is not None for _, plan in plans)


def test_rescue_gives_the_same_plan_for_the_same_seed() -> None:
    day = generated_day(60, "high", seed=5)
    seated = replace(day, bookings=tuple(b for b in day.bookings if b.table_ids))
    waiting = [b for b in day.bookings if not b.table_ids and b.start.hour >= 17]
    new, first = next(
        (b, plan) for b in waiting if (plan := rescue(seated, b, seed=3)) is not None and plan.moves
    )

    again = rescue(seated, new, seed=3)

    assert again is not None
    assert (again.moves, again.new_assignments) == (first.moves, first.new_assignments)
