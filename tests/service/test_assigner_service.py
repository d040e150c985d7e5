"""AssignerService over a real server, the state service and PostgreSQL: quotes, assignments,
holds, manual assignment, reassignment, listings, roles and invalid input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import func, select, text

from services.assigner.adapters.tables import allocations
from services.assigner.domain.strategies import STRATEGIES
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
    hour_window,
    live_groups,
    minutes,
    table,
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import add_booking, allocate, tomorrow_at
from tests.service.conftest import OPS, SERVICE, auth, details_of

SEVEN = tomorrow_at(19)


async def failing(call, request, metadata=OPS) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(request, metadata=metadata)
    return raised.value


def reason_of(error: grpc.aio.AioRpcError) -> str:
    return details_of(error)["ErrorInfo"].reason


def when(stamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


async def quote(assigner, venue, party_size=4, start=SEVEN):
    request = api.QuoteTablesRequest(
        venue_id=venue, party_size=party_size, window=hour_window(start)
    )
    return (await assigner.QuoteTables(request, metadata=SERVICE)).plans


async def assign(assigner, booking) -> api.AssignBookingResponse:
    request = api.AssignBookingRequest(
        venue_id=booking.venue_id, booking_id=booking.booking_id, expected_version=booking.version
    )
    return await assigner.AssignBooking(request, metadata=SERVICE)


async def hold(assigner, venue, names=(), start=SEVEN, hours=2, **fields) -> pb.Allocation:
    request = api.PlaceHoldRequest(
        venue_id=venue, table_ids=[table(venue, n) for n in names],
        window=hour_window(start, hours),
        **fields,
    )  # fmt: skip
    return (await assigner.PlaceHold(request, metadata=SERVICE)).hold


async def taken(engine, venue, names, start, end) -> None:
    """The tables assigned to another, confirmed booking over [start, end)."""
    other = await add_booking(engine, venue, start, 2, "CONFIRMED")
    await allocate(engine, venue, names, start, end, booking_id=other)


async def rows_of(engine, venue) -> int:
    async with engine.connect() as db:
        found = await db.scalar(select(func.count()).where(allocations.c.venue_id == venue))
    return int(found or 0)


async def test_quote_tables_ranks_plans_with_a_reason_from_every_strategy(
    assigner, bookings, venue, engine
):
    plans = await quote(assigner, venue)
    assert len(plans) >= 3
    assert [p.total_score for p in plans] == sorted((p.total_score for p in plans), reverse=True)
    for plan in plans:
        assert [c.strategy for c in plan.contributions] == list(STRATEGIES)
        assert all(c.reason and 0 <= c.score <= 1 for c in plan.contributions)
        weighted = sum(c.weight * c.score for c in plan.contributions)
        assert plan.total_score == pytest.approx(
            weighted / sum(c.weight for c in plan.contributions)
        )
        assert plan.total_seats >= 4
    booking = await booking_in_progress(bookings, venue, SEVEN, 4)
    by_booking = await assigner.QuoteTables(
        api.QuoteTablesRequest(venue_id=venue, booking_id=booking.booking_id, max_plans=2),
        metadata=SERVICE,
    )
    assert [list(p.table_ids) for p in by_booking.plans] == [list(p.table_ids) for p in plans[:2]]
    assert await rows_of(engine, venue) == 0


async def test_assign_booking_writes_the_winner_and_records_it(assigner, bookings, venue):
    booking = await booking_in_progress(bookings, venue, SEVEN, 4)
    best = (await quote(assigner, venue))[0]
    response = await assign(assigner, booking)
    allocation = response.allocation
    assert list(allocation.table_ids) == list(best.table_ids)
    assert allocation.kind == pb.ALLOCATION_KIND_ASSIGNMENT
    assert allocation.source == pb.ALLOCATION_SOURCE_ENGINE
    assert allocation.strategy in STRATEGIES and allocation.party_size == 4
    assert [c.strategy for c in allocation.contributions] == list(STRATEGIES)
    assert allocation.total_score == pytest.approx(best.total_score, abs=1e-6)
    assert response.booking.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert list(response.booking.table_ids) == list(best.table_ids)
    assert response.booking.version == booking.version + 1
    stored = await assigner.GetAllocation(
        api.GetAllocationRequest(venue_id=venue, allocation_id=allocation.allocation_id),
        metadata=SERVICE,
    )
    assert stored.allocation == allocation
    assert when(allocation.window.end_time) == when(booking.end_time) + timedelta(minutes=15)


async def test_a_redelivered_assign_booking_writes_no_second_allocation(
    assigner, bookings, venue, engine
):
    booking = await booking_in_progress(bookings, venue, SEVEN, 4)
    first = await assign(assigner, booking)
    again = await assign(assigner, booking)
    assert again.allocation.allocation_id == first.allocation.allocation_id
    assert again.booking.version == first.booking.version
    assert await live_groups(engine, booking.booking_id) == 1
    assert await rows_of(engine, venue) == len(first.allocation.table_ids)


async def test_assign_booking_at_a_stale_version_is_aborted(assigner, bookings, venue):
    booking = await booking_in_progress(bookings, venue, SEVEN, 2)
    request = api.AssignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version - 1
    )
    error = await failing(assigner.AssignBooking, request, SERVICE)
    assert error.code() == grpc.StatusCode.ABORTED
    assert reason_of(error) == "STALE_VERSION"


async def test_assign_booking_before_assignment_started_fails_its_precondition(
    assigner, bookings, venue
):
    booking = await booking_in_progress(bookings, venue, SEVEN, 2)
    booking = await advance(bookings, booking, "SendToManualReview")
    request = api.AssignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version
    )
    error = await failing(assigner.AssignBooking, request, SERVICE)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_assign_booking_without_a_free_table_is_no_capacity(
    assigner, bookings, venue, engine
):
    await taken(engine, venue, ["t2", "t3", "t4"], SEVEN - timedelta(hours=1),
                SEVEN + timedelta(hours=4))  # fmt: skip
    booking = await booking_in_progress(bookings, venue, SEVEN, 4)
    error = await failing(assigner.AssignBooking, api.AssignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version),
        SERVICE)  # fmt: skip
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(error) == "NO_CAPACITY"
    assert await live_groups(engine, booking.booking_id) == 0


async def test_a_hold_on_taken_tables_is_aborted_and_one_by_party_size_takes_the_best_plan(
    assigner, venue
):
    held = await hold(assigner, venue, ["t2"], party_size=2)
    assert held.kind == pb.ALLOCATION_KIND_HOLD and held.source == pb.ALLOCATION_SOURCE_REQUESTED
    error = await failing(
        assigner.PlaceHold,
        api.PlaceHoldRequest(venue_id=venue, table_ids=[table(venue, "t2"), table(venue, "t3")],
                             window=hour_window(SEVEN + timedelta(hours=1))),
    )  # fmt: skip
    assert error.code() == grpc.StatusCode.ABORTED
    assert reason_of(error) == "ALLOCATION_CONFLICT"
    best = (await quote(assigner, venue))[0]
    engine_hold = await hold(assigner, venue, party_size=4)
    assert list(engine_hold.table_ids) == list(best.table_ids)
    assert table(venue, "t2") not in engine_hold.table_ids
    assert engine_hold.source == pb.ALLOCATION_SOURCE_ENGINE
    assert engine_hold.strategy in STRATEGIES and engine_hold.party_size == 4
    assert [c.strategy for c in engine_hold.contributions] == list(STRATEGIES)


async def test_a_hold_lives_for_the_venue_ttl_and_is_extended(assigner, venue):
    before = datetime.now(UTC)
    held = await hold(assigner, venue, ["t1"])
    lifetime = when(held.expire_time) - before
    assert timedelta(seconds=170) < lifetime <= timedelta(seconds=185)
    short = await hold(assigner, venue, ["t4"], ttl=minutes(1))
    assert when(short.expire_time) - before <= timedelta(seconds=65)
    extended = await assigner.ExtendHold(
        api.ExtendHoldRequest(venue_id=venue, hold_id=short.allocation_id, ttl=minutes(2)),
        metadata=SERVICE,
    )
    assert when(extended.hold.expire_time) > when(short.expire_time) + timedelta(seconds=50)


async def test_a_hold_is_confirmed_into_the_bookings_assignment(assigner, bookings, venue):
    booking = await booking_in_progress(bookings, venue, SEVEN, 2)
    held = await hold(assigner, venue, ["t1"], booking_id=booking.booking_id)
    response = await assigner.ConfirmHold(
        api.ConfirmHoldRequest(venue_id=venue, hold_id=held.allocation_id,
                               booking_id=booking.booking_id, expected_version=booking.version),
        metadata=SERVICE,
    )  # fmt: skip
    assert response.allocation.allocation_id == held.allocation_id
    assert response.allocation.kind == pb.ALLOCATION_KIND_ASSIGNMENT
    assert not response.allocation.HasField("expire_time")
    assert response.booking.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert list(response.booking.table_ids) == [table(venue, "t1")]


async def test_an_expired_hold_cannot_be_confirmed(assigner, bookings, venue, engine):
    booking = await booking_in_progress(bookings, venue, SEVEN, 2)
    held = await hold(assigner, venue, ["t1"])
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE allocations SET expire_time = now() - interval '1 second' "
                 "WHERE group_id = :g"), {"g": held.allocation_id},
        )  # fmt: skip
    error = await failing(assigner.ConfirmHold, api.ConfirmHoldRequest(
        venue_id=venue, hold_id=held.allocation_id, booking_id=booking.booking_id,
        expected_version=booking.version), SERVICE)  # fmt: skip
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(error) == "HOLD_EXPIRED"
    state = await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=venue, booking_id=booking.booking_id),
        metadata=SERVICE,
    )
    assert state.booking.version == booking.version


async def test_releasing_a_hold_is_idempotent_and_frees_its_tables(assigner, venue):
    held = await hold(assigner, venue, ["t2", "t3"])
    request = api.ReleaseHoldRequest(venue_id=venue, hold_id=held.allocation_id)
    first = (await assigner.ReleaseHold(request, metadata=SERVICE)).hold
    second = (await assigner.ReleaseHold(request, metadata=SERVICE)).hold
    assert first.HasField("release_time")
    assert second.release_time == first.release_time
    again = await hold(assigner, venue, ["t3"])
    assert list(again.table_ids) == [table(venue, "t3")]


async def test_a_replayed_place_hold_returns_the_first_hold(assigner, venue):
    first = await hold(assigner, venue, ["t4"], request_id="widget-1")
    again = await hold(assigner, venue, ["t4"], request_id="widget-1")
    assert again.allocation_id == first.allocation_id
    error = await failing(assigner.PlaceHold, api.PlaceHoldRequest(
        venue_id=venue, table_ids=[table(venue, "t1")], window=hour_window(SEVEN),
        request_id="widget-1"))  # fmt: skip
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


async def in_manual_review(bookings, venue, party_size=2) -> booking_pb2.Booking:
    booking = await booking_in_progress(bookings, venue, SEVEN, party_size)
    return await advance(bookings, booking, "SendToManualReview")


def manual(booking, names, reason="the regulars' table") -> api.ManualAssignRequest:
    return api.ManualAssignRequest(
        venue_id=booking.venue_id, booking_id=booking.booking_id,
        expected_version=booking.version, table_ids=names, reason=reason,
    )  # fmt: skip


async def test_ops_assign_a_booking_in_manual_review_by_hand(assigner, bookings, venue):
    booking = await in_manual_review(bookings, venue)
    names = [table(venue, "t2")]
    response = await assigner.ManualAssign(manual(booking, names), metadata=OPS)
    allocation = response.allocation
    assert allocation.actor == "tester" and allocation.source == pb.ALLOCATION_SOURCE_MANUAL
    assert allocation.reason == "the regulars' table" and allocation.strategy == ""
    assert list(allocation.table_ids) == names
    assert response.booking.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert list(response.booking.table_ids) == names
    history = await bookings.ListBookingHistory(
        state_api.ListBookingHistoryRequest(venue_id=venue, booking_id=booking.booking_id),
        metadata=OPS,
    )
    last = history.changes[-1]
    assert last.to_state == booking_pb2.BOOKING_STATE_ASSIGNED and last.actor == "tester"


async def test_a_backend_caller_may_not_assign_by_hand(assigner, bookings, venue, engine):
    booking = await in_manual_review(bookings, venue)
    error = await failing(
        assigner.ManualAssign, manual(booking, [table(venue, "t1")]), auth(Role.BACKEND)
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(error) == "ROLE_NOT_ALLOWED"
    assert await live_groups(engine, booking.booking_id) == 0


async def test_a_missing_table_is_named_and_a_taken_one_is_a_conflict(
    assigner, bookings, venue, engine
):
    booking = await in_manual_review(bookings, venue)
    error = await failing(assigner.ManualAssign, manual(booking, [table(venue, "t1"), "nope"]))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [v.field for v in details_of(error)["BadRequest"].field_violations]
    assert fields == ["table_ids[1]"]
    await taken(engine, venue, ["t4"], SEVEN, SEVEN + timedelta(hours=2))
    error = await failing(assigner.ManualAssign, manual(booking, [table(venue, "t4")]))
    assert error.code() == grpc.StatusCode.ABORTED
    assert reason_of(error) == "ALLOCATION_CONFLICT"
    assert await live_groups(engine, booking.booking_id) == 0


async def test_tables_chosen_by_hand_seat_the_covers_the_venue_gives_them(
    assigner, bookings, venue, engine
):
    # t2+t3 (adjacent, 4 seats each) lose 2 seats at the join; t1+t4 (2 and 6 seats, not
    # adjacent) is an explicit combination of up to 9; t1+t2 is neither, so the rule applies.
    t1, t4 = table(venue, "t1"), table(venue, "t4")
    explicit = f'[{{"table_ids": ["{t4}", "{t1}"], "min_covers": 6, "max_covers": 9}}]'
    async with engine.begin() as db:
        await db.execute(
            text(
                "UPDATE venue_policies SET combination_seats_lost_per_join = 2, "
                "table_combinations = CAST(:combinations AS jsonb) WHERE venue_id = :v"
            ),
            {"v": venue, "combinations": explicit},
        )

    async def refused(party: int, names: list[str]) -> str:
        booking = await in_manual_review(bookings, venue, party)
        error = await failing(assigner.ManualAssign, manual(booking, names))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        [violation] = details_of(error)["BadRequest"].field_violations
        assert violation.field == "table_ids"
        assert await live_groups(engine, booking.booking_id) == 0
        return violation.description

    joined = [table(venue, "t2"), table(venue, "t3")]
    assert "at most 6," in await refused(7, joined)  # the plain sum, 8, would take seven
    assert "at most 4," in await refused(5, [t1, table(venue, "t2")])  # 2 + 4 less 2 lost
    booking = await in_manual_review(bookings, venue, 9)  # the plain sum of t1+t4 is 8
    response = await assigner.ManualAssign(manual(booking, [t1, t4]), metadata=OPS)
    assert set(response.allocation.table_ids) == {t1, t4}
    six = await in_manual_review(bookings, venue, 6)
    response = await assigner.ManualAssign(manual(six, joined), metadata=OPS)
    assert set(response.allocation.table_ids) == set(joined)


async def test_reassign_swaps_tables_at_once_or_sends_the_booking_back_to_the_engine(
    assigner, bookings, venue, engine
):
    assigned = await assign(assigner, await booking_in_progress(bookings, venue, SEVEN, 2))
    booking = assigned.booking
    request = api.ReassignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version,
        table_ids=[table(venue, "t4")], reason="bigger table for the cake",
    )  # fmt: skip
    moved = await assigner.ReassignBooking(request, metadata=OPS)
    assert list(moved.allocation.table_ids) == [table(venue, "t4")]
    assert moved.previous_allocation.allocation_id == assigned.allocation.allocation_id
    assert moved.previous_allocation.HasField("release_time")
    assert await live_groups(engine, booking.booking_id) == 1
    read = (await bookings.GetBooking(state_api.GetBookingRequest(
        venue_id=venue, booking_id=booking.booking_id), metadata=SERVICE)).booking  # fmt: skip
    assert list(read.table_ids) == [table(venue, "t4")]
    assert read.version == booking.version + 1 and read.state == booking.state
    assert moved.booking == read
    back = await assigner.ReassignBooking(
        api.ReassignBookingRequest(venue_id=venue, booking_id=booking.booking_id,
                                   expected_version=read.version, reason="guest asked"),
        metadata=SERVICE,
    )  # fmt: skip
    assert back.booking.state == booking_pb2.BOOKING_STATE_ASSIGNMENT_PENDING
    assert back.previous_allocation.allocation_id == moved.allocation.allocation_id
    assert not back.HasField("allocation")
    assert await live_groups(engine, booking.booking_id) == 0


async def test_reassigning_a_confirmed_booking_records_its_new_tables_and_keeps_it_confirmed(
    assigner, bookings, venue, engine
):
    assigned = await assign(assigner, await booking_in_progress(bookings, venue, SEVEN, 2))
    booking = assigned.booking
    if booking.state != booking_pb2.BOOKING_STATE_CONFIRMED:
        booking = await advance(bookings, booking, "ConfirmBooking")
    moved = await assigner.ReassignBooking(api.ReassignBookingRequest(
        venue_id=venue, booking_id=booking.booking_id, expected_version=booking.version,
        table_ids=[table(venue, "t2"), table(venue, "t3")], reason="joined for a bigger party",
    ), metadata=SERVICE)  # fmt: skip
    read = (await bookings.GetBooking(state_api.GetBookingRequest(
        venue_id=venue, booking_id=booking.booking_id), metadata=SERVICE)).booking  # fmt: skip
    assert read.state == booking_pb2.BOOKING_STATE_CONFIRMED
    assert sorted(read.table_ids) == sorted(moved.allocation.table_ids)
    assert sorted(read.table_ids) == [table(venue, "t2"), table(venue, "t3")]
    assert read.version == booking.version + 1
    history = await bookings.ListBookingHistory(state_api.ListBookingHistoryRequest(
        venue_id=venue, booking_id=booking.booking_id), metadata=SERVICE)  # fmt: skip
    last = history.changes[-1]
    assert (last.from_state, last.to_state) == (read.state, read.state)
    assert last.reason == "joined for a bigger party"


async def test_an_unknown_booking_or_allocation_is_not_found(assigner, venue):
    error = await failing(assigner.QuoteTables, api.QuoteTablesRequest(
        venue_id=venue, booking_id=SOME_ID), SERVICE)  # fmt: skip
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await failing(assigner.GetAllocation, api.GetAllocationRequest(
        venue_id=venue, allocation_id=SOME_ID), SERVICE)  # fmt: skip
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_list_allocations_pages_in_window_order(assigner, venue):
    starts = [tomorrow_at(hour) for hour in (20, 12, 16, 14, 18)]
    for start in starts:
        await hold(assigner, venue, ["t1"], start=start, hours=1)
    seen, token = [], ""
    for _ in range(3):
        page = await assigner.ListAllocations(
            api.ListAllocationsRequest(venue_id=venue, page_size=2, page_token=token),
            metadata=SERVICE,
        )
        seen += [when(a.window.start_time) for a in page.allocations]
        token = page.next_page_token
    assert seen == sorted(starts) and token == ""
    first = await assigner.ListAllocations(
        api.ListAllocationsRequest(venue_id=venue, page_size=2), metadata=SERVICE
    )
    error = await failing(assigner.ListAllocations, api.ListAllocationsRequest(
        venue_id=venue, page_token=first.next_page_token,
        kinds=[pb.ALLOCATION_KIND_ASSIGNMENT]), SERVICE)  # fmt: skip
    assert [v.field for v in details_of(error)["BadRequest"].field_violations] == ["page_token"]


SOME_ID = "00000000-0000-0000-0000-000000000001"


def _bad_window():
    return hour_window(SEVEN, hours=-1)


INVALID = [
    ("QuoteTables", api.QuoteTablesRequest(party_size=2, window=hour_window(SEVEN)), "venue_id"),
    ("QuoteTables", api.QuoteTablesRequest(venue_id="v", window=hour_window(SEVEN)), "party_size"),
    ("QuoteTables", api.QuoteTablesRequest(venue_id="v", party_size=2, window=_bad_window()),
     "window"),
    ("QuoteTables", api.QuoteTablesRequest(venue_id="v", booking_id="12"), "booking_id"),
    ("AssignBooking", api.AssignBookingRequest(venue_id="v", booking_id="x", expected_version=1),
     "booking_id"),
    ("AssignBooking", api.AssignBookingRequest(venue_id="v", booking_id=SOME_ID),
     "expected_version"),
    ("PlaceHold", api.PlaceHoldRequest(venue_id="v", party_size=2), "window"),
    ("PlaceHold", api.PlaceHoldRequest(venue_id="v", party_size=101, window=hour_window(SEVEN)),
     "party_size"),
    ("PlaceHold", api.PlaceHoldRequest(venue_id="v", party_size=2, window=hour_window(SEVEN),
                                       ttl=minutes(31)), "ttl"),
    ("PlaceHold", api.PlaceHoldRequest(venue_id="v", table_ids=["a", "a"],
                                       window=hour_window(SEVEN)), "table_ids[1]"),
    ("ExtendHold", api.ExtendHoldRequest(venue_id="v", hold_id="h"), "hold_id"),
    ("ManualAssign", api.ManualAssignRequest(
        venue_id="v", booking_id=SOME_ID, expected_version=1, table_ids=["a"]), "reason"),
    ("GetAllocation", api.GetAllocationRequest(venue_id="v"), "allocation_id"),
    ("ListAllocations", api.ListAllocationsRequest(venue_id="v", page_size=-1), "page_size"),
    ("ListAllocations", api.ListAllocationsRequest(venue_id="v", kinds=[0]), "kinds[0]"),
    ("ListAllocations", api.ListAllocationsRequest(venue_id="v", page_token="junk"),
     "page_token"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "request_", "field"), INVALID)
async def test_invalid_input_is_refused_naming_the_field(assigner, method, request_, field):
    error = await failing(getattr(assigner, method), request_, OPS)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details_of(error)["BadRequest"].field_violations] == [field]
