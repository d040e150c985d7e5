"""Bad requests at the shared pipeline: undecodable bytes, impossible values, odd tokens, roles.

Over the real state service (and bare servers for the role table), on real PostgreSQL.
"""

from __future__ import annotations

import importlib
import time

import grpc
import jwt
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from services.state.adapters.tables import bookings as bookings_table
from services.state.main import SERVICE as STATE_SERVICE
from services.state.roles import ROLES as STATE_ROLES
from shared.auth import AUDIENCE, Role
from shared.role_table import EVERY_ROLE, IncompleteRoleTable, methods_without_roles
from shared.server import start_server
from shared.settings import ServiceSettings
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc
from tests.service.conftest import OPS, SECRET, auth, details_of
from tests.service.test_availability_service import start_availability
from tests.service.test_booking_service import create_request

CREATE = f"/{STATE_SERVICE}/CreateBooking"
LEAKS = (
    "Error",
    "Exception",
    "class",
    "Traceback",
    ".py",
    "SELECT",
    "INSERT",
    "psycopg",
    "asyncpg",
)


async def failing(call, request, metadata) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(request, metadata=metadata)
    return raised.value


def assert_nothing_internal(error: grpc.aio.AioRpcError) -> None:
    text = f"{error.details()} {list(details_of(error).values())}"
    for leak in LEAKS:
        assert leak not in text, (leak, text)


async def rows_with_request_id(engine, request_id: str) -> int:
    async with engine.connect() as db:
        count = await db.scalar(
            select(func.count()).where(bookings_table.c.request_id == request_id)
        )
    return int(count or 0)


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    return [v.field for v in details_of(error)["BadRequest"].field_violations]


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xff\xff\xff",  # a truncated varint tag
        b"\x0a\x10short",  # a length past the end
        b"\x0a\x02\xff\xfe",  # venue_id that is not UTF-8
        b"\x12\x03\x0a\x01",  # booking: a nested message cut short
    ],
)
async def test_bytes_that_do_not_decode_are_invalid_argument_with_nothing_internal(
    channel, payload
):
    raw = channel.unary_unary(CREATE, request_serializer=None, response_deserializer=None)
    error = await failing(raw, payload, OPS)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(error) == ["request"]
    assert_nothing_internal(error)


async def test_undecodable_bytes_without_a_token_are_still_unauthenticated(channel):
    raw = channel.unary_unary(CREATE, request_serializer=None, response_deserializer=None)
    error = await failing(raw, b"\xff\xff", [])
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("seconds", "nanos"), [(1_796_758_200, -1), (1_796_758_200, 10**9), (2**63 - 1, 0)]
)
async def test_a_start_time_outside_the_protobuf_range_is_refused_and_writes_nothing(
    bookings, engine, unique, seconds, nanos
):
    request = create_request(unique("r"))
    request.booking.start_time.CopyFrom(Timestamp(seconds=seconds, nanos=nanos))
    error = await failing(bookings.CreateBooking, request, OPS)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(error) == ["booking.start_time"]
    assert await rows_with_request_id(engine, request.request_id) == 0


@pytest.mark.parametrize("field", ["notes", "guest_reference"])
async def test_a_nul_character_in_a_stored_string_is_refused_and_writes_nothing(
    bookings, engine, unique, field
):
    request = create_request(unique("r"), **{field: "a\x00b"})
    error = await failing(bookings.CreateBooking, request, OPS)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(error) == [f"booking.{field}"]
    assert await rows_with_request_id(engine, request.request_id) == 0


async def test_a_nul_character_in_an_id_is_refused(bookings):
    error = await failing(
        bookings.GetBooking, api.GetBookingRequest(venue_id="venue-a\x00", booking_id="x"), OPS
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(error) == ["venue_id"]


def signed(**claims: object) -> list[tuple[str, str]]:
    now = int(time.time())
    body = {"sub": "tester", "roles": ["ops"], "venues": ["*"], "iss": "maitred", "aud": AUDIENCE}
    body |= {"iat": now, "exp": now + 60, **claims}
    return [("authorization", f"Bearer {jwt.encode(body, SECRET, algorithm='HS256')}")]


@pytest.mark.parametrize(
    "claims",
    [{"roles": 5}, {"roles": "ops"}, {"roles": [7]}, {"venues": "x"}, {"venues": [1]}, {"sub": 9}],
)
async def test_a_signed_token_with_claims_of_the_wrong_type_is_unauthenticated(bookings, claims):
    error = await failing(
        bookings.GetTransitionMatrix, api.GetTransitionMatrixRequest(), signed(**claims)
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert_nothing_internal(error)


def bare_settings() -> ServiceSettings:
    return ServiceSettings(database_url="postgresql://unused", jwt_secret=SECRET, host="127.0.0.1")


async def test_a_service_whose_role_table_misses_a_method_does_not_start():
    incomplete = {
        path: roles for path, roles in STATE_ROLES.items() if not path.endswith("/CancelBooking")
    }

    def register(server: grpc.aio.Server) -> list[str]:
        state_service_pb2_grpc.add_BookingServiceServicer_to_server(
            state_service_pb2_grpc.BookingServiceServicer(), server
        )
        return [STATE_SERVICE]

    with pytest.raises(IncompleteRoleTable, match="CancelBooking"):
        await start_server(bare_settings(), port=0, register=register, roles_by_method=incomplete)


async def test_a_method_missing_from_the_role_table_is_denied_to_every_role():
    served: list[bytes] = []

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        served.append(request)
        return request

    def register(server: grpc.aio.Server) -> list[str]:
        handlers = {"Open": grpc.unary_unary_rpc_method_handler(echo)}
        handlers["Unlisted"] = grpc.unary_unary_rpc_method_handler(echo)
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler("test.Roles", handlers)]
        )
        return []

    running = await start_server(
        bare_settings(), port=0, register=register, roles_by_method={"/test.Roles/Open": EVERY_ROLE}
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as opened:
            assert await opened.unary_unary("/test.Roles/Open")(b"hi", metadata=OPS) == b"hi"
            for role in Role:
                unlisted = opened.unary_unary("/test.Roles/Unlisted")
                error = await failing(unlisted, b"hi", auth(role))
                assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await running.stop(0)
    assert served == [b"hi"]


WATCH = "/maitred.availability.v1.AvailabilityService/WatchSnapshots"


async def test_a_stream_whose_bytes_do_not_decode_is_invalid_argument(database_url, redis_url):
    running = await start_availability(database_url, redis_url)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as opened:
            watch = opened.unary_stream(WATCH, request_serializer=None, response_deserializer=None)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                async for _ in watch(b"\x0a\x05ab", metadata=OPS):
                    pass
    finally:
        await running.stop(0.5)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(raised.value) == ["request"]
    assert_nothing_internal(raised.value)


@pytest.mark.parametrize("service", ["state", "availability", "assigner", "optimizer"])
def test_every_service_role_table_names_every_method_of_its_contract(service):
    roles = importlib.import_module(f"services.{service}.roles").ROLES
    served = {path.split("/")[1] for path in roles}
    assert methods_without_roles(roles, served) == []
    assert all(allowed for allowed in roles.values())
