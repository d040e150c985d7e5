"""Authentication, venue scope, invalid input and localized errors, over a real server."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from services.state.adapters.tables import bookings as bookings_table
from shared.auth import Role, mint_token
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.service.conftest import SERVICE, auth, details_of, evening_in_three_days
from tests.service.test_booking_service import create_request


async def failing(call, request, metadata) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(request, metadata=metadata)
    return raised.value


async def test_a_token_for_venue_a_cannot_read_or_write_venue_b(bookings, unique):
    venue_b = auth(Role.OPS, venues=("venue-b",))
    created = (
        await bookings.CreateBooking(
            create_request(unique("r"), venue_id="venue-b"), metadata=venue_b
        )
    ).booking
    only_a = auth(Role.OPS, venues=("venue-a",))
    for call, request in [
        (
            bookings.GetBooking,
            api.GetBookingRequest(venue_id="venue-b", booking_id=created.booking_id),
        ),
        (bookings.ListBookings, api.ListBookingsRequest(venue_id="venue-b")),
        (bookings.CreateBooking, create_request(unique("r"), venue_id="venue-b")),
    ]:
        error = await failing(call, request, only_a)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        assert details_of(error)["ErrorInfo"].reason == "VENUE_NOT_ALLOWED"
    # Asking for B's booking under venue A's name finds nothing.
    error = await failing(
        bookings.GetBooking,
        api.GetBookingRequest(venue_id="venue-a", booking_id=created.booking_id),
        only_a,
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "metadata",
    [
        [],
        [("authorization", "Bearer not-a-jwt")],
        [("authorization", "Basic dXNlcjpwYXNz")],
        [
            (
                "authorization",
                "Bearer "
                + mint_token(
                    "x" * 40,
                    subject="s",
                    roles=[Role.OPS],
                    venues=["*"],
                    ttl_seconds=60,
                    issuer="maitred",
                ),
            )
        ],
    ],
    ids=["no-token", "garbage", "wrong-scheme", "wrong-key"],
)
async def test_a_missing_or_bad_token_is_unauthenticated(bookings, metadata):
    error = await failing(bookings.GetTransitionMatrix, api.GetTransitionMatrixRequest(), metadata)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert details_of(error)["ErrorInfo"].reason == "UNAUTHENTICATED"


async def test_an_expired_token_is_unauthenticated(bookings):
    from tests.service.conftest import SECRET

    expired = mint_token(SECRET, subject="s", roles=[Role.OPS], venues=["*"], ttl_seconds=-10,
                         issuer="maitred")  # fmt: skip
    error = await failing(
        bookings.GetTransitionMatrix,
        api.GetTransitionMatrixRequest(),
        [("authorization", f"Bearer {expired}")],
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "expired" in details_of(error)["LocalizedMessage"].message


def _past() -> Timestamp:
    stamp = Timestamp()
    stamp.FromSeconds(1_600_000_000)
    return stamp


INVALID = [
    ("request_id", lambda r: r.ClearField("request_id")),
    ("request_id", lambda r: setattr(r, "request_id", "spaces are bad")),
    ("venue_id", lambda r: setattr(r, "venue_id", "")),
    ("venue_id", lambda r: setattr(r, "venue_id", "no-such-venue")),
    ("booking.party_size", lambda r: setattr(r.booking, "party_size", 0)),
    ("booking.party_size", lambda r: setattr(r.booking, "party_size", 11)),
    ("booking.start_time", lambda r: r.booking.ClearField("start_time")),
    ("booking.start_time", lambda r: r.booking.start_time.CopyFrom(_past())),
    ("booking.guest_reference", lambda r: setattr(r.booking, "guest_reference", "g" * 129)),
    ("booking.notes", lambda r: setattr(r.booking, "notes", "n" * 501)),
    ("booking.preferred_zone_id", lambda r: setattr(r.booking, "preferred_zone_id", "cellar")),
]


@pytest.mark.parametrize(("field", "spoil"), INVALID, ids=[f for f, _ in INVALID])
async def test_every_invalid_field_is_rejected_by_name_and_nothing_is_written(
    bookings, unique, engine, field, spoil
):
    request = create_request(unique("r"))
    spoil(request)
    metadata = auth(Role.OPS)  # all venues, so venue_id mistakes reach validation
    async with engine.connect() as db:
        before = await db.scalar(select(func.count()).select_from(bookings_table))
    error = await failing(bookings.CreateBooking, request, metadata)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = details_of(error)
    assert details["ErrorInfo"].reason == "INVALID_ARGUMENT"
    assert [v.field for v in details["BadRequest"].field_violations] == [field]
    async with engine.connect() as db:
        after = await db.scalar(select(func.count()).select_from(bookings_table))
    assert after == before


async def test_a_malformed_booking_id_is_invalid_not_internal(bookings):
    error = await failing(
        bookings.GetBooking, api.GetBookingRequest(venue_id="venue-a", booking_id="nope"), SERVICE
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details_of(error)["BadRequest"].field_violations[0].field == "booking_id"


async def test_errors_speak_the_callers_language_and_fall_back_to_english(bookings, unique):
    request = create_request(unique("r"))
    request.booking.party_size = 0
    french = await failing(bookings.CreateBooking, request, auth(Role.OPS, locale="fr-CA,fr;q=0.9"))
    localized = details_of(french)["LocalizedMessage"]
    assert localized.locale == "fr" and "invalides" in localized.message
    violation = details_of(french)["BadRequest"].field_violations[0]
    assert violation.localized_message.locale == "fr"
    assert violation.description.startswith("Must be between")
    german = await failing(bookings.CreateBooking, request, auth(Role.OPS, locale="de-DE"))
    assert details_of(german)["LocalizedMessage"].locale == "en"
    assert "invalid fields" in details_of(german)["LocalizedMessage"].message


async def test_a_starting_time_outside_service_periods_is_refused(bookings, unique):
    request = create_request(unique("r"))
    london = ZoneInfo("Europe/London")
    late = evening_in_three_days().astimezone(london).replace(hour=23, minute=59, second=30)
    request.booking.start_time.FromDatetime(late.astimezone(UTC))
    error = await failing(bookings.CreateBooking, request, SERVICE)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details_of(error)["BadRequest"].field_violations[0].reason == "OUTSIDE_SERVICE_PERIOD"


async def test_resolving_manual_review_needs_a_target_state(bookings, unique):
    created = (await bookings.CreateBooking(create_request(unique("r")), metadata=SERVICE)).booking
    error = await failing(
        bookings.ResolveManualReview,
        api.ResolveManualReviewRequest(
            venue_id="venue-a", booking_id=created.booking_id, expected_version=1
        ),
        auth(Role.OPS),
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details_of(error)["BadRequest"].field_violations[0].field == "target_state"
    assert created.state == pb.BOOKING_STATE_CREATED
