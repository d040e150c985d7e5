"""MoveBookings over a real server, the state service and PostgreSQL: swaps, chains, skips,
first assignments, replays, validation and roles; the floor never double-books."""

from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as pb
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (
    advance,
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    booking_in_progress,
    create_booking,
    live_groups_by_booking,
    live_tables,
    move,
    overlaps,
    read,
    request,
    seated_at,
    table,
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import tomorrow_at
from tests.service.conftest import OPS, SERVICE, auth, details_of

SEVEN = tomorrow_at(19)
APPLIED = pb.MOVE_OUTCOME_APPLIED


async def moved(assigner, *args, **kwargs) -> list[pb.BookingMoveResult]:
    return list((await assigner.MoveBookings(request(*args, **kwargs), metadata=SERVICE)).results)


async def refused(assigner, call, metadata=SERVICE) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await assigner.MoveBookings(call, metadata=metadata)
    return raised.value


async def check_floor(engine, bookings, venue, *placed) -> None:
    """No table is double-booked, each booking has one assignment, and the state agrees."""
    assert await overlaps(engine, venue) == 0
    assert set((await live_groups_by_booking(engine, venue)).values()) <= {1}
    floor = await live_tables(engine, venue)
    for booking in placed:
        state = await read(bookings, booking)
        assert sorted(state.table_ids) == floor.get(booking.booking_id, [])


async def test_two_bookings_swap_tables_in_one_call(assigner, bookings, venue, engine):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    b = await seated_at(assigner, bookings, venue, SEVEN, ["t3"])
    results = await moved(assigner, venue, move(a, ["t3"]), move(b, ["t2"]))
    assert [r.outcome for r in results] == [APPLIED, APPLIED]
    assert [r.booking_id for r in results] == [a.booking_id, b.booking_id]
    after_a, after_b = await read(bookings, a), await read(bookings, b)
    assert list(after_a.table_ids) == [table(venue, "t3")]
    assert list(after_b.table_ids) == [table(venue, "t2")]
    assert (after_a.version, after_b.version) == (a.version + 1, b.version + 1)
    assert [r.booking_version for r in results] == [after_a.version, after_b.version]
    assert after_a.state == booking_pb2.BOOKING_STATE_ASSIGNED
    allocation = await assigner.GetAllocation(
        api.GetAllocationRequest(venue_id=venue, allocation_id=results[0].allocation_id),
        metadata=SERVICE,
    )
    assert allocation.allocation.reason == "optimizer plan 7"
    assert allocation.allocation.actor == "tester"
    await check_floor(engine, bookings, venue, a, b)


async def test_a_chain_moves_each_booking_into_the_next_ones_tables(
    assigner, bookings, venue, engine
):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t1"])
    b = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    c = await seated_at(assigner, bookings, venue, SEVEN, ["t3"])
    results = await moved(assigner, venue, move(c, ["t4"]), move(a, ["t2"]), move(b, ["t3"]))
    assert [r.outcome for r in results] == [APPLIED] * 3
    assert await live_tables(engine, venue) == {
        a.booking_id: [table(venue, "t2")],
        b.booking_id: [table(venue, "t3")],
        c.booking_id: [table(venue, "t4")],
    }
    await check_floor(engine, bookings, venue, a, b, c)


async def test_a_stale_move_is_skipped_and_a_move_into_its_tables_conflicts(
    assigner, bookings, venue, engine
):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t1"])
    b = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    c = await seated_at(assigner, bookings, venue, SEVEN, ["t3"])
    stale_b = move(b, ["t4"], version=b.version - 1)
    results = await moved(assigner, venue, move(a, ["t2"]), stale_b, move(c, ["t4"]))
    outcomes = [r.outcome for r in results]
    assert outcomes == [pb.MOVE_OUTCOME_SKIPPED_CONFLICT, pb.MOVE_OUTCOME_SKIPPED_STALE, APPLIED]
    assert results[1].booking_version == b.version and "version" in results[1].detail
    assert results[0].booking_version == a.version and results[0].allocation_id == ""
    assert table(venue, "t2") in results[0].detail
    assert await live_tables(engine, venue) == {
        a.booking_id: [table(venue, "t1")],
        b.booking_id: [table(venue, "t2")],
        c.booking_id: [table(venue, "t4")],
    }
    assert (await read(bookings, a)).version == a.version
    await check_floor(engine, bookings, venue, a, b, c)


async def test_a_move_to_the_tables_a_booking_has_changes_nothing_and_leaves_it_movable(
    assigner, bookings, venue, engine
):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t1"])
    [same] = await moved(assigner, venue, move(a, ["t1"]))
    assert same.outcome == APPLIED and same.booking_version == a.version
    [onward] = await moved(assigner, venue, move(a, ["t2"]))
    assert onward.outcome == APPLIED and onward.booking_version == a.version + 1
    await check_floor(engine, bookings, venue, a)


async def test_a_move_onto_a_booking_outside_the_call_is_a_conflict(
    assigner, bookings, venue, engine
):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t1"])
    b = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    other = await seated_at(assigner, bookings, venue, SEVEN + timedelta(hours=1), ["t4"])
    results = await moved(assigner, venue, move(a, ["t4"]), move(b, ["t3"]))
    assert [r.outcome for r in results] == [pb.MOVE_OUTCOME_SKIPPED_CONFLICT, APPLIED]
    assert (await live_tables(engine, venue))[a.booking_id] == [table(venue, "t1")]
    await check_floor(engine, bookings, venue, a, b, other)


async def test_a_booking_inside_the_freeze_window_stays_but_a_first_assignment_goes_ahead(
    assigner, bookings, venue, engine
):
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE venue_policies SET freeze_window_minutes = 4320 WHERE venue_id = :v"),
            {"v": venue},
        )
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t1"])
    fresh = await booking_in_progress(bookings, venue, SEVEN, 2)
    results = await moved(assigner, venue, move(a, ["t2"]), move(fresh, ["t3"]))
    assert [r.outcome for r in results] == [pb.MOVE_OUTCOME_SKIPPED_FROZEN, APPLIED]
    assert "4320-minute freeze window" in results[0].detail
    assert results[0].booking_version == a.version
    await check_floor(engine, bookings, venue, a, fresh)


@pytest.mark.parametrize("commands", [("RequestAssignment",), ("RequestAssignment",
                                                               "StartAssignment")])  # fmt: skip
async def test_a_first_assignment_gives_a_waiting_booking_its_tables(
    assigner, bookings, venue, engine, commands
):
    created = await create_booking(bookings, venue, SEVEN, 4)
    waiting = await advance(bookings, created, "VerifyCapacity", *commands)
    [result] = await moved(assigner, venue, move(waiting, ["t4"]), reason="rescue re-pack")
    assert result.outcome == APPLIED
    after = await read(bookings, waiting)
    assert after.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert list(after.table_ids) == [table(venue, "t4")]
    assert result.booking_version == after.version > waiting.version
    history = await bookings.ListBookingHistory(
        state_api.ListBookingHistoryRequest(venue_id=venue, booking_id=waiting.booking_id),
        metadata=SERVICE,
    )
    assert history.changes[-1].reason == "rescue re-pack"
    await check_floor(engine, bookings, venue, waiting)


async def test_bookings_that_cannot_move_are_skipped_with_a_reason(
    assigner, bookings, venue, engine
):
    review = await advance(
        bookings, await booking_in_progress(bookings, venue, SEVEN, 2), "SendToManualReview"
    )
    cancelled = await advance(bookings, await create_booking(bookings, venue, SEVEN, 2),
                              "CancelBooking")  # fmt: skip
    ghost = booking_pb2.Booking(booking_id=str(uuid.uuid4()), venue_id=venue, version=1)
    results = await moved(
        assigner, venue, move(review, ["t1"]), move(cancelled, ["t2"]), move(ghost, ["t3"])
    )
    assert {r.outcome for r in results} == {pb.MOVE_OUTCOME_SKIPPED_STALE}
    assert [r.detail for r in results] == [
        "manual review needs ops", "booking is CANCELLED", "booking not found at this venue",
    ]  # fmt: skip
    assert await live_tables(engine, venue) == {}


async def test_a_replayed_request_returns_the_first_results_and_moves_nothing(
    assigner, bookings, venue, engine
):
    a = await seated_at(assigner, bookings, venue, SEVEN, ["t2"])
    b = await seated_at(assigner, bookings, venue, SEVEN, ["t3"])
    call = request(venue, move(a, ["t3"]), move(b, ["t2"]), request_id="plan-7-apply")
    first = await assigner.MoveBookings(call, metadata=SERVICE)
    floor = await live_tables(engine, venue)
    again = await assigner.MoveBookings(call, metadata=SERVICE)
    assert again == first
    assert await live_tables(engine, venue) == floor
    assert (await read(bookings, a)).version == a.version + 1
    other = request(venue, move(a, ["t4"]), request_id="plan-7-apply")
    error = await refused(assigner, other)
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize("metadata", [OPS, auth(Role.BACKEND)])
async def test_only_the_service_role_moves_bookings(assigner, venue, metadata):
    ghost = booking_pb2.Booking(booking_id=str(uuid.uuid4()), venue_id=venue, version=1)
    error = await refused(assigner, request(venue, move(ghost, ["t1"])), metadata)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


SOME = str(uuid.uuid4())


def raw(booking_id=SOME, version=1, tables=("v-t1",)) -> api.BookingMove:
    return api.BookingMove(booking_id=booking_id, expected_version=version, table_ids=tables)


INVALID = [
    (api.MoveBookingsRequest(venue_id="v", reason="r", request_id="x"), ["moves"]),
    (request("v", raw(), raw()), ["moves[1].booking_id"]),
    (request("v", raw(booking_id="nope")), ["moves[0].booking_id"]),
    (request("v", raw(version=0)), ["moves[0].expected_version"]),
    (request("v", raw(tables=())), ["moves[0].table_ids"]),
    (request("v", raw(tables=("a", "a"))), ["moves[0].table_ids[1]"]),
    (request("v", raw(), reason=""), ["reason"]),
    (request("v", raw(), reason="x" * 501), ["reason"]),
    (api.MoveBookingsRequest(venue_id="v", moves=[raw()], reason="r"), ["request_id"]),
    (request("v", raw(), request_id="x" * 65), ["request_id"]),
]


@pytest.mark.parametrize(("call", "fields"), INVALID)
async def test_an_invalid_call_names_the_field(assigner, call, fields):
    error = await refused(assigner, call)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details_of(error)["BadRequest"].field_violations] == fields


async def test_unknown_tables_and_tables_too_small_for_the_party_are_named(
    assigner, bookings, venue, engine
):
    party = await seated_at(assigner, bookings, venue, SEVEN, ["t4"], party=5)
    small = api.BookingMove(booking_id=party.booking_id, expected_version=party.version,
                            table_ids=[table(venue, "t1")])  # fmt: skip
    unknown = raw(tables=(table(venue, "t2"), "nope"))
    error = await refused(assigner, request(venue, small, unknown))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [v.field for v in details_of(error)["BadRequest"].field_violations]
    assert fields == ["moves[0].table_ids", "moves[1].table_ids[1]"]
    assert (await read(bookings, party)).version == party.version
    await check_floor(engine, bookings, venue, party)


@pytest.mark.parametrize(
    ("forwarded", "outcome"),
    [
        (OPS[0][1], APPLIED),  # an ops user's credentials: the booking leaves manual review
        (auth(Role.BACKEND)[0][1], pb.MOVE_OUTCOME_SKIPPED_STALE),  # not ops: left to ops
        ("Bearer not-a-token", pb.MOVE_OUTCOME_SKIPPED_STALE),
    ],
)
async def test_a_booking_in_manual_review_gets_tables_only_for_forwarded_ops_credentials(
    assigner, bookings, venue, engine, forwarded, outcome
):
    waiting = await booking_in_progress(bookings, venue, SEVEN, 2)
    review = await advance(bookings, waiting, "SendToManualReview")
    metadata = [*SERVICE, ("x-maitred-on-behalf-of", forwarded)]

    response = await assigner.MoveBookings(request(venue, move(review, ["t1"])), metadata=metadata)

    assert [r.outcome for r in response.results] == [outcome]
    after = await read(bookings, review)
    if outcome == APPLIED:
        assert after.state == booking_pb2.BOOKING_STATE_ASSIGNED
        assert list(after.table_ids) == [table(venue, "t1")]
    else:
        assert after.state == booking_pb2.BOOKING_STATE_MANUAL_REVIEW
        assert response.results[0].detail == "manual review needs ops"
    await check_floor(engine, bookings, venue, review)
