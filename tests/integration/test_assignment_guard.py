"""The database's side of "a booking that ends never keeps its tables", on real PostgreSQL:
migration 0012's trigger, the conditional release, and the sweeper of ended bookings."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.application.ended_sweep import EndedSweeper
from services.assigner.domain.errors import BookingNotReady
from shared.metrics import REGISTRY
from tests.service.availability_floor import add_booking, seed_floor

T0 = datetime(2032, 3, 2, 19, 0, tzinfo=UTC)
NOW = datetime(2032, 3, 1, 12, 0, tzinfo=UTC)
ENDED = ["CANCELLED", "NO_SHOW", "REJECTED", "COMPLETED"]


@pytest.fixture(scope="module")
async def venue(engine):
    venue_id = f"ag-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


def at(index: int) -> datetime:
    return T0 + timedelta(days=index)


async def assign(store: AllocationStore, venue: str, booking: uuid.UUID, start: datetime):
    allocation, _ = await store.assignments.assign(
        venue, booking, [f"{venue}-t4"], start, start + timedelta(hours=2),
        now=NOW, actor="test", strategy="test", breakdown={},
    )  # fmt: skip
    return allocation


async def set_state(engine: AsyncEngine, booking: uuid.UUID, state: str, tables=()) -> None:
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE bookings SET state = :s, table_ids = :t WHERE booking_id = :b"),
            {"s": state, "b": booking, "t": list(tables)},
        )


async def live(engine: AsyncEngine, booking: uuid.UUID) -> int:
    async with engine.connect() as db:
        found = await db.scalar(
            text("SELECT count(*) FROM allocations WHERE booking_id = :b AND kind = 'ASSIGNMENT' "
                 "AND release_time IS NULL"),
            {"b": booking},
        )  # fmt: skip
    return int(found or 0)


@pytest.mark.parametrize("state", ENDED)
async def test_the_database_refuses_tables_for_a_booking_that_ended(engine, venue, state):
    store = AllocationStore(engine)
    start = at(ENDED.index(state))
    booking = await add_booking(engine, venue, start, 4, state)
    with pytest.raises(BookingNotReady):
        await assign(store, venue, booking, start)
    assert await live(engine, booking) == 0


@pytest.mark.parametrize("state", ["CREATED", "CAPACITY_VERIFIED"])
async def test_a_booking_not_yet_assigning_takes_tables_for_its_first_try(engine, venue, state):
    """Migration 0022: the coordinator writes a new booking's tables before its one advance."""
    store = AllocationStore(engine)
    start = at(20 + ["CREATED", "CAPACITY_VERIFIED"].index(state))
    booking = await add_booking(engine, venue, start, 4, state)
    allocation = await assign(store, venue, booking, start)
    assert allocation.booking_id == booking and await live(engine, booking) == 1


async def test_a_hold_confirmed_for_a_cancelled_booking_is_refused_and_stays_a_hold(engine, venue):
    store = AllocationStore(engine)
    start = at(10)
    hold = await store.holds.place_hold(
        venue, [f"{venue}-t4"], start, start + timedelta(hours=2),
        ttl=timedelta(minutes=5), now=NOW, actor="widget",
    )  # fmt: skip
    booking = await add_booking(engine, venue, start, 4, "CANCELLED")
    with pytest.raises(BookingNotReady):
        await store.holds.confirm_hold(hold.group_id, booking, NOW, "assigner")
    still = await store.reads.get(hold.group_id)
    assert still is not None and still.kind == "HOLD" and still.release_time is None


async def test_a_cancel_waits_for_a_write_in_flight_and_then_frees_its_tables(engine, venue):
    """The write holds the booking's row FOR SHARE: the cancel cannot commit in between the
    state check and the write, and its own trigger (0010) then sees the new rows."""
    start = at(11)
    booking = await add_booking(engine, venue, start, 4, "ASSIGNMENT_IN_PROGRESS")
    async with engine.connect() as writer:
        transaction = await writer.begin()
        await writer.execute(
            text("INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, during) "
                 "VALUES (:g, :v, :t, :b, 'ASSIGNMENT', tstzrange(:s, :e, '[)'))"),
            {"g": uuid.uuid4(), "v": venue, "t": f"{venue}-t4", "b": booking, "s": start,
             "e": start + timedelta(hours=2)},
        )  # fmt: skip
        cancel = asyncio.create_task(set_state(engine, booking, "CANCELLED"))
        for _ in range(200):  # bounded: until the cancel is seen waiting on the row lock
            async with engine.connect() as db:
                waiting = await db.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE bookings SET state%' AND datname = current_database()"
                ))  # fmt: skip
            if waiting:
                break
            await asyncio.sleep(0.02)
        assert waiting and not cancel.done()
        await transaction.commit()
    await cancel
    assert await live(engine, booking) == 0


async def test_a_write_after_a_cancel_is_refused(engine, venue):
    store = AllocationStore(engine)
    start = at(12)
    booking = await add_booking(engine, venue, start, 4, "ASSIGNMENT_IN_PROGRESS")
    await set_state(engine, booking, "CANCELLED")
    with pytest.raises(BookingNotReady):
        await assign(store, venue, booking, start)


async def test_a_failed_record_s_tables_are_released_unless_the_booking_holds_them(engine, venue):
    store = AllocationStore(engine)
    kept_booking = await add_booking(engine, venue, at(13), 4, "ASSIGNMENT_IN_PROGRESS")
    kept = await assign(store, venue, kept_booking, at(13))
    await set_state(engine, kept_booking, "ASSIGNED", kept.table_ids)
    assert not await store.assignments.release_unless_recorded(kept.group_id, NOW)
    assert await live(engine, kept_booking) == 1

    dropped_booking = await add_booking(engine, venue, at(14), 4, "ASSIGNMENT_IN_PROGRESS")
    dropped = await assign(store, venue, dropped_booking, at(14))
    assert await store.assignments.release_unless_recorded(dropped.group_id, NOW)
    assert await live(engine, dropped_booking) == 0


async def test_a_moved_booking_keeps_its_only_tables_when_the_move_s_record_failed(engine, venue):
    """The move released the old tables and wrote new ones; the record did not land. The new
    ones stay (the drift sweep records them) rather than leave the booking with none."""
    store = AllocationStore(engine)
    booking = await add_booking(engine, venue, at(17), 4, "ASSIGNMENT_IN_PROGRESS")
    moved = await assign(store, venue, booking, at(17))
    await set_state(engine, booking, "CONFIRMED", [f"{venue}-t1"])  # its tables before the move
    assert not await store.assignments.release_unless_recorded(moved.group_id, NOW)
    assert await live(engine, booking) == 1


async def test_the_sweeper_releases_tables_bookings_that_ended_kept_and_counts_them(engine, venue):
    """Leaks from before migration 0012 (made here with triggers off, as old code could)."""
    store = AllocationStore(engine)
    leaked = await add_booking(engine, venue, at(15), 4, "ASSIGNMENT_IN_PROGRESS")
    await assign(store, venue, leaked, at(15))
    seated = await add_booking(engine, venue, at(16), 4, "ASSIGNMENT_IN_PROGRESS")
    await assign(store, venue, seated, at(16))
    await set_state(engine, seated, "CONFIRMED", [f"{venue}-t4"])
    async with engine.begin() as db:
        await db.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers
        await db.execute(
            text("UPDATE bookings SET state = 'CANCELLED' WHERE booking_id = :b"), {"b": leaked}
        )
    assert await live(engine, leaked) == 1
    before = REGISTRY.get_sample_value("maitred_assigner_ended_assignments_released_total") or 0
    # Other modules share this database: the sweep may free their strays too, and counts them.
    released = await EndedSweeper(store.assignments, lambda: NOW, interval=30).sweep()
    after = REGISTRY.get_sample_value("maitred_assigner_ended_assignments_released_total")
    assert released >= 1 and after == before + released
    assert await live(engine, leaked) == 0
    assert await live(engine, seated) == 1  # a confirmed booking keeps its tables


async def test_the_sweeper_releases_an_unrecorded_seating_of_a_waiting_booking_after_the_grace(
    engine, venue
):
    """A manual seating written for a booking in review whose record never came (a crash)."""
    store = AllocationStore(engine)
    stranded = await add_booking(engine, venue, at(18), 4, "MANUAL_REVIEW")
    await assign(store, venue, stranded, at(18))
    fresh = await add_booking(engine, venue, at(19), 4, "MANUAL_REVIEW")
    await assign(store, venue, fresh, at(19))
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE allocations SET create_time = now() - interval '10 minutes' "
                 "WHERE booking_id = :b"),
            {"b": stranded},
        )  # fmt: skip
    sweeper = EndedSweeper(store.assignments, lambda: datetime.now(UTC), interval=30)
    assert await sweeper.sweep() >= 1
    assert await live(engine, stranded) == 0
    assert await live(engine, fresh) == 1  # its record may still be on its way


async def test_the_sweeper_leaves_the_first_try_of_a_booking_not_yet_assigning_however_old(
    engine, venue
):
    """Tables written for a CREATED booking whose advance never came: the stall sweeper's drive
    records them (or the booking ends and 0010 frees them); the sweep never pulls them from
    under that drive."""
    store = AllocationStore(engine)
    first_try = await add_booking(engine, venue, at(22), 4, "CREATED")
    await assign(store, venue, first_try, at(22))
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE allocations SET create_time = now() - interval '10 minutes' "
                 "WHERE booking_id = :b"),
            {"b": first_try},
        )  # fmt: skip
    await EndedSweeper(store.assignments, lambda: datetime.now(UTC), interval=30).sweep()
    assert await live(engine, first_try) == 1
    await set_state(engine, first_try, "CANCELLED")
    assert await live(engine, first_try) == 0  # 0010's trigger


async def test_the_sweeper_skips_a_first_try_whose_booking_a_drive_holds_until_it_lets_go(
    engine, venue
):
    """A CREATED booking whose end has passed, its tables unrecorded: the sweep frees them, but
    not while a drive holds the booking's row (as one taking its tables up does): that one is
    left to the next sweep, never raced. (Swept on the real clock, so the sweeps of tests that
    share the database free it no sooner than this one expects.)"""
    store = AllocationStore(engine)
    start = datetime.now(UTC) - timedelta(days=1)
    first_try = await add_booking(engine, venue, start, 4, "CREATED")
    await assign(store, venue, first_try, start)
    sweeper = EndedSweeper(store.assignments, lambda: datetime.now(UTC), interval=30)
    async with engine.connect() as drive:
        await drive.execute(
            text("SELECT version FROM bookings WHERE booking_id = :b FOR SHARE"), {"b": first_try}
        )
        async with engine.begin() as db:  # past the grace only once the drive holds the row
            await db.execute(
                text("UPDATE allocations SET create_time = now() - interval '10 minutes' "
                     "WHERE booking_id = :b"),
                {"b": first_try},
            )  # fmt: skip
        await sweeper.sweep()
        assert await live(engine, first_try) == 1
        await drive.rollback()
    await sweeper.sweep()
    assert await live(engine, first_try) == 0
