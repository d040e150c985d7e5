"""A packing moved on through changes answers every check as one made afresh from the same facts,
and none of the fits, busy spans or waiting-booking contests it carried over is stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.domain.capacity import _claim, check_capacity, contest_of
from services.availability.domain.floor import Floor, Table
from services.availability.domain.occupancy import Demand, Facts, Kind, Occupancy
from services.availability.domain.packing import Packing, free_fits
from services.availability.domain.packing_moves import moved_on
from tests.unit.availability.floors import DAY, NOW, policy
from tests.unit.availability.test_capacity import candidates_of

SEVEN = DAY + timedelta(hours=19)
RULES = policy(max_tables_per_combination=2)
# Every start of the dinner grid (30 minutes) and party: the probes that fill the caches.
PROBES = [
    (SEVEN + timedelta(minutes=30 * step), party) for step in range(-4, 6) for party in (1, 2, 4, 6)
]


def _start(draw: st.DrawFn) -> object:
    return SEVEN + timedelta(minutes=30 * draw(st.integers(-4, 4)))


@st.composite
def days(draw: st.DrawFn) -> tuple[Floor, Facts, list[tuple[str, object]]]:
    """A small busy floor, its facts, and the changes that follow, one version each."""
    bigs, smalls = draw(st.integers(1, 3)), draw(st.integers(2, 7))
    tables = [Table(f"big{i}", "a", 4, 6) for i in range(bigs)]
    tables += [Table(f"s{i}", "a", 1, draw(st.sampled_from([2, 4]))) for i in range(smalls)]
    ids = [t.table_id for t in tables]
    pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    floor = Floor(tuple(tables), frozenset(draw(st.sets(st.sampled_from(pairs), max_size=8))))

    def waiting(name: str) -> Demand:
        start, party = _start(draw), draw(st.integers(1, 7))
        turn = timedelta(minutes=60 if party <= 2 else 90)
        return Demand(name, party, start, start + turn, "MANUAL_REVIEW")

    def seated(name: str, kind: Kind) -> Occupancy:
        start = _start(draw)
        table = draw(st.sampled_from(ids))
        # A hold may expire while the changes run (the clock moves by 20 minutes a change).
        expiry = (
            NOW + timedelta(minutes=20 * draw(st.integers(1, 8))) if kind is Kind.HOLD else None
        )
        booking, party = (None, 0) if kind is Kind.HOLD else (f"b-{name}", 2)
        end = start + timedelta(minutes=105)
        return Occupancy(name, kind, (table,), start, end, booking, party, expire_time=expiry)

    demand = tuple(waiting(f"w{n}") for n in range(draw(st.integers(1, 10))))
    kinds = st.sampled_from([Kind.CONFIRMED, Kind.HOLD])
    occupied = tuple(seated(f"a{n}", draw(kinds)) for n in range(draw(st.integers(0, 5))))
    changes: list[tuple[str, object]] = []
    for n in range(draw(st.integers(1, 6))):
        what = draw(st.sampled_from(["seat", "hold", "free", "wait", "leave", "assign", "move"]))
        if what in ("seat", "hold"):
            changes.append(
                ("add", seated(f"c{n}", Kind.CONFIRMED if what == "seat" else Kind.HOLD))
            )
        elif what == "wait":
            changes.append(("wait", waiting(f"v{n}")))
        else:
            changes.append((what, draw(st.integers(0, 20))))
    return floor, Facts(1, 1, occupied, demand), changes


def changed(facts: Facts, change: tuple[str, object], ids: list[str]) -> Facts:
    """The facts one version later."""
    what, value = change
    occupancies, demand = list(facts.occupancies), list(facts.demand)
    if what == "add":
        occupancies.append(value)
    elif what == "wait":
        demand.append(value)
    elif what == "free" and occupancies:
        occupancies.pop(int(value) % len(occupancies))
    elif what == "leave" and demand:
        demand.pop(int(value) % len(demand))
    elif what == "move" and occupancies:
        at = int(value) % len(occupancies)
        table = ids[int(value) % len(ids)]
        occupancies[at] = replace(occupancies[at], table_ids=(table,))
    elif what == "assign" and demand:
        gone = demand.pop(int(value) % len(demand))
        table = ids[int(value) % len(ids)]
        end = gone.end + RULES.cleaning_buffer
        name, party = f"g-{gone.booking_id}", gone.party_size
        occupancies.append(
            Occupancy(name, Kind.ASSIGNED, (table,), gone.start, end, gone.booking_id, party)
        )
    demand.sort(key=lambda d: (d.start, d.booking_id))
    return replace(
        facts, version=facts.version + 1, occupancies=tuple(occupancies), demand=tuple(demand)
    )


def warm(packing: Packing, facts: Facts, floor: Floor, now: object) -> list[object]:
    """Every probe checked on `packing` (filling its caches), its verdicts."""
    candidates = candidates_of(floor, max_tables=2)
    return [
        check_capacity(floor, RULES, facts, candidates, start, party, now=now, packing=packing)
        for start, party in PROBES
    ]


@settings(max_examples=300, deadline=None)
@given(days())
def test_a_moved_packing_answers_as_a_fresh_one_after_every_change(day):
    floor, facts, changes = day
    candidates = candidates_of(floor, max_tables=2)
    ids = [t.table_id for t in floor.tables]
    packing = Packing.of(facts, NOW)
    warm(packing, facts, floor, NOW)
    for step, change in enumerate(changes, start=1):
        facts = changed(facts, change, ids)
        now = NOW + timedelta(minutes=20 * step)
        packing = moved_on(packing, facts, now)
        fresh = Packing.of(facts, now)
        # What was carried over is what a fresh packing works out, entry by entry.
        for request, fits in packing.fits.by_request.items():
            assert fits == free_fits(request, candidates, fresh.busy, fresh.fits), request
        for (start, end), taken in packing.busy._taken.items():
            assert taken == fresh.busy.taken(start, end), (start, end)
        for key, contest in packing.contests.items():
            again = contest_of(fresh, *key)
            assert contest.competing == again.competing, key
            if contest.rivals is not None:
                _claim(contest, candidates, packing)  # a suspect one is looked at again
                _claim(again, candidates, fresh)
                assert (contest.rivals, contest.groups) == (again.rivals, again.groups), key
                known = [s for s in contest.seatable if s is not None]
                assert len(known) <= len(again.seatable)
        assert packing.pacing.load(SEVEN, RULES.slot_interval) == fresh.pacing.load(
            SEVEN, RULES.slot_interval
        )
        # And every check answers the same; the moved packing keeps what they add.
        assert warm(packing, facts, floor, now) == warm(fresh, facts, floor, now)


def test_a_hold_on_a_table_makes_a_carried_over_fit_and_contest_be_worked_out_again():
    floor = Floor((Table("big0", "a", 4, 6), Table("s0", "a", 1, 2)))
    end = SEVEN + timedelta(minutes=90)
    facts = Facts(1, 1, (), (Demand("w0", 6, SEVEN, end, "PENDING"),))
    packing = Packing.of(facts, NOW)
    six = check_capacity(
        floor, RULES, facts, candidates_of(floor), SEVEN, 6, now=NOW, packing=packing
    )
    assert six.rejection is not None  # the waiting six has the one big table
    two = check_capacity(
        floor, RULES, facts, candidates_of(floor), SEVEN, 2, now=NOW, packing=packing
    )
    assert two.accepted
    # A hold on big0 leaves the waiting six no table: a party of 6 is refused for want of one,
    # uncontested, and the two still fits on s0; at 21:00, after the hold, the six fits again.
    hold = Occupancy("h", Kind.HOLD, ("big0",), SEVEN, end, expire_time=NOW + timedelta(hours=9))
    later = replace(facts, version=2, occupancies=(hold,))
    moved = moved_on(packing, later, NOW)
    again = check_capacity(
        floor, RULES, later, candidates_of(floor), SEVEN, 6, now=NOW, packing=moved
    )
    assert again.rejection is not None
    assert moved.fits.by_request == {
        r: f for r, f in moved.fits.by_request.items() if not f or "big0" not in f[0].table_ids
    }
    nine = SEVEN + timedelta(hours=2)
    assert check_capacity(
        floor, RULES, later, candidates_of(floor), nine, 6, now=NOW, packing=moved
    ).accepted
