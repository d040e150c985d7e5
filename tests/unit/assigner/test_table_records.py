"""Recording a new allocation in the state service, with in-memory fakes: races settle."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.assigner.application.table_records import WITH_TABLES, TableRecorder
from services.assigner.domain.booking import BookingView, Superseded
from services.assigner.domain.errors import BookingNotReady

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
TARGETS = {"StartAssignment": "ASSIGNMENT_IN_PROGRESS", "RecordAssignment": "ASSIGNED"}


@dataclasses.dataclass(frozen=True)
class Group:
    group_id: UUID
    table_ids: tuple[str, ...]


def view(state: str, version: int = 3, tables: tuple[str, ...] = ("t1",)) -> BookingView:
    return BookingView(
        booking_id=UUID(int=1), venue_id="v", state=state, version=version, party_size=2,
        start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=2),
        preferred_zone_id=None, table_ids=tables,
    )  # fmt: skip


class FakeState:
    """The state service: versioned writes; `rival` changes the booking just before a write."""

    def __init__(self, booking: BookingView) -> None:
        self.booking = booking
        self.rival: list[BookingView] = []
        self.calls: list[str] = []

    async def get(self, venue_id: str, booking_id: UUID) -> BookingView:
        return self.booking

    def _write(self, sent: BookingView, command: str, **changes: object) -> BookingView:
        if self.rival:
            self.booking = self.rival.pop(0)
        if sent.version != self.booking.version:
            raise Superseded("stale")
        self.calls.append(command)
        self.booking = dataclasses.replace(self.booking, version=sent.version + 1, **changes)
        return self.booking

    async def move(self, command, booking, reason, table_ids=()):
        changes: dict[str, object] = {"state": TARGETS[command]}
        if table_ids:
            changes["table_ids"] = table_ids
        return self._write(booking, command, **changes)

    async def record_tables(self, booking, table_ids, reason):
        if self.rival:
            self.booking = self.rival.pop(0)
        if self.booking.state not in WITH_TABLES:
            raise Superseded("not holding tables")
        return self._write(booking, "RecordTableChange", table_ids=table_ids)


class FakeStore:
    def __init__(self, live: Group | None) -> None:
        self.live = live
        self.released: list[UUID] = []

    async def live_assignment(self, booking_id: UUID) -> Group | None:
        return self.live

    async def release_allocation(self, group_id: UUID, now: datetime) -> bool:
        self.released.append(group_id)
        return True


def recorder(state: FakeState, store: FakeStore) -> TableRecorder:
    return TableRecorder(state, store, lambda: NOW)


NEW = Group(uuid4(), ("t2", "t3"))


async def test_a_move_is_recorded_at_the_bookings_version():
    state, store = FakeState(view("CONFIRMED")), FakeStore(NEW)
    done = await recorder(state, store).record(view("CONFIRMED"), NEW, "plan", WITH_TABLES)
    assert done.kept and done.booking.table_ids == ("t2", "t3") and done.booking.version == 4
    assert state.calls == ["RecordTableChange"] and store.released == []


async def test_a_booking_changed_meanwhile_gets_the_allocation_at_its_new_version():
    state, store = FakeState(view("ASSIGNED")), FakeStore(NEW)
    state.rival = [view("CONFIRMED", version=4)]
    done = await recorder(state, store).record(view("ASSIGNED"), NEW, "plan", WITH_TABLES)
    assert done.kept and done.booking.state == "CONFIRMED"
    assert done.booking.table_ids == ("t2", "t3") and done.booking.version == 5


@pytest.mark.parametrize("ended", ["CANCELLED", "ASSIGNMENT_PENDING", "NO_SHOW"])
async def test_a_booking_that_ended_meanwhile_releases_the_new_allocation(ended):
    state, store = FakeState(view("ASSIGNED")), FakeStore(NEW)
    state.rival = [view(ended, version=4, tables=())]
    done = await recorder(state, store).record(view("ASSIGNED"), NEW, "plan", WITH_TABLES)
    assert not done.kept and done.booking.state == ended
    assert store.released == [NEW.group_id]


async def test_a_seated_party_keeps_the_allocation_it_has():
    state, store = FakeState(view("CONFIRMED")), FakeStore(NEW)
    state.rival = [view("SEATED", version=4)]
    done = await recorder(state, store).record(view("CONFIRMED"), NEW, "plan", WITH_TABLES)
    assert not done.kept and store.released == []


async def test_an_allocation_replaced_by_another_call_is_not_recorded():
    state, store = FakeState(view("ASSIGNED")), FakeStore(Group(uuid4(), ("t4",)))
    state.rival = [view("ASSIGNED", version=4, tables=("t4",))]
    done = await recorder(state, store).record(view("ASSIGNED"), NEW, "plan", WITH_TABLES)
    assert not done.kept and state.calls == [] and store.released == [NEW.group_id]


async def test_a_first_assignment_starts_then_records_the_tables():
    pending = view("ASSIGNMENT_PENDING", tables=())
    state, store = FakeState(pending), FakeStore(NEW)
    accept = ("ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS", *WITH_TABLES)
    done = await recorder(state, store).record(pending, NEW, "rescue", accept)
    assert done.kept and done.booking.state == "ASSIGNED" and done.booking.version == 5
    assert state.calls == ["StartAssignment", "RecordAssignment"]


async def test_a_booking_that_never_settles_is_reported_as_moved():
    state, store = FakeState(view("ASSIGNED")), FakeStore(NEW)
    state.rival = [view("ASSIGNED", version=v) for v in range(4, 12)]
    with pytest.raises(BookingNotReady):
        await recorder(state, store).record(view("ASSIGNED"), NEW, "plan", WITH_TABLES)
    assert store.released == []
