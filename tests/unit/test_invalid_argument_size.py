"""An INVALID_ARGUMENT with very many bad fields still fits in the trailers a client accepts."""

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from shared.domain_errors import MAX_VIOLATIONS, FieldViolation, InvalidArgument
from shared.error_table import to_status

# gRPC clients refuse trailing metadata past 8 KiB by default (RESOURCE_EXHAUSTED).
CLIENT_METADATA_LIMIT = 8192


def _bad_fields(count: int) -> InvalidArgument:
    return InvalidArgument(
        FieldViolation(f"policy.turn_time_bands[{i}].turn_duration", "field.out_of_range")
        for i in range(count)
    )


def _metadata_bytes(error: InvalidArgument, locale: str) -> int:
    status = to_status(error, locale)
    trailers = sum(len(key) + len(value) for key, value in status.trailing_metadata)
    return trailers + len(status.details.encode())


def test_hundreds_of_bad_fields_fit_in_a_clients_metadata_limit():
    for locale in ("en", "fr"):
        assert _metadata_bytes(_bad_fields(500), locale) < CLIENT_METADATA_LIMIT


def test_the_first_bad_fields_are_named_and_the_rest_counted():
    status = to_status(_bad_fields(25), "en")
    (packed,) = [d for d in _details(status) if d.Is(error_details_pb2.BadRequest.DESCRIPTOR)]
    bad_request = error_details_pb2.BadRequest()
    packed.Unpack(bad_request)
    fields = [violation.field for violation in bad_request.field_violations]
    assert fields == [f"policy.turn_time_bands[{i}].turn_duration" for i in range(MAX_VIOLATIONS)]
    (info,) = [d for d in _details(status) if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)]
    error_info = error_details_pb2.ErrorInfo()
    info.Unpack(error_info)
    assert error_info.metadata["fields"].endswith(f"(+{25 - MAX_VIOLATIONS})")


def test_a_few_bad_fields_are_all_named():
    error = _bad_fields(3)
    assert [v.field for v in error.violations] == [
        f"policy.turn_time_bands[{i}].turn_duration" for i in range(3)
    ]
    assert "+" not in str(error.params["fields"])


def _details(status: grpc.Status) -> list[any_pb2.Any]:
    (packed,) = [v for k, v in status.trailing_metadata if k == "grpc-status-details-bin"]
    return list(status_pb2.Status.FromString(packed).details)
