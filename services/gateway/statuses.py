"""gRPC statuses as HTTP answers: the status code, a google.rpc.Status body, Retry-After."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2

# As grpc-gateway and Google's HTTP APIs map them.
HTTP_STATUS = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class HttpError:
    """An error as the gateway answers it."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def from_rpc_error(error: grpc.aio.AioRpcError) -> HttpError:
    """The HTTP answer for a failed call, with the service's google.rpc details kept."""
    status = _rich_status(error)
    headers = {}
    retry_after = _retry_after(status)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    try:
        body: dict[str, Any] = json_format.MessageToDict(status)
    except (TypeError, json_format.Error):  # a detail of a type this process does not know
        body = {"code": status.code, "message": status.message}
    body.setdefault("code", status.code)
    body.setdefault("message", "")
    body.setdefault("details", [])
    return HttpError(HTTP_STATUS.get(error.code(), 500), body, headers)


def gateway_error(
    code: grpc.StatusCode, message: str, *, field_name: str | None = None
) -> HttpError:
    """An error found by the gateway itself, shaped like the services' own."""
    status = status_pb2.Status(code=code.value[0], message=message)
    if field_name is not None:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=field_name, description=message
        )
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[violation]))
    body: dict[str, Any] = json_format.MessageToDict(status)
    body.setdefault("details", [])
    return HttpError(HTTP_STATUS[code], body)


def _rich_status(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            if status.code == error.code().value[0]:
                return status
    return status_pb2.Status(code=error.code().value[0], message=error.details() or "")


def _retry_after(status: status_pb2.Status) -> int | None:
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            seconds = float(info.retry_delay.seconds) + info.retry_delay.nanos / 1e9
            return int(max(1, math.ceil(seconds)))
    return None
