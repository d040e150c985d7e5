"""The quality benchmark's simulator, its first-come seating and its hindsight model."""

from datetime import date

from bench.quality_api import service_date
from bench.quality_hindsight import hindsight
from bench.quality_policies import FRIDAY, engine, first_fit, run_day
from bench.quality_sim import Floor, Request, make_requests, table_allocation_floor
from shared.seating.combinations import Candidate, Seat

SEVEN = 19 * 60


def one_four_top() -> Floor:
    seat = Seat("t1", "z", 2, 4, False)
    return Floor("one", (seat,), (Candidate(("t1",), 2, 4),), frozenset())


def test_a_seed_gives_the_same_evening_in_the_order_requests_were_made() -> None:
    floor = table_allocation_floor()
    day = make_requests(floor, 1.0, 7)
    assert day == make_requests(floor, 1.0, 7)
    assert day != make_requests(floor, 1.0, 8)
    assert [r.made_minute for r in day] == sorted(r.made_minute for r in day)
    assert all(r.lead_minutes >= 0 and r.start_minute % 15 == 0 for r in day)


def test_hindsight_seats_the_larger_party_first_come_seats_the_first() -> None:
    floor = one_four_top()
    couple = Request("a", 2, SEVEN, SEVEN + 105, 600)
    four = Request("b", 4, SEVEN + 30, SEVEN + 150, 60)
    best = hindsight(floor, [couple, four], seconds=5, workers=1)
    assert (best.covers, best.optimal) == (4, True)
    assert run_day(floor, [couple, four], first_fit(floor)).covers == 2
    assert run_day(floor, [couple, four], engine(floor)).covers == 2


def test_no_first_come_policy_beats_hindsight() -> None:
    floor = table_allocation_floor()
    day = make_requests(floor, 1.4, 3)
    best = hindsight(floor, day, seconds=10, workers=1)
    assert best.optimal
    for choose in (first_fit(floor), engine(floor)):
        assert 0 < run_day(floor, day, choose).covers <= best.covers


def test_the_engine_ranks_zones_as_the_venue_orders_them() -> None:
    # The assigner reads the zones' sort order as the venue's preference; the in-memory engine
    # given the same order seats as it does, and without it every zone scores alike.
    seats = (Seat("a", "z2", 2, 4, False), Seat("b", "z1", 2, 4, False))
    floor = Floor("two", seats, (Candidate(("a",), 2, 4), Candidate(("b",), 2, 4)), frozenset())
    four = Request("r", 4, SEVEN, SEVEN + 120, 60)
    busy: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    unordered = engine(floor)(four, busy)
    ordered = engine(floor, ("z1", "z2"))(four, busy)
    assert unordered is not None and unordered.table_ids == ("a",)
    assert ordered is not None and ordered.table_ids == ("b",)


def test_the_api_replay_decides_on_the_in_memory_weekday() -> None:
    for day in range(1, 8):
        found = service_date(date(2026, 12, day))
        assert found.weekday() == FRIDAY
        assert 30 <= (found - date(2026, 12, day)).days < 37
