"""Connected combinations: the bounded enumeration finds exactly the brute-force sets."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.domain.floor import Floor, Table
from shared.seating.combinations import Seat, connected_sets
from tests.unit.availability.floors import floors


def seats_of(floor: Floor) -> list[Seat]:
    return [
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable) for t in floor.tables
    ]


def connected(members: tuple[str, ...], edges: frozenset[tuple[str, str]]) -> bool:
    reached, frontier = {members[0]}, [members[0]]
    while frontier:
        current = frontier.pop()
        for a, b in edges:
            for here, there in ((a, b), (b, a)):
                if here == current and there in members and there not in reached:
                    reached.add(there)
                    frontier.append(there)
    return reached == set(members)


def brute_force(floor: Floor, max_tables: int, cross_zone: bool) -> set[tuple[str, ...]]:
    by_id = {t.table_id: t for t in floor.tables}
    found = {(t.table_id,) for t in floor.tables}
    for size in range(2, max_tables + 1):
        for members in itertools.combinations(sorted(by_id), size):
            tables = [by_id[m] for m in members]
            if not all(t.combinable for t in tables):
                continue
            if not cross_zone and len({t.zone_id for t in tables}) > 1:
                continue
            if connected(members, floor.edges):
                found.add(members)
    return found


@settings(max_examples=300)
@given(floors(max_tables=7), st.integers(1, 4), st.booleans())
def test_the_enumeration_finds_exactly_the_connected_combinable_sets(floor, max_tables, cross):
    found = connected_sets(
        seats_of(floor), floor.neighbours(), max_tables=max_tables, cross_zone=cross
    )
    as_tuples = [c.table_ids for c in found]
    assert len(as_tuples) == len(set(as_tuples)), "a set was produced twice"
    assert set(as_tuples) == brute_force(floor, max_tables, cross)


def test_capacities_of_a_combination_are_the_sums_of_its_tables():
    floor = Floor(
        tables=tuple(Table(f"t{i}", "a", 2, 4) for i in range(3)),
        edges=frozenset({("t0", "t1"), ("t1", "t2")}),
    )
    found = {c.table_ids: c for c in connected_sets(seats_of(floor), floor.neighbours(),
                                                    max_tables=3, cross_zone=False)}  # fmt: skip
    assert ("t0", "t2") not in found
    trio = found[("t0", "t1", "t2")]
    assert (trio.min_seats, trio.max_seats) == (6, 12)
    assert trio.fits(7) and not trio.fits(5) and trio.waste(7) == 5
