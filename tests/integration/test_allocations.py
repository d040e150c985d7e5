"""Holds and assignments on real PostgreSQL: no table is ever allocated twice over one time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from services.assigner.adapters.allocation_reads import AllocationReads
from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.assignment_writes import AssignmentWrites
from services.assigner.adapters.tables import assignment_attempts
from services.assigner.domain.errors import AllocationConflict, HoldExpired
from tests.service.availability_floor import add_booking, seed_floor

T0 = datetime(2031, 5, 2, 19, 0, tzinfo=UTC)
NOW = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def venue(engine):
    venue_id = f"al-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


def tables(venue: str, *names: str) -> list[str]:
    return [f"{venue}-{name}" for name in names]


async def test_a_second_hold_on_a_taken_table_is_a_conflict(engine, venue):
    store = AllocationStore(engine)
    start = T0 + timedelta(days=1)
    hold = await store.holds.place_hold(
        venue,
        tables(venue, "t1"),
        start,
        start + timedelta(hours=2),
        ttl=timedelta(minutes=3),
        now=NOW,
        actor="test",
    )
    assert hold.kind == "HOLD" and hold.table_ids == tuple(tables(venue, "t1"))
    with pytest.raises(AllocationConflict):
        await store.holds.place_hold(
            venue,
            tables(venue, "t1", "t2"),
            start + timedelta(hours=1),
            start + timedelta(hours=3),
            ttl=timedelta(minutes=3),
            now=NOW,
            actor="test",
        )
    # Back to back is fine: [start, end) windows touch without overlapping.
    await store.holds.place_hold(
        venue,
        tables(venue, "t1"),
        start + timedelta(hours=2),
        start + timedelta(hours=3),
        ttl=timedelta(minutes=3),
        now=NOW,
        actor="test",
    )


async def test_an_expired_hold_never_blocks_and_cannot_be_confirmed(engine, venue):
    store = AllocationStore(engine)
    start = T0 + timedelta(days=2)
    span = (start, start + timedelta(hours=2))
    hold = await store.holds.place_hold(
        venue, tables(venue, "t2"), *span, ttl=timedelta(minutes=3), now=NOW, actor="test"
    )
    later = NOW + timedelta(minutes=4)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    with pytest.raises(HoldExpired):
        await store.holds.confirm_hold(hold.group_id, booking, later, "test")
    with pytest.raises(HoldExpired):
        await store.holds.extend_hold(hold.group_id, timedelta(minutes=3), later)
    taken, _ = await store.assignments.assign(
        venue,
        booking,
        tables(venue, "t2"),
        *span,
        now=later,
        actor="test",
        strategy="exact_fit",
        breakdown={"exact_fit": 1.0},
    )
    assert taken.kind == "ASSIGNMENT" and taken.booking_id == booking


async def test_confirming_a_live_hold_turns_it_into_the_assignment(engine, venue):
    store = AllocationStore(engine)
    start = T0 + timedelta(days=3)
    hold = await store.holds.place_hold(
        venue,
        tables(venue, "t2", "t3"),
        start,
        start + timedelta(hours=2),
        ttl=timedelta(minutes=3),
        now=NOW,
        actor="widget",
    )
    extended = await store.holds.extend_hold(hold.group_id, timedelta(minutes=10), NOW)
    assert extended.expire_time == NOW + timedelta(minutes=10)
    booking = await add_booking(engine, venue, start, 7, "ASSIGNMENT_IN_PROGRESS")
    confirmed = await store.holds.confirm_hold(hold.group_id, booking, NOW, "assigner")
    assert (confirmed.kind, confirmed.booking_id, confirmed.expire_time) == (
        "ASSIGNMENT",
        booking,
        None,
    )
    assert (await store.assignments.live_assignment(booking)) == confirmed
    assert not await store.holds.release_hold(hold.group_id, NOW)  # no longer a hold


async def test_assigning_twice_returns_the_first_assignment(engine, venue):
    store = AllocationStore(engine)
    start = T0 + timedelta(days=4)
    booking = await add_booking(engine, venue, start, 5, "ASSIGNMENT_IN_PROGRESS")
    first, wrote_first = await store.assignments.assign(
        venue,
        booking,
        tables(venue, "t4"),
        start,
        start + timedelta(hours=2),
        now=NOW,
        actor="a",
        strategy="s",
        breakdown={},
        attempt_reason="first",
    )
    again, wrote_again = await store.assignments.assign(
        venue,
        booking,
        tables(venue, "t2", "t3"),
        start,
        start + timedelta(hours=2),
        now=NOW,
        actor="a",
        strategy="s",
        breakdown={},
        attempt_reason="rival",
    )
    assert again == first
    assert (wrote_first, wrote_again) == (True, False)
    async with engine.connect() as db:  # the rival found the assignment: it notes no attempt
        reasons = (
            await db.scalars(
                select(assignment_attempts.c.reason).where(
                    assignment_attempts.c.booking_id == booking
                )
            )
        ).all()
    assert reasons == ["first"]


async def test_assigning_a_booking_that_has_tables_writes_no_rows(engine, venue):
    """The look for a live assignment and the write are one statement: a booking that has one
    gets no second set of rows, live or not, on other tables."""
    store = AllocationStore(engine)
    start = T0 + timedelta(days=9)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    for names in (("t2",), ("t3",)):
        await store.assignments.assign(
            venue, booking, tables(venue, *names), start, start + timedelta(hours=2),
            now=NOW, actor="a", strategy="s", breakdown={"n": names[0]},
        )  # fmt: skip
    async with engine.connect() as db:
        rows = (
            await db.execute(
                text("SELECT table_id, score_breakdown FROM allocations WHERE booking_id = :b"),
                {"b": booking},
            )
        ).all()
    assert [tuple(row) for row in rows] == [(f"{venue}-t2", {"n": "t2"})]


@pytest.mark.parametrize("state", ["CANCELLED", "NO_SHOW", "ASSIGNMENT_PENDING", "MANUAL_REVIEW"])
async def test_a_booking_that_leaves_its_tables_frees_them_in_the_same_transaction(
    engine, venue, state
):
    store = AllocationStore(engine)
    start = T0 + timedelta(days=5, hours=len(state))
    booking = await add_booking(engine, venue, start, 2, "ASSIGNED")
    await store.assignments.assign(
        venue,
        booking,
        tables(venue, "t1"),
        start,
        start + timedelta(minutes=90),
        now=NOW,
        actor="a",
        strategy="s",
        breakdown={},
    )
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE bookings SET state = :s WHERE booking_id = :b"), {"s": state, "b": booking}
        )
        # Inside the very transaction of the state change, the table is already free.
        live = await db.scalar(
            text("SELECT count(*) FROM allocations WHERE booking_id = :b AND release_time IS NULL"),
            {"b": booking},
        )
        assert live == 0
    assert await store.assignments.live_assignment(booking) is None


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["hold", "assign", "confirm", "release", "cancel", "tick"]),
        st.sets(st.sampled_from(["t1", "t2", "t3", "t4"]), min_size=1, max_size=2),
        st.integers(0, 8),  # start, in 30-minute steps
        st.integers(1, 5),  # length, in 30-minute steps
        st.integers(0, 40),  # which earlier allocation an operation refers to
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPERATIONS)
async def test_no_two_counting_allocations_of_a_table_ever_overlap(engine, venue, operations):
    store = AllocationStore(engine)
    day = T0 + timedelta(days=30 + abs(hash(str(operations))) % 3000)
    now, groups, booked = NOW, [], []
    for name, picked, offset, length, ref in operations:
        start = day + timedelta(minutes=30 * offset)
        end = start + timedelta(minutes=30 * length)
        chosen = tables(venue, *sorted(picked))
        try:
            if name == "hold":
                groups.append(
                    await store.holds.place_hold(
                        venue, chosen, start, end, ttl=timedelta(minutes=2), now=now, actor="p"
                    )
                )
            elif name == "assign":
                booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
                booked.append(booking)
                await store.assignments.assign(
                    venue,
                    booking,
                    chosen,
                    start,
                    end,
                    now=now,
                    actor="p",
                    strategy="p",
                    breakdown={},
                )
            elif name == "confirm" and groups:
                booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
                await store.holds.confirm_hold(
                    groups[ref % len(groups)].group_id, booking, now, "p"
                )
            elif name == "release" and groups:
                await store.holds.release_hold(groups[ref % len(groups)].group_id, now)
            elif name == "cancel" and booked:
                async with engine.begin() as db:
                    await db.execute(
                        text("UPDATE bookings SET state = 'CANCELLED' WHERE booking_id = :b"),
                        {"b": booked[ref % len(booked)]},
                    )
            elif name == "tick":
                now += timedelta(minutes=length)
        except (AllocationConflict, HoldExpired):
            pass
        async with engine.connect() as db:
            overlaps = await db.scalar(
                text(
                    "SELECT count(*) FROM allocations a JOIN allocations b "
                    "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                    "AND a.allocation_id < b.allocation_id "
                    "AND a.during && b.during "
                    "WHERE a.venue_id = :v AND a.release_time IS NULL AND b.release_time IS NULL "
                    "AND (a.kind <> 'HOLD' OR a.expire_time > :now) "
                    "AND (b.kind <> 'HOLD' OR b.expire_time > :now)"
                ),
                {"v": venue, "now": now},
            )
        assert overlaps == 0


class ReleasingFirst(AllocationReads):
    """Reads that let a rival release each allocation just before reading it back."""

    def __init__(self, engine, rival: AllocationStore) -> None:
        super().__init__(engine)
        self._rival = rival

    async def get(self, group_id: uuid.UUID):
        await self._rival.assignments.release_allocation(group_id, NOW)
        return await super().get(group_id)


async def test_a_replacement_answers_with_what_its_own_transaction_wrote(engine, venue):
    """A release committed just after the replacement does not change (or lose) its answer."""
    rival = AllocationStore(engine)
    writes = AssignmentWrites(engine, ReleasingFirst(engine, rival))
    start = T0 + timedelta(days=6)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNED")
    old, _ = await rival.assignments.assign(
        venue, booking, tables(venue, "t1"), start, start + timedelta(hours=2),
        now=NOW, actor="a", strategy="s", breakdown={},
    )  # fmt: skip
    new, previous = await writes.replace_assignment(
        venue, booking, tables(venue, "t2"), start, start + timedelta(hours=2),
        now=NOW, actor="a", strategy="moved", breakdown={},
    )  # fmt: skip
    assert new.table_ids == tuple(tables(venue, "t2")) and new.release_time is None
    assert previous is not None and previous.group_id == old.group_id
    assert previous.release_time == NOW
