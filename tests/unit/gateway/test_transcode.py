"""Requests built from a path, a query and a JSON body; replies and errors as JSON."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2, status_pb2

from services.gateway.main import FILES
from services.gateway.routes import find, routes_of
from services.gateway.statuses import STATUS_DETAILS_KEY, from_rpc_error, gateway_error
from services.gateway.transcode import BadRequest, build_request, to_json

ROUTES = routes_of(FILES)


def request_for(method: str, path: str, query=(), body: bytes = b""):
    route, variables = find(ROUTES, method, path)
    return build_request(route, variables, query, body)


def test_a_body_in_either_spelling_and_the_path_make_the_request():
    body = (
        b'{"requestId": "r-1", "booking": {"party_size": 4, "startTime": "2026-11-25T19:30:00Z"}}'
    )
    request = request_for("POST", "/v1/venues/demo/bookings", body=body)
    assert request.venue_id == "demo" and request.request_id == "r-1"
    assert request.booking.party_size == 4
    assert request.booking.start_time.ToJsonString() == "2026-11-25T19:30:00Z"


def test_a_body_naming_another_venue_than_the_path_is_refused():
    with pytest.raises(BadRequest) as refused:
        request_for("POST", "/v1/venues/demo/bookings", body=b'{"venueId": "other"}')
    assert refused.value.field == "venue_id"


def test_the_same_venue_in_body_and_path_is_accepted():
    request = request_for("POST", "/v1/venues/demo/bookings", body=b'{"venue_id": "demo"}')
    assert request.venue_id == "demo"


@pytest.mark.parametrize(
    ("body", "message", "field"),
    [
        (b"{not json", "not JSON", "body"),
        (b"[1, 2]", "JSON object", "body"),
        (b'{"booking": 5}', "booking", "booking"),
    ],
)
def test_a_body_that_is_not_the_request_is_refused(body, message, field):
    with pytest.raises(BadRequest, match=message) as refused:
        request_for("POST", "/v1/venues/demo/bookings", body=body)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"nope": 1}', "nope"),
        (b'{"booking": {"partySize": "four"}}', "booking.party_size"),
        (b'{"booking": {"startTime": "tomorrow"}}', "booking.start_time"),
        (b'{"booking": {"tableCount": 2}}', "booking.table_count"),
    ],
)
def test_a_body_field_that_does_not_fit_is_named_as_the_services_name_fields(body, field):
    with pytest.raises(BadRequest) as refused:
        request_for("POST", "/v1/venues/demo/bookings", body=body)
    assert refused.value.field == field


def test_query_parameters_fill_repeated_enum_and_boolean_fields():
    query = [("kinds", "ALLOCATION_KIND_HOLD"), ("kinds", "ALLOCATION_KIND_ASSIGNMENT")]
    request = request_for(
        "GET", "/v1/venues/demo/allocations", [*query, ("includeReleased", "true")]
    )
    assert len(request.kinds) == 2 and request.include_released is True
    with pytest.raises(BadRequest, match="true or false") as refused:
        request_for("GET", "/v1/venues/demo/allocations", [("include_released", "maybe")])
    assert refused.value.field == "include_released"


def test_query_parameters_fill_nested_and_integer_fields():
    query = [
        ("window.startTime", "2026-11-25T17:00:00Z"),
        ("window.end_time", "2026-11-25T23:00:00Z"),
        ("last_version", "7"),
    ]
    request = request_for("GET", "/v1/venues/demo/snapshot:watch", query)
    assert request.window.start_time.ToJsonString() == "2026-11-25T17:00:00Z"
    assert request.window.end_time.ToJsonString() == "2026-11-25T23:00:00Z"
    assert request.last_version == 7


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("nope", "1", "nope"),
        ("window", "x", "window"),
        ("window.nope", "x", "window.nope"),
        ("last_version", "seven", "last_version"),
    ],
)
def test_a_query_parameter_that_does_not_fit_is_named(name, value, field):
    with pytest.raises(BadRequest) as refused:
        request_for("GET", "/v1/venues/demo/snapshot:watch", [(name, value)])
    assert refused.value.field == field


def test_a_route_without_a_body_refuses_one():
    with pytest.raises(BadRequest, match="takes no body"):
        request_for("GET", "/v1/venues/demo/bookings", body=b'{"pageSize": 5}')


def test_replies_keep_fields_at_their_defaults_and_int64_as_text():
    request = request_for("GET", "/v1/venues/demo/snapshot:watch", [("last_version", "12")])
    assert to_json(request)["lastVersion"] == "12"
    assert to_json(request_for("GET", "/v1/venues/demo/snapshot:watch"))["lastVersion"] == "0"


def rpc_error(code: grpc.StatusCode, status: status_pb2.Status | None) -> grpc.aio.AioRpcError:
    trailing = grpc.aio.Metadata()
    if status is not None:
        trailing.add(STATUS_DETAILS_KEY, status.SerializeToString())
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), trailing, details="plain details")


def test_a_refused_rate_says_when_to_retry_in_seconds_and_keeps_its_details():
    status = status_pb2.Status(code=8, message="slow down")
    status.details.add().Pack(
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=1, nanos=200_000_000))
    )
    answer = from_rpc_error(rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, status))
    assert answer.status == 429 and answer.headers == {"Retry-After": "2"}
    assert answer.body["message"] == "slow down"
    assert answer.body["details"][0]["@type"] == "type.googleapis.com/google.rpc.RetryInfo"


@pytest.mark.parametrize(
    ("code", "http"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.UNAUTHENTICATED, 401),
        (grpc.StatusCode.PERMISSION_DENIED, 403),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.ABORTED, 409),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    ],
)
def test_an_error_without_rich_status_keeps_its_code_and_details(code, http):
    answer = from_rpc_error(rpc_error(code, None))
    assert answer.status == http
    assert answer.body == {"code": code.value[0], "message": "plain details", "details": []}


def test_a_gateway_error_names_the_field_like_the_services_do():
    answer = gateway_error(grpc.StatusCode.INVALID_ARGUMENT, "bad", field_name="venue_id")
    assert answer.status == 400 and answer.body["code"] == 3
    violation = answer.body["details"][0]["fieldViolations"][0]
    assert violation == {"field": "venue_id", "description": "bad"}
