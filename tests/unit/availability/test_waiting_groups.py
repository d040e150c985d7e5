"""A party leaves room only for the waiting bookings its fits could contend with, as the old
packing search would over those bookings alone, budget and all."""

from __future__ import annotations

import itertools
from datetime import timedelta
from unittest import mock

from hypothesis import event, given, settings
from hypothesis import strategies as st

from services.availability.domain import capacity
from services.availability.domain.capacity import Rejection, check_capacity
from services.availability.domain.floor import Floor, Table
from services.availability.domain.occupancy import Demand, Facts, Kind, Occupancy
from services.availability.domain.packing import FitCache, Packing, Request, free_fits
from services.availability.domain.packing_moves import moved_on
from shared.seating.combinations import Candidate
from tests.unit.availability.floors import DAY, NOW, policy
from tests.unit.availability.old_pack import old_pack
from tests.unit.availability.test_capacity import candidates_of

SEVEN = DAY + timedelta(hours=19)


def backlog_floor(six_tops: int, two_tops: int) -> Floor:
    tables = [Table(f"big{i}", "a", 4, 6) for i in range(six_tops)]
    tables += [Table(f"s{i}", "a", 1, 2) for i in range(two_tops)]
    return Floor(tables=tuple(tables))


def waiting_sixes(count: int) -> tuple[Demand, ...]:
    end = SEVEN + timedelta(minutes=90)
    return tuple(Demand(f"w{i}", 6, SEVEN, end, "MANUAL_REVIEW") for i in range(count))


def test_waiting_bookings_that_cannot_all_be_seated_do_not_refuse_a_party_on_other_tables():
    floor = backlog_floor(six_tops=5, two_tops=30)
    facts = Facts(1, 1, (), waiting_sixes(6))
    rules = policy()
    two = check_capacity(floor, rules, facts, candidates_of(floor), SEVEN, 2, now=NOW)
    assert two.accepted and two.best is not None and two.best.table_ids == ("s0",)
    # The old search over all six agreed only because it spent the whole budget.
    packing = Packing.of(facts, NOW)
    new = Request(2, SEVEN, SEVEN + timedelta(minutes=75))
    competing = packing.competing(new.start, new.blocked_until, rules.cleaning_buffer)
    budget = capacity.SEARCH_BUDGET
    assert old_pack(new, competing, candidates_of(floor), packing.busy, budget) == (two.best, True)
    # A party that needs one of the six-tops the backlog contends for is still refused.
    six = check_capacity(floor, rules, facts, candidates_of(floor), SEVEN, 6, now=NOW)
    assert six.rejection is Rejection.NO_TABLE_FITS and six.contested


def test_a_party_is_refused_when_it_would_leave_a_linked_waiting_booking_no_table():
    # w0 needs big0 or the s0+s1 pair; w1 needs big0: the party of 2 on s0 or s1 strands one.
    floor = Floor(
        tables=(Table("big0", "a", 4, 6), Table("s0", "a", 1, 3), Table("s1", "a", 1, 3)),
        edges=frozenset({("s0", "s1")}),
    )
    end = SEVEN + timedelta(minutes=90)
    waiting = (Demand("w0", 6, SEVEN, end, "PENDING"), Demand("w1", 5, SEVEN, end, "PENDING"))
    verdict = check_capacity(
        floor, policy(), Facts(1, 1, (), waiting), candidates_of(floor), SEVEN, 2, now=NOW
    )
    assert verdict.rejection is Rejection.NO_TABLE_FITS


def linked_to(new: Request, rivals: list[Request], fits: dict[Request, list[Candidate]]):
    """The rivals joined to `new` through overlapping spans and a table shared by their fits."""
    tables = {r: {t for c in fits[r] for t in c.table_ids} for r in [new, *rivals]}
    found, todo = [new], [new]
    while todo:
        one = todo.pop()
        for other in rivals:
            if (
                other not in found
                and tables[one] & tables[other]
                and (one.start < other.blocked_until and other.start < one.blocked_until)
            ):
                found.append(other)
                todo.append(other)
    return [r for r in rivals if r in found]


def groups_of(rivals: list[Request], fits: dict[Request, list[Candidate]]):
    """The rivals split into the groups `linked_to` joins, each in the rivals' order."""
    groups: list[list[Request]] = []
    for rival in rivals:
        if not any(rival in group for group in groups):
            groups.append([rival, *linked_to(rival, [r for r in rivals if r is not rival], fits)])
    return [[r for r in rivals if r in group] for group in groups]


@st.composite
def backlogs(draw):
    six_tops, two_tops = draw(st.integers(1, 6)), draw(st.integers(2, 24))
    tables = [Table(f"big{i}", draw(st.sampled_from("ab")), 4, 6) for i in range(six_tops)]
    tables += [
        Table(f"s{i}", draw(st.sampled_from("ab")), 1, draw(st.sampled_from([2, 4])))
        for i in range(two_tops)
    ]
    ids = [t.table_id for t in tables]
    pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    edges = draw(st.sets(st.sampled_from(pairs), max_size=12))
    floor = Floor(tables=tuple(tables), edges=frozenset(edges))
    waiting = []
    for n in range(draw(st.integers(2, 16))):
        start = SEVEN + timedelta(minutes=30 * draw(st.integers(-3, 3)))
        party = draw(st.integers(1, 8))
        turn = timedelta(minutes=60 if party <= 2 else 90)
        waiting.append(Demand(f"w{n}", party, start, start + turn, "MANUAL_REVIEW"))
    seated = []
    for n in range(draw(st.integers(0, 4))):
        start = SEVEN + timedelta(minutes=30 * draw(st.integers(-3, 3)))
        table = draw(st.sampled_from(ids))
        end = start + timedelta(minutes=105)
        seated.append(
            Occupancy(f"a{n}", Kind.CONFIRMED, (table,), start, end, f"b{n}", party_size=2)
        )
    facts = Facts(1, 1, tuple(seated), tuple(waiting))
    party = draw(st.integers(1, 8))
    budget = draw(st.sampled_from([capacity.SEARCH_BUDGET, 60, 8]))
    return floor, facts, party, budget


@settings(max_examples=250, deadline=None)
@given(backlogs())
def test_the_check_answers_as_the_old_search_over_the_linked_waiting_bookings(backlog):
    assert_as_the_old_search(*backlog)


@st.composite
def earlier_days(draw, backlog):
    """The facts a version or more before `backlog`'s: some of its waiting and seated
    bookings not there yet, and others there that have gone since."""
    _, facts, _, _ = backlog
    kept = st.lists(st.booleans(), min_size=16, max_size=16)
    waiting = [d for d, keep in zip(facts.demand, draw(kept), strict=False) if keep]
    seated = [o for o, keep in zip(facts.occupancies, draw(kept), strict=False) if keep]
    for n in range(draw(st.integers(0, 3))):
        start = SEVEN + timedelta(minutes=30 * draw(st.integers(-3, 3)))
        waiting.insert(
            draw(st.integers(0, len(waiting))),
            Demand(f"x{n}", 4, start, start + timedelta(minutes=90), "PENDING"),
        )
        table = draw(
            st.sampled_from(
                sorted({t for o in facts.occupancies for t in o.table_ids} | {"big0", "s0", "s1"})
            )
        )
        seated.append(
            Occupancy(f"y{n}", Kind.HOLD, (table,), start, start + timedelta(minutes=105))
        )
    return Facts(0, 1, tuple(seated), tuple(waiting))  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(backlogs().flatmap(lambda backlog: st.tuples(st.just(backlog), earlier_days(backlog))))
def test_a_packing_moved_on_from_an_earlier_version_answers_as_the_old_search(drawn):
    (floor, facts, party, budget), earlier = drawn
    rules = policy(max_tables_per_combination=2)
    candidates = candidates_of(floor, max_tables=2)
    # The earlier version's packing, its caches filled by checks at every start and size.
    packing = Packing.of(earlier, NOW)
    with mock.patch.object(capacity, "SEARCH_BUDGET", budget):
        for step, size in itertools.product(range(-3, 4), range(1, 9)):
            start = SEVEN + timedelta(minutes=30 * step)
            check_capacity(floor, rules, earlier, candidates, start, size, now=NOW, packing=packing)
    assert_as_the_old_search(floor, facts, party, budget, moved_on(packing, facts, NOW))


def assert_as_the_old_search(floor, facts, party, budget, packing=None):
    """The check (on `packing` when given) answers as the old search over the linked waiting
    bookings, or refuses where that search ran out and a linked group cannot be seated."""
    rules = policy(max_tables_per_combination=2)
    candidates = candidates_of(floor, max_tables=2)
    with mock.patch.object(capacity, "SEARCH_BUDGET", budget):
        verdict = check_capacity(
            floor, rules, facts, candidates, SEVEN, party, now=NOW, packing=packing
        )
    packing = Packing.of(facts, NOW)
    turn = rules.turn_time(party)
    assert turn is not None
    new = Request(party, SEVEN, SEVEN + turn + rules.cleaning_buffer)
    competing = packing.competing(new.start, new.blocked_until, rules.cleaning_buffer)
    memo = FitCache()
    fits = {r: free_fits(r, candidates, packing.busy, memo) for r in [new, *competing]}
    # Largest party first, equal ones in the waiting order: the order the old search seats.
    ranked = sorted((r for r in competing if fits[r]), key=lambda r: -r.party_size)
    rivals = linked_to(new, ranked, fits)
    expected, spent = old_pack(new, rivals, candidates, packing.busy, budget)
    event("budget spent" if spent else "searched to the end")
    event("some waiting bookings left out" if len(rivals) < len(competing) else "all linked")
    assert verdict.accepted == (verdict.best is not None)
    if verdict.best != expected:
        # Only where the old search ran out and took the first free fit, while a group of the
        # linked bookings is shown, by that search over the group alone, not to fit at all.
        assert spent and verdict.best is None
        assert any(
            old_pack(group[0], group[1:], candidates, packing.busy, budget) == (None, False)
            for group in groups_of(rivals, fits)
        )
        event("refused: a linked group cannot be seated")
    # Where every waiting booking is linked, that is the old search over all of them.
    if len(rivals) == len(competing):
        assert (expected, spent) == old_pack(new, competing, candidates, packing.busy, budget)
