"""The coordinator's journey logic with in-memory fakes: steps, retries, manual review, crashes."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.assigner.application.coordinator import Coordinator, Result
from services.assigner.application.coordinator_ports import (
    Capacity,
    RescuePlan,
    Seating,
    VenueRules,
)
from services.assigner.application.rescues import Rescuer
from services.assigner.domain.booking import BookingView, DependencyDown, Superseded
from services.assigner.domain.moves import MoveOrder, MoveOutcome, MoveResult
from shared.domain_errors import Conflict

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
TARGETS = {
    "VerifyCapacity": "CAPACITY_VERIFIED", "RejectBooking": "REJECTED",
    "RequestAssignment": "ASSIGNMENT_PENDING", "StartAssignment": "ASSIGNMENT_IN_PROGRESS",
    "RecordAssignment": "ASSIGNED", "ConfirmBooking": "CONFIRMED",
    "SendToManualReview": "MANUAL_REVIEW",
}  # fmt: skip
COMMANDS = {target: command for command, target in TARGETS.items()}


class FakeBookings:
    def __init__(self, booking: BookingView) -> None:
        self.booking = booking
        self.moves: list[str] = []
        self.reasons: list[str] = []
        self.calls = 0  # round trips to the state service that wrote
        self.reads = 0
        self.fail_next: dict[str, Exception] = {}
        self.down = False

    async def get(self, venue_id: str, booking_id: UUID) -> BookingView:
        self.reads += 1
        if self.down:
            raise DependencyDown("state: UNAVAILABLE")
        return self.booking

    async def move(self, command, booking, reason, table_ids=()):
        if command in self.fail_next:
            raise self.fail_next.pop(command)
        if booking.version != self.booking.version:
            raise Superseded("stale")
        self.calls += 1
        return self._apply(command, booking, reason, table_ids)

    async def advance(self, booking, steps):
        if booking.version != self.booking.version:
            raise Superseded("stale")
        self.calls += 1
        for step in steps:
            command = COMMANDS[step.target]
            if command in self.fail_next:
                raise self.fail_next.pop(command)
            booking = self._apply(command, self.booking, step.reason, step.table_ids)
        return booking

    def _apply(self, command, booking, reason, table_ids):
        self.moves.append(command)
        self.reasons.append(reason)
        self.booking = dataclasses.replace(
            self.booking, state=TARGETS[command], version=booking.version + 1,
            table_ids=table_ids or self.booking.table_ids,
        )  # fmt: skip
        return self.booking


class FakeTables:
    def __init__(self, answers: list[tuple[str, ...]], *, guarded: bool = False) -> None:
        self.answers = answers
        self.allocated: dict[UUID, tuple[str, ...]] = {}
        self.written_at: list[str] = []  # the booking's state when each allocation was written
        self.guarded = guarded  # a failed record releases the tables, as the real guard does
        self.released: list[tuple[str, ...]] = []

    async def assign(self, booking: BookingView, *, note_attempt: bool = False) -> Seating:
        if booking.booking_id in self.allocated:  # idempotent, like the real store
            return Seating(self.allocated[booking.booking_id], "existing", "already allocated")
        tables = self.answers.pop(0) if self.answers else ()
        if tables:
            self.allocated[booking.booking_id] = tables
            self.written_at.append(booking.state)
            return Seating(tables, "exact_fit", "no seat spare", group_id=booking.booking_id)
        return Seating((), "", "no table fits")

    @contextlib.asynccontextmanager
    async def recorded(self, group_id: UUID | None) -> AsyncIterator[None]:
        try:
            yield
        except BaseException:
            if self.guarded and group_id is not None and group_id in self.allocated:
                self.released.append(self.allocated.pop(group_id))
            raise


class FakeAttempts:
    def __init__(self) -> None:
        self.rows: list[tuple[str, datetime]] = []
        self.seatings: list[Seating | None] = []

    async def record(self, venue_id, booking_id, outcome, seating, version=None) -> int:
        self.rows.append((outcome, NOW))
        self.seatings.append(seating)
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


class FakeRescuePlans:
    """The optimizer: the same re-pack (or none) for every booking it is asked about."""

    def __init__(self, plan: RescuePlan | None) -> None:
        self.plan = plan
        self.asked: list[tuple[UUID, timedelta]] = []

    async def find(self, venue_id, booking_id, time_limit):
        self.asked.append((booking_id, time_limit))
        return self.plan


class FakeMover:
    """MoveBookings: applies every order (or skips the ones named), recording the booking's own
    first assignment in the state as the real use case does."""

    def __init__(self, bookings: FakeBookings, skip: set[UUID] | None = None, error=None) -> None:
        self.bookings = bookings
        self.skip = skip or set()
        self.error = error
        self.requests: list[tuple[object, str]] = []

    async def move(self, request, actor):
        self.requests.append((request, actor))
        if self.error is not None:
            raise self.error
        results = []
        for order in request.orders:
            if order.booking_id in self.skip:
                results.append(MoveResult(order.booking_id, MoveOutcome.SKIPPED_CONFLICT, "taken"))
                continue
            if order.booking_id == self.bookings.booking.booking_id:
                await self.bookings.move("RecordAssignment", self.bookings.booking,
                                         request.reason, order.table_ids)  # fmt: skip
            results.append(MoveResult(order.booking_id, MoveOutcome.APPLIED, "", 2))
        return results


BLOCKER = UUID(int=7)
REPACK = RescuePlan(("t4",), (MoveOrder(BLOCKER, 3, ("t3",)),))


def booking(state: str = "CREATED") -> BookingView:
    return BookingView(uuid4(), "v", state, 1, 4, NOW + timedelta(days=1),
                       NOW + timedelta(days=1, hours=2), None, ())  # fmt: skip


def coordinator(bookings, tables=None, capacity=None, rules=None, clock=lambda: NOW, rescue=None):
    extra = {"rescue": rescue} if rescue is not None else {}
    return Coordinator(
        bookings=bookings,
        capacity=capacity or FakeCapacity(Capacity(True, "", "fits at t1")),
        tables=tables or FakeTables([("t1",)]),
        attempts=FakeAttempts(),
        rules=rules or FakeRules(),
        retries=FakeRetries(),
        clock=clock,
        jitter=lambda: 1.0,
        **extra,
    )


async def test_a_new_booking_is_driven_to_confirmed_in_order():
    bookings = FakeBookings(booking())
    result = await coordinator(bookings).drive("v", bookings.booking.booking_id)
    assert result is Result.SETTLED
    assert bookings.moves == ["VerifyCapacity", "RequestAssignment", "StartAssignment",
                              "RecordAssignment", "ConfirmBooking"]  # fmt: skip
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t1",)


async def test_a_new_booking_takes_one_write_at_the_state_service_on_the_automated_path():
    bookings = FakeBookings(booking())
    tables = FakeTables([("t1",)])
    await coordinator(bookings, tables=tables).drive("v", bookings.booking.booking_id)
    assert bookings.calls == 1
    assert bookings.reasons == ["fits at t1", "capacity verified", "try 1",
                                "exact_fit: no seat spare", "auto-confirmed by policy"]  # fmt: skip
    # The tables are written while the booking is still CREATED, before its one advance.
    assert tables.written_at == ["CREATED"]


async def test_a_booking_known_from_its_event_is_driven_without_reading_it():
    bookings = FakeBookings(booking())
    bookings.down = True  # any read would fail
    result = await coordinator(bookings).drive("v", bookings.booking.booking_id, bookings.booking)
    assert result is Result.SETTLED and bookings.booking.state == "CONFIRMED"


async def test_without_auto_confirm_the_booking_stops_at_assigned():
    bookings = FakeBookings(booking())
    await coordinator(bookings, rules=FakeRules(auto_confirm=False)).drive("v", uuid4())
    assert bookings.booking.state == "ASSIGNED"
    assert bookings.calls == 1  # in the same one advance as every step before it
    assert bookings.moves == ["VerifyCapacity", "RequestAssignment", "StartAssignment",
                              "RecordAssignment"]  # fmt: skip


async def test_when_no_table_fits_at_creation_the_first_try_is_in_progress_then_retried():
    bookings = FakeBookings(booking())
    work = coordinator(bookings, tables=FakeTables([]))
    assert await work.drive("v", uuid4()) is Result.WAITING
    assert bookings.moves == ["VerifyCapacity", "RequestAssignment", "StartAssignment",
                              "RequestAssignment"]  # fmt: skip
    assert bookings.reasons[-1] == "retry: no table fits"
    assert bookings.calls == 2 and bookings.booking.state == "ASSIGNMENT_PENDING"
    # One failed try, counted at the version the try was in progress at.
    assert [outcome for outcome, _ in work.attempts.rows] == ["NO_TABLE"]
    assert work.retries.scheduled == [NOW + timedelta(seconds=1)]
    # Its in-progress version is the coordinator's own: that event brings no work back.
    assert work.own.made(bookings.booking.booking_id, 4)


async def test_when_no_table_fits_at_creation_a_re_pack_seats_the_booking_in_progress():
    bookings = FakeBookings(booking())
    rescue = rescuer(bookings)
    work = coordinator(bookings, tables=FakeTables([]), rescue=rescue)
    assert await work.drive("v", bookings.booking.booking_id) is Result.SETTLED
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t4",)
    [(request, _)] = rescue.mover.requests
    assert request.orders[-1] == MoveOrder(bookings.booking.booking_id, 4, ("t4",))
    assert work.retries.scheduled == []


async def test_a_crash_between_writing_tables_at_creation_and_the_advance_converges():
    bookings = FakeBookings(booking())
    tables = FakeTables([("t1",), ("t2",)])
    bookings.fail_next["VerifyCapacity"] = RuntimeError("process killed")
    work = coordinator(bookings, tables=tables)
    with pytest.raises(RuntimeError):
        await work.drive("v", uuid4())
    assert bookings.booking.state == "CREATED"
    await work.drive("v", uuid4())  # the stall sweeper drives the CREATED booking again
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t1",)
    assert list(tables.allocated.values()) == [("t1",)] and tables.written_at == ["CREATED"]


async def test_a_cancel_racing_the_first_try_releases_its_tables_and_ends_the_drive():
    bookings = FakeBookings(booking())

    class CancelledMeanwhile(FakeTables):
        async def assign(self, booking, *, note_attempt=False):
            seating = await super().assign(booking)
            ended = dataclasses.replace(bookings.booking, state="CANCELLED")
            bookings.booking = dataclasses.replace(ended, version=ended.version + 1)
            return seating

    tables = CancelledMeanwhile([("t1",)], guarded=True)
    result = await coordinator(bookings, tables=tables).drive("v", bookings.booking.booking_id)
    assert result is Result.SETTLED and bookings.booking.state == "CANCELLED"
    assert bookings.moves == [] and tables.released == [("t1",)] and tables.allocated == {}


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


@pytest.mark.parametrize("budget", [1, 3, 4])
async def test_after_the_retry_budget_the_booking_goes_to_manual_review(budget):
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    clock = [NOW]
    rules = FakeRules(budget=budget)
    work = coordinator(bookings, tables=FakeTables([]), rules=rules, clock=lambda: clock[0])
    for _ in range(budget):
        clock[0] += timedelta(minutes=1)  # every retry is due
        await work.drive("v", uuid4())
    assert bookings.booking.state == "MANUAL_REVIEW"
    assert bookings.moves.count("StartAssignment") == budget
    assert bookings.moves[-1] == "SendToManualReview"
    assert bookings.reasons[-1] == f"no table fits after {budget} tries"


def rescuer(bookings, plan=REPACK, **mover):
    return Rescuer(FakeRescuePlans(plan), FakeMover(bookings, **mover), timedelta(milliseconds=500))


async def test_when_no_table_fits_a_re_pack_seats_the_booking_and_no_retry_is_scheduled():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    own = bookings.booking.booking_id
    rescue = rescuer(bookings)
    work = coordinator(bookings, tables=FakeTables([]), rescue=rescue)

    assert await work.drive("v", own) is Result.SETTLED

    assert bookings.moves == ["StartAssignment", "RecordAssignment", "ConfirmBooking"]
    assert bookings.booking.state == "CONFIRMED" and bookings.booking.table_ids == ("t4",)
    assert work.retries.scheduled == []
    assert rescue.plans.asked == [(own, timedelta(milliseconds=500))]
    [(request, actor)] = rescue.mover.requests
    # The blocker's move and the booking's own first assignment, at its in-progress version.
    assert request.orders == (MoveOrder(BLOCKER, 3, ("t3",)), MoveOrder(own, 2, ("t4",)))
    assert request.reason == f"rescue re-pack for {own}"
    assert request.request_id == f"rescue-{own}-v2" and actor == "assigner"
    assert [outcome for outcome, _ in work.attempts.rows] == ["ASSIGNED"]
    assert work.attempts.seatings[0] == Seating(("t4",), "rescue", "re-pack moved 1 of 1 bookings")


async def test_a_free_table_never_asks_for_a_re_pack():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    rescue = rescuer(bookings)
    await coordinator(bookings, rescue=rescue).drive("v", uuid4())
    assert bookings.booking.table_ids == ("t1",)
    assert rescue.plans.asked == [] and rescue.mover.requests == []


async def test_without_a_re_pack_the_booking_waits_for_a_retry():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    rescue = rescuer(bookings, plan=None)
    work = coordinator(bookings, tables=FakeTables([]), rescue=rescue)

    assert await work.drive("v", uuid4()) is Result.WAITING

    assert bookings.moves == ["StartAssignment", "RequestAssignment"]
    assert work.retries.scheduled == [NOW + timedelta(seconds=1)]
    assert len(rescue.plans.asked) == 1 and rescue.mover.requests == []
    assert work.attempts.seatings[0].reason == "no table fits; no re-pack seats the party"


async def test_without_a_re_pack_the_retry_budget_still_ends_in_manual_review():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    clock = [NOW]
    rescue = rescuer(bookings, plan=None)
    work = coordinator(bookings, tables=FakeTables([]), clock=lambda: clock[0], rescue=rescue)
    for _ in range(3):
        clock[0] += timedelta(minutes=1)  # every retry is due
        await work.drive("v", uuid4())
    assert bookings.booking.state == "MANUAL_REVIEW"
    assert len(rescue.plans.asked) == 3  # asked before every failed try, the last one included
    assert bookings.reasons[-1] == "no table fits; no re-pack seats the party after 3 tries"


async def test_a_re_pack_whose_own_move_is_skipped_falls_back_to_the_retry_path():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    rescue = rescuer(bookings, skip={bookings.booking.booking_id})
    work = coordinator(bookings, tables=FakeTables([]), rescue=rescue)

    assert await work.drive("v", uuid4()) is Result.WAITING

    assert len(rescue.mover.requests) == 1
    assert bookings.moves == ["StartAssignment", "RequestAssignment"]
    assert bookings.booking.state == "ASSIGNMENT_PENDING" and bookings.booking.table_ids == ()
    assert work.retries.scheduled == [NOW + timedelta(seconds=1)]
    assert [outcome for outcome, _ in work.attempts.rows] == ["NO_TABLE"]
    assert work.attempts.seatings[0].reason == "no table fits; re-pack not applied: taken"


async def test_a_re_pack_the_mover_refuses_falls_back_to_the_retry_path():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    rescue = rescuer(bookings, error=Conflict(what="MoveBookings is still running"))
    work = coordinator(bookings, tables=FakeTables([]), rescue=rescue)

    assert await work.drive("v", uuid4()) is Result.WAITING

    assert bookings.booking.state == "ASSIGNMENT_PENDING"
    assert work.retries.scheduled == [NOW + timedelta(seconds=1)]


async def test_a_re_pack_is_one_request_per_booking_version_so_a_redelivery_replays_it():
    view = booking("ASSIGNMENT_IN_PROGRESS")
    bookings = FakeBookings(view)
    rescue = rescuer(bookings, skip={view.booking_id})

    await rescue.seat(view)
    await rescue.seat(view)  # the same event delivered again
    await rescue.seat(dataclasses.replace(view, version=view.version + 2))  # a later try

    ids = [request.request_id for request, _ in rescue.mover.requests]
    assert ids[0] == ids[1] != ids[2]


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


@pytest.mark.parametrize("state", ["ASSIGNED", "CONFIRMED"])
async def test_a_tables_changed_event_is_taken_in_stride(state):
    """The state service's `booking.tables_changed` asks nothing of the coordinator: the event
    is handled (so acknowledged, never retried or dead-lettered) and counts no outcome."""
    import contextlib
    from types import SimpleNamespace

    from services.assigner.application.journeys import Journeys

    class NoLocks:
        def booking(self, venue_id, booking_id):
            return contextlib.nullcontext()

    class Outcomes:
        def __init__(self) -> None:
            self.noted: list[dict] = []

        async def note(self, event_id, payload):
            self.noted.append(payload)

    confirmed = dataclasses.replace(booking("CONFIRMED"), table_ids=("t2",))
    bookings = FakeBookings(dataclasses.replace(confirmed, state=state))
    work = coordinator(bookings)
    outcomes = Outcomes()
    journeys = Journeys(coordinator=work, locks=NoLocks(), retries=work.retries,
                        outcomes=outcomes, sweeper=None, clock=lambda: NOW)  # fmt: skip
    event = SimpleNamespace(
        event_id=7, venue_id="v", booking_id=str(confirmed.booking_id),
        event_type="booking.tables_changed",
        payload={"from_state": state, "to_state": state, "table_ids": ["t2"]}, booking=None,
    )  # fmt: skip
    await journeys.on_event(event)
    assert outcomes.noted == [] and work.retries.scheduled == []
    assert bookings.moves == ([] if state == "CONFIRMED" else ["ConfirmBooking"])
    assert bookings.booking.table_ids == ("t2",)


class CountingLocks:
    def __init__(self) -> None:
        self.taken = 0

    def booking(self, venue_id, booking_id):
        self.taken += 1
        return contextlib.nullcontext()


def event_of(view: BookingView, event_id: int = 1):
    from types import SimpleNamespace

    kind = "booking.created" if view.state == "CREATED" else "booking.state_changed"
    return SimpleNamespace(event_id=event_id, venue_id=view.venue_id,
                           booking_id=str(view.booking_id), event_type=kind,
                           payload={"to_state": view.state}, booking=view)  # fmt: skip


class NoOutcomes:
    async def note(self, event_id, payload) -> None:
        return None


def journeys_of(work, locks):
    from services.assigner.application.journeys import Journeys

    return Journeys(coordinator=work, locks=locks, retries=work.retries, outcomes=NoOutcomes(),
                    sweeper=None, clock=lambda: NOW)  # fmt: skip


async def test_the_coordinators_own_changes_come_back_as_no_work():
    created = booking()
    bookings = FakeBookings(created)
    locks = CountingLocks()
    journeys = journeys_of(coordinator(bookings), locks)
    await journeys.on_event(event_of(created))
    assert bookings.booking.state == "CONFIRMED"
    await journeys.on_event(event_of(bookings.booking))  # the one event its one write published
    assert locks.taken == 1 and bookings.reads == 0 and bookings.calls == 1


async def test_a_booking_another_writer_moved_is_driven_from_its_event_without_a_read():
    bookings = FakeBookings(booking("CAPACITY_VERIFIED"))
    locks = CountingLocks()
    work = coordinator(bookings)
    await journeys_of(work, locks).on_event(event_of(bookings.booking))
    assert bookings.booking.state == "CONFIRMED"
    assert locks.taken == 1 and bookings.reads == 0 and bookings.calls == 1


@pytest.mark.parametrize("state", ["CONFIRMED", "CANCELLED", "MANUAL_REVIEW", "REJECTED"])
async def test_an_event_of_a_state_the_coordinator_never_leaves_takes_no_lock(state):
    bookings = FakeBookings(booking(state))
    locks = CountingLocks()
    await journeys_of(coordinator(bookings), locks).on_event(event_of(bookings.booking))
    assert locks.taken == 0 and bookings.reads == 0 and bookings.moves == []


async def test_the_policy_read_with_the_floor_decides_the_confirmation_without_another_read():
    class DayTables(FakeTables):
        async def assign(self, booking, *, note_attempt=False):
            seating = await super().assign(booking)
            return dataclasses.replace(seating, rules=VenueRules(True, 3))

    class NoRules:
        async def get(self, venue_id):
            raise AssertionError("the day's policy was read already")

    bookings = FakeBookings(booking())
    await coordinator(bookings, tables=DayTables([("t1",)]), rules=NoRules()).drive("v", uuid4())
    assert bookings.booking.state == "CONFIRMED" and bookings.calls == 1


PROTECTING = "protecting 19:30 for forecast 4-tops: expected loss 5.2 covers"


class RefusingTables(FakeTables):
    """The yield policy's refusal as the assigner reports it: no tables, `refused`, a reason."""

    async def assign(self, booking: BookingView, *, note_attempt: bool = False) -> Seating:
        return Seating((), "yield", PROTECTING, refused=True)


async def test_a_refusal_by_the_yield_policy_rejects_with_its_reason_without_rescue_or_retry():
    bookings = FakeBookings(booking("ASSIGNMENT_PENDING"))
    rescue = rescuer(bookings)
    work = coordinator(bookings, tables=RefusingTables([]), rescue=rescue)
    result = await work.drive("v", bookings.booking.booking_id)
    assert result is Result.SETTLED
    assert bookings.moves == ["StartAssignment", "RejectBooking"]
    assert bookings.reasons[-1] == PROTECTING
    assert bookings.booking.state == "REJECTED"
    assert rescue.plans.asked == [] and work.retries.scheduled == []


async def test_a_refusal_by_the_yield_policy_at_creation_rejects_from_its_first_try():
    bookings = FakeBookings(booking())
    rescue = rescuer(bookings)
    work = coordinator(bookings, tables=RefusingTables([]), rescue=rescue)
    assert await work.drive("v", bookings.booking.booking_id) is Result.SETTLED
    assert bookings.moves == ["VerifyCapacity", "RequestAssignment", "StartAssignment",
                              "RejectBooking"]  # fmt: skip
    assert bookings.reasons[-1] == PROTECTING and bookings.booking.state == "REJECTED"
    assert rescue.plans.asked == [] and work.retries.scheduled == []
