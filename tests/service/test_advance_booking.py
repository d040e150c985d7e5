"""AdvanceBooking over a real server and database: several steps, one transaction, one event."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from services.state.adapters.tables import booking_state_history, outbox
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.service.conftest import BACKEND, OPS, SERVICE, details_of
from tests.service.test_record_table_change import booking_after, trail

S = pb.BookingState
TO_CONFIRMED = (
    (S.BOOKING_STATE_CAPACITY_VERIFIED, "capacity ok", ()),
    (S.BOOKING_STATE_ASSIGNMENT_PENDING, "capacity verified", ()),
    (S.BOOKING_STATE_ASSIGNMENT_IN_PROGRESS, "try 1", ()),
    (S.BOOKING_STATE_ASSIGNED, "exact fit", ("t1",)),
    (S.BOOKING_STATE_CONFIRMED, "auto-confirmed by policy", ()),
)


def advance(booking: pb.Booking, steps, version=None) -> api.AdvanceBookingRequest:
    return api.AdvanceBookingRequest(
        venue_id=booking.venue_id,
        booking_id=booking.booking_id,
        expected_version=booking.version if version is None else version,
        steps=[
            api.BookingStep(target_state=target, reason=reason, table_ids=list(tables))
            for target, reason, tables in steps
        ],
    )


async def refused(bookings, request, metadata=SERVICE) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.AdvanceBooking(request, metadata=metadata)
    return raised.value


async def test_a_created_booking_is_confirmed_in_one_call_with_a_history_row_per_step_and_one_event(
    bookings, unique, engine
):
    created = await booking_after(bookings, unique)
    after = (
        await bookings.AdvanceBooking(advance(created, TO_CONFIRMED), metadata=SERVICE)
    ).booking
    assert after.state == S.BOOKING_STATE_CONFIRMED
    assert after.version == created.version + 5
    assert list(after.table_ids) == ["t1"]
    history, events = await trail(engine, created.booking_id)
    assert history[1:] == [
        ("CREATED", "CAPACITY_VERIFIED", 2, "capacity ok"),
        ("CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", 3, "capacity verified"),
        ("ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS", 4, "try 1"),
        ("ASSIGNMENT_IN_PROGRESS", "ASSIGNED", 5, "exact fit"),
        ("ASSIGNED", "CONFIRMED", 6, "auto-confirmed by policy"),
    ]
    assert events == ["booking.created", "booking.state_changed"]
    async with engine.connect() as db:
        actors = set(
            (
                await db.execute(
                    select(booking_state_history.c.actor).where(
                        booking_state_history.c.booking_id == created.booking_id
                    )
                )
            ).scalars()
        )
        payload = await db.scalar(
            select(outbox.c.payload)
            .where(outbox.c.aggregate_id == created.booking_id)
            .order_by(outbox.c.event_id.desc())
            .limit(1)
        )
    assert len(actors) == 1 and "" not in actors  # every step names the caller, as creation did
    assert payload["from_state"] == "CREATED" and payload["to_state"] == "CONFIRMED"
    assert payload["version"] == 6 and payload["party_size"] == 4
    assert payload["steps"] == [
        "CAPACITY_VERIFIED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS", "ASSIGNED", "CONFIRMED"
    ]  # fmt: skip


async def test_an_advance_at_a_stale_version_is_aborted_and_writes_nothing(
    bookings, unique, engine
):
    created = await booking_after(bookings, unique, "VerifyCapacity")
    error = await refused(bookings, advance(created, TO_CONFIRMED[1:], version=1))
    assert error.code() == grpc.StatusCode.ABORTED
    history, events = await trail(engine, created.booking_id)
    assert len(history) == 2 and len(events) == 2


async def test_an_illegal_step_midway_refuses_the_whole_advance(bookings, unique, engine):
    created = await booking_after(bookings, unique)
    skipping = (TO_CONFIRMED[0], TO_CONFIRMED[3])  # CAPACITY_VERIFIED cannot go to ASSIGNED
    error = await refused(bookings, advance(created, skipping))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    history, events = await trail(engine, created.booking_id)
    assert len(history) == 1 and events == ["booking.created"]


async def test_manual_review_cannot_be_left_through_an_advance(bookings, unique):
    parked = await booking_after(bookings, unique, "SendToManualReview")
    steps = ((S.BOOKING_STATE_ASSIGNMENT_PENDING, "back to the engine", ()),)
    error = await refused(bookings, advance(parked, steps), metadata=OPS)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    error = await refused(bookings, advance(parked, steps))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_only_the_service_role_may_advance_a_booking(bookings, unique):
    created = await booking_after(bookings, unique)
    error = await refused(bookings, advance(created, TO_CONFIRMED[:1]), metadata=BACKEND)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ((), "steps"),
        (((S.BOOKING_STATE_UNSPECIFIED, "x", ()),), "steps[0].target_state"),
        ((TO_CONFIRMED[0], (S.BOOKING_STATE_ASSIGNMENT_PENDING, "r" * 501, ())), "steps[1].reason"),
        ((TO_CONFIRMED[0],) * 9, "steps"),
        (((S.BOOKING_STATE_ASSIGNED, "x", ("",)),), "steps[0].table_ids[0]"),
    ],
)
async def test_a_malformed_advance_is_invalid_and_names_the_field(
    bookings, unique, engine, steps, field
):
    created = await booking_after(bookings, unique)
    error = await refused(bookings, advance(created, steps))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = details_of(error)["BadRequest"].field_violations
    assert field in [v.field for v in violations]
    history, _ = await trail(engine, created.booking_id)
    assert len(history) == 1
