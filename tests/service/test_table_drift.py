"""The stall sweeper heals a move whose record was cut off: the state gets the live tables."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import text

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.stalled_journeys import PostgresStalledJourneys
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.application.journeys import Journeys
from services.assigner.application.table_records import TableDrift, TableRecorder
from services.assigner.domain.errors import AllocationConflict
from shared.service_token import ServiceToken
from tests.service.assigner_fixtures import (
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    read,
    seated_at,
    table,
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import allocate, tomorrow_at
from tests.service.conftest import SECRET

SEVEN = tomorrow_at(19)


class NoRetries:
    async def is_scheduled(self, venue_id: str, booking_id: UUID) -> bool:
        return False


class OneVenue:
    """The sweeper's reader, narrowed to one test venue: other tests' bookings are left alone."""

    def __init__(self, reader: PostgresStalledJourneys, venue_id: str) -> None:
        self._reader = reader
        self._venue_id = venue_id

    async def stalled(self, idle_since: datetime, now: datetime, limit: int = 100) -> list:
        found = await self._reader.stalled(idle_since, now, limit)
        return [(v, b) for v, b in found if v == self._venue_id]

    async def drifted(self, idle_since: datetime, now: datetime, limit: int = 100) -> list:
        found = await self._reader.drifted(idle_since, now, limit)
        return [(v, b) for v, b in found if v == self._venue_id]


class NoLocks:
    def booking(self, venue_id: str, booking_id: UUID) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


async def test_a_move_committed_but_never_recorded_is_recorded_by_the_sweeper(
    assigner, bookings, venue, engine, channel
):
    booking = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    booking_id = uuid.UUID(booking.booking_id)
    async with engine.begin() as db:  # the move's transaction committed, then the assigner died
        await db.execute(
            text("UPDATE allocations SET release_time = now() "
                 "WHERE booking_id = :b AND release_time IS NULL"), {"b": booking_id},
        )  # fmt: skip
    await allocate(engine, venue, ["t3"], SEVEN, SEVEN.replace(hour=21), booking_id=booking_id)
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE bookings SET update_time = now() - interval '5 minutes' "
                 "WHERE booking_id = :b"), {"b": booking_id},
        )  # fmt: skip
        # The guest confirms by hand here: an idle ASSIGNED booking is not a stalled journey.
        await db.execute(
            text("UPDATE venue_policies SET auto_confirm = false WHERE venue_id = :v"),
            {"v": venue},
        )
    state = GrpcBookings(channel, ServiceToken(SECRET, issuer="maitred", subject="assigner"))
    store = AllocationStore(engine)
    clock = lambda: datetime.now(UTC)  # noqa: E731
    journeys = Journeys(
        coordinator=None, locks=NoLocks(), retries=NoRetries(), outcomes=None,  # type: ignore[arg-type]
        sweeper=None, clock=clock, stalled=OneVenue(PostgresStalledJourneys(engine), venue),  # type: ignore[arg-type]
        drift=TableDrift(
            state, store.assignments, TableRecorder(state, store.assignments, clock)
        ),
    )  # fmt: skip

    healed = await journeys.sweep_stalled()
    again = await journeys.sweep_stalled()

    after = await read(bookings, booking)
    assert list(after.table_ids) == [table(venue, "t3")]
    assert after.version == booking.version + 1 and after.state == booking.state
    assert (healed, again) == (1, 0)  # healed once; then nothing is left to heal


async def _live(engine, booking_id: UUID) -> list[tuple[str, object]]:
    async with engine.connect() as db:
        rows = await db.execute(
            text("SELECT table_id, upper(during) FROM allocations "
                 "WHERE booking_id = :b AND kind = 'ASSIGNMENT' AND release_time IS NULL "
                 "ORDER BY table_id"), {"b": booking_id},
        )  # fmt: skip
        return [(r[0], r[1]) for r in rows]


async def test_a_booking_on_record_with_no_live_tables_gets_them_allocated_again(
    assigner, bookings, venue, engine, channel
):
    """A record landed while its tables were released (a stale drive's failed record): the
    sweeper allocates the recorded tables again, and leaves the booking's state alone."""
    booking = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    booking_id = uuid.UUID(booking.booking_id)
    held = await _live(engine, booking_id)
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE allocations SET release_time = now() "
                 "WHERE booking_id = :b AND release_time IS NULL"), {"b": booking_id},
        )  # fmt: skip
        await db.execute(
            text("UPDATE bookings SET update_time = now() - interval '5 minutes' "
                 "WHERE booking_id = :b"), {"b": booking_id},
        )  # fmt: skip
        await db.execute(
            text("UPDATE venue_policies SET auto_confirm = false WHERE venue_id = :v"),
            {"v": venue},
        )
    state = GrpcBookings(channel, ServiceToken(SECRET, issuer="maitred", subject="assigner"))
    store = AllocationStore(engine)
    clock = lambda: datetime.now(UTC)  # noqa: E731
    journeys = Journeys(
        coordinator=None, locks=NoLocks(), retries=NoRetries(), outcomes=None,  # type: ignore[arg-type]
        sweeper=None, clock=clock, stalled=OneVenue(PostgresStalledJourneys(engine), venue),  # type: ignore[arg-type]
        drift=TableDrift(
            state, store.assignments, TableRecorder(state, store.assignments, clock)
        ),
    )  # fmt: skip

    healed = await journeys.sweep_stalled()
    again = await journeys.sweep_stalled()

    assert (healed, again) == (1, 0)
    assert await _live(engine, booking_id) == held  # the same tables, the same window
    after = await read(bookings, booking)
    assert (after.state, after.version) == (booking.state, booking.version)
    assert list(after.table_ids) == [table(venue, "t2")]


async def test_a_booking_whose_recorded_tables_went_to_another_is_left_for_ops(
    assigner, bookings, venue, engine, channel
):
    """Restoring writes only free tables: when a rival holds them nothing is written or moved."""
    booking = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    booking_id = uuid.UUID(booking.booking_id)
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE allocations SET release_time = now() "
                 "WHERE booking_id = :b AND release_time IS NULL"), {"b": booking_id},
        )  # fmt: skip
    rival = await allocate(  # a guest's hold on the freed table
        engine, venue, ["t2"], SEVEN, SEVEN.replace(hour=21), kind="HOLD",
        expire=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip
    store = AllocationStore(engine)

    with pytest.raises(AllocationConflict):
        await store.assignments.restore_recorded(booking_id, datetime.now(UTC))

    assert await _live(engine, booking_id) == []
    assert (await store.reads.get(rival)) is not None
    after = await read(bookings, booking)
    assert (after.state, after.version) == (booking.state, booking.version)
