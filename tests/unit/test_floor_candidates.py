"""The one candidate generator: derived combinations under the venue's rule, explicit ones, both,
and neither (today's plain sums)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.seating.combinations import (
    Candidate,
    CombinationRule,
    ExplicitCombination,
    Seat,
    connected_sets,
    floor_candidates,
)
from tests.unit.availability.floors import floors

# Two 4-tops side by side, a 6-top apart (not adjacent), a 2-top next to the 6-top.
SEATS = [
    Seat("a", "main", 2, 4, True),
    Seat("b", "main", 2, 4, True),
    Seat("c", "main", 4, 6, True),
    Seat("d", "main", 1, 2, True),
]
NEIGHBOURS = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}


def by_tables(found: list[Candidate]) -> dict[tuple[str, ...], tuple[int, int, int]]:
    return {c.table_ids: (c.min_seats, c.max_seats, c.priority) for c in found}


def generate(**rules) -> dict[tuple[str, ...], tuple[int, int, int]]:
    return by_tables(floor_candidates(SEATS, NEIGHBOURS, max_tables=3, cross_zone=False, **rules))


def test_a_venue_that_sets_nothing_gets_the_plain_sums_of_connected_tables():
    assert generate() == {
        ("a",): (2, 4, 0), ("b",): (2, 4, 0), ("c",): (4, 6, 0), ("d",): (1, 2, 0),
        ("a", "b"): (4, 8, 0), ("c", "d"): (5, 8, 0),
    }  # fmt: skip


def test_seats_lost_per_join_shrink_derived_combinations_only():
    found = generate(rule=CombinationRule(seats_lost_per_join=2))
    assert found[("a", "b")] == (4, 6, 0)
    assert found[("c", "d")] == (5, 6, 0)
    assert found[("a",)] == (2, 4, 0)  # a single table joins nothing


def test_the_rules_min_covers_replaces_the_sum_of_minimums():
    found = generate(rule=CombinationRule(min_covers=6))
    assert found[("a", "b")] == (6, 8, 0)
    assert found[("c",)] == (4, 6, 0)


def test_a_derived_combination_that_loses_more_than_it_seats_is_dropped():
    found = generate(rule=CombinationRule(seats_lost_per_join=3, min_covers=6))
    assert ("a", "b") not in found  # 4 + 4 - 3 = 5 seats, fewer than its 6 covers
    assert ("c", "d") not in found  # 6 + 2 - 3 = 5


def test_three_tables_lose_seats_at_each_of_their_two_joins():
    seats = [Seat(t, "main", 1, 4, True) for t in "xyz"]
    line = {"x": {"y"}, "y": {"x", "z"}, "z": {"y"}}
    found = by_tables(floor_candidates(seats, line, max_tables=3, cross_zone=False,
                                       rule=CombinationRule(seats_lost_per_join=1)))  # fmt: skip
    assert found[("x", "y", "z")] == (3, 10, 0)


def test_explicit_combinations_join_any_tables_with_their_own_covers():
    found = generate(explicit=[ExplicitCombination(("c", "a"), 6, 9, priority=2)])
    assert found[("a", "c")] == (6, 9, 2)  # not adjacent, yet offered, ids in order
    assert found[("a", "b")] == (4, 8, 0)  # derived ones stay


def test_an_explicit_combination_replaces_the_derived_one_of_the_same_tables():
    both = generate(
        rule=CombinationRule(seats_lost_per_join=2),
        explicit=[ExplicitCombination(("a", "b"), 5, 7)],
    )
    assert both[("a", "b")] == (5, 7, 0)
    assert both[("c", "d")] == (5, 6, 0)  # the rule still shapes the others
    assert len(both) == 6


def test_explicit_combinations_ignore_the_derived_limits_but_not_inactive_tables():
    explicit = [ExplicitCombination(("a", "b", "c"), 8, 12), ExplicitCombination(("a", "x"), 2, 6)]
    found = by_tables(
        floor_candidates(SEATS, NEIGHBOURS, max_tables=1, cross_zone=False, explicit=explicit)
    )
    assert found[("a", "b", "c")] == (8, 12, 0)  # max_tables 1 turns derived ones off only
    assert ("a", "b") not in found
    assert ("a", "x") not in found  # x is not among the (active) tables


@settings(max_examples=200)
@given(floors(max_tables=7), st.integers(1, 4), st.booleans())
def test_with_the_default_rule_and_no_explicit_combination_the_candidates_are_todays(
    floor, max_tables, cross
):
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable)
             for t in floor.tables]  # fmt: skip
    neighbours = floor.neighbours()
    today = connected_sets(seats, neighbours, max_tables=max_tables, cross_zone=cross)
    assert floor_candidates(seats, neighbours, max_tables=max_tables, cross_zone=cross) == today
