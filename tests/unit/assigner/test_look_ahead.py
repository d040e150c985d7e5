"""Look-ahead keeps scarce tables for the overlapping bookings that fit nowhere else."""

from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest

from services.assigner.domain.engine import rank_plans
from services.assigner.domain.strategies import StrategyContext, look_ahead
from shared.seating.combinations import CombinationRule, Seat, floor_candidates
from tests.unit.assigner.scenes import at, request, scene, upcoming

ONLY_LOOK_AHEAD = {
    "exact_fit": 0,
    "adjacency": 0,
    "zone_preference": 0,
    "historical_success": 0,
}


def contribution(plan, name):
    return next(c for c in plan.contributions if c.strategy == name)


def by_tables(plans):
    return {plan.table_ids: plan for plan in plans}


def test_the_engine_keeps_the_only_eight_top_for_a_later_party_of_eight():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    later = upcoming("b-later", 8, at(20))
    context = floor.context(upcoming=(later,))
    # exact_fit off: every other strategy scores both tables alike.
    plans = rank_plans(request(4), floor.tables, floor.candidates, {}, context, {"exact_fit": 0})
    assert [p.table_ids for p in plans] == [("b4",), ("a8",)]
    assert plans[0].score > plans[1].score
    keeps, burns = contribution(plans[0], "look_ahead"), contribution(plans[1], "look_ahead")
    assert (keeps.score, burns.score) == (1.0, 0.0)
    assert keeps.reason == "keeps the only fit (a8, 8 seats) free for a party of 8 at 20:00"
    assert "leaves no free fit for a party of 8 at 20:00" in burns.reason


def test_look_ahead_breaks_a_tie_that_table_ids_would_otherwise_decide():
    # t1+t2 is the only fit for eight; t1 and t3 are otherwise identical for six.
    floor = scene(
        [("t1", "main", 4, 6), ("t2", "main", 1, 2), ("t3", "main", 4, 6)], [("t1", "t2")]
    )
    context = floor.context(upcoming=(upcoming("b-later", 8, at(20)),))
    ask = request(6)
    blind = rank_plans(ask, floor.tables, floor.candidates, {}, context, {"look_ahead": 0})
    seeing = rank_plans(ask, floor.tables, floor.candidates, {}, context)
    assert blind[0].table_ids == ("t1",)
    assert seeing[0].table_ids == ("t3",)
    assert "keeps the only fit (t1+t2, 8 seats)" in contribution(seeing[0], "look_ahead").reason


def test_a_later_booking_with_a_fit_elsewhere_is_not_at_risk():
    floor = scene([("a8", "main", 4, 8), ("c8", "main", 4, 8)])
    context = floor.context(upcoming=(upcoming("b-later", 8, at(20)),))
    plans = rank_plans(request(6), floor.tables, floor.candidates, {}, context, ONLY_LOOK_AHEAD)
    assert [contribution(p, "look_ahead").score for p in plans] == [1.0, 1.0]
    reason = contribution(plans[0], "look_ahead").reason
    assert reason == "leaves a free fit for a party of 8 at 20:00"


def test_a_plan_that_takes_one_of_two_fits_strands_nobody():
    # Eight fits a8, or b4+c4 (adjacent); taking b4 leaves a8, taking d4 leaves both.
    floor = scene(
        [("a8", "main", 4, 8), ("b4", "main", 2, 4), ("c4", "main", 2, 4), ("d4", "bar", 2, 4)],
        [("b4", "c4")],
    )
    context = floor.context(upcoming=(upcoming("b-later", 8, at(20)),))
    plans = by_tables(rank_plans(request(4), floor.tables, floor.candidates, {}, context))
    for kept in [("d4",), ("b4",), ("c4",), ("b4", "c4")]:
        verdict = contribution(plans[kept], "look_ahead")
        assert (verdict.score, verdict.reason) == (
            1.0,
            "leaves a free fit for a party of 8 at 20:00",
        )
    assert contribution(plans[("a8",)], "look_ahead").score == 1.0  # b4+c4 is left


def test_many_overlapping_bookings_are_counted_in_the_reason():
    floor = scene([("a8", "main", 4, 8), ("c8", "main", 4, 8), ("b4", "main", 2, 4)])
    later = (upcoming("b-1", 8, at(20)), upcoming("b-2", 6, at(20)))
    context = floor.context(upcoming=later)
    plans = by_tables(rank_plans(request(4), floor.tables, floor.candidates, {}, context))
    reason = contribution(plans[("b4",)], "look_ahead").reason
    assert reason == "leaves a free fit for each of the 2 overlapping bookings"


def test_bookings_outside_the_span_do_not_count():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    ask = request(4)
    after = upcoming("b-after", 8, ask.blocked_until)
    before = upcoming("b-before", 8, at(16), minutes=180)
    context = floor.context(upcoming=(after, before))
    plans = rank_plans(ask, floor.tables, floor.candidates, {}, context, ONLY_LOOK_AHEAD)
    for plan in plans:
        verdict = contribution(plan, "look_ahead")
        assert (verdict.score, verdict.reason) == (1.0, "no later booking depends on these tables")


def test_the_score_is_one_minus_the_share_of_stranded_bookings():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4), ("c2", "main", 1, 2)])
    later = (upcoming("b-eight", 8, at(20)), upcoming("b-two", 2, at(20)))
    context = floor.context(upcoming=later)
    plans = by_tables(rank_plans(request(4), floor.tables, floor.candidates, {}, context))
    burns = contribution(plans[("a8",)], "look_ahead")
    assert burns.score == pytest.approx(0.5)
    assert "(2 overlapping)" in burns.reason


def test_a_booking_that_cannot_be_seated_anyway_does_not_dilute_the_penalty():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    later = (upcoming("b-eight", 8, at(20)), upcoming("b-twenty", 20, at(20)))
    context = floor.context(upcoming=later)
    plans = by_tables(rank_plans(request(4), floor.tables, floor.candidates, {}, context))
    assert contribution(plans[("a8",)], "look_ahead").score == 0.0


def test_a_later_booking_on_an_already_busy_table_has_no_fit_to_lose():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    busy = {"a8": [(at(21), at(23))]}
    context = floor.context(upcoming=(upcoming("b-later", 8, at(20)),))
    plans = rank_plans(request(4), floor.tables, floor.candidates, busy, context)
    verdict = contribution(plans[0], "look_ahead")
    assert plans[0].table_ids == ("b4",)  # a8 is busy from 21:00, so b4 is the only plan
    assert verdict.reason == "no later booking depends on these tables"


def test_the_request_is_not_its_own_later_booking():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    ask = request(8, booking_id="b-same")
    itself = upcoming("b-same", 8, ask.start, minutes=120)
    context = floor.context(upcoming=(itself,))
    plans = rank_plans(ask, floor.tables, floor.candidates, {}, context)
    assert contribution(plans[0], "look_ahead").score == 1.0


def test_the_first_bookings_by_start_are_weighed_when_there_are_many():
    floor = scene([("a8", "main", 4, 8), ("b4", "main", 2, 4)])
    ask = request(4, minutes=240)
    twos = [upcoming(f"b-two-{i:02}", 2, at(19) + timedelta(minutes=i)) for i in range(50)]
    eight = upcoming("b-eight", 8, at(21))  # the 51st by start: past MAX_STAKES
    context = floor.context(upcoming=(eight, *twos))
    plans = by_tables(rank_plans(ask, floor.tables, floor.candidates, {}, context))
    assert contribution(plans[("a8",)], "look_ahead").score == 1.0


def test_look_ahead_outside_the_engine_is_refused():
    floor = scene([("a8", "main", 4, 8)])
    with pytest.raises(ValueError, match="rank_plans"):
        look_ahead(request(4), floor.candidates[0], floor.tables, StrategyContext())


def test_look_ahead_does_not_depend_on_the_order_candidates_come_in():
    # a and b are busy until 20:00, so the request can only take c; the party of 4 at 20:00
    # has a, b and a+b, two of them disjoint: more than the one table any plan takes.
    floor = scene([("a", "main", 1, 4), ("b", "main", 1, 4), ("c", "main", 5, 6)], [("a", "b")])
    busy = {"a": [(at(19), at(20))], "b": [(at(19), at(20))]}
    context = floor.context(upcoming=(upcoming("b-later", 4, at(20)),))
    answers = {
        contribution(plans[0], "look_ahead").reason
        for order in permutations(floor.candidates)
        for plans in [rank_plans(request(5), floor.tables, list(order), busy, context)]
    }
    assert answers == {"leaves a free fit for a party of 4 at 20:00"}


def test_the_only_fit_is_named_with_the_covers_the_venue_gives_it():
    # One seat is lost where t1 and t2 join: t1+t2 seats 7, not the 8 of its tables.
    floor = scene(
        [("t1", "main", 4, 6), ("t2", "main", 1, 2), ("t3", "main", 4, 6)], [("t1", "t2")]
    )
    seats = [
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, True) for t in floor.tables.values()
    ]
    candidates = floor_candidates(
        seats, {"t1": ["t2"], "t2": ["t1"]}, max_tables=3, cross_zone=False,
        rule=CombinationRule(seats_lost_per_join=1),
    )  # fmt: skip
    context = floor.context(upcoming=(upcoming("b-later", 7, at(20)),))
    seeing = rank_plans(request(6), floor.tables, candidates, {}, context)
    assert seeing[0].table_ids == ("t3",)
    reason = contribution(seeing[0], "look_ahead").reason
    assert "keeps the only fit (t1+t2, 7 seats) free for a party of 7" in reason
