"""A packing moved on through changes answers every check as one made afresh from the same facts,
and none of the fits, busy spans, pacing counts or waiting-booking contests it carried over is
stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.domain.capacity import (
    _BudgetSpent,
    _claim,
    _seat,
    check_capacity,
    contest_of,
)
from services.availability.domain.floor import Floor, Policy, Table
from services.availability.domain.occupancy import Demand, Facts, Kind, Occupancy
from services.availability.domain.packing import Contest, Packing, free_fits
from services.availability.domain.packing_moves import moved_on
from shared.seating.combinations import Candidate
from tests.unit.availability.floors import DAY, NOW, policy
from tests.unit.availability.test_capacity import candidates_of

SEVEN = DAY + timedelta(hours=19)
RULES = policy(max_tables_per_combination=2)
# Every start of the dinner grid (30 minutes) and party: the probes that fill the caches.
PROBES = [
    (SEVEN + timedelta(minutes=30 * step), party) for step in range(-4, 6) for party in (1, 2, 4, 6)
]
# Every slot a booking can start in once moved: where the pacing counts are compared.
SLOTS = [SEVEN + timedelta(minutes=30 * step) for step in range(-6, 7)]
# What a change does; `at` picks the occupancy or waiting booking it changes (modulo).
WHATS = ["seat", "hold", "free", "move", "shift", "party", "wait", "leave", "rewait", "assign"]
Change = tuple[str, int, Any]


def _turn(party: int) -> timedelta:
    return timedelta(minutes=60 if party <= 2 else 90)


@st.composite
def days(draw: st.DrawFn) -> tuple[Floor, Policy, Facts, list[Change]]:
    """A small busy floor, its pacing limits, its facts, and the changes that follow, one
    version each."""
    bigs, smalls = draw(st.integers(1, 3)), draw(st.integers(2, 7))
    tables = [Table(f"big{i}", "a", 4, 6) for i in range(bigs)]
    tables += [Table(f"s{i}", "a", 1, draw(st.sampled_from([2, 4]))) for i in range(smalls)]
    ids = [t.table_id for t in tables]
    pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    floor = Floor(tuple(tables), frozenset(draw(st.sets(st.sampled_from(pairs), max_size=8))))
    rules = replace(
        RULES,
        max_covers_per_slot=draw(st.sampled_from([None, 12])),
        max_parties_per_slot=draw(st.sampled_from([None, 3])),
    )

    def start() -> datetime:
        return SEVEN + timedelta(minutes=30 * draw(st.integers(-4, 4)))

    def on() -> tuple[str, ...]:
        return tuple(sorted(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=2))))

    def waiting(name: str) -> Demand:
        begins, party = start(), draw(st.integers(1, 7))
        return Demand(name, party, begins, begins + _turn(party), "MANUAL_REVIEW")

    def seated(name: str, kind: Kind) -> Occupancy:
        begins, end = start(), timedelta(minutes=105)
        # A hold may expire while the changes run (the clock moves by 20 minutes a change).
        expiry = (
            NOW + timedelta(minutes=20 * draw(st.integers(1, 8))) if kind is Kind.HOLD else None
        )
        booking, party = (None, 0) if kind is Kind.HOLD else (f"b-{name}", draw(st.integers(1, 6)))
        return Occupancy(name, kind, on(), begins, begins + end, booking, party, expire_time=expiry)

    demand = tuple(waiting(f"w{n}") for n in range(draw(st.integers(1, 10))))
    kinds = st.sampled_from([Kind.CONFIRMED, Kind.HOLD])
    occupied = tuple(seated(f"a{n}", draw(kinds)) for n in range(draw(st.integers(0, 5))))
    changes: list[Change] = []
    for n in range(draw(st.integers(1, 6))):
        what, at = draw(st.sampled_from(WHATS)), draw(st.integers(0, 20))
        value: Any = None
        if what in ("seat", "hold"):
            value = seated(f"c{n}", Kind.CONFIRMED if what == "seat" else Kind.HOLD)
        elif what == "wait":
            value = waiting(f"v{n}")
        elif what in ("move", "assign"):
            value = on()
        elif what == "shift":
            value = timedelta(minutes=30 * draw(st.sampled_from([-2, -1, 1, 2])))
        elif what == "party":
            # Often none: a party that stops counting for pacing.
            value = draw(st.sampled_from([0, 0, 3, 6]))
        elif what == "rewait":
            # Often the same start, so the waiting order stays and only its span changes.
            value = (timedelta(minutes=30 * draw(st.integers(-1, 1))), draw(st.integers(1, 7)))
        changes.append((what, at, value))
    return floor, rules, Facts(1, 1, occupied, demand), changes


def changed(facts: Facts, change: Change) -> Facts:
    """The facts one version later."""
    what, at, value = change
    occupancies, demand = list(facts.occupancies), list(facts.demand)
    if what in ("seat", "hold"):
        occupancies.append(value)
    elif what == "wait":
        demand.append(value)
    elif what == "free" and occupancies:
        occupancies.pop(at % len(occupancies))
    elif what in ("move", "shift", "party") and occupancies:
        at %= len(occupancies)
        occupancies[at] = _changed_occupancy(occupancies[at], what, value)
    elif what == "leave" and demand:
        demand.pop(at % len(demand))
    elif what == "rewait" and demand:
        at %= len(demand)
        shift, party = value
        begins = demand[at].start + shift
        demand[at] = replace(demand[at], party_size=party, start=begins, end=begins + _turn(party))
    elif what == "assign" and demand:
        gone = demand.pop(at % len(demand))
        end = gone.end + RULES.cleaning_buffer
        name, party = f"g-{gone.booking_id}", gone.party_size
        occupancies.append(
            Occupancy(name, Kind.ASSIGNED, value, gone.start, end, gone.booking_id, party)
        )
    demand.sort(key=lambda d: (d.start, d.booking_id))
    return replace(
        facts, version=facts.version + 1, occupancies=tuple(occupancies), demand=tuple(demand)
    )


def _changed_occupancy(occupancy: Occupancy, what: str, value: Any) -> Occupancy:
    """An occupancy moved to other tables, shifted in time or given another party size."""
    if what == "move":
        return replace(occupancy, table_ids=value)
    if what == "shift":
        return replace(occupancy, start=occupancy.start + value, end=occupancy.end + value)
    return replace(occupancy, party_size=value)


def warm(
    packing: Packing, facts: Facts, floor: Floor, rules: Policy, now: datetime
) -> list[object]:
    """Every probe checked on `packing` (filling its caches), its verdicts."""
    candidates = candidates_of(floor, max_tables=2)
    return [
        check_capacity(floor, rules, facts, candidates, start, party, now=now, packing=packing)
        for start, party in PROBES
    ]


def seatable(contest: Contest, group: int, candidates: list[Candidate], packing: Packing) -> bool:
    """Whether a group of a contest's rivals can all be seated, worked out as a check does."""
    _, members = contest.groups[group]
    rivals = [rival for at, rival in enumerate(contest.rivals or ()) if at in members]
    seat = partial(free_fits, candidates=candidates, busy=packing.busy, cache=packing.fits)
    try:
        return _seat(rivals, seat) is not None
    except _BudgetSpent:
        return True


def assert_nothing_stale(packing: Packing, fresh: Packing, candidates: list[Candidate]) -> None:
    """What `packing` carried over is what `fresh` works out, entry by entry."""
    for request, fits in packing.fits.by_request.items():
        assert fits == free_fits(request, candidates, fresh.busy, fresh.fits), request
    for (start, end), taken in packing.busy._taken.items():
        assert taken == fresh.busy.taken(start, end), (start, end)
    for slot in SLOTS:
        interval = RULES.slot_interval
        assert packing.pacing.load(slot, interval) == fresh.pacing.load(slot, interval), slot
    for key, contest in packing.contests.items():
        again = contest_of(fresh, *key)
        assert contest.competing == again.competing, key
        if contest.rivals is not None:
            _claim(contest, candidates, packing)  # a suspect one is looked at again
            _claim(again, candidates, fresh)
            assert (contest.rivals, contest.groups) == (again.rivals, again.groups), key
            for group, known in enumerate(contest.seatable):
                if known is not None:
                    assert known == seatable(again, group, candidates, fresh), (key, group)


@settings(max_examples=300, deadline=None)
@given(days())
def test_a_moved_packing_answers_as_a_fresh_one_after_every_change(day):
    floor, rules, facts, changes = day
    candidates = candidates_of(floor, max_tables=2)
    packing = Packing.of(facts, NOW)
    warm(packing, facts, floor, rules, NOW)
    for step, change in enumerate(changes, start=1):
        facts = changed(facts, change)
        now = NOW + timedelta(minutes=20 * step)
        packing = moved_on(packing, facts, now)
        fresh = Packing.of(facts, now)
        assert_nothing_stale(packing, fresh, candidates)
        # And every check answers the same; the moved packing keeps what they add.
        assert warm(packing, facts, floor, rules, now) == warm(fresh, facts, floor, rules, now)


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
