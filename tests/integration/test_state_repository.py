"""The state service's PostgreSQL adapters: transactions, versioned writes, venue rules."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, time
from uuid import uuid4

import pytest
from sqlalchemy import delete, func, insert, select

from services.availability.adapters.tables import service_periods, turn_times, venues
from services.state.adapters.tables import (
    booking_state_history,
    bookings,
    demand_date_counts,
    demand_days,
)
from services.state.adapters.unit_of_work import PostgresUnitOfWork
from services.state.domain.demand import DemandRequest
from services.state.domain.model import StateChange, event_for
from services.state.domain.states import BookingState
from tests.unit.state.builders import NOW, booking

VENUE = "venue-repo"


@pytest.fixture(scope="module")
async def venue(engine):
    async with engine.begin() as db:
        await db.execute(delete(venues).where(venues.c.venue_id == VENUE))
        await db.execute(
            insert(venues).values(
                venue_id=VENUE, name="Repo", timezone="Asia/Tokyo", max_party_size=6
            )
        )
        await db.execute(
            insert(turn_times).values(venue_id=VENUE, min_party=1, max_party=6, minutes=75)
        )
        await db.execute(
            insert(service_periods).values(
                venue_id=VENUE, weekday=4, name="dinner", start_local=time(18), end_local=time(22)
            )
        )
    return VENUE


def fresh(**changes):
    return booking(booking_id=uuid4(), venue_id=VENUE, request_id=uuid4().hex, **changes)


async def count(engine, table, booking_id) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(select(func.count()).where(table.c.booking_id == booking_id)))


async def test_work_left_without_commit_is_rolled_back(engine, venue):
    made = fresh()
    async with PostgresUnitOfWork(engine) as work:
        await work.bookings.add(made)
        change = StateChange(made.booking_id, VENUE, None, made.state, 1, "t", "", "", NOW)
        await work.bookings.add_change(change)
        await work.bookings.add_event(event_for(made, change))
        assert await work.bookings.get(VENUE, made.booking_id) == made  # sent, not yet committed
    assert await count(engine, bookings, made.booking_id) == 0
    assert await count(engine, booking_state_history, made.booking_id) == 0


async def test_a_booking_added_then_moved_in_one_transaction_is_moved(engine, venue):
    """The held INSERT is written before the UPDATE: an UPDATE cannot see its own CTE's row."""
    made = fresh()
    moved = dataclasses.replace(made, state=BookingState.CAPACITY_VERIFIED, version=2)
    async with PostgresUnitOfWork(engine) as work:
        await work.bookings.add(made)
        assert await work.bookings.update(moved, expected_version=1)
        await work.bookings.add_change(
            StateChange(made.booking_id, VENUE, made.state, moved.state, 2, "t", "", "", NOW)
        )
        await work.commit()
    async with PostgresUnitOfWork(engine) as work:
        stored = await work.bookings.get(VENUE, made.booking_id)
    assert stored is not None and stored.version == 2 and stored.state == moved.state
    assert await count(engine, booking_state_history, made.booking_id) == 1


async def test_two_counted_bookings_in_one_transaction_count_two_requests(engine, venue):
    slot = {"venue_id": VENUE, "weekday": 4, "party_size": 3, "lead_bucket": 0}
    first = DemandRequest(VENUE, date(2031, 1, 3), 4, 19 * 60, 3, 0)
    second = DemandRequest(VENUE, date(2031, 1, 10), 4, 20 * 60, 3, 0)
    counts = demand_date_counts
    async with engine.begin() as db:
        await db.execute(delete(counts).where(counts.c.venue_id == VENUE))
        await db.execute(delete(demand_days).where(demand_days.c.venue_id == VENUE))
    async with PostgresUnitOfWork(engine) as work:
        await work.bookings.add(fresh(), first)
        await work.bookings.add(fresh(), second)
        await work.commit()
    async with engine.connect() as db:
        counted = (
            await db.execute(
                select(counts.c.service_date, counts.c.slot_minute, counts.c.requests)
                .where(*(counts.c[name] == value for name, value in slot.items()))
                .order_by(counts.c.service_date)
            )
        ).all()
        days = await db.scalar(select(func.count()).where(demand_days.c.venue_id == VENUE))
    assert [tuple(row) for row in counted] == [
        (date(2031, 1, 3), 19 * 60, 1),
        (date(2031, 1, 10), 20 * 60, 1),
    ]
    assert days == 2


async def test_a_versioned_update_loses_to_a_concurrent_one(engine, venue):
    made = fresh()
    async with PostgresUnitOfWork(engine) as work:
        await work.bookings.add(made)
        await work.commit()
    moved = dataclasses.replace(made, state=BookingState.CAPACITY_VERIFIED, version=2)

    async def write() -> bool:
        async with PostgresUnitOfWork(engine) as work:
            won = await work.bookings.update(moved, expected_version=1)
            await asyncio.sleep(0.05)  # hold the row lock so the rival waits on it
            await work.commit()
            return won

    assert sorted(await asyncio.gather(write(), write())) == [False, True]
    async with PostgresUnitOfWork(engine) as work:
        stored = await work.bookings.get(VENUE, made.booking_id)
    assert stored is not None and stored.version == 2


async def test_a_booking_is_only_found_under_its_own_venue(engine, venue):
    made = fresh()
    async with PostgresUnitOfWork(engine) as work:
        await work.bookings.add(made)
        await work.commit()
    async with PostgresUnitOfWork(engine) as work:
        assert await work.bookings.get(VENUE, made.booking_id) == made
        assert await work.bookings.get("another-venue", made.booking_id) is None


async def test_venue_rules_are_read_with_timezone_turn_times_and_periods(engine, venue):
    async with PostgresUnitOfWork(engine) as work:
        rules = await work.venues.get(VENUE)
        assert await work.venues.get("no-such-venue") is None
    assert rules is not None
    assert str(rules.timezone) == "Asia/Tokyo" and rules.max_party_size == 6
    assert rules.turn_time(6) is not None and rules.turn_time(6).total_seconds() == 75 * 60
    assert [(p.weekday, p.start_local) for p in rules.service_periods] == [(4, time(18))]
