"""Each strategy scores hand-built plans in the expected order and says why."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from services.assigner.domain.engine import rank_plans
from services.assigner.domain.plans import SuccessCounts
from services.assigner.domain.strategies import (
    STRATEGIES,
    StrategyContext,
    adjacency,
    exact_fit,
    historical_success,
    party_band,
    strategy,
    table_key,
    unknown_strategies,
    zone_preference,
)
from services.availability.domain.floor_plan import STRATEGIES as VENUE_STRATEGIES
from shared.seating.combinations import Candidate
from tests.unit.assigner.scenes import at, request, scene

FLOOR = scene(
    [
        ("t1", "main", 1, 4),
        ("t2", "main", 2, 6),
        ("t3", "main", 1, 2),
        ("t4", "main", 1, 2),
        ("t5", "main", 1, 2),
        ("p1", "terrace", 2, 6),
        ("b1", "bar", 1, 4),
    ],
    # t3-t4-t5 is a triangle; t1-t2-t3 is a chain.
    [("t1", "t2"), ("t2", "t3"), ("t3", "t4"), ("t4", "t5"), ("t3", "t5")],
)


def score(scorer, party, ids, context=None, **changes):
    ask = request(party, **changes)
    return scorer(ask, FLOOR.candidate(*ids), FLOOR.tables, context or FLOOR.context())


def test_every_registered_strategy_scores_each_plan_in_registration_order():
    registered = list(STRATEGIES)
    for weights in (None, dict.fromkeys(reversed(registered), 1.0)):
        plans = rank_plans(request(2), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), weights)
        assert plans
        for plan in plans:
            assert [c.strategy for c in plan.contributions] == registered


def test_a_strategy_weighted_zero_is_not_run_and_the_others_keep_their_order():
    registered = list(STRATEGIES)
    silenced = registered[1]
    weights = {name: 0.0 if name == silenced else 1.0 for name in registered}
    plans = rank_plans(request(2), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), weights)
    assert [c.strategy for c in plans[0].contributions] == [
        name for name in registered if name != silenced
    ]


def test_a_venue_policy_may_weigh_exactly_the_registered_strategies():
    assert tuple(STRATEGIES) == VENUE_STRATEGIES


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="exact_fit"):
        strategy("exact_fit")(exact_fit)


def test_unknown_strategy_names_are_listed_sorted_for_the_api_to_reject():
    weights = {"exact_fit": 1.0, "zzz": 0.0, "magic": 2.0, "look_ahead": 3.0}
    assert unknown_strategies(weights) == ["magic", "zzz"]
    assert unknown_strategies({"adjacency": 1.0}) == []


def test_exact_fit_prefers_fewer_spare_seats_and_says_how_many():
    snug = score(exact_fit, 4, ["t1"])
    loose = score(exact_fit, 4, ["t2"])
    assert snug.score == 1.0
    assert loose.score == pytest.approx(1 / 3)
    assert "no seats spare on a 4-top" in snug.reason
    assert "2 seats spare on a 6-top" in loose.reason


def test_exact_fit_describes_a_combination_by_its_tables_and_seats():
    joined = score(exact_fit, 9, ["t1", "t2"])
    assert joined.score == pytest.approx(1 / 2)
    assert joined.reason == "1 seat spare on 2 tables of 10 seats"


def test_exact_fit_counts_the_seats_lost_where_tables_join_as_spare():
    lossy = Candidate(("t3", "t4"), 2, 3)  # two 2-tops that seat 3 together
    joined = exact_fit(request(3), lossy, FLOOR.tables, FLOOR.context())
    assert joined.score == pytest.approx(1 / 2)
    assert joined.reason == "1 seat spare on 2 tables of 3 seats (1 seat lost where they join)"
    assert score(exact_fit, 3, ["t1"]).score == joined.score  # a 4-top seating 3


def test_a_party_takes_a_free_table_with_a_seat_spare_before_a_join_that_loses_that_seat():
    """Two 2-tops joined seat 3 on this floor (a seat lost at the join): a party of 3 takes
    the free 4-top and leaves the 2-tops to two couples."""
    floor = scene([("f1", "main", 2, 4), ("d1", "main", 1, 2), ("d2", "main", 1, 2)])
    lossy = Candidate(("d1", "d2"), 2, 3)
    candidates = [*floor.candidates, lossy]
    plans = rank_plans(request(3), floor.tables, candidates, {}, floor.context(), limit=2)
    assert [plan.table_ids for plan in plans] == [("f1",), ("d1", "d2")]


def test_adjacency_prefers_one_table_then_two_then_three():
    one = score(adjacency, 2, ["t3"])
    two = score(adjacency, 4, ["t3", "t4"])
    three = score(adjacency, 5, ["t1", "t2", "t3"])
    assert one.score > two.score > three.score
    assert (one.score, two.score) == (1.0, pytest.approx(0.6))
    assert "2 tables joined" in two.reason
    assert "3 tables joined" in three.reason


def test_adjacency_prefers_a_tighter_join_of_as_many_tables():
    chain = score(adjacency, 5, ["t2", "t3", "t4"])
    triangle = score(adjacency, 5, ["t3", "t4", "t5"])
    pair = score(adjacency, 4, ["t3", "t4"])
    assert pair.score > triangle.score > chain.score
    assert "3 adjacencies" in triangle.reason
    assert "2 adjacencies" in chain.reason


def test_zone_preference_puts_the_guests_zone_first_and_names_it():
    there = score(zone_preference, 4, ["p1"], zone="terrace")
    elsewhere = score(zone_preference, 4, ["t1"], zone="terrace")
    assert there.score == 1.0 > elsewhere.score
    assert "terrace" in there.reason and "guest" in there.reason
    assert "zone main" in elsewhere.reason and "not the guest's zone terrace" in elsewhere.reason


def test_zone_preference_follows_the_venues_order_without_a_guest_choice():
    context = FLOOR.context(zone_preference=("main", "terrace"))
    main = score(zone_preference, 4, ["t1"], context)
    terrace = score(zone_preference, 4, ["p1"], context)
    bar = score(zone_preference, 4, ["b1"], context)
    assert main.score > terrace.score > bar.score
    assert "zone terrace" in terrace.reason and "choice 2 of 2" in terrace.reason
    assert "zone bar" in bar.reason and "outside" in bar.reason


def test_a_guest_miss_scores_below_a_guest_hit_even_in_the_venues_best_zone():
    context = FLOOR.context(zone_preference=("main", "terrace"))
    hit = score(zone_preference, 4, ["p1"], context, zone="terrace")
    miss = score(zone_preference, 4, ["t1"], context, zone="terrace")
    assert hit.score > miss.score > 0
    assert "choice 1 of 2" in miss.reason


def test_zone_preference_is_neutral_without_any_preference():
    verdict = score(zone_preference, 4, ["t1"])
    assert verdict.score == 0.5
    assert "zone main" in verdict.reason and "no zone preference" in verdict.reason


def test_historical_success_is_a_smoothed_rate_for_the_band_and_the_local_hour():
    # 19:00 UTC is 20:00 in Paris on 10 March 2027; counts are kept by the venue's hour.
    history = {
        (table_key(["t2", "t1"]), "5-6", 20): SuccessCounts(3, 1),
        (table_key(["t2", "t1"]), "5-6", 19): SuccessCounts(0, 9),
        (table_key(["t2", "t1"]), "3-4", 20): SuccessCounts(0, 9),
    }
    paris = FLOOR.context(history=history, timezone=ZoneInfo("Europe/Paris"))
    known = score(historical_success, 6, ["t1", "t2"], paris, start=at(19))
    unknown = score(historical_success, 6, ["t2", "t3"], paris, start=at(19))
    assert known.score == pytest.approx(4 / 6)
    assert unknown.score == 0.5
    assert "3 of 4 past" in known.reason and "20:00" in known.reason
    assert "no history" in unknown.reason


def test_historical_failures_pull_the_score_below_neutral():
    history = {(table_key(["t1"]), "3-4", 19): SuccessCounts(0, 2)}
    verdict = score(historical_success, 4, ["t1"], StrategyContext(history=history))
    assert verdict.score == pytest.approx(1 / 4)
    assert "0 of 2 past" in verdict.reason


@pytest.mark.parametrize(
    ("size", "band"),
    [(1, "1-2"), (2, "1-2"), (3, "3-4"), (6, "5-6"), (8, "7-8"), (9, "9+"), (40, "9+")],
)
def test_party_sizes_fall_into_bands(size, band):
    assert party_band(size) == band


def test_a_party_band_needs_a_guest():
    with pytest.raises(ValueError):
        party_band(0)


def test_a_table_key_is_the_sorted_ids_joined():
    assert table_key(["t9", "t10", "a"]) == "a+t10+t9"
    assert table_key(("t1",)) == "t1"
