"""BookingService over a real server and database: lifecycle, versions, idempotency, errors."""

from __future__ import annotations

import asyncio
from datetime import UTC

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select, text, update

from services.state.adapters.tables import booking_state_history, idempotency_keys, outbox
from services.state.adapters.tables import bookings as bookings_table
from services.state.domain.legacy_fingerprint import legacy_fingerprint
from services.state.domain.validation import NewBooking
from shared.auth import Role
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.service.conftest import BACKEND, OPS, SERVICE, auth, details_of, evening_in_three_days


def create_request(request_id: str, venue_id: str = "venue-a", party_size: int = 4, **fields):
    start = Timestamp()
    start.FromDatetime(evening_in_three_days())
    booking = pb.Booking(party_size=party_size, start_time=start, **fields)
    return api.CreateBookingRequest(venue_id=venue_id, booking=booking, request_id=request_id)


async def create(bookings, unique, **kwargs) -> pb.Booking:
    response = await bookings.CreateBooking(
        create_request(unique("req"), **kwargs), metadata=SERVICE
    )
    return response.booking


async def counts(engine, booking_id: str) -> tuple[int, int]:
    async with engine.connect() as db:
        history = await db.scalar(
            select(func.count()).where(booking_state_history.c.booking_id == booking_id)
        )
        events = await db.scalar(select(func.count()).where(outbox.c.aggregate_id == booking_id))
    return int(history or 0), int(events or 0)


async def test_a_created_booking_reads_back_with_its_display_status(bookings, unique):
    created = await create(bookings, unique, guest_reference="g-1", notes="birthday")
    assert created.state == pb.BOOKING_STATE_CREATED
    assert created.display_status == pb.DISPLAY_STATUS_PENDING
    assert created.version == 1
    assert created.end_time.ToSeconds() - created.start_time.ToSeconds() == 90 * 60
    read = await bookings.GetBooking(
        api.GetBookingRequest(venue_id="venue-a", booking_id=created.booking_id), metadata=BACKEND
    )
    assert read.booking == created


async def test_an_idempotent_replay_returns_the_first_response(bookings, unique, engine):
    request = create_request(unique("req"), notes="replayed")
    first = await bookings.CreateBooking(request, metadata=SERVICE)
    await bookings.VerifyCapacity(
        api.VerifyCapacityRequest(
            venue_id="venue-a", booking_id=first.booking.booking_id, expected_version=1
        ),
        metadata=SERVICE,
    )
    again = await bookings.CreateBooking(request, metadata=SERVICE)
    assert again == first
    async with engine.connect() as db:
        rows = await db.scalar(
            select(func.count()).where(bookings_table.c.request_id == request.request_id)
        )
    assert rows == 1


async def test_a_replay_returns_the_first_response_even_when_it_would_no_longer_validate(
    bookings, unique, engine
):
    request = create_request(unique("req"), venue_id="venue-b", party_size=4)
    first = await bookings.CreateBooking(request, metadata=SERVICE)
    limit = text("UPDATE venues SET max_party_size = :size WHERE venue_id = 'venue-b'")
    async with engine.begin() as db:
        await db.execute(limit, {"size": 2})
    try:
        again = await bookings.CreateBooking(request, metadata=SERVICE)
        with pytest.raises(grpc.aio.AioRpcError) as raised:  # a new request is judged anew
            await bookings.CreateBooking(
                create_request(unique("req"), venue_id="venue-b", party_size=4), metadata=SERVICE
            )
    finally:
        async with engine.begin() as db:
            await db.execute(limit, {"size": 10})
    assert again == first
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_concurrent_twins_of_one_request_create_one_booking(bookings, unique, engine):
    request = create_request(unique("req"))
    responses = await asyncio.gather(
        *(bookings.CreateBooking(request, metadata=SERVICE) for _ in range(8))
    )
    assert len({r.booking.booking_id for r in responses}) == 1
    assert await counts(engine, responses[0].booking.booking_id) == (1, 1)


async def test_a_reused_request_id_with_another_payload_is_refused(bookings, unique):
    request_id = unique("req")
    await bookings.CreateBooking(create_request(request_id, party_size=2), metadata=SERVICE)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.CreateBooking(create_request(request_id, party_size=3), metadata=SERVICE)
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert details_of(raised.value)["ErrorInfo"].reason == "REQUEST_ID_REUSED"


async def test_a_request_stored_by_an_earlier_release_still_replays_after_the_upgrade(
    bookings, unique, engine
):
    request_id = unique("req")
    first = await bookings.CreateBooking(
        create_request(request_id, notes="window"), metadata=SERVICE
    )
    booking = first.booking
    legacy = legacy_fingerprint(
        NewBooking(
            venue_id="venue-a", request_id=request_id, party_size=4,
            start_time=booking.start_time.ToDatetime(tzinfo=UTC), guest_reference="",
            notes="window", preferred_zone_id=None, pinned=False,
        )
    )  # fmt: skip
    async with (
        engine.begin() as db
    ):  # as the release before the whole-request fingerprint stored it
        await db.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.request_id == request_id)
            .values(request_hash=legacy)
        )
    again = await bookings.CreateBooking(
        create_request(request_id, notes="window"), metadata=SERVICE
    )
    assert again.booking.booking_id == booking.booking_id
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.CreateBooking(create_request(request_id, notes="door"), metadata=SERVICE)
    assert details_of(raised.value)["ErrorInfo"].reason == "REQUEST_ID_REUSED"


async def test_two_concurrent_transitions_on_one_version_exactly_one_wins(bookings, unique, engine):
    for _ in range(5):
        created = await create(bookings, unique)
        move = {"venue_id": "venue-a", "booking_id": created.booking_id, "expected_version": 1}
        results = await asyncio.gather(
            bookings.VerifyCapacity(api.VerifyCapacityRequest(**move), metadata=SERVICE),
            bookings.CancelBooking(api.CancelBookingRequest(**move), metadata=SERVICE),
            return_exceptions=True,
        )
        wins = [r for r in results if not isinstance(r, Exception)]
        losses = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(wins) == 1 and len(losses) == 1
        assert losses[0].code() in (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION)
        assert wins[0].booking.version == 2
        assert await counts(engine, created.booking_id) == (2, 2)


async def test_a_stale_version_is_aborted_and_writes_nothing(bookings, unique, engine):
    created = await create(bookings, unique)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.VerifyCapacity(
            api.VerifyCapacityRequest(
                venue_id="venue-a", booking_id=created.booking_id, expected_version=7
            ),
            metadata=SERVICE,
        )
    assert raised.value.code() == grpc.StatusCode.ABORTED
    assert details_of(raised.value)["ErrorInfo"].reason == "STALE_VERSION"
    assert await counts(engine, created.booking_id) == (1, 1)


async def test_an_illegal_transition_names_the_allowed_targets(bookings, unique):
    created = await create(bookings, unique)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.SeatBooking(
            api.SeatBookingRequest(
                venue_id="venue-a", booking_id=created.booking_id, expected_version=1
            ),
            metadata=SERVICE,
        )
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = details_of(raised.value)
    allowed = details["ErrorInfo"].metadata["allowed"].split(",")
    assert allowed == ["CAPACITY_VERIFIED", "MANUAL_REVIEW", "REJECTED", "CANCELLED"]
    assert "CAPACITY_VERIFIED" in details["PreconditionFailure"].violations[0].description


async def test_the_automated_path_writes_one_history_row_and_event_per_transition(
    bookings, unique, engine
):
    created = await create(bookings, unique)
    ids = {"venue_id": "venue-a", "booking_id": created.booking_id}
    steps = [
        (bookings.VerifyCapacity, api.VerifyCapacityRequest, {}),
        (bookings.RequestAssignment, api.RequestAssignmentRequest, {}),
        (bookings.StartAssignment, api.StartAssignmentRequest, {}),
        (bookings.RecordAssignment, api.RecordAssignmentRequest, {"table_ids": ["t1", "t2"]}),
        (bookings.ConfirmBooking, api.ConfirmBookingRequest, {}),
    ]
    version = 1
    for call, request_type, extra in steps:
        response = await call(
            request_type(**ids, expected_version=version, reason="auto", **extra), metadata=SERVICE
        )
        version = response.booking.version
    assert response.booking.state == pb.BOOKING_STATE_CONFIRMED
    assert list(response.booking.table_ids) == ["t1", "t2"]
    assert await counts(engine, created.booking_id) == (6, 6)
    history = await bookings.ListBookingHistory(
        api.ListBookingHistoryRequest(**ids, page_size=4), metadata=OPS
    )
    assert [c.to_state for c in history.changes] == [
        pb.BOOKING_STATE_CREATED,
        pb.BOOKING_STATE_CAPACITY_VERIFIED,
        pb.BOOKING_STATE_ASSIGNMENT_PENDING,
        pb.BOOKING_STATE_ASSIGNMENT_IN_PROGRESS,
    ]
    rest = await bookings.ListBookingHistory(
        api.ListBookingHistoryRequest(**ids, page_size=4, page_token=history.next_page_token),
        metadata=OPS,
    )
    assert [c.version for c in rest.changes] == [5, 6] and rest.next_page_token == ""


async def test_a_failure_inside_the_transaction_writes_no_state_history_or_event(
    bookings, unique, engine
):
    created = await create(bookings, unique)
    # A trigger makes the outbox insert fail after the state update and history insert ran.
    async with engine.begin() as db:
        await db.execute(
            text(
                "CREATE OR REPLACE FUNCTION test_refuse_outbox() RETURNS trigger AS $$ "
                "BEGIN IF NEW.payload->>'reason' = 'explode' THEN "
                "RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await db.execute(text("DROP TRIGGER IF EXISTS test_refuse_outbox ON outbox"))
        await db.execute(
            text(
                "CREATE TRIGGER test_refuse_outbox BEFORE INSERT ON outbox "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_outbox()"
            )
        )
    try:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await bookings.VerifyCapacity(
                api.VerifyCapacityRequest(
                    venue_id="venue-a",
                    booking_id=created.booking_id,
                    expected_version=1,
                    reason="explode",
                ),
                metadata=[*SERVICE, ("x-request-id", "req-explode-1")],
            )
    finally:
        async with engine.begin() as db:
            await db.execute(text("DROP TRIGGER IF EXISTS test_refuse_outbox ON outbox"))
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert "req-explode-1" in (raised.value.details() or "")
    assert "refused by test" not in (raised.value.details() or "")
    read = await bookings.GetBooking(
        api.GetBookingRequest(venue_id="venue-a", booking_id=created.booking_id), metadata=OPS
    )
    assert read.booking.version == 1 and read.booking.state == pb.BOOKING_STATE_CREATED
    assert await counts(engine, created.booking_id) == (1, 1)


async def test_only_ops_move_a_booking_out_of_manual_review(bookings, unique):
    created = await create(bookings, unique)
    ids = {"venue_id": "venue-a", "booking_id": created.booking_id}
    await bookings.SendToManualReview(
        api.SendToManualReviewRequest(**ids, expected_version=1, reason="no table"),
        metadata=SERVICE,
    )
    for metadata, request in [
        (BACKEND, api.CancelBookingRequest(**ids, expected_version=2)),
        (SERVICE, api.CancelBookingRequest(**ids, expected_version=2)),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await bookings.CancelBooking(request, metadata=metadata)
        assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert details_of(raised.value)["ErrorInfo"].reason == "OPS_ROLE_REQUIRED"
    resolve = api.ResolveManualReviewRequest(
        **ids, expected_version=2, target_state=pb.BOOKING_STATE_ASSIGNMENT_PENDING
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.ResolveManualReview(resolve, metadata=SERVICE)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert details_of(raised.value)["ErrorInfo"].reason == "ROLE_NOT_ALLOWED"
    resolved = await bookings.ResolveManualReview(resolve, metadata=OPS)
    assert resolved.booking.state == pb.BOOKING_STATE_ASSIGNMENT_PENDING


async def test_bookings_list_by_display_status_in_pages(bookings, unique):
    venue_metadata = auth(Role.OPS, venues=("venue-b",))
    made = []
    for _ in range(5):
        request = create_request(unique("req"), venue_id="venue-b")
        made.append((await bookings.CreateBooking(request, metadata=venue_metadata)).booking)
    await bookings.CancelBooking(
        api.CancelBookingRequest(
            venue_id="venue-b", booking_id=made[0].booking_id, expected_version=1
        ),
        metadata=venue_metadata,
    )
    seen, token = [], ""
    while True:
        page = await bookings.ListBookings(
            api.ListBookingsRequest(
                venue_id="venue-b",
                page_size=2,
                page_token=token,
                display_statuses=[pb.DISPLAY_STATUS_PENDING],
            ),
            metadata=venue_metadata,
        )
        assert len(page.bookings) <= 2
        seen += [b.booking_id for b in page.bookings]
        token = page.next_page_token
        if not token:
            break
    assert set(seen) >= {b.booking_id for b in made[1:]}
    assert made[0].booking_id not in seen
    assert len(seen) == len(set(seen))
    cancelled = await bookings.ListBookings(
        api.ListBookingsRequest(venue_id="venue-b", states=[pb.BOOKING_STATE_CANCELLED]),
        metadata=venue_metadata,
    )
    assert made[0].booking_id in [b.booking_id for b in cancelled.bookings]


async def test_a_page_token_from_another_query_is_invalid(bookings):
    first = api.ListBookingsRequest(venue_id="venue-a", page_size=1)
    page = await bookings.ListBookings(first, metadata=OPS)
    assert page.next_page_token
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await bookings.ListBookings(
            api.ListBookingsRequest(
                venue_id="venue-a",
                page_token=page.next_page_token,
                states=[pb.BOOKING_STATE_CREATED],
            ),
            metadata=OPS,
        )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = details_of(raised.value)["BadRequest"].field_violations
    assert [v.field for v in violations] == ["page_token"]


async def test_the_transition_matrix_is_served(bookings):
    matrix = await bookings.GetTransitionMatrix(api.GetTransitionMatrixRequest(), metadata=BACKEND)
    edges = {(t.from_state, t.to_state, t.rpc) for t in matrix.transitions}
    assert (pb.BOOKING_STATE_ASSIGNED, pb.BOOKING_STATE_CONFIRMED, "ConfirmBooking") in edges
    out_of_review = [
        t for t in matrix.transitions if t.from_state == pb.BOOKING_STATE_MANUAL_REVIEW
    ]
    assert out_of_review and all(list(t.allowed_roles) == [pb.ROLE_OPS] for t in out_of_review)
    assert len(matrix.display_statuses) == 12
