"""The optimizer seats by the venue's combinations: explicit ones kept, priority breaks ties."""

from __future__ import annotations

from dataclasses import replace

from shared.seating.combinations import (
    Candidate,
    CombinationRule,
    ExplicitCombination,
    Seat,
    floor_candidates,
)
from shared.seating.planning.cpsat import Model
from shared.seating.planning.model import Problem, Weights
from shared.seating.planning.options import current_candidate, undominated
from shared.seating.planning.outcome import current_value
from shared.seating.planning.solver import solve
from tests.unit.optimizer.scenes import MORNING, at, booking, floor

PAIR = Candidate(("a", "b"), 3, 8)


def test_a_combination_is_dropped_only_when_a_table_inside_it_is_as_good():
    alone = Candidate(("a",), 2, 6)
    assert undominated([alone, PAIR]) == [alone]  # a seats four with less waste
    snug = Candidate(("a", "b"), 3, 4)  # an operator's pair that seats fewer than `a`
    assert undominated([alone, snug]) == [alone, snug]
    ranked = Candidate(("a", "b"), 3, 8, priority=2)
    assert undominated([alone, ranked]) == [alone, ranked]


def chain(priority_on: tuple[str, str]) -> Problem:
    """Three adjacent 2-tops b-c-d; the operator ranks one of the two pairs."""
    tables, _ = floor([("b", "z", 1, 2), ("c", "z", 1, 2), ("d", "z", 1, 2)])
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, True) for t in tables]
    candidates = floor_candidates(
        seats, {"b": ["c"], "c": ["b", "d"], "d": ["c"]}, max_tables=2, cross_zone=False,
        explicit=[ExplicitCombination(priority_on, 3, 4, priority=5)],
    )  # fmt: skip
    return Problem(tables, tuple(candidates), (booking("x", 4, at(19)),), MORNING)


def test_priority_breaks_a_tie_between_equal_pairs_whichever_is_ranked():
    for ranked in [("b", "c"), ("c", "d")]:
        plan = solve(chain(ranked), time_limit_s=5, seed=1, required=("x",))
        assert [m.to_table_ids for m in plan.new_assignments] == [ranked]


def test_the_tie_break_keeps_the_objective_and_never_takes_taken_tables():
    problem = chain(("c", "d"))
    model = Model(problem, (), hint_current=False)
    [(_, pairs)] = model.units
    values = [0] * len(model.model.Proto().variables)
    by_tables = {o.candidate.table_ids: v for o, v in pairs}
    values[by_tables[("b", "c")]] = 1
    assert model.seating(values)["x"].table_ids == ("c", "d")
    assert model.value_of(values) == model.value_of(_flip(values, by_tables))

    busy = Problem(
        problem.tables, problem.candidates,
        (booking("x", 4, at(19)), booking("y", 2, at(20), tables=("d",), pinned=True)),
        MORNING,
    )  # fmt: skip
    model = Model(busy, (), hint_current=False)
    values = [0] * len(model.model.Proto().variables)
    for _, pairs in model.units:
        for option, variable in pairs:
            if option.candidate.table_ids in {("b", "c"), ("d",)}:
                values[variable] = 1
    seating = model.seating(values)
    assert seating["x"].table_ids == ("b", "c") and seating["y"].table_ids == ("d",)


def _flip(values: list[int], by_tables: dict[tuple[str, ...], int]) -> list[int]:
    flipped = list(values)
    flipped[by_tables[("b", "c")]], flipped[by_tables[("c", "d")]] = 0, 1
    return flipped


def test_tables_joined_by_hand_are_worth_what_the_venue_rule_seats():
    # a and b are not adjacent: no candidate joins them, but ops seated four there by hand.
    tables, candidates = floor([("a", "z", 1, 4), ("b", "z", 1, 4)])
    seated = booking("x", 4, at(19), tables=("a", "b"))
    lossy = Problem(tables, candidates, (seated,), MORNING, rule=CombinationRule(2, 5))
    joined = current_candidate(seated, {t.table_id: t for t in tables}, {}, lossy.rule)
    assert joined is not None and (joined.min_seats, joined.max_seats) == (5, 6)
    plain = replace(lossy, rule=CombinationRule())
    assert current_value(lossy) - current_value(plain) == 2 * Weights().waste
