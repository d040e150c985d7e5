"""CheckCapacity agrees with an exhaustive search; SearchSlots ranks what CheckCapacity accepts."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.domain.capacity import Rejection, check_capacity
from services.availability.domain.floor import Floor, Table
from services.availability.domain.occupancy import Demand, Facts, Kind, Occupancy
from services.availability.domain.packing import Packing, Request
from services.availability.domain.slots import search_slots
from shared.seating.combinations import Candidate, Seat, connected_sets
from tests.unit.availability.floors import DAY, NOW, facts_for, floors, policy
from tests.unit.availability.test_combinations import brute_force


def candidates_of(floor: Floor, max_tables: int = 3) -> list[Candidate]:
    active = [t for t in floor.tables if t.active]
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable) for t in active]
    return connected_sets(seats, floor.neighbours(), max_tables=max_tables, cross_zone=False)


def exhaustive_fit(floor: Floor, facts: Facts, start, party: int, rules) -> bool:
    """Try every combination of candidates for the party and the overlapping waiting ones."""
    active = Floor(tuple(t for t in floor.tables if t.active), floor.edges)
    by_id = {t.table_id: t for t in active.tables}
    options = [
        (
            sum(by_id[m].min_seats for m in members),
            sum(by_id[m].max_seats for m in members),
            members,
        )
        for members in brute_force(active, rules.max_tables_per_combination, False)
    ]
    buffer = rules.cleaning_buffer
    blocked = start + rules.turn_time(party) + buffer
    requests = [(party, start, blocked)] + [
        (d.party_size, d.start, d.end + buffer)
        for d in facts.demand
        if d.start < blocked and start < d.end + buffer
    ]
    live = [o for o in facts.occupancies if o.expire_time is None or o.expire_time > NOW]

    def free(members, span) -> bool:
        return not any(set(members) & set(o.table_ids) and o.start < span[1] and span[0] < o.end
                       for o in live)  # fmt: skip

    choices = [
        [m for lo, hi, m in options if lo <= p <= hi and free(m, (s, e))] for p, s, e in requests
    ]
    # A waiting booking with no free fit even alone is lost already: it does not block others.
    keep = [0] + [i for i in range(1, len(requests)) if choices[i]]
    # Nor does one whose fits cannot share a table with the party's, even through others.
    keep = [i for i in keep if i in _group_of_first(requests, choices, keep)]
    requests, choices = [requests[i] for i in keep], [choices[i] for i in keep]
    for pick in itertools.product(*choices):
        clash = any(
            set(pick[i]) & set(pick[j])
            and requests[i][1] < requests[j][2]
            and requests[j][1] < requests[i][2]
            for i, j in itertools.combinations(range(len(pick)), 2)
        )
        if not clash:
            return True
    return False


def _group_of_first(requests, choices, keep) -> set[int]:
    """The requests among `keep` joined to the first through overlapping spans and a shared
    table among their fits."""
    tables = {i: {t for members in choices[i] for t in members} for i in keep}
    found, todo = {0}, [0]
    while todo:
        one = todo.pop()
        for other in keep:
            if (
                other not in found
                and tables[one] & tables[other]
                and (
                    requests[one][1] < requests[other][2] and requests[other][1] < requests[one][2]
                )
            ):
                found.add(other)
                todo.append(other)
    return found


@st.composite
def checks(draw):
    floor = draw(floors(max_tables=5))
    facts = draw(facts_for(floor))
    slot = draw(st.integers(0, 10))
    return floor, facts, DAY + timedelta(hours=17, minutes=30 * slot), draw(st.integers(1, 10))


@settings(max_examples=300, deadline=None)
@given(checks())
def test_check_capacity_agrees_with_an_exhaustive_search(check):
    floor, facts, start, party = check
    rules = policy()
    verdict = check_capacity(floor, rules, facts, candidates_of(floor), start, party, now=NOW)
    expected = exhaustive_fit(floor, facts, start, party, rules)
    assert verdict.accepted == expected
    if not expected:
        assert verdict.rejection is Rejection.NO_TABLE_FITS
    else:
        assert verdict.best is not None and verdict.best.fits(party)


def test_each_rejection_reason_is_reported():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    facts = Facts(1, 1, (), ())
    rules = policy(max_covers_per_slot=6, max_parties_per_slot=1)
    seven = DAY + timedelta(hours=19)

    def reason(start, party, facts=facts, rules=rules):
        return check_capacity(
            floor, rules, facts, candidates_of(floor), start, party, now=NOW
        ).rejection

    assert reason(seven, 13) is Rejection.PARTY_TOO_LARGE
    assert reason(NOW - timedelta(hours=1), 2) is Rejection.IN_PAST
    assert reason(DAY + timedelta(hours=23), 2) is Rejection.CLOSED
    assert reason(seven + timedelta(minutes=10), 2) is Rejection.OFF_SLOT
    assert reason(seven, 6) is Rejection.NO_TABLE_FITS
    waiting = Facts(
        1, 1, (), (Demand("d1", 4, seven, seven + timedelta(minutes=90), "MANUAL_REVIEW"),)
    )
    assert reason(seven, 3, facts=waiting) is Rejection.PACING_COVERS
    assert reason(seven, 1, facts=waiting) is Rejection.PACING_PARTIES
    unpaced = policy()
    assert reason(seven, 2, facts=waiting, rules=unpaced) is Rejection.NO_TABLE_FITS
    assert reason(seven, 2, rules=unpaced) is None


def test_a_booking_is_not_counted_against_itself():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    seven = DAY + timedelta(hours=19)
    mine = Occupancy("a1", Kind.ASSIGNED, ("t1",), seven, seven + timedelta(minutes=105),
                     booking_id="b1", party_size=2)  # fmt: skip
    facts = Facts(1, 1, (mine,), ())
    rules = policy()
    other = check_capacity(floor, rules, facts, candidates_of(floor), seven, 2, now=NOW)
    itself = check_capacity(floor, rules, facts, candidates_of(floor), seven, 2, now=NOW,
                            booking_id="b1")  # fmt: skip
    assert not other.accepted and itself.accepted


def test_search_offers_the_nearest_free_times_when_the_asked_one_is_full():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    seven = DAY + timedelta(hours=19)
    taken = Occupancy("a1", Kind.CONFIRMED, ("t1",), seven, seven + timedelta(minutes=90),
                      booking_id="b1", party_size=4)  # fmt: skip
    rules = policy()
    starts = [DAY + timedelta(hours=17, minutes=30 * i) for i in range(11)]
    options = search_slots(floor, rules, Facts(1, 1, (taken,), ()), candidates_of(floor), starts, 2,
                           now=NOW, preferred=seven, limit=3).options  # fmt: skip
    # 60 min turn + 15 buffer: 17:30 ends 18:45 (free); 18:00 would block until 19:15 (clash).
    assert [o.start - DAY for o in options] == [
        timedelta(hours=17, minutes=30),
        timedelta(hours=20, minutes=30),
        timedelta(hours=17),
    ]
    for option in options:
        verdict = check_capacity(floor, rules, Facts(1, 1, (taken,), ()), candidates_of(floor),
                                 option.start, 2, now=NOW)  # fmt: skip
        assert verdict.accepted


def test_a_hold_that_expired_no_longer_blocks_a_check():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    seven = DAY + timedelta(hours=19)
    hold = Occupancy("h", Kind.HOLD, ("t1",), seven, seven + timedelta(minutes=90), expire_time=NOW)
    facts = Facts(1, 1, (hold,), ())
    earlier = dataclasses.replace(hold, expire_time=NOW + timedelta(seconds=1))
    assert check_capacity(floor, policy(), facts, candidates_of(floor), seven, 2, now=NOW).accepted
    blocked = Facts(1, 1, (earlier,), ())
    assert not check_capacity(
        floor, policy(), blocked, candidates_of(floor), seven, 2, now=NOW
    ).accepted


def test_a_waiting_party_that_fits_nowhere_does_not_block_one_that_fits():
    floor = Floor(tables=(Table("t1", "a", 1, 2), Table("t2", "a", 1, 2)))
    seven = DAY + timedelta(hours=19)
    hopeless = Demand("big", 9, seven, seven + timedelta(minutes=90), "MANUAL_REVIEW")
    rival = Demand("two", 2, seven, seven + timedelta(minutes=60), "ASSIGNMENT_PENDING")
    rules = policy()
    alone = check_capacity(floor, rules, Facts(1, 1, (), (hopeless,)), candidates_of(floor), seven,
                           2, now=NOW)  # fmt: skip
    assert alone.accepted
    both = Facts(1, 1, (), (hopeless, rival, dataclasses.replace(rival, booking_id="three")))
    assert not check_capacity(floor, rules, both, candidates_of(floor), seven, 2, now=NOW).accepted


def test_a_refusal_is_rescuable_only_for_want_of_a_table_and_without_waiting_rivals():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    seven = DAY + timedelta(hours=19)
    taken = Occupancy("a1", Kind.ASSIGNED, ("t1",), seven, seven + timedelta(minutes=105),
                      booking_id="b1", party_size=2)  # fmt: skip
    rival = Demand("d1", 2, seven, seven + timedelta(minutes=60), "ASSIGNMENT_PENDING")
    rules = policy(max_covers_per_slot=6)

    def verdict(facts, party=2):
        return check_capacity(floor, rules, facts, candidates_of(floor), seven, party, now=NOW)

    alone = verdict(Facts(1, 1, (taken,), ()))
    assert alone.rejection is Rejection.NO_TABLE_FITS and alone.rescuable
    contested = verdict(Facts(1, 1, (taken,), (rival,)))
    assert contested.rejection is Rejection.NO_TABLE_FITS and not contested.rescuable
    paced = verdict(Facts(1, 1, (taken,), ()), party=5)
    assert paced.rejection is Rejection.PACING_COVERS and not paced.rescuable


def test_search_lists_the_starts_refused_for_want_of_a_table_nearest_first():
    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    seven = DAY + timedelta(hours=19)
    taken = Occupancy("a1", Kind.CONFIRMED, ("t1",), seven, seven + timedelta(minutes=90),
                      booking_id="b1", party_size=4)  # fmt: skip
    starts = [DAY + timedelta(hours=17, minutes=30 * i) for i in range(11)]
    found = search_slots(floor, policy(), Facts(1, 1, (taken,), ()), candidates_of(floor), starts,
                         2, now=NOW, preferred=seven, limit=3)  # fmt: skip
    # 18:00 to 20:00 clash with the 19:00-20:30 allocation (60 min turn + 15 buffer).
    assert [o.start - DAY for o in found.squeezed] == [
        timedelta(hours=19),
        timedelta(hours=18, minutes=30),
        timedelta(hours=19, minutes=30),
        timedelta(hours=18),
        timedelta(hours=20),
    ]
    assert all(o.rescue_needed for o in found.squeezed)
    assert not any(o.rescue_needed for o in found.options)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(1, 8)), max_size=30),
    st.integers(0, 50),
    st.integers(1, 12),
    st.integers(0, 4),
)
def test_the_waiting_index_finds_the_same_rivals_as_a_scan(rows, first, length, buffer_slots):
    slot = timedelta(minutes=15)
    waiting = [
        Demand(f"b{n}", party, NOW + begin * slot, NOW + (begin + turn) * slot, "PENDING")
        for n, (begin, turn, party) in enumerate(rows)
    ]
    buffer = buffer_slots * slot
    start, end = NOW + first * slot, NOW + (first + length) * slot
    packing = Packing.of(Facts(1, 1, (), tuple(waiting)), NOW)
    scanned = [
        Request(d.party_size, d.start, d.end + buffer)
        for d in waiting
        if d.start < end and start < d.end + buffer
    ]
    assert packing.competing(start, end, buffer) == scanned
    largest_first = sorted(scanned, key=lambda r: -r.party_size)  # equal sizes as scanned
    assert packing.competing(start, end, buffer, largest_first=True) == largest_first
