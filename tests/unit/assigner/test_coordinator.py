"""The coordinator's journey logic with in-memory fakes: steps, retries, manual review, crashes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.assigner.application.coordinator import Coordinator, Result
from services.assigner.application.coordinator_ports import Capacity, Seating, VenueRules
from services.assigner.domain.booking import BookingView, DependencyDown, Superseded

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
TARGETS = {
    "VerifyCapacity": "CAPACITY_VERIFIED", "RejectBooking": "REJECTED",
    "RequestAssignment": "ASSIGNMENT_PENDING", "StartAssignment": "ASSIGNMENT_IN_PROGRESS",
    "RecordAssignment": "ASSIGNED", "ConfirmBooking": "CONFIRMED",
    "SendToManualReview": "MANUAL_REVIEW",
}  # fmt: skip


class FakeBookings:
    def __init__(self, booking: BookingView) -> None:
        self.booking = booking
        self.moves: list[str] = []
        self.reasons: list[str] = []
        self.fail_next: dict[str, Exception] = {}
        self.down = False

    async def get(self, venue_id: str, booking_id: UUID) -> BookingView:
        if self.down:
            raise DependencyDown("state: UNAVAILABLE")
        return self.booking

    async def move(self, command, booking, reason, table_ids=()):
        if command in self.fail_next:
            raise self.fail_next.pop(command)
        if booking.version != self.booking.version:
            raise Superseded("stale")
        self.moves.append(command)
        self.reasons.append(reason)
        self.booking = dataclasses.replace(
            self.booking, state=TARGETS[command], version=booking.version + 1,
            table_ids=table_ids or self.booking.table_ids,
        )  # fmt: skip
        return self.booking


class FakeTables:
    def __init__(self, answers: list[tuple[str, ...]]) -> None:
        self.answers = answers
        self.allocated: dict[UUID, tuple[str, ...]] = {}

    async def assign(self, booking: BookingView) -> Seating:
        if booking.booking_id in self.allocated:  # idempotent, like the real store
            return Seating(self.allocated[booking.booking_id], "existing", "already allocated")
        tables = self.answers.pop(0) if self.answers else ()
        if tables:
            self.allocated[booking.booking_id] = tables
            return Seating(tables, "exact_fit", "no seat spare")
        return Seating((), "", "no table fits")


class FakeAttempts:
    def __init__(self) -> None:
        self.rows: list[tuple[str, datetime]] = []

    async def record(self, venue_id, booking_id, outcome, seating) -> int:
        self.rows.append((outcome, NOW))
        return sum(1 for o, _ in self.rows if o != "ASSIGNED")

    async def last_failure(self, booking_id):
        failed = [when for outcome, when in self.rows if outcome != "ASSIGNED"]
        return len(failed), (failed[-1] if failed else None)


class FakeRetries:
    def __init__(self) -> None:
        self.scheduled: list[datetime] = []

    async def schedule(self, venue_id, booking_id, due) -> None:
        self.scheduled.append(due)


class FakeCapacity:
    def __init__(self, answer: Capacity | Exception) -> None:
        self.answer = answer

    async def check(self, booking):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class FakeRules:
    def __init__(self, auto_confirm: bool = True, budget: int = 3) -> None:
        self.value = VenueRules(auto_confirm, budget)

    async def get(self, venue_id):
        return self.value


def booking(state: str = "CREATED") -> BookingView:
    return BookingView(uuid4(), "v", state, 1, 4, NOW + timedelta(days=1),
                       NOW + timedelta(days=1, hours=2), None, ())  # fmt: skip


def coordinator(bookings, tables=None, capacity=None, rules=None, clock=lambda: NOW):
    return Coordinator(
        bookings=bookings,
        capacity=capacity or FakeCapacity(Capacity(True, "", "fits at t1")),
        tables=tables or FakeTables([("t1",)]),
        attempts=FakeAttempts(),
        rules=rules or FakeRules(),
        retries=FakeRetries(),
        clock=clock,
        jitter=lambda: 1.0,
    )


async def test_a_new_booking_is_driven_to_confirmed_in_order():
    bookings = FakeBookings(booking())
    result = await coordinator(bookings).drive("v", bookings.booking.booking_id)
    assert result is Result.SETTLED
    assert bookings.moves == ["VerifyCapacity", "RequestAssignment", "StartAssignment",
                              "RecordAssignment", "ConfirmBooking"]  # fmt: skip
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t1",)


async def test_without_auto_confirm_the_booking_stops_at_assigned():
    bookings = FakeBookings(booking())
    await coordinator(bookings, rules=FakeRules(auto_confirm=False)).drive("v", uuid4())
    assert bookings.booking.state == "ASSIGNED"


async def test_no_capacity_rejects_with_the_reason():
    bookings = FakeBookings(booking())
    refusal = FakeCapacity(Capacity(False, "PACING_COVERS", "40 of 40 covers booked"))
    await coordinator(bookings, capacity=refusal).drive("v", uuid4())
    assert bookings.moves == ["RejectBooking"] and bookings.booking.state == "REJECTED"


async def test_when_no_table_fits_it_retries_later_with_backoff():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    work = coordinator(bookings, tables=FakeTables([]))
    assert await work.drive("v", uuid4()) is Result.WAITING
    assert bookings.moves == ["StartAssignment", "RequestAssignment"]
    assert work.retries.scheduled == [NOW + timedelta(seconds=1)]


async def test_after_the_retry_budget_the_booking_goes_to_manual_review():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    clock = [NOW]
    work = coordinator(bookings, tables=FakeTables([]), clock=lambda: clock[0])
    for _ in range(3):
        clock[0] += timedelta(minutes=1)  # every retry is due
        await work.drive("v", uuid4())
    assert bookings.booking.state == "MANUAL_REVIEW"
    assert bookings.moves.count("StartAssignment") == 3


async def test_a_crash_between_writing_tables_and_recording_them_converges_on_one_allocation():
    bookings = FakeBookings(booking("ASSIGNMENT_IN_PROGRESS"))
    tables = FakeTables([("t1",), ("t2",)])
    bookings.fail_next["RecordAssignment"] = RuntimeError("process killed")
    work = coordinator(bookings, tables=tables)
    with pytest.raises(RuntimeError):
        await work.drive("v", uuid4())
    await work.drive("v", uuid4())  # the redelivered event
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t1",)
    assert list(tables.allocated.values()) == [("t1",)]


async def test_a_rival_move_is_read_again_not_overwritten():
    bookings = FakeBookings(booking("CAPACITY_VERIFIED"))
    bookings.fail_next["RequestAssignment"] = Superseded("stale version")
    await coordinator(bookings).drive("v", uuid4())
    assert bookings.booking.state == "CONFIRMED"


async def test_a_dependency_that_stays_down_ends_in_manual_review():
    bookings = FakeBookings(booking())
    work = coordinator(bookings, capacity=FakeCapacity(DependencyDown("availability: UNAVAILABLE")))
    results = [await work.drive("v", uuid4()) for _ in range(3)]
    assert results == [Result.WAITING, Result.WAITING, Result.SETTLED]
    assert bookings.booking.state == "MANUAL_REVIEW"
    assert bookings.moves == ["SendToManualReview"]
    assert bookings.reasons[-1] == "dependency down: availability: UNAVAILABLE"


async def test_a_booking_that_no_longer_exists_is_dropped_not_retried_forever():
    from services.assigner.application.journeys import Journeys
    from services.assigner.domain.booking import BookingGone

    class Gone(FakeBookings):
        async def get(self, venue_id, booking_id):
            raise BookingGone("Booking was not found.")

    class NoLocks:
        def booking(self, venue_id, booking_id):
            import contextlib

            return contextlib.nullcontext()

    bookings = Gone(booking())
    work = coordinator(bookings)
    journeys = Journeys(coordinator=work, locks=NoLocks(), retries=work.retries, outcomes=None,
                        sweeper=None, clock=lambda: NOW)  # fmt: skip
    await journeys.drive("v", uuid4())
    assert work.retries.scheduled == []
