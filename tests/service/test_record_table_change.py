"""RecordTableChange over a real server and database: tables move in place, the state stays."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select

from services.state.adapters.tables import booking_state_history, outbox
from services.state.domain.states import transition_matrix
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.service.conftest import BACKEND, OPS, SERVICE, details_of, evening_in_three_days

ASSIGN = ("VerifyCapacity", "RequestAssignment", "StartAssignment", "RecordAssignment")


async def booking_after(bookings, unique, *commands: str) -> pb.Booking:
    """A new venue-a booking of four after each command in turn, seated at t1 when assigned."""
    start = Timestamp()
    start.FromDatetime(evening_in_three_days())
    booking = (
        await bookings.CreateBooking(
            api.CreateBookingRequest(
                venue_id="venue-a", request_id=unique("req"),
                booking=pb.Booking(party_size=4, start_time=start),
            ),
            metadata=SERVICE,
        )
    ).booking  # fmt: skip
    for command in commands:
        extra = {"table_ids": ["t1"]} if command == "RecordAssignment" else {}
        request = getattr(api, f"{command}Request")(
            venue_id="venue-a", booking_id=booking.booking_id,
            expected_version=booking.version, reason="test", **extra,
        )  # fmt: skip
        booking = (await getattr(bookings, command)(request, metadata=SERVICE)).booking
    return booking


def change(booking: pb.Booking, table_ids, version=None, reason="optimizer plan 7"):
    return api.RecordTableChangeRequest(
        venue_id=booking.venue_id, booking_id=booking.booking_id,
        expected_version=booking.version if version is None else version,
        reason=reason, table_ids=table_ids,
    )  # fmt: skip


async def refused(bookings, request, metadata=SERVICE) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.RecordTableChange(request, metadata=metadata)
    return raised.value


async def trail(engine, booking_id: str) -> tuple[list[tuple[str, str, int, str]], list[str]]:
    """The booking's history rows (from, to, version, reason) and outbox event types, in order."""
    async with engine.connect() as db:
        history = (
            await db.execute(
                select(
                    booking_state_history.c.from_state, booking_state_history.c.to_state,
                    booking_state_history.c.version, booking_state_history.c.reason,
                )
                .where(booking_state_history.c.booking_id == booking_id)
                .order_by(booking_state_history.c.history_id)
            )
        ).all()  # fmt: skip
        events = (
            await db.execute(
                select(outbox.c.event_type)
                .where(outbox.c.aggregate_id == booking_id)
                .order_by(outbox.c.event_id)
            )
        ).scalars()
        return [tuple(row) for row in history], list(events)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("commands", "state"),
    [
        (ASSIGN, pb.BOOKING_STATE_ASSIGNED),
        ((*ASSIGN, "ConfirmBooking"), pb.BOOKING_STATE_CONFIRMED),
    ],
)
async def test_a_booking_with_tables_moves_to_others_in_the_same_state(
    bookings, unique, engine, commands, state
):
    before = await booking_after(bookings, unique, *commands)
    after = (
        await bookings.RecordTableChange(change(before, ["t2", "t3"]), metadata=SERVICE)
    ).booking
    assert after.state == state
    assert after.version == before.version + 1
    assert list(after.table_ids) == ["t2", "t3"]
    assert after.state_reason == before.state_reason
    read = await bookings.GetBooking(
        api.GetBookingRequest(venue_id="venue-a", booking_id=before.booking_id), metadata=OPS
    )
    assert read.booking == after
    history, events = await trail(engine, before.booking_id)
    name = pb.BookingState.Name(state).removeprefix("BOOKING_STATE_")
    assert history[-1] == (name, name, after.version, "optimizer plan 7")
    assert len(history) == before.version + 1
    assert events[-1] == "booking.tables_changed" and len(events) == len(history)


async def test_a_table_change_at_a_stale_version_is_aborted_and_writes_nothing(
    bookings, unique, engine
):
    before = await booking_after(bookings, unique, *ASSIGN)
    error = await refused(bookings, change(before, ["t2"], version=before.version - 1))
    assert error.code() == grpc.StatusCode.ABORTED
    assert details_of(error)["ErrorInfo"].reason == "STALE_VERSION"
    history, _ = await trail(engine, before.booking_id)
    assert len(history) == before.version


@pytest.mark.parametrize(
    "commands", [("VerifyCapacity",), (*ASSIGN, "ConfirmBooking", "SeatBooking")]
)
async def test_a_booking_without_tables_to_move_fails_its_precondition(bookings, unique, commands):
    before = await booking_after(bookings, unique, *commands)
    error = await refused(bookings, change(before, ["t2"]))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = details_of(error)
    assert details["ErrorInfo"].reason == "ILLEGAL_TRANSITION"
    assert details["ErrorInfo"].metadata["needed"] == "ASSIGNED, CONFIRMED"
    assert details["PreconditionFailure"].violations[0].subject == before.booking_id


@pytest.mark.parametrize(
    ("table_ids", "fields"),
    [([], ["table_ids"]), (["t2", "t2"], ["table_ids[1]"]), (["t2", ""], ["table_ids[1]"])],
)
async def test_bad_tables_are_refused_naming_the_field(bookings, unique, table_ids, fields):
    before = await booking_after(bookings, unique, *ASSIGN)
    error = await refused(bookings, change(before, table_ids))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details_of(error)["BadRequest"].field_violations] == fields


@pytest.mark.parametrize("metadata", [BACKEND, OPS])
async def test_only_the_service_role_records_a_table_change(bookings, unique, metadata):
    before = await booking_after(bookings, unique, *ASSIGN)
    error = await refused(bookings, change(before, ["t2"]), metadata)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert details_of(error)["ErrorInfo"].reason == "ROLE_NOT_ALLOWED"


async def test_the_transition_matrix_does_not_list_table_changes(bookings):
    matrix = await bookings.GetTransitionMatrix(api.GetTransitionMatrixRequest(), metadata=BACKEND)
    assert len(matrix.transitions) == len(transition_matrix())
    assert all(t.from_state != t.to_state for t in matrix.transitions)
    assert "RecordTableChange" not in {t.rpc for t in matrix.transitions}
