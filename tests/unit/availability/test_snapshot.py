"""Snapshots equal a brute-force recomputation, for random floors, holds and expiries."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.domain.occupancy import Kind
from services.availability.domain.snapshot import compute_snapshot
from tests.unit.availability.floors import DAY, NOW, facts_for, floors, policy


@st.composite
def scenes(draw):
    floor = draw(floors())
    return floor, draw(facts_for(floor))


@settings(max_examples=200)
@given(scenes(), st.integers(0, 8))
def test_the_snapshot_equals_a_brute_force_recomputation(scene, offset):
    floor, facts = scene
    rules = policy(max_covers_per_slot=20, max_parties_per_slot=4)
    start = DAY + timedelta(hours=16, minutes=30 * offset)
    end = start + timedelta(hours=4)
    snapshot = compute_snapshot("v", floor, rules, facts, start, end, now=NOW)

    counted = [
        o
        for o in facts.occupancies
        if (o.kind is not Kind.HOLD or o.expire_time > NOW) and o.start < end and start < o.end
    ]
    active = [t for t in floor.tables if t.active]
    assert [table_id for table_id, _ in snapshot.tables] == sorted(t.table_id for t in active)
    for table_id, intervals in snapshot.tables:
        expected = sorted(
            (o for o in counted if table_id in o.table_ids),
            key=lambda o: (o.start, o.allocation_id),
        )
        assert list(intervals) == expected
    assert [d.booking_id for d in snapshot.demand] == [
        d.booking_id
        for d in sorted(facts.demand, key=lambda d: d.start)
        if d.start < end and start < d.end
    ]
    # Slots: every half hour from 17:00 to 22:00 that lies in [start, end).
    expected_starts = [
        DAY + timedelta(hours=17, minutes=30 * i)
        for i in range(11)
        if start <= DAY + timedelta(hours=17, minutes=30 * i) < end
    ]
    assert [s.start for s in snapshot.slots] == expected_starts
    for slot in snapshot.slots:
        slot_end = slot.start + timedelta(minutes=30)
        free = [
            t
            for t in active
            if not any(t.table_id in o.table_ids and o.start < slot_end and slot.start < o.end
                       for o in counted)
        ]  # fmt: skip
        assert slot.free_seats == sum(t.max_seats for t in free)
        assert sum(count for _, count in slot.free_tables) == len(free)
        starting = [o for o in counted if slot.start <= o.start < slot_end] + [
            d for d in facts.demand if slot.start <= d.start < slot_end
        ]
        assert slot.booked_covers == sum(x.party_size for x in starting)
        assert slot.booked_parties == len(starting)
        assert slot.covers_headroom == max(20 - slot.booked_covers, 0)
        assert slot.parties_headroom == max(4 - slot.booked_parties, 0)
    assert snapshot.version == facts.version


def test_an_expired_hold_stops_counting_the_moment_it_expires():
    from services.availability.domain.floor import Floor, Table
    from services.availability.domain.occupancy import Facts, Occupancy

    floor = Floor(tables=(Table("t1", "a", 1, 4),))
    hold = Occupancy("h1", Kind.HOLD, ("t1",), DAY + timedelta(hours=19),
                     DAY + timedelta(hours=20), expire_time=NOW)  # fmt: skip
    facts = Facts(1, 1, (hold,), ())
    window = (DAY + timedelta(hours=19), DAY + timedelta(hours=20))
    before = compute_snapshot("v", floor, policy(), facts, *window, now=NOW - timedelta(seconds=1))
    after = compute_snapshot("v", floor, policy(), facts, *window, now=NOW)
    assert before.tables[0][1] == (hold,) and before.slots[0].free_seats == 0
    assert after.tables[0][1] == () and after.slots[0].free_seats == 4
