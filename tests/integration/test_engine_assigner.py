"""The engine assigner on real PostgreSQL: one read of the day, then at most one write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.seating_reader import SeatingReader
from services.assigner.application.assign import EngineAssigner
from services.assigner.domain.booking import BookingState, BookingView
from tests.service.availability_floor import add_booking, seed_floor, tomorrow_at


def _view(booking_id: uuid.UUID, venue: str, start: datetime) -> BookingView:
    return BookingView(
        booking_id=booking_id, venue_id=venue, state=BookingState.ASSIGNMENT_IN_PROGRESS,
        version=1, party_size=2, start=start, end=start + timedelta(minutes=90),
        preferred_zone_id=None, table_ids=(),
    )  # fmt: skip


async def test_a_booking_that_has_tables_gets_them_back_without_a_second_write(engine):
    """The day's read finds the booking's live assignment: assigning again returns it and
    writes nothing (a redelivered event, a drive after a crash)."""
    venue = f"ea-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    start = tomorrow_at(19)
    booking = await add_booking(engine, venue, start, 2, "ASSIGNMENT_IN_PROGRESS")
    store = AllocationStore(engine)
    assigner = EngineAssigner(SeatingReader(engine), store, lambda: datetime.now(UTC))

    first = await assigner.assign(_view(booking, venue, start))
    again = await assigner.assign(_view(booking, venue, start))

    assert first.seated and first.group_id is not None
    assert (again.group_id, again.table_ids, again.reason) == (
        first.group_id, first.table_ids, "already allocated",
    )  # fmt: skip
    assert again.rules is not None and again.rules.auto_confirm == first.rules.auto_confirm
    live = await store.live_assignment(booking)
    assert live is not None and live.group_id == first.group_id
