"""rank_plans offers only free fitting tables, ranks them by weighted scores, deterministically."""

from __future__ import annotations

import random

import pytest

from services.assigner.domain import engine
from services.assigner.domain.engine import enabled_weights, rank_plans
from services.assigner.domain.plans import SuccessCounts, TableInfo
from services.assigner.domain.strategies import STRATEGIES, table_key
from shared.seating.combinations import Candidate
from tests.unit.assigner.scenes import at, request, scene, upcoming

FLOOR = scene(
    [
        ("m1", "main", 1, 2),
        ("m2", "main", 2, 4),
        ("m3", "main", 2, 4),
        ("m4", "main", 4, 6),
        ("m5", "main", 1, 2),
        ("p1", "terrace", 2, 4),
        ("p2", "terrace", 4, 6),
        ("p3", "terrace", 6, 8),
    ],
    [("m1", "m2"), ("m2", "m3"), ("m3", "m4"), ("m2", "m4"), ("m4", "m5"), ("p1", "p2")],
)
ZONE_ONLY = {name: 0.0 for name in STRATEGIES} | {"zone_preference": 1.0}


def ids(plans):
    return [plan.table_ids for plan in plans]


def test_a_table_busy_over_the_span_is_never_offered_alone_or_joined():
    busy = {"m2": [(at(20), at(21))]}
    plans = rank_plans(request(4), FLOOR.tables, FLOOR.candidates, busy, FLOOR.context(), limit=50)
    assert plans
    assert all("m2" not in plan.table_ids for plan in plans)
    free = rank_plans(request(4), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), limit=50)
    assert any("m2" in plan.table_ids for plan in free)


def test_busy_spans_are_half_open_so_back_to_back_is_free():
    ask = request(4)
    busy = {"m2": [(at(17), ask.start)], "m3": [(ask.blocked_until, at(23))]}
    plans = rank_plans(ask, FLOOR.tables, FLOOR.candidates, busy, FLOOR.context(), limit=50)
    assert {("m2",), ("m3",)} <= set(ids(plans))


def test_only_candidates_that_seat_the_party_are_offered():
    plans = rank_plans(request(7), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), limit=50)
    assert plans
    for plan in plans:
        members = [FLOOR.tables[t] for t in plan.table_ids]
        assert sum(t.min_seats for t in members) <= 7 <= sum(t.max_seats for t in members)
        assert plan.total_seats == sum(t.max_seats for t in members)
    assert ("p3",) in ids(plans) and ("p2",) not in ids(plans)


def test_a_candidate_on_a_table_missing_from_the_floor_is_never_offered():
    ghost = Candidate(("zz",), 1, 4)
    plans = rank_plans(request(2), FLOOR.tables, [*FLOOR.candidates, ghost], {}, FLOOR.context())
    assert ("zz",) not in ids(plans)


def test_the_same_inputs_in_any_order_give_the_same_plans():
    history = {(table_key(["m2", "m3"]), "3-4", 19): SuccessCounts(5, 1)}
    later = tuple(upcoming(f"b{i}", 2 + i, at(19, 15 * i)) for i in range(5))
    busy = {"m1": [(at(18), at(19, 30))], "p1": [(at(20), at(21)), (at(17), at(18))]}
    context = FLOOR.context(history=history, upcoming=later, zone_preference=("terrace", "main"))
    first = rank_plans(request(4), FLOOR.tables, FLOOR.candidates, busy, context, limit=50)
    shuffler = random.Random(7)
    for _ in range(20):
        candidates = shuffler.sample(FLOOR.candidates, len(FLOOR.candidates))
        tables = dict(shuffler.sample(list(FLOOR.tables.items()), len(FLOOR.tables)))
        spans = {t: shuffler.sample(s, len(s)) for t, s in reversed(busy.items())}
        mixed = FLOOR.context(
            history=history,
            upcoming=tuple(shuffler.sample(later, len(later))),
            zone_preference=("terrace", "main"),
            edges=frozenset((b, a) for a, b in FLOOR.edges),
        )
        assert rank_plans(request(4), tables, candidates, spans, mixed, limit=50) == first


def test_the_zone_weight_moves_the_guests_zone_up_or_leaves_it():
    ask = request(4, zone="terrace")
    ignored = rank_plans(
        ask, FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), {"zone_preference": 0}
    )
    heavy = rank_plans(
        ask, FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), {"zone_preference": 10}
    )
    assert FLOOR.tables[ignored[0].table_ids[0]].zone_id == "main"
    assert heavy[0].table_ids == ("p1",)


def test_a_weight_of_zero_removes_a_strategy_entirely():
    off = {"zone_preference": 0.0}
    wanting = rank_plans(
        request(4, zone="terrace"), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), off
    )
    indifferent = rank_plans(request(4), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), off)
    assert wanting == indifferent
    assert all(c.strategy != "zone_preference" for p in wanting for c in p.contributions)


def test_the_total_is_the_weighted_mean_of_the_contributions():
    weights = {"exact_fit": 3.0, "adjacency": 0.5, "look_ahead": 0.0, "unknown": 9.0}
    plans = rank_plans(request(5), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), weights)
    # Every registered strategy counts, at 1.0 unless weighted; weight 0 and unknown names do not.
    expected = {name: weights.get(name, 1.0) for name in STRATEGIES if name != "look_ahead"}
    assert expected["exact_fit"] == 3.0 and expected["adjacency"] == 0.5
    for plan in plans:
        used = {c.strategy: c.weight for c in plan.contributions}
        assert used == expected
        mean = sum(c.weight * c.score for c in plan.contributions) / sum(expected.values())
        assert plan.score == pytest.approx(mean)


def test_unknown_weight_names_are_ignored():
    plain = rank_plans(request(3), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context())
    odd = rank_plans(request(3), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), {"x": 4})
    assert plain == odd


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_a_negative_or_non_finite_weight_is_refused(weight):
    with pytest.raises(ValueError, match="adjacency"):
        enabled_weights({"adjacency": weight})


def test_equal_scores_fall_back_to_fewer_tables_then_less_waste_then_ids():
    # nothing is busy, so no plan strands any minutes
    weights = dict.fromkeys(STRATEGIES, 0.0)
    plans = rank_plans(request(4), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context(), weights)
    assert {p.score for p in plans} == {0.0}
    assert ids(plans) == [
        ("m2",),
        ("m3",),
        ("p1",),
        ("m4",),
        ("p2",),
        ("m1", "m2"),
        ("m2", "m3"),
    ]


def test_among_equal_scores_the_plan_stranding_fewer_minutes_comes_first():
    ask = request(4)  # 19:00 to 21:00; m2 and m3 are alike and score alike

    def order(busy):
        plans = ids(rank_plans(ask, FLOOR.tables, FLOOR.candidates, busy, FLOOR.context()))
        return [p for p in plans if p in (("m2",), ("m3",))]

    assert order({"m2": [(at(17), at(18, 30))], "m3": [(at(17), at(19))]}) == [("m3",), ("m2",)]
    assert order({"m2": [(at(21, 45), at(23))], "m3": [(at(21), at(23))]}) == [("m3",), ("m2",)]
    # a gap as long as the party's stay strands nothing: ids decide again
    assert order({"m2": [(at(15), at(17))], "m3": [(at(17), at(19))]}) == [("m2",), ("m3",)]


def test_at_most_limit_plans_are_returned():
    tables = {f"t{i:02}": TableInfo(f"t{i:02}", "main", 1, 4) for i in range(12)}
    candidates = [Candidate((t,), 1, 4) for t in tables]
    everything = rank_plans(request(2), tables, candidates, {}, FLOOR.context())
    assert len(everything) == 10
    top = rank_plans(request(2), tables, candidates, {}, FLOOR.context(), limit=3)
    assert top == everything[:3]
    assert rank_plans(request(2), tables, candidates, {}, FLOOR.context(), limit=0) == []


def test_nothing_is_offered_when_nothing_free_fits():
    busy = {t: [(at(18), at(22))] for t in FLOOR.tables if t != "m1"}
    assert rank_plans(request(2), FLOOR.tables, FLOOR.candidates, busy, FLOOR.context())
    assert rank_plans(request(3), FLOOR.tables, FLOOR.candidates, busy, FLOOR.context()) == []
    assert rank_plans(request(30), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context()) == []


@pytest.mark.parametrize("singles", [engine.MAX_SCORED - 1, engine.MAX_SCORED])
def test_past_the_scoring_bound_only_the_best_by_size_and_waste_are_scored(singles):
    tables = {f"s{i:03}": TableInfo(f"s{i:03}", "main", 1, 4) for i in range(singles)}
    tables |= {"x1": TableInfo("x1", "main", 1, 2), "x2": TableInfo("x2", "main", 1, 2)}
    candidates = [Candidate((t,), 1, 4) for t in tables if t.startswith("s")]
    candidates.append(Candidate(("x1", "x2"), 2, 4))
    history = {(table_key(["x1", "x2"]), "3-4", 19): SuccessCounts(50, 0)}
    only_history = dict.fromkeys(STRATEGIES, 0.0) | {"historical_success": 1.0}
    context = FLOOR.context(history=history)
    plans = rank_plans(request(4), tables, candidates, {}, context, only_history, limit=1)
    scored = singles < engine.MAX_SCORED  # the combination is the last of 401 by (tables, waste)
    assert (plans[0].table_ids == ("x1", "x2")) is scored


@pytest.mark.parametrize(("party", "minutes"), [(0, 120), (2, 0), (2, -30)])
def test_an_empty_party_or_span_is_refused(party, minutes):
    with pytest.raises(ValueError):
        rank_plans(
            request(party, minutes=minutes), FLOOR.tables, FLOOR.candidates, {}, FLOOR.context()
        )


def test_among_equal_scores_an_explicit_combinations_priority_comes_first():
    weights = dict.fromkeys(STRATEGIES, 0.0)
    favoured = Candidate(("m1", "m5"), 2, 4, priority=5)  # not adjacent: only explicit
    candidates = [*FLOOR.candidates, favoured]
    plans = rank_plans(request(4), FLOOR.tables, candidates, {}, FLOOR.context(), weights)
    assert ids(plans)[0] == ("m1", "m5")
    plain = [*FLOOR.candidates, Candidate(("m1", "m5"), 2, 4)]
    plans = rank_plans(request(4), FLOOR.tables, plain, {}, FLOOR.context(), weights)
    assert ids(plans)[0] == ("m2",)
