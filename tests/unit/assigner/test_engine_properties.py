"""On random small floors, every plan fits and is free, scores stay in [0, 1], order holds."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.assigner.domain.engine import MAX_SCORED, rank_plans
from services.assigner.domain.plans import SuccessCounts, TableInfo
from services.assigner.domain.strategies import STRATEGIES, party_band, table_key
from tests.unit.assigner.scenes import at, request, scene, upcoming

ZONES = ("a", "b")


@st.composite
def floors(draw: st.DrawFn):
    count = draw(st.integers(1, 7))
    specs = []
    for index in range(count):
        high = draw(st.sampled_from([2, 4, 6, 8]))
        specs.append((f"t{index}", draw(st.sampled_from(ZONES)), draw(st.integers(1, high)), high))
    pairs = [(f"t{i}", f"t{j}") for i in range(count) for j in range(i + 1, count)]
    edges = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    return scene(specs, edges, max_tables=draw(st.integers(1, 3)), cross_zone=draw(st.booleans()))


def spans(draw: st.DrawFn, most: int):
    found = []
    for _ in range(draw(st.integers(0, most))):
        start = at(17) + timedelta(minutes=15 * draw(st.integers(0, 24)))
        found.append((start, start + timedelta(minutes=15 * draw(st.integers(1, 12)))))
    return found


@st.composite
def situations(draw: st.DrawFn):
    floor = draw(floors())
    busy = {t: spans(draw, 2) for t in floor.tables}
    later = tuple(
        upcoming(f"u{i}", draw(st.integers(1, 12)), start, int((end - start).seconds / 60))
        for i, (start, end) in enumerate(spans(draw, 4))
    )
    keys = [c.table_ids for c in floor.candidates]
    history = {
        (table_key(draw(st.sampled_from(keys))), party_band(draw(st.integers(1, 12))), hour): (
            SuccessCounts(draw(st.integers(0, 5)), draw(st.integers(0, 5)))
        )
        for hour in draw(st.lists(st.integers(17, 22), max_size=4))
    }
    context = floor.context(
        upcoming=later,
        history=history,
        zone_preference=tuple(draw(st.permutations(ZONES))[: draw(st.integers(0, 2))]),
    )
    weights = {
        name: draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]))
        for name in STRATEGIES
        if draw(st.booleans())
    }
    start = at(17) + timedelta(minutes=15 * draw(st.integers(0, 20)))
    zone = draw(st.sampled_from([None, *ZONES]))
    ask = request(draw(st.integers(1, 12)), start, minutes=draw(st.integers(1, 10)) * 15, zone=zone)
    return floor, busy, context, weights, ask


def fits(tables: dict[str, TableInfo], ids: tuple[str, ...], party: int) -> bool:
    return sum(tables[t].min_seats for t in ids) <= party <= sum(tables[t].max_seats for t in ids)


def free(busy, ids, ask) -> bool:
    return not any(s < ask.blocked_until and ask.start < e for t in ids for s, e in busy.get(t, ()))


@settings(max_examples=300, deadline=None)
@given(situations(), st.integers(1, 30), st.randoms(use_true_random=False))
def test_every_plan_fits_is_free_scores_in_range_and_comes_in_order(situation, limit, shuffler):
    floor, busy, context, weights, ask = situation
    plans = rank_plans(ask, floor.tables, floor.candidates, busy, context, weights, limit)

    eligible = {
        c.table_ids
        for c in floor.candidates
        if fits(floor.tables, c.table_ids, ask.party_size) and free(busy, c.table_ids, ask)
    }
    offered = [plan.table_ids for plan in plans]
    assert len(offered) == len(set(offered)) == min(limit, len(eligible), MAX_SCORED)
    assert set(offered) <= eligible
    for plan in plans:
        assert 0.0 <= plan.score <= 1.0
        assert all(0.0 <= c.score <= 1.0 and c.reason for c in plan.contributions)
    assert [p.score for p in plans] == sorted((p.score for p in plans), reverse=True)

    shuffled = shuffler.sample(floor.candidates, len(floor.candidates))
    tables = dict(shuffler.sample(list(floor.tables.items()), len(floor.tables)))
    assert rank_plans(ask, tables, shuffled, busy, context, weights, limit) == plans


def plan_strands(table_ids: tuple[str, ...], busy, ask) -> int:
    """Minutes a plan strands, counted plan by plan as the engine once did: each table's gaps
    before and after the party that are shorter than its stay."""
    stay = ask.blocked_until - ask.start
    stranded = 0
    for table_id in table_ids:
        spans = busy.get(table_id, ())
        before = max((e for _, e in spans if e <= ask.start), default=None)
        after = min((s for s, _ in spans if s >= ask.blocked_until), default=None)
        for gap in (
            ask.start - before if before is not None else None,
            after - ask.blocked_until if after is not None else None,
        ):
            if gap is not None and gap < stay:
                stranded += gap // timedelta(minutes=1)
    return stranded


@settings(max_examples=300, deadline=None)
@given(situations(), st.booleans())
def test_the_order_is_score_priority_stranded_minutes_tables_waste_and_ids(situation, tied):
    floor, busy, context, weights, ask = situation
    if tied:  # every score 0: the tie-breaks alone decide
        weights = dict.fromkeys(STRATEGIES, 0.0)
    plans = rank_plans(ask, floor.tables, floor.candidates, busy, context, weights, limit=30)
    priority = {c.table_ids: c.priority for c in floor.candidates}

    def key(plan):
        return (
            -plan.score,
            -priority[plan.table_ids],
            plan_strands(plan.table_ids, busy, ask),
            len(plan.table_ids),
            plan.total_seats - ask.party_size,
            plan.table_ids,
        )

    assert sorted(plans, key=key) == plans
